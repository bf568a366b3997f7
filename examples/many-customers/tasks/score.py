from pydantic import BaseModel

from ork import Context, task


class Input(BaseModel):
    item: str


class Output(BaseModel):
    customer_id: str
    score: int


@task
def main(input: Input, ctx: Context) -> Output:
    number = int(input.item[1:])
    # Every 97th record is broken: retrying does not help, and tolerate_failures lets the run go on.
    if number % 97 == 0:
        raise ValueError(f"customer {input.item} has no purchase history")
    score = (number * 37) % 100
    ctx.metrics.record("score", score)
    return Output(customer_id=input.item, score=score)
