import csv
import json
import tempfile
from pathlib import Path

from pydantic import BaseModel

from ork import Context, task

# Paths are relative to the workflow directory (the folder holding workflow.yaml).
WORKFLOW_DIR = Path(__file__).resolve().parent.parent
DATA_FILE = WORKFLOW_DIR / "data" / "sales.csv"
# Results go to the temporary directory (/tmp on Lambda), not beside the code: Lambda's code folder is read-only.
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "static-parallel"


def get_all_items() -> list[dict[str, str]]:
    """Every month of the year, in file order: the same list in every instance."""
    with DATA_FILE.open(newline="") as f:
        return list(csv.DictReader(f))


def process_items(items: list[dict[str, str]]) -> list[Path]:
    """Write one small summary per month; return the files written."""
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    written = []
    for item in items:
        orders, revenue = int(item["orders"]), int(item["revenue"])
        summary = {"month": item["month"], "orders": orders, "revenue": revenue, "average_order": round(revenue / orders, 2)}
        path = OUTPUT_DIR / f"{item['month']}.json"
        path.write_text(json.dumps(summary, indent=2) + "\n")
        written.append(path)
    return written


class Input(BaseModel):
    pass


class Output(BaseModel):
    processed: int


@task
def main(input: Input, ctx: Context) -> Output:
    # Divide work by index
    all_items = get_all_items()
    my_items = [item for i, item in enumerate(all_items) if i % ctx.parallel_count == ctx.parallel_index]

    results = process_items(my_items)

    ctx.log.info(f"Instance {ctx.parallel_index}/{ctx.parallel_count} processed {len(results)} items")

    return Output(processed=len(results))
