# tasks/report.py (python): the node instances' outputs, and the workflow params.
from pydantic import BaseModel

from ork import task


class Share(BaseModel):
    region: str
    position: int
    percent: float
    label: str


class Params(BaseModel):
    currency: str


class Input(BaseModel):
    share: list[Share]
    params: Params


class Output(BaseModel):
    lines: list[str]
    leader: str
    percent_total: float


@task
def main(input: Input) -> Output:
    return Output(
        lines=[s.label for s in input.share],
        leader=input.share[0].region if input.share else "",
        percent_total=round(sum(s.percent for s in input.share), 1),
    )
