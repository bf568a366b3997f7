# tasks/process.py
import csv
from pathlib import Path

from ork import task, Context
from pydantic import BaseModel

WORKFLOW_DIR = Path(__file__).resolve().parent.parent


def transform(rows: list[dict[str, str]]) -> list[dict[str, str | int]]:
    """Add each order line's total."""
    return [{**r, "total": int(r["quantity"]) * int(r["unit_price"])} for r in rows]


class Input(BaseModel):
    item: str  # Automatically populated with one file path


class Output(BaseModel):
    input_file: str
    output_file: str
    rows: int


@task
def main(input: Input, ctx: Context) -> Output:
    with (WORKFLOW_DIR / input.item).open(newline="") as f:
        df = list(csv.DictReader(f))
    df = transform(df)

    # data/raw/… → .ork/processed/…: outputs stay out of the input folder.
    output_path = input.item.replace("data/raw/", ".ork/processed/")
    target = WORKFLOW_DIR / output_path
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(df[0]) if df else ["order_id"])
        writer.writeheader()
        writer.writerows(df)

    ctx.metrics.record("rows_processed", len(df))

    return Output(
        input_file=input.item,
        output_file=output_path,
        rows=len(df)
    )
