import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The workflows the shared deploy app holds beside the examples (shared-app.ts): each exercises settings
 * the examples do not (memory, timeout, env, schedules, containers, node tasks, a Distributed Map).
 */

/** The stack holding only a bare bucket that cdk-nag must flag, proving the checks really ran. */
export const CONTROL_STACK = 'NagControl';
/**
 * python3.11 on x86_64, as `-c pythonRuntime=python3.11 -c architecture=x86_64`: the python code assets are
 * built for real, from the wheels this machine's pip reaches (cp311 manylinux x86_64); the default
 * (python3.14 on arm64) needs an index that has its wheels, and its error is tested in python-code.test.ts.
 */
export const SYNTH_CONTEXT = { pythonRuntime: 'python3.11', architecture: 'x86_64' } as const;
export const SNS_TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:ork-alarms';
/**
 * A secret value that `ork run` would read from the settings workflow's `.ork/secrets.json`: it must appear in
 * nothing that synth writes (docs/deploy.md, "Secrets": names only).
 */
export const SECRET_SENTINEL = 'ork-sentinel-Zq7xW4pL9vT2';
const LOCAL_SECRETS = `${JSON.stringify({ 'prod/warehouse': { password: SECRET_SENTINEL }, '/ork/api-token': SECRET_SENTINEL })}\n`;

/** The folder of each test workflow, as written by writeTestWorkflows. */
export interface TestWorkflowDirs {
  readonly settings: string;
  readonly defaults: string;
  readonly containers: string;
  readonly node: string;
  readonly mixed: string;
  readonly scale: string;
  readonly triggers: string;
}

export const PY_TASK = `from ork import task


@task
def main(input, ctx):
    return {"ok": True}
`;

export function writeTree(root: string, files: Record<string, string>): string {
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

/** Settings in workflow.yaml: task memory/timeout/env over defaults, a cron schedule with everything. */
const SETTINGS_YAML = `name: deploy_settings
description: Test workflow for memory, timeout, env and schedule settings.
params:
  date: "2024-01-15"
  limit: 10
  region: eu
defaults:
  memory: 512MB
  timeout: 2m
  retries: 1
  env:
    STAGE: test
    SHARED: from-defaults
schedule:
  expression: cron(0 6 * * ? *)
  timezone: Europe/Paris
  flexible_window: 15m
  input:
    limit: 99
    mode: scheduled
tasks:
  extract:
    file: tasks/extract.py
    memory: 2GB
    timeout: 10m
    env:
      SHARED: overridden
      BATCH: 500
      VERBOSE: true
    secrets: [prod/warehouse, /ork/api-token]
  load:
    file: tasks/load.py
    depends_on: [extract]
`;

/** No settings at all: Ork's defaults (1024 MB, 15 min, no user env); a rate schedule in the short form. */
const DEFAULTS_YAML = `name: deploy_defaults
schedule: rate(1 hour)
tasks:
  only:
    file: tasks/only.py
  fan:
    file: tasks/fan.py
    depends_on: [only]
    parallel: 3
`;

/** The three ways a container task gets its image, beside a python task. */
const CONTAINERS_YAML = `name: deploy_containers
tasks:
  prepare:
    file: tasks/prepare.py
  train:
    executor: container
    file: tasks/train.py
    image: public.ecr.aws/example/ork-train:1.0
    depends_on: [prepare]
    timeout: 2h
    heartbeat: 10m
    cpu: 2
    memory: 4GB
    env:
      MODEL: big
    secrets: [prod/model-registry]
  score:
    executor: container
    file: tasks/score.py
    dockerfile: Dockerfile
    depends_on: [train]
    parallel: 2
  report:
    executor: container
    file: tasks/report.py
    depends_on: [score]
    cpu: 0.5
    memory: 1GB
`;

export const TINY_DOCKERFILE = `FROM public.ecr.aws/docker/library/python:3.13-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir "pydantic>=2,<3" "boto3>=1.28"
ENV ORK_WORKFLOW_DIR=/app PYTHONUNBUFFERED=1
CMD ["python", "-m", "ork.container"]
`;

/**
 * Node tasks: settings from the YAML, a data file read through import.meta.url from a nested folder, two tasks
 * of one file, and a task that throws a class of its own. Written outside the repository (os.tmpdir), where
 * `ork/task` does not resolve through node_modules: the bundler falls back to the deploying Ork's SDK.
 */
const NODE_YAML = `name: deploy_node
defaults:
  memory: 256MB
tasks:
  fetch:
    executor: node
    file: tasks/fetch.ts
    memory: 2GB
    timeout: 5m
    env:
      SOURCE: api
      LIMIT: 10
    secrets:
      - arn:aws:secretsmanager:eu-west-1:210987654321:secret:shared/api-key
      - arn:aws:ssm:eu-west-1:210987654321:parameter/shared/endpoint
  shape:
    executor: node
    file: lib/shape.ts
    depends_on: [fetch]
  reshape:
    executor: node
    file: lib/shape.ts
    depends_on: [fetch]
    timeout: 30s
  explode:
    executor: node
    file: tasks/explode.ts
    depends_on: [shape, reshape]
`;

const NODE_FILES: Record<string, string> = {
  'workflow.yaml': NODE_YAML,
  'data/rows.json': '[{"id": 1}, {"id": 2}, {"id": 3}]\n',
  'tasks/fetch.ts': `import { readFileSync } from 'node:fs';
import { defineTask, z } from 'ork/task';

const rows = JSON.parse(readFileSync(new URL('../data/rows.json', import.meta.url), 'utf8')) as { id: number }[];

export default defineTask({
  input: z.object({ params: z.object({ scale: z.number().default(1) }) }),
  output: z.object({ ids: z.array(z.number()), source: z.string() }),
  handler: (input) => ({ ids: rows.map((r) => r.id * input.params.scale), source: process.env.SOURCE ?? 'none' }),
});
`,
  'lib/shape.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ fetch: z.object({ ids: z.array(z.number()) }) }),
  handler: (input, ctx) => ({ task: ctx.task, count: input.fetch.ids.length }),
});
`,
  'tasks/explode.ts': `import { defineTask } from 'ork/task';

