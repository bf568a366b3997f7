# tasks/aggregate.py
from pydantic import BaseModel

from ork import task


class ProcessOutput(BaseModel):
    input_file: str
    output_file: str
    rows: int


class Input(BaseModel):
    process: list[ProcessOutput]  # All process outputs


class Output(BaseModel):
    total_rows: int
    files_processed: int


@task
def main(input: Input) -> Output:
    return Output(total_rows=sum(p.rows for p in input.process), files_processed=len(input.process))
