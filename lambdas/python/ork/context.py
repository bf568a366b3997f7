"""``Context``: what a task instance knows about itself and its run."""

from __future__ import annotations

from typing import Any

from .failure_handler import Failure
from .failures import ToleratedFailure
from .log import TaskLogger
from .metrics import Metrics
from .payload import Payload
from .secrets import Secrets
from .sink import Sink


class Context:
    """Passed to a task that declares a parameter annotated ``Context`` (or named ``ctx``).

    ``parallel_index``/``parallel_count`` are 0/1 when the task is not parallel; ``item_index`` is None
    unless the task runs ``foreach``. ``attempt`` counts from 1. ``failures``: the tolerated failures of
    upstream fan-outs (``tolerate_failures:``) by upstream task name, left out of the input's lists.
    ``failure``: in the ``on_failure:`` handler, why the workflow failed (the input's ``failure`` too); None
    in every other task. ``secrets``: the task's ``secrets:``, read on first use (``ctx.secrets["prod/db"]``,
    ``ctx.secrets.json("prod/db")``; secrets.py).
    """

    __slots__ = (
        "workflow",
        "task",
        "execution_id",
        "attempt",
        "parallel_index",
        "parallel_count",
        "item_index",
        "instance",
        "failures",
        "failure",
        "log",
        "metrics",
        "secrets",
    )

    def __init__(self, payload: Payload, log_sink: Sink, metric_sink: Sink, failures: dict[str, list[ToleratedFailure]] | None = None) -> None:
        self.workflow = payload.workflow
        self.task = payload.task
        self.execution_id = payload.execution_id
        self.attempt = payload.attempt + 1
        self.parallel_index = payload.parallel_index
        self.parallel_count = payload.parallel_count
        self.item_index = payload.item_index
        # Computed once: each reading of payload.instance builds the label again.
        self.instance = instance = payload.instance
        self.failures: dict[str, list[ToleratedFailure]] = failures or {}
        self.failure: Failure | None = None if payload.failure is None else Failure.model_validate(payload.failure)
        fields: dict[str, Any] = {
            "workflow": payload.workflow,
            "task": payload.task,
            "instance": instance,
            "execution_id": payload.execution_id,
            "attempt": self.attempt,
        }
        self.log = TaskLogger(log_sink, fields)
        self.secrets = Secrets(payload.task)
        self.metrics = Metrics(metric_sink, payload.workflow, payload.task, {"ExecutionId": payload.execution_id, "Instance": instance})

    def __repr__(self) -> str:
        return f"Context(task={self.task!r}, instance={self.instance!r}, attempt={self.attempt})"
