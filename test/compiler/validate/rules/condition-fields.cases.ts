import { inMemoryHost, type CompilerHost } from '../../../../compiler/index.js';
import { type BadWorkflowCase, DIRECTORY, yaml } from '../../../support/bad-workflows.js';

const DISCOVER_PY = [
  'from pydantic import BaseModel',
  'from ork import task',
  '',
  'class Output(BaseModel):',
  '    count: int',
  '    files: list[str]',
  '',
  '@task',
  'def main() -> Output:',
  '    ...',
  '',
].join('\n');
const DISCOVER_TS = [
  "import { defineTask, z } from 'ork/task';",
  'export default defineTask({ output: z.object({ count: z.number(), label: z.string() }), handler: () => ({ count: 1, label: "x" }) });',
  '',
].join('\n');
const UNTYPED_PY = ['from ork import task', '', '@task', 'def main():', '    return {"anything": 1}', ''].join('\n');

/** A host that also reads the task sources. */
function hostWith(sources: Readonly<Record<string, string>>): CompilerHost {
  const files = ['tasks/a.py', 'tasks/b.py', 'tasks/process.py', ...Object.keys(sources)];
  return { ...inMemoryHost(files, DIRECTORY), readFile: (p) => Object.entries(sources).find(([f]) => `${DIRECTORY}/${f}` === p)?.[1] };
}

const HOST = hostWith({ 'tasks/discover.py': DISCOVER_PY, 'tasks/app.ts': DISCOVER_TS, 'tasks/c.py': UNTYPED_PY });
const head = [
  'tasks:',
  '  discover:',
  '    file: tasks/discover.py',
  '  label:',
  '    file: tasks/app.ts',
  '    executor: node',
  '  loose:',
  '    file: tasks/c.py',
];

/** Bad workflows that compiler/validate/rules/condition-fields.ts reports: a `when:` reading a field the output model does not declare. */
export const cases: readonly BadWorkflowCase[] = [
  {
    name: 'a misspelt field of a pydantic Output',
    host: HOST,
    source: yaml(...head, '  process:', '    file: tasks/process.py', '    depends_on: [discover]', '    when: discover.cuont > 0'),
    expect: [
      {
        code: 'ORK315',
        line: 12,
        col: 11,
        message: "'discover.cuont' reads field 'cuont', which the output of 'discover' (tasks/discover.py) does not have",
        hint: "did you mean 'count'?",
      },
    ],
  },
  {
    name: 'a field of a zod output schema with no close match lists the fields',
    host: HOST,
    source: yaml(...head, '  process:', '    file: tasks/process.py', '    depends_on: [label]', "    when: label.colour == 'red'"),
    expect: [{ code: 'ORK315', line: 12, col: 11, message: "reads field 'colour'", hint: 'its fields are: count, label' }],
  },
  {
    name: 'no check where the model is not known, and none on declared fields',
    host: HOST,
    source: yaml(
      ...head,
      '  process:',
      '    file: tasks/process.py',
      '    depends_on: [discover, label, loose]',
      '    when: loose.anything == 1 and discover.count > 0 and label.label != "x"',
    ),
    expect: [],
  },
];
