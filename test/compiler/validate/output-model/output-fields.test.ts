import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeOutputFields, outputFields, pythonOutputFields } from '../../../../compiler/validate/output-model/index.js';
import { EXAMPLES_DIR } from '../../../support/workflows.js';

const py = (...lines: string[]): string => `${lines.join('\n')}\n`;
const fields = (set: ReadonlySet<string> | undefined): string[] | undefined => (set ? [...set].sort() : undefined);

describe('pythonOutputFields', () => {
  const task = ['@task', 'def main() -> Output:', '    return Output(count=1)'];

  it('reads the annotated fields of the model the @task function returns', () => {
    const source = py(
      'from pydantic import BaseModel, Field',
      'from ork import task',
      '',
      'class Output(BaseModel):',
      '    """A docstring that says count: int and model_config."""',
      '',
      '    count: int',
      '    # ignored: int',
      '    files: list[str] = Field(default_factory=list)',
      '    _private: int = 0',
      '    LIMIT: ClassVar[int] = 3',
      '',
      '    @field_validator("count")',
      '    def positive(cls, value: int) -> int:',
      '        inner: int = value',
      '        return inner',
      '',
      ...task,
    );
    expect(fields(pythonOutputFields(source))).toEqual(['count', 'files']);
  });

  it('follows the return annotation to the class of that name, over a signature on several lines', () => {
    const source = py('class Result(pydantic.BaseModel):', '    ok: bool', '', '@ork.task', 'async def main(', '    ctx: Context,', ') -> Result:', '    ...');
    expect(fields(pythonOutputFields(source))).toEqual(['ok']);
  });

  it.each([
    ['another base class', py('class Output(Base):', '    count: int', ...task)],
    ['model_config', py('class Output(BaseModel):', '    model_config = ConfigDict(extra="allow")', '    count: int', ...task)],
    ['a computed field', py('class Output(BaseModel):', '    count: int', '    @computed_field', '    def double(self) -> int: ...', ...task)],
    ['an inner Config', py('class Output(BaseModel):', '    count: int', '    class Config:', '        extra = "allow"', ...task)],
    ['no return annotation', py('class Output(BaseModel):', '    count: int', '@task', 'def main():', '    ...')],
    ['a model imported from elsewhere', py('from models import Output', ...task)],
    ['a dict', py('@task', 'def main() -> dict:', '    ...')],
  ])('is unknown with %s', (_, source) => {
    expect(pythonOutputFields(source)).toBeUndefined();
  });
});

describe('nodeOutputFields', () => {
  it('reads the keys of a literal z.object output', () => {
    const source = [
      "import { defineTask, z } from 'ork/task';",
      '// output: z.object({ not: z.string() }) in a comment is not the schema',
      'export default defineTask({',
      '  input: z.object({ discover: z.object({ count: z.number() }) }),',
      "  output: z.object({ count: z.number().int(), 'quoted-key': z.string(), nested: " +
        "z.object({ inner: z.string() }), list: z.array(z.enum(['a', 'b'])) }).strict(),",
      '  handler: () => ({ count: 1 }),',
      '});',
    ].join('\n');
    expect(fields(nodeOutputFields(source))).toEqual(['count', 'list', 'nested', 'quoted-key']);
  });

  it.each([
    ['a schema in a variable', 'export default defineTask({ output: Output, handler });'],
    ['a spread', 'defineTask({ output: z.object({ ...base, count: z.number() }), handler });'],
    ['a shorthand key', 'defineTask({ output: z.object({ count }), handler });'],
    ['passthrough', 'defineTask({ output: z.object({ count: z.number() }).passthrough(), handler });'],
    ['extend', 'defineTask({ output: z.object({ count: z.number() }).extend({ more: z.string() }), handler });'],
    ['a computed key', 'defineTask({ output: z.object({ [name]: z.number() }), handler });'],
  ])('is unknown with %s', (_, source) => {
    expect(nodeOutputFields(source)).toBeUndefined();
  });
});

describe('outputFields', () => {
  it('knows the output of every example task that declares a model', () => {
    const read = (example: string, file: string) => readFileSync(path.join(EXAMPLES_DIR, example, 'tasks', file), 'utf8');
    expect(fields(outputFields('python', read('dynamic-count', 'discover.py')))).toEqual(['count']);
    expect(fields(outputFields('node', read('ts-dynamic-count', 'discover.ts')))).toEqual(['count']);
    expect(fields(outputFields('python', read('combined', 'aggregate.py')))).toEqual(['instances', 'sales_by_region', 'stores', 'total_sales']);
    expect(fields(outputFields('node', read('ts-combined', 'aggregate.ts')))).toEqual(['instances', 'sales_by_region', 'stores', 'total_sales']);
    expect(outputFields('container', read('dynamic-count', 'discover.py'))).toBeUndefined();
  });
});
