# tasks/discover_regions.py
from pathlib import Path

from pydantic import BaseModel

from ork import task

WORKFLOW_DIR = Path(__file__).resolve().parent.parent


class Output(BaseModel):
    regions: list[str]


@task
def main() -> Output:
    # One CSV of store sales per region: data/regions/<region>.csv
    return Output(regions=sorted(p.stem for p in (WORKFLOW_DIR / "data" / "regions").glob("*.csv")))
