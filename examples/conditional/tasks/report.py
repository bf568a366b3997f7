# tasks/report.py
import tempfile
from pathlib import Path

from pydantic import BaseModel

from ork import task

OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "conditional"


class Params(BaseModel):
    mode: str
    day: str


class DiscoverOutput(BaseModel):
    count: int


class AggregateOutput(BaseModel):
    total_rows: int
    files_processed: int


class Input(BaseModel):
    params: Params
    discover: DiscoverOutput
    # `{task: aggregate, if: always}`: null when aggregate was skipped (and process with it).
    aggregate: AggregateOutput | None = None


class Output(BaseModel):
    day: str
    mode: str
    files_found: int
    processed: bool
    total_rows: int | None


@task
def main(input: Input) -> Output:
    summary = Output(
        day=input.params.day,
        mode=input.params.mode,
        files_found=input.discover.count,
        processed=input.aggregate is not None,
        total_rows=input.aggregate.total_rows if input.aggregate else None,
    )
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DIR / f"report-{input.params.day}.json").write_text(summary.model_dump_json(indent=2) + "\n")
    return summary
