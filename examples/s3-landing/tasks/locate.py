# tasks/locate.py
from datetime import datetime, timedelta
from pathlib import Path

from pydantic import BaseModel

from ork import task

# The local stand-in for the buckets: data/<bucket>/<key> beside workflow.yaml. A deployed workflow would
# read the object from S3 (boto3's get_object) instead; the example keeps to files so it runs without AWS.
WORKFLOW_DIR = Path(__file__).resolve().parent.parent
PREFIX = "incoming/"


class Params(BaseModel):
    bucket: str
    key: str
    # Set by the schedule (and by `ork run --scheduled-time`, `ork backfill`); absent when an event started the run.
    scheduled_time: str | None = None


class Input(BaseModel):
    params: Params


class Output(BaseModel):
    mode: str  # "object": the one object of an event; "sweep": every object of a day's folder
    day: str
    files: list[str]  # object keys, what load fans out over
    count: int


def day_before(scheduled_time: str) -> str:
    # `2021-11-13T05:00:00Z`: the sweep at 06:00 Paris loads the folder of the day that has just ended.
    scheduled = datetime.fromisoformat(scheduled_time.replace("Z", "+00:00"))
    return (scheduled - timedelta(days=1)).date().isoformat()


@task
def main(input: Input) -> Output:
    params = input.params
    if not params.key.startswith(PREFIX):
        raise ValueError(f"key {params.key!r} is not under {PREFIX}: this workflow loads only what lands there")

    if params.key.endswith(".csv"):
        # incoming/<day>/<name>.csv, as the trigger's prefix and suffix let through
        parts = params.key[len(PREFIX) :].split("/")
        day = parts[0] if len(parts) == 2 else "unknown"
        return Output(mode="object", day=day, files=[params.key], count=1)

    if params.key == PREFIX:
        if params.scheduled_time is None:
            raise ValueError(f"key {PREFIX} sweeps the folder of the day before params.scheduled_time, which is not set")
        day = day_before(params.scheduled_time)
        folder = WORKFLOW_DIR / "data" / params.bucket / PREFIX / day
        keys = [f"{PREFIX}{day}/{f.name}" for f in sorted(folder.glob("*.csv"))] if folder.is_dir() else []
        return Output(mode="sweep", day=day, files=keys, count=len(keys))

    raise ValueError(f"key {params.key!r} is neither a .csv object nor {PREFIX} (a sweep)")
