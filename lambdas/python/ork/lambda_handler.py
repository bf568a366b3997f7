"""Lambda entry point of ``executor: python`` tasks: ``ork.lambda_handler.handler``.

The event is the payload (docs/payload.md); the return value is the task's output. A failure is raised,
so Step Functions sees the exception's name (``ValueError``, ``Ork.InputValidationError`` …) for Retry and
Catch; before that, the full traceback with every chained cause is logged as one structured line. A secret
value the task read is masked in both (masking.py).
"""

from __future__ import annotations

from typing import Any

from .environment import task_location
from .errors import describe_failure, masked_exception
from .payload_store import References, store_from_environment
from .runtime import invoke
from .sink import StreamSink

_sink = StreamSink()
_references: References | None = None


def _refs() -> References:
    global _references
    if _references is None:
        _references = References(store_from_environment())
    return _references


def handler(event: Any, context: Any = None) -> Any:
    try:
        task_file, workflow_dir = task_location()
        return invoke(event, task_file, workflow_dir, references=_refs(), log_sink=_sink, metric_sink=_sink)
    except Exception as error:
        failure = describe_failure(error)
        _sink.emit(
            {
                "level": "error",
                "message": f"task failed: {failure['type']}: {failure['message']}",
                "error": failure,
                **({"task": event.get("task"), "execution_id": event.get("execution_id")} if isinstance(event, dict) else {}),
            }
        )
        # The runtime reports str(error) as the cause Step Functions records: a secret value in it is masked.
        masked = masked_exception(error)
        if masked is error:
            raise
        raise masked from None
