from pydantic import BaseModel

from ork import task


class Params(BaseModel):
    customers: int


class Input(BaseModel):
    params: Params


class Output(BaseModel):
    customer_ids: list[str]


@task
def main(input: Input) -> Output:
    # A real task would page through a CRM or a table; the list may hold tens of thousands of ids.
    return Output(customer_ids=[f"c{n:06d}" for n in range(1, input.params.customers + 1)])
