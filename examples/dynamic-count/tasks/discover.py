# tasks/discover.py
from pydantic import BaseModel

from ork import task
from partitions import list_partitions


def count_items_to_process() -> int:
    """One unit of work per date partition of the events table."""
    return len(list_partitions())


class Output(BaseModel):
    count: int


@task
def main() -> Output:
    count = count_items_to_process()
    return Output(count=count)
