# tasks/report.py
import tempfile
from pathlib import Path

from pydantic import BaseModel

from ork import task

OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "s3-landing" / "reports"


class Params(BaseModel):
    bucket: str
    scheduled_time: str | None = None


class LocateOutput(BaseModel):
    mode: str
    day: str


class LoadOutput(BaseModel):
    key: str
    rows: int
    revenue: int


class Input(BaseModel):
    params: Params
    locate: LocateOutput
    load: list[LoadOutput]  # one per object, in locate.files order


class Output(BaseModel):
    bucket: str
    mode: str
    day: str
    scheduled_time: str | None
    objects: list[str]
    rows: int
    revenue: int


@task
def main(input: Input) -> Output:
    report = Output(
        bucket=input.params.bucket,
        mode=input.locate.mode,
        day=input.locate.day,
        scheduled_time=input.params.scheduled_time,
        objects=[load.key for load in input.load],
        rows=sum(load.rows for load in input.load),
        revenue=sum(load.revenue for load in input.load),
    )
    # One report per object of an event, one per day of a sweep: a repeated run replaces its own report.
    name = f"sweep-{report.day}" if report.mode == "sweep" else Path(report.objects[0]).stem + f"-{report.day}"
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DIR / f"{name}.json").write_text(report.model_dump_json(indent=2) + "\n")
    return report
