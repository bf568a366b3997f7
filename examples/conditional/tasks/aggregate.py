# tasks/aggregate.py
from pydantic import BaseModel

from ork import task


class ProcessOutput(BaseModel):
    rows: int


class Input(BaseModel):
    process: list[ProcessOutput]  # every process output; this task never runs when process was skipped


class Output(BaseModel):
    total_rows: int
    files_processed: int


@task
def main(input: Input) -> Output:
    return Output(total_rows=sum(p.rows for p in input.process), files_processed=len(input.process))
