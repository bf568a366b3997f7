/** The languages `ork init --lang` scaffolds tasks in. */
export const TEMPLATE_LANGUAGES = ['python', 'ts'] as const;
export type TemplateLanguage = (typeof TEMPLATE_LANGUAGES)[number];

/**
 * The version ranges a new project's package.json gives its devDependencies: `ork` as orkDependency says, the
 * tools as Ork's own package.json has them (projectToolRanges), so that the CDK CLI reads the cloud assembly of
 * Ork's aws-cdk-lib and the tasks type-check with the TypeScript Ork is checked with.
 */
export interface ProjectDependencies {
  readonly ork: string;
  readonly awsCdk: string;
  readonly typescript: string;
  readonly typesNode: string;
}

/**
 * Files of a new workflow project (`ork init`): a small foreach workflow that runs and deploys as is, with
 * its tasks in Python (pydantic models) or TypeScript (`executor: node`, zod schemas through `ork/task`).
 */
export function workflowTemplate(name: string, dependencies: ProjectDependencies, language: TemplateLanguage = 'python'): Record<string, string> {
  return { ...(language === 'ts' ? typeScriptTasks(name) : pythonTasks(name)), ...projectFiles(name, dependencies, language) };
}

/** The template's workflow.yaml: one workflow in either language, its tasks on the node executor in TypeScript. */
function workflowYaml(name: string, language: TemplateLanguage): string {
  const task = (file: string): string => (language === 'ts' ? `    executor: node\n    file: tasks/${file}.ts` : `    file: tasks/${file}.py`);
  return `# yaml-language-server: $schema=./workflow.schema.json
name: ${name}
description: Count the words of each document, then add them up.
params:
  documents: [alpha beta gamma, delta epsilon, zeta]
defaults:
  retries: 2
  timeout: 5m

tasks:
  discover:
${task('discover')}

  count_words:
${task('count_words')}
    foreach: discover.documents
    concurrency: 4

  total:
${task('total')}
    depends_on: [count_words]
`;
}

function pythonTasks(name: string): Record<string, string> {
  return {
    'workflow.yaml': workflowYaml(name, 'python'),
    'tasks/discover.py': `from ork import task, Context
from pydantic import BaseModel


class Params(BaseModel):
    documents: list[str]


class Input(BaseModel):
    params: Params


class Output(BaseModel):
    documents: list[str]


@task
def main(input: Input, ctx: Context) -> Output:
    ctx.log.info(f"found {len(input.params.documents)} documents")
    return Output(documents=input.params.documents)
`,
    'tasks/count_words.py': `from ork import task, Context
from pydantic import BaseModel


class Input(BaseModel):
    item: str  # one document


class Output(BaseModel):
    words: int


@task
def main(input: Input, ctx: Context) -> Output:
    words = len(input.item.split())
    ctx.metrics.record("words_counted", words)
    return Output(words=words)
`,
    'tasks/total.py': `from ork import task
from pydantic import BaseModel


class CountOutput(BaseModel):
    words: int


class Input(BaseModel):
    count_words: list[CountOutput]


class Output(BaseModel):
    total_words: int


@task
def main(input: Input) -> Output:
    return Output(total_words=sum(c.words for c in input.count_words))
`,
  };
}

function typeScriptTasks(name: string): Record<string, string> {
  return {
    'workflow.yaml': workflowYaml(name, 'ts'),
    'tasks/discover.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({
    params: z.object({ documents: z.array(z.string()) }),
  }),
  output: z.object({ documents: z.array(z.string()) }),
  handler: (input, ctx) => {
    ctx.log.info(\`found \${input.params.documents.length} documents\`);
    return { documents: input.params.documents };
  },
});
`,
    'tasks/count_words.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({
    item: z.string(), // one document
  }),
  output: z.object({ words: z.number().int() }),
  handler: (input, ctx) => {
    const words = input.item.split(/\\s+/).filter(Boolean).length;
    ctx.metrics.record('words_counted', words);
    return { words };
  },
});
`,
    'tasks/total.ts': `import { defineTask, z } from 'ork/task';

export default defineTask({
  input: z.object({
    count_words: z.array(z.object({ words: z.number().int() })),
  }),
  output: z.object({ total_words: z.number().int() }),
  handler: (input) => ({ total_words: input.count_words.reduce((sum, c) => sum + c.words, 0) }),
});
`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
          noEmit: true,
          types: ['node'],
        },
        include: ['tasks/**/*.ts'],
      },
      null,
      2,
    )}\n`,
  };
}

function projectFiles(name: string, dependencies: ProjectDependencies, language: TemplateLanguage): Record<string, string> {
  const ts = language === 'ts';
  return {
    // Ork's own CDK app (one stack per workflow under this folder, checked by cdk-nag): aws-cdk-lib and
    // constructs come with ork, so the project needs only the CDK CLI.
    'cdk.json': `${JSON.stringify({ app: 'node node_modules/ork/bin/cdk-app.js', context: { workflows: '.' } }, null, 2)}\n`,
    'package.json': `${JSON.stringify(
      {
        name,
        private: true,
        type: 'module',
        scripts: {
          start: 'ork run .',
          validate: 'ork validate .',
          ...(ts ? { typecheck: 'tsc --noEmit' } : {}),
          synth: 'cdk synth',
          deploy: 'cdk deploy --all',
        },
        // TypeScript tasks: Ork runs them as they are; typescript and @types/node are for editors and `npm run typecheck`.
        devDependencies: {
          ork: dependencies.ork,
          'aws-cdk': dependencies.awsCdk,
          ...(ts ? { typescript: dependencies.typescript, '@types/node': dependencies.typesNode } : {}),
        },
      },
      null,
      2,
    )}\n`,
    ...(ts
      ? {}
      : {
          'requirements-dev.txt': `# For editors and type checkers only (ork run and deploy bring the SDK themselves). After npm install, in this
# folder and in the Python environment your editor uses:  pip install -r requirements-dev.txt
# The Ork task SDK (from ork import task, Context; typed, py.typed) from the ork package npm installed, and pydantic.
./node_modules/ork/lambdas/python
`,
        }),
    '.gitignore': '.ork/\ncdk.out/\nnode_modules/\n__pycache__/\n',
    'README.md': `# ${name}

An Ork workflow (Ork's documentation: \`node_modules/ork/README.md\` and \`node_modules/ork/docs/\`).

\`\`\`sh
npm install
npx ork run .            # run it on this machine
npx cdk deploy --all     # deploy it to AWS (Step Functions, Lambda, dashboard)
\`\`\`

${
  ts
    ? `The tasks are TypeScript (\`executor: node\`): each file exports \`defineTask({ input, output, handler })\` from
\`ork/task\`, with zod schemas that type the handler's input and output. \`npm run typecheck\` checks them.
`
    : `Add Python packages your tasks need to \`requirements.txt\`: \`ork run\` installs them into a virtual environment
under \`.ork/venv/\` (once, and again when the file changes), and deploy bundles them for Lambda.

For your editor: \`pip install -r requirements-dev.txt\` (after \`npm install\`, in the Python environment the editor
uses) installs the Ork SDK from \`node_modules/ork\`, so that \`from ork import task, Context\` resolves and type-checks.
`
}
On Lambda the tasks' code folder is read-only: a task that writes files writes them to the temporary directory
(${ts ? `\`os.tmpdir()\`` : `\`tempfile.gettempdir()\``}, \`/tmp\` on Lambda), and hands results on as its output.
`,
  };
}
