"""The invocation payload built by the compiled state machine (docs/payload.md, version 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InvalidPayloadError

PAYLOAD_VERSION = 1

_MISSING = object()


@dataclass(frozen=True, slots=True)
class Payload:
    workflow: str
    task: str
    execution_id: str
    attempt: int
    params: dict[str, Any]
    inputs: dict[str, Any]
    parallel_index: int
    parallel_count: int
    has_item: bool
    item: Any
    item_index: int | None

    @staticmethod
    def parse(raw: Any) -> "Payload":
        if not isinstance(raw, dict):
            raise InvalidPayloadError(f"payload must be a JSON object, got {type(raw).__name__}")
        version = raw.get("ork")
        if version != PAYLOAD_VERSION:
            raise InvalidPayloadError(
                f"payload version {version!r} is not supported by this runtime (expects {PAYLOAD_VERSION}); "
                "deploy the workflow and its runtime together"
            )
        try:
            # Absent or null means none; an empty list is still the wrong type and is reported.
            params = raw.get("params")
            params = {} if params is None else params
            inputs = raw.get("inputs")
            inputs = {} if inputs is None else inputs
            if not isinstance(params, dict):
                raise InvalidPayloadError(f"params must be an object, got {type(params).__name__}")
            if not isinstance(inputs, dict):
                raise InvalidPayloadError(f"inputs must be an object, got {type(inputs).__name__}")
            item = raw.get("item", _MISSING)
            item_index = raw.get("item_index")
            return Payload(
                workflow=str(raw["workflow"]),
                task=str(raw["task"]),
                execution_id=str(raw.get("execution_id", "")),
                attempt=int(raw.get("attempt", 0)),
                params=params,
                inputs=inputs,
                parallel_index=int(raw.get("parallel_index", 0)),
                parallel_count=int(raw.get("parallel_count", 1)),
                has_item=item is not _MISSING,
                item=None if item is _MISSING else item,
                item_index=None if item_index is None else int(item_index),
            )
        except KeyError as missing:
            raise InvalidPayloadError(f"payload has no {missing.args[0]!r}") from missing
        except (TypeError, ValueError) as bad:
            raise InvalidPayloadError(f"payload field has the wrong type: {bad}") from bad

    @property
    def instance(self) -> str:
        """``process``, ``process[2]``, ``process[item 3]`` or ``process[item 3, 2]``: for logs and errors."""
        parts = []
        if self.item_index is not None:
            parts.append(f"item {self.item_index}")
        if self.parallel_count > 1 or (self.parallel_index and self.parallel_index > 0):
            parts.append(str(self.parallel_index))
        return f"{self.task}[{', '.join(parts)}]" if parts else self.task
