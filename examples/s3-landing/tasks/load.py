# tasks/load.py
import csv
import json
import tempfile
from pathlib import Path

from pydantic import BaseModel

from ork import Context, task

WORKFLOW_DIR = Path(__file__).resolve().parent.parent
# Loaded rows go to the temporary directory (/tmp on Lambda), a stand-in for the warehouse: the code folder is read-only.
WAREHOUSE_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "s3-landing" / "warehouse"
COLUMNS = ["order_id", "product", "quantity", "unit_price"]


class Params(BaseModel):
    bucket: str


class Input(BaseModel):
    params: Params
    item: str  # one object key of locate.files


class Output(BaseModel):
    key: str
    rows: int
    revenue: int


@task
def main(input: Input, ctx: Context) -> Output:
    source = WORKFLOW_DIR / "data" / input.params.bucket / input.item
    with source.open(newline="") as f:
        reader = csv.DictReader(f)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{input.item}: columns {reader.fieldnames}, expected {COLUMNS}")
        orders = [{**r, "total": int(r["quantity"]) * int(r["unit_price"])} for r in reader]

    # incoming/<day>/<name>.csv → warehouse/<day>/<name>.json: loading the same object again replaces it.
    target = WAREHOUSE_DIR / Path(input.item).relative_to("incoming").with_suffix(".json")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(orders, indent=2) + "\n")

    ctx.metrics.record("rows_loaded", len(orders))
    return Output(key=input.item, rows=len(orders), revenue=sum(o["total"] for o in orders))
