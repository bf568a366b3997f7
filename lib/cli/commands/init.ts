import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sanitiseWorkflowName, workflowJsonSchema } from '../../../compiler/index.js';
import { packageRoot } from '../../package-root.js';
import { projectDependencies } from '../../scaffold/project-dependencies.js';
import { TEMPLATE_LANGUAGES, workflowTemplate, type TemplateLanguage } from '../../scaffold/workflow-template.js';
import { ExitCode, UsageError } from '../cli-error.js';
import { parseCommandArgs, type Command } from '../command.js';

export const initCommand: Command = {
  name: 'init',
  summary: 'create a new workflow project',
  help: `Usage: ork init DIR [--name NAME] [--lang python|ts]

Creates DIR with a small runnable workflow (workflow.yaml, tasks/*.py or tasks/*.ts), its JSON Schema
for editors, and a CDK setup (cdk.json, package.json; with --lang ts also tsconfig.json, with python a
requirements-dev.txt that installs the Python SDK for editors), so that in DIR
  npm install && npx ork run .      runs it locally
  npx cdk deploy --all              deploys it
DIR must not exist or be empty.

package.json depends on this ork: "^VERSION" when it was installed from a registry, else the tarball,
folder or URL it was installed from (npm's lockfile of the project that installed it says which), or this
folder when ork runs from a checkout.

Options:
  --name NAME   workflow name (default: the directory name)
  --lang LANG   the tasks' language: python (default; pydantic models) or ts (executor: node,
                TypeScript with zod schemas, imported from 'ork/task')`,
  run(argv, io) {
    const { values, positionals } = parseCommandArgs('init', argv, { name: { type: 'string' }, lang: { type: 'string' } });
    if (values.help) {
      io.stdout.write(`${this.help}\n`);
      return ExitCode.ok;
    }
    const language = (values.lang ?? 'python') as TemplateLanguage;
    if (!TEMPLATE_LANGUAGES.includes(language))
      throw new UsageError(`init: --lang must be ${TEMPLATE_LANGUAGES.join(' or ')}, not '${values.lang}'`, 'ork init my-workflow --lang ts');
    const target = positionals[0];
    if (!target) throw new UsageError('init: which directory?', 'ork init my-workflow');
    const dir = path.resolve(io.cwd, target);
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${target} exists and is not empty`, 'choose a new directory');
    const name = values.name ?? sanitiseWorkflowName(path.basename(dir));
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) throw new UsageError(`workflow name '${name}' must be 1–80 letters, digits, - or _`);
    const { dependencies, note } = projectDependencies(packageRoot());
    const files = { ...workflowTemplate(name, dependencies, language), 'workflow.schema.json': `${JSON.stringify(workflowJsonSchema(), null, 2)}\n` };
    for (const [file, content] of Object.entries(files)) {
      const full = path.join(dir, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    }
    if (note) io.stderr.write(`ork init: ${note}\n`);
    io.stdout.write(
      `created ${target}: ${Object.keys(files).sort().join(', ')}\n\nnext:\n  cd ${target}\n  npm install\n  npx ork run .\n  npx cdk deploy --all\n`,
    );
    return ExitCode.ok;
  },
};
