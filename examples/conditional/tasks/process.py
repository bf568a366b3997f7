# tasks/process.py
import csv
import tempfile
from pathlib import Path

from pydantic import BaseModel

from ork import task

WORKFLOW_DIR = Path(__file__).resolve().parent.parent
# Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "conditional"


class Input(BaseModel):
    item: str  # one file path of discover.files


class Output(BaseModel):
    input_file: str
    output_file: str
    rows: int


@task
def main(input: Input) -> Output:
    with (WORKFLOW_DIR / input.item).open(newline="") as f:
        rows = [{**r, "total": int(r["quantity"]) * int(r["unit_price"])} for r in csv.DictReader(f)]

    # data/raw/… → processed/…, under OUTPUT_DIR.
    output_path = input.item.replace("data/raw/", "processed/")
    target = OUTPUT_DIR / output_path
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["order_id"])
        writer.writeheader()
        writer.writerows(rows)

    return Output(input_file=input.item, output_file=output_path, rows=len(rows))
