/** Files of a new workflow project (`ork init`): a small foreach workflow that runs and deploys as is. */
export function workflowTemplate(name: string, orkRoot: string): Record<string, string> {
  return {
    'workflow.yaml': `# yaml-language-server: $schema=./workflow.schema.json
name: ${name}
description: Count the words of each document, then add them up.
params:
  documents: [alpha beta gamma, delta epsilon, zeta]
defaults:
  retries: 2
  timeout: 5m

tasks:
  discover:
    file: tasks/discover.py

  count_words:
    file: tasks/count_words.py
    foreach: discover.documents
    concurrency: 4

  total:
    file: tasks/total.py
    depends_on: [count_words]
`,
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
    'cdk.json': `${JSON.stringify({ app: 'node node_modules/ork/bin/cdk-app.js', context: { workflows: '.' } }, null, 2)}\n`,
    'package.json': `${JSON.stringify(
      {
        name,
        private: true,
        type: 'module',
        scripts: { start: 'ork run .', validate: 'ork validate .', synth: 'cdk synth', deploy: 'cdk deploy --all' },
        devDependencies: { ork: `file:${orkRoot}`, 'aws-cdk': '^2' },
      },
      null,
      2,
    )}\n`,
    '.gitignore': '.ork/\ncdk.out/\nnode_modules/\n__pycache__/\n',
    'README.md': `# ${name}

An [Ork](${orkRoot}) workflow.

\`\`\`sh
npm install
npx ork run .            # run it on this machine
npx cdk deploy --all     # deploy it to AWS (Step Functions, Lambda, dashboard)
\`\`\`

Add Python packages your tasks need to \`requirements.txt\`; they are bundled for Lambda at deploy.
`,
  };
}
