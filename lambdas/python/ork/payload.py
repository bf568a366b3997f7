"""The invocation payload built by the compiled state machine (docs/payload.md, version 1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InvalidPayloadError

PAYLOAD_VERSION = 1

_MISSING = object()


@dataclass(frozen=True, slots=True)
class FanOutField:
    """An output field that feeds a ``foreach:``: spilled to the payload store when it is a list of more
    than ``above`` elements (-1: every list), so that a Distributed Map reads it (docs/scale.md)."""

    path: tuple[str | int, ...]
    above: int


def _fan_out_fields(raw: Any) -> tuple[FanOutField, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidPayloadError(f"fan_out_fields must be a list, got {type(raw).__name__}")
    fields = []
    for entry in raw:
        path = entry.get("path") if isinstance(entry, dict) else None
        above = entry.get("above") if isinstance(entry, dict) else None
        if (
            not isinstance(path, list)
            or not path
            or not all(isinstance(p, (str, int)) and not isinstance(p, bool) for p in path)
            or not isinstance(above, int)
            or isinstance(above, bool)
        ):
            raise InvalidPayloadError(f'fan_out_fields entries are {{"path": [names], "above": n}}, got {entry!r}')
        fields.append(FanOutField(tuple(path), above))
    return tuple(fields)


def _batch(raw: Any) -> tuple[dict[str, Any], ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(element, dict) for element in raw):
        raise InvalidPayloadError("batch must be a list of objects (each instance's item, item_index, parallel_index)")
    return tuple(raw)


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
    fan_out_fields: tuple[FanOutField, ...] = ()
    output_spill_bytes: int | None = None
    # The per-instance fields of a batch (Distributed Map's ItemBatcher); None for a single instance.
    batch: tuple[dict[str, Any], ...] | None = None

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
            spill = raw.get("output_spill_bytes")
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
                fan_out_fields=_fan_out_fields(raw.get("fan_out_fields")),
                output_spill_bytes=None if spill is None else int(spill),
                batch=_batch(raw.get("batch")),
            )
        except KeyError as missing:
            raise InvalidPayloadError(f"payload has no {missing.args[0]!r}") from missing
        except (TypeError, ValueError) as bad:
            raise InvalidPayloadError(f"payload field has the wrong type: {bad}") from bad

    def element(self, raw: dict[str, Any], index: int) -> "Payload":
        """The payload of one instance of this batch: ``raw`` (this payload as received) merged with its
        element, whose per-instance fields win."""
        assert self.batch is not None
        merged = {name: value for name, value in raw.items() if name != "batch"}
        merged.update({name: value for name, value in self.batch[index].items() if name != "batch"})
        return Payload.parse(merged)

    @property
    def instance(self) -> str:
        """``process``, ``process[2]``, ``process[item 3]`` or ``process[item 3, 2]``: for logs and errors."""
        parts = []
        if self.item_index is not None:
            parts.append(f"item {self.item_index}")
        if self.parallel_count > 1 or (self.parallel_index and self.parallel_index > 0):
            parts.append(str(self.parallel_index))
        return f"{self.task}[{', '.join(parts)}]" if parts else self.task
