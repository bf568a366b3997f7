# tasks/process.py
import csv
import tempfile
from pathlib import Path

from pydantic import BaseModel

from ork import Context, task

WORKFLOW_DIR = Path(__file__).resolve().parent.parent
# Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "foreach-aggregate"


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

    # data/raw/… → processed/…, under OUTPUT_DIR.
    output_path = input.item.replace("data/raw/", "processed/")
    target = OUTPUT_DIR / output_path
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(df[0]) if df else ["order_id"])
        writer.writeheader()
        writer.writerows(df)

    ctx.metrics.record("rows_processed", len(df))

    return Output(input_file=input.item, output_file=output_path, rows=len(df))
