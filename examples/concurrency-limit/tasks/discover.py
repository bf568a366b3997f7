# tasks/discover.py
from pathlib import Path

from pydantic import BaseModel

from ork import task

WORKFLOW_DIR = Path(__file__).resolve().parent.parent


class Output(BaseModel):
    files: list[str]


@task
def main() -> Output:
    # Ten pages of an API export, saved as JSON: more items than the concurrency limit.
    pages = sorted((WORKFLOW_DIR / "data" / "pages").glob("page-*.json"))
    return Output(files=[p.relative_to(WORKFLOW_DIR).as_posix() for p in pages])
