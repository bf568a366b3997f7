# tasks/extract.py
import csv
from pathlib import Path

from pydantic import BaseModel

from ork import task

WORKFLOW_DIR = Path(__file__).resolve().parent.parent


class Order(BaseModel):
    order_id: str
    product: str
    total: int


class Output(BaseModel):
    orders: list[Order]


@task
def main() -> Output:
    with (WORKFLOW_DIR / "data" / "orders.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    orders = [Order(order_id=r["order_id"], product=r["product"], total=int(r["quantity"]) * int(r["unit_price"])) for r in rows]
    return Output(orders=orders)