class QuotaExceeded extends Error {}

export default defineTask({
  handler: () => {
    throw new QuotaExceeded('over quota');
  },
});
`,
  // Local leftovers that must never reach the code.
  '.ork/runs/old.json': '{}',
  'node_modules/left-over/index.js': 'junk',
};

/** Python and node in one workflow: one asset per language, one function per task. */
const MIXED_YAML = `name: deploy_mixed
tasks:
  make:
    executor: python
    file: tasks/make.py
  double:
    executor: node
    file: tasks/double.ts
    foreach: make.numbers
    memory: 512MB
  total:
    executor: python
    file: tasks/total.py
    depends_on: [double]
`;

/**
 * A large fan-out (docs/scale.md): a Distributed Map in batches of 10, 5 % of failures tolerated, 500 child
 * executions at once. The schedule checks that it waits for the Distributed Map permissions.
 */
const SCALE_YAML = `name: deploy_scale
schedule: rate(1 day)
tasks:
  discover:
    file: tasks/discover.py
  process:
    file: tasks/process.py
    foreach: discover.files
    mode: distributed
    batch_size: 10
    tolerate_failures: 5%
    concurrency: 500
    timeout: 20s
  summarize:
    file: tasks/summarize.py
    depends_on: [process]
`;

/**
 * Triggers (docs/deploy.md): an S3 trigger with prefix and suffix on a bucket the construct is given
 * (triggerBuckets), one on a whole bucket that is not given, an event pattern on a
 * named bus with a number filter, and one on a bus given by ARN that maps no params. Its params map a string,
 * a number and an object, so the agreement test (test/deploy/trigger-agreement.test.ts) sees each kept as JSON.
 */
export const TRIGGERS_YAML = `name: deploy_triggers
params:
  key: none
  bucket: none
  size: 0
  object: {}
  order_id: none
  total: 0
  mode: full
triggers:
  - s3: { bucket: landing-bucket, prefix: incoming/, suffix: .csv }
    params: { key: "$.detail.object.key", bucket: "$.detail.bucket.name", size: "$.detail.object.size" }
  - s3: { bucket: archive-bucket }
    params: { key: "$.detail.object.key", bucket: "$.detail.bucket.name", object: "$.detail.object" }
  - event: { source: [shop.orders], detail-type: [OrderPlaced], detail: { total: [{ numeric: [">", 0] }] } }
    bus: orders
    params: { order_id: "$.detail.orderId", total: "$.detail.total" }
  - event: { source: [shop.returns] }
    bus: arn:aws:events:eu-west-1:210987654321:event-bus/returns
tasks:
  echo:
    file: tasks/echo.py
`;

/** Returns the params it was given: what a trigger's run received. */
const ECHO_PY = `from ork import task


@task
def main(input, ctx):
    return {"params": input["params"]}
`;

const DOUBLE_TS = `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({ item: z.number() }),
  handler: (input) => ({ doubled: input.item * 2 }),
});
`;

export function writeTestWorkflows(root: string): TestWorkflowDirs {
  const settings = writeTree(path.join(root, 'settings'), {
    'workflow.yaml': SETTINGS_YAML,
    'tasks/extract.py': PY_TASK,
    'tasks/load.py': PY_TASK,
    '.ork/secrets.json': LOCAL_SECRETS,
  });
  const defaults = writeTree(path.join(root, 'defaults'), { 'workflow.yaml': DEFAULTS_YAML, 'tasks/only.py': PY_TASK, 'tasks/fan.py': PY_TASK });
  const containers = writeTree(path.join(root, 'containers'), {
    'workflow.yaml': CONTAINERS_YAML,
    Dockerfile: TINY_DOCKERFILE,
    'tasks/prepare.py': PY_TASK,
    'tasks/train.py': PY_TASK,
    'tasks/score.py': PY_TASK,
    'tasks/report.py': PY_TASK,
    // Local leftovers that must never reach an image or a Lambda bundle.
    '.ork/runs/old.json': '{}',
    'tasks/__pycache__/train.cpython-313.pyc': 'junk',
  });
  const node = writeTree(path.join(root, 'node'), NODE_FILES);
  const mixed = writeTree(path.join(root, 'mixed'), {
    'workflow.yaml': MIXED_YAML,
    'tasks/make.py': PY_TASK,
    'tasks/double.ts': DOUBLE_TS,
    'tasks/total.py': PY_TASK,
  });
  const scale = writeTree(path.join(root, 'scale'), {
    'workflow.yaml': SCALE_YAML,
    'tasks/discover.py': PY_TASK,
    'tasks/process.py': PY_TASK,
    'tasks/summarize.py': PY_TASK,
  });
  const triggers = writeTree(path.join(root, 'triggers'), { 'workflow.yaml': TRIGGERS_YAML, 'tasks/echo.py': ECHO_PY });
  return { settings, defaults, containers, node, mixed, scale, triggers };
}
