# tasks/discover.py
from pathlib import Path

from pydantic import BaseModel

from ork import task

# The local stand-in for a bucket: the data/ folder beside workflow.yaml.
WORKFLOW_DIR = Path(__file__).resolve().parent.parent
PREFIX = "data/raw/2024-01-15/"


class Output(BaseModel):
    files: list[str]


@task
def main() -> Output:
    blobs = sorted((WORKFLOW_DIR / PREFIX).glob("*.csv"))
    files = [f"{PREFIX}{b.name}" for b in blobs]
    return Output(files=files)
