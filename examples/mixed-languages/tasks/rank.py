# tasks/rank.py (python): every node instance's output, in item order.
from pydantic import BaseModel

from ork import Context, task


class RegionSales(BaseModel):
    region: str
    stores: int
    sales: int


class Input(BaseModel):
    region_sales: list[RegionSales]


class Ranked(BaseModel):
    region: str
    sales: int


class Output(BaseModel):
    total_sales: int
    ranking: list[Ranked]  # best first: the node task `share` runs once per element


@task
def main(input: Input, ctx: Context) -> Output:
    ranked = sorted(input.region_sales, key=lambda r: (-r.sales, r.region))
    ctx.log.info(f"ranked {len(ranked)} regions")
    return Output(
        total_sales=sum(r.sales for r in input.region_sales),
        ranking=[Ranked(region=r.region, sales=r.sales) for r in ranked],
    )
