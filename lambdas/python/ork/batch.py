"""Batches: one invocation runs several instances (a Distributed Map's ``batch_size:``, docs/scale.md).

The instances run one after the other, each as it would alone (its own input, Context, validation and
offloading), and the invocation returns their outputs in order. The first failure fails the whole batch,
which Step Functions retries as a whole: so the batch's error must carry the instance's error *name*
(``retries:`` and Catch match names) while its message says which instance it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import error_name
from .payload import Payload


class BatchElementError(Exception):
    """Base of the errors a failing batch element ends its batch with; ``__cause__`` is the original."""

    error_name = "Ork.BatchElementError"
    retryable = True


_classes: dict[str, type[BatchElementError]] = {}


def _error_class(name: str) -> type[BatchElementError]:
    # The Lambda runtime reports the raised exception's class name as the error, so the class is named
    # after the element's error (``ValueError``, ``Ork.InputValidationError``). A subclass of the original
    # class would have to be built with its constructor's arguments, which user exceptions do not promise.
    cls = _classes.get(name)
    if cls is None:
        cls = type(name, (BatchElementError,), {"error_name": name, "__module__": __name__})
        _classes[name] = cls
    return cls


def describe_element(payload: Payload, position: int, count: int) -> str:
    where = []
    if payload.item_index is not None:
        where.append(f"item_index {payload.item_index}")
    if payload.parallel_count > 1 or payload.parallel_index > 0:
        where.append(f"parallel_index {payload.parallel_index}")
    return f"batch element {position + 1} of {count}" + (f" ({', '.join(where)})" if where else "")


def element_failure(error: BaseException, payload: Payload, position: int, count: int) -> BatchElementError:
    failure = _error_class(error_name(error))(f"{describe_element(payload, position, count)} failed: {error}")
    failure.retryable = bool(getattr(error, "retryable", True))
    return failure


def run_batch(payload: Payload, raw: dict[str, Any], run_one: Callable[[Payload], Any]) -> list[Any]:
    assert payload.batch is not None
    count = len(payload.batch)
    outputs = []
    for position in range(count):
        element = payload.element(raw, position)
        try:
            outputs.append(run_one(element))
        except Exception as error:
            raise element_failure(error, element, position, count) from error
    return outputs
