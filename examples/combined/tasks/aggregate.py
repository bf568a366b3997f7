# tasks/aggregate.py
from pydantic import BaseModel

from ork import task


class ProcessRegionOutput(BaseModel):
    region: str
    worker: int
    stores: int
    sales: int


class Input(BaseModel):
    # Every instance's output: regions in order, then the 4 workers of each region.
    process_region: list[ProcessRegionOutput]


class Output(BaseModel):
    instances: int
    stores: int
    total_sales: int
    sales_by_region: dict[str, int]


@task
def main(input: Input) -> Output:
    by_region: dict[str, int] = {}
    for p in input.process_region:
        by_region[p.region] = by_region.get(p.region, 0) + p.sales
    return Output(
        instances=len(input.process_region),
        stores=sum(p.stores for p in input.process_region),
        total_sales=sum(p.sales for p in input.process_region),
        sales_by_region=by_region,
    )
