# tasks/alert.py
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ork import Context, Failure, task

# Where a real handler would page someone or post to a channel, this one writes the alert to a file.
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "on-failure"


class Input(BaseModel):
    failure: Failure  # which task failed, its error name and cause, the execution
    params: dict[str, Any]


@task
def main(input: Input, ctx: Context) -> None:
    failure = input.failure
    ctx.log.error("workflow failed", failed_task=failure.task, error=failure.error)
    target = OUTPUT_DIR / "alerts" / "alert.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(failure.model_dump_json(indent=2) + "\n")
