# tasks/process.py
import csv
import json
from collections import Counter

from pydantic import BaseModel

from ork import Context, task
from partitions import OUTPUT_DIR, list_partitions


class Input(BaseModel):
    pass


class Output(BaseModel):
    partition: str
    rows: int


@task
def main(input: Input, ctx: Context) -> Output:
    # discover counted the partitions; instance N of that count takes the N-th one.
    partition = list_partitions()[ctx.parallel_index]
    with partition.open(newline="") as f:
        rows = list(csv.DictReader(f))

    summary = {"partition": partition.stem, "rows": len(rows), "by_kind": dict(sorted(Counter(r["kind"] for r in rows).items()))}
    OUTPUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUTPUT_DIR / f"{partition.stem}.json").write_text(json.dumps(summary, indent=2) + "\n")

    ctx.log.info(f"Instance {ctx.parallel_index}/{ctx.parallel_count}: {partition.stem} has {len(rows)} rows")
    return Output(partition=partition.stem, rows=len(rows))
