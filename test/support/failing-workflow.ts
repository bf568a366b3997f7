// A python workflow that fails in its second task, after one retry: the same failure for every engine a test compares.

/**
 * The files of workflow `name`: `prepare` returns `{"value": 41}`; `explode`, after it, raises
 * `ValueError(f"<message>")` on each of its two attempts (retries: 1, retry_delay: 1s). `message` is the text of a
 * Python f-string, which may read `input.prepare` and `ctx`.
 */
export function failingWorkflowFiles(name: string, message: string): Record<string, string> {
  return {
    'workflow.yaml': [
      `name: ${name}`,
      'tasks:',
      '  prepare:',
      '    executor: python',
      '    file: tasks/prepare.py',
      '  explode:',
      '    executor: python',
      '    file: tasks/explode.py',
      '    depends_on: [prepare]',
      '    retries: 1',
      '    retry_delay: 1s',
      '',
    ].join('\n'),
    'tasks/prepare.py': [
      'from ork import task',
      'from pydantic import BaseModel',
      '',
      'class Output(BaseModel):',
      '    value: int',
      '',
      '@task',
      'def main() -> Output:',
      '    return Output(value=41)',
      '',
    ].join('\n'),
    'tasks/explode.py': [
      'from ork import task, Context',
      'from pydantic import BaseModel',
      '',
      'class Input(BaseModel):',
      '    prepare: dict',
      '',
      'class Output(BaseModel):',
      '    value: int',
      '',
      '@task',
      'def main(input: Input, ctx: Context) -> Output:',
      `    raise ValueError(f"${message}")`,
      '',
    ].join('\n'),
  };
}
