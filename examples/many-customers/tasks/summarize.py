from pydantic import BaseModel

from ork import Context, task


class Scored(BaseModel):
    customer_id: str
    score: int


class Input(BaseModel):
    score: list[Scored]


class Output(BaseModel):
    scored: int
    average: float
    top: list[str]
    failed: list[str]


@task
def main(input: Input, ctx: Context) -> Output:
    ranked = sorted(input.score, key=lambda s: (-s.score, s.customer_id))
    failed = [f"item {f.item_index}: {f.error}" for f in ctx.failures.get("score", [])]
    average = sum(s.score for s in input.score) / len(input.score) if input.score else 0.0
    return Output(scored=len(input.score), average=round(average, 2), top=[s.customer_id for s in ranked[:3]], failed=failed)
