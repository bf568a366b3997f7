# tasks/regions.py (python)
from pathlib import Path

from ork import task
from pydantic import BaseModel

WORKFLOW_DIR = Path(__file__).resolve().parent.parent


class Output(BaseModel):
    regions: list[str]


@task
def main() -> Output:
    # One CSV of store sales per region: data/regions/<region>.csv
    return Output(regions=sorted(p.stem for p in (WORKFLOW_DIR / "data" / "regions").glob("*.csv")))
