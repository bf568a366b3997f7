# tasks/discover.py
from pathlib import Path

from pydantic import BaseModel

from ork import task

# The local stand-in for a bucket: the data/ folder beside workflow.yaml.
WORKFLOW_DIR = Path(__file__).resolve().parent.parent


class Params(BaseModel):
    day: str


class Input(BaseModel):
    params: Params


class Output(BaseModel):
    files: list[str]
    count: int  # what process's `when:` tests: a condition reads a field, not the length of a list


@task
def main(input: Input) -> Output:
    prefix = f"data/raw/{input.params.day}/"
    folder = WORKFLOW_DIR / prefix
    files = [f"{prefix}{b.name}" for b in sorted(folder.glob("*.csv"))] if folder.is_dir() else []
    return Output(files=files, count=len(files))
