# tasks/process.py
import json
import tempfile
import time
from pathlib import Path

from pydantic import BaseModel

from ork import Context, task

WORKFLOW_DIR = Path(__file__).resolve().parent.parent
# Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "concurrency-limit"


class Input(BaseModel):
    item: str  # one page file, e.g. data/pages/page-01.json


class Output(BaseModel):
    page: int
    customers: int
    orders: int


@task
def main(input: Input, ctx: Context) -> Output:
    page = json.loads((WORKFLOW_DIR / input.item).read_text())
    orders = sum(c["orders"] for c in page["customers"])

    # Stand-in for a slow API call, so the cap of 4 running instances is visible in `ork run`.
    time.sleep(0.5)

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    summary = {"page": page["page"], "customers": len(page["customers"]), "orders": orders}
    (OUTPUT_DIR / Path(input.item).name).write_text(json.dumps(summary, indent=2) + "\n")

    ctx.log.info(f"Item {ctx.item_index}: page {page['page']} has {orders} orders")
    return Output(page=page["page"], customers=len(page["customers"]), orders=orders)
