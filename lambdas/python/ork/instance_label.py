"""How an instance is named in logs, errors and stored keys: ``process``, ``process[2]``, ``process[item 3]``,
``process[item 3, 2]``. The same as lambdas/contract/instance-label.ts, which the local engine and the Node SDK
use; lambdas/contract/cases/instance-labels.json holds the cases both are tested against."""

from __future__ import annotations


def instance_label(task: str, item_index: int | None = None, parallel_index: int | None = None) -> str:
    """The label of an instance: its ``foreach:`` element and its ``parallel:`` index, each when given."""
    parts = []
    if item_index is not None:
        parts.append(f"item {item_index}")
    if parallel_index is not None:
        parts.append(str(parallel_index))
    return f"{task}[{', '.join(parts)}]" if parts else task


def payload_instance_label(task: str, item_index: int | None, parallel_index: int, parallel_count: int) -> str:
    """The label of the instance a payload runs: its parallel index is shown when the task fans out with
    ``parallel:`` (a count above 1, or an index above 0), not for the 0 of a task that does not."""
    shown = parallel_count > 1 or parallel_index > 0
    return instance_label(task, item_index, parallel_index if shown else None)
