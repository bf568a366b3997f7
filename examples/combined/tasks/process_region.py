# tasks/process_region.py
import csv
import json
import tempfile
from pathlib import Path

from pydantic import BaseModel

from ork import Context, task

WORKFLOW_DIR = Path(__file__).resolve().parent.parent
# Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "combined"


class Input(BaseModel):
    item: str  # the region this instance works on


class Output(BaseModel):
    region: str
    worker: int
    stores: int
    sales: int


@task
def main(input: Input, ctx: Context) -> Output:
    with (WORKFLOW_DIR / "data" / "regions" / f"{input.item}.csv").open(newline="") as f:
        stores = list(csv.DictReader(f))
    # Four workers per region: each takes every fourth store of its region.
    mine = [s for i, s in enumerate(stores) if i % ctx.parallel_count == ctx.parallel_index]
    sales = sum(int(s["sales"]) for s in mine)

    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    summary = {"region": input.item, "worker": ctx.parallel_index, "stores": [s["store"] for s in mine], "sales": sales}
    (OUTPUT_DIR / f"{input.item}-{ctx.parallel_index}.json").write_text(json.dumps(summary, indent=2) + "\n")

    ctx.log.info(f"Region {input.item}, worker {ctx.parallel_index}/{ctx.parallel_count}: {len(mine)} stores")
    return Output(region=input.item, worker=ctx.parallel_index, stores=len(mine), sales=sales)
