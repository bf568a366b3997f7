"""Tolerated failures of an upstream fan-out (``tolerate_failures:``, docs/scale.md).

The machine hands a failed instance on as ``{"ork_failed": {"error", "cause", "item_index"?,
"parallel_index"?}}`` in the list of outputs (inline Map), and a Distributed Map lists it among the FAILED
records of its results. Either way the task never sees it among its input's outputs: it is taken out and
reported through ``ctx.failures[<upstream task>]``, so a task that aggregates outputs needs no filtering.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .contract import FAILED_KEY


@dataclass(frozen=True, slots=True)
class ToleratedFailure:
    """One failed instance: which one (``item_index``/``parallel_index``; ``start`` for a failed chunk of
    indexes, whose instances did not report each their own), and Step Functions' error name and cause."""

    error: str
    cause: str
    item_index: int | None = None
    parallel_index: int | None = None
    start: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _index(value: Any) -> int | None:
    # bool is an int in Python; an index never is one. A whole float (2.0) is one: Node cannot tell it from 2.
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) else None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def is_failure_marker(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(FAILED_KEY), dict)


def failure_from_marker(marker: dict[str, Any]) -> ToleratedFailure:
    body = marker[FAILED_KEY]
    return ToleratedFailure(
        error=_text(body.get("error")),
        cause=_text(body.get("cause")),
        item_index=_index(body.get("item_index")),
        parallel_index=_index(body.get("parallel_index")),
        start=_index(body.get("start")),
    )


def failure_marker(error: Any, cause: Any, instance: dict[str, Any]) -> dict[str, Any]:
    """The inline form of a failure, for a child whose per-instance fields are ``instance`` (its Input)."""
    body: dict[str, Any] = {"error": "" if error is None else str(error), "cause": "" if cause is None else str(cause)}
    for name in ("item_index", "parallel_index", "start"):
        index = _index(instance.get(name))
        if index is not None:
            body[name] = index
    return {FAILED_KEY: body}


def split_failures(value: Any) -> tuple[Any, list[ToleratedFailure]]:
    """A list without its failure markers, and the failures they stood for; anything else as it is."""
    if not isinstance(value, list) or not any(is_failure_marker(v) for v in value):
        return value, []
    kept = [v for v in value if not is_failure_marker(v)]
    return kept, [failure_from_marker(v) for v in value if is_failure_marker(v)]
