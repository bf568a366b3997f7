/**
 * Python tasks the benchmarks share: one lists `params.n` integers, the other returns its item unchanged.
 * test/local/distributed-run.test.ts fans out over the same list. (bench/run.ts runs only the modules
 * directly in bench/, so this folder holds no benchmark.)
 */

/** Outputs `{"items": [0, 1, … n-1]}`: the list a foreach fans out over. */
export const LIST_TASK = `from ork import task
from pydantic import BaseModel


class Params(BaseModel):
    n: int


class Input(BaseModel):
    params: Params


class Output(BaseModel):
    items: list[int]


@task
def main(input: Input) -> Output:
    return Output(items=list(range(input.params.n)))
`;

/** Returns `{"item": item}`: a task whose run time is the engine's overhead alone. */
export const NOOP_TASK = `from ork import task
from pydantic import BaseModel


class Input(BaseModel):
    item: int


class Output(BaseModel):
    item: int


@task
def main(input: Input) -> Output:
    return Output(item=input.item)
`;
