# tasks/load.py
import json
import tempfile
from pathlib import Path

from pydantic import BaseModel

from ork import Context, task

# The local stand-in for a warehouse table, in the temporary directory (Lambda's code folder is read-only).
OUTPUT_DIR = Path(tempfile.gettempdir()) / "ork-examples" / "on-failure"


class WarehouseUnavailable(Exception):
    """The class name is the error name: what retries, Catch and the on_failure handler see."""


class Params(BaseModel):
    fail: bool = False


class Order(BaseModel):
    order_id: str
    product: str
    total: int


class Extract(BaseModel):
    orders: list[Order]


class Input(BaseModel):
    params: Params
    extract: Extract


class Output(BaseModel):
    loaded: int
    revenue: int


@task
def main(input: Input, ctx: Context) -> Output:
    if input.params.fail:
        raise WarehouseUnavailable(f"warehouse unreachable (attempt {ctx.attempt})")
    target = OUTPUT_DIR / "warehouse" / "orders.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps([o.model_dump() for o in input.extract.orders], indent=2) + "\n")
    return Output(loaded=len(input.extract.orders), revenue=sum(o.total for o in input.extract.orders))
