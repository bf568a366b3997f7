"""The invocation payload built by the compiled state machine (docs/payload.md; its schema is
lambdas/contract/payload.schema.json, and lambdas/contract/cases/payloads.json holds the cases that this
parser and the Node SDK's are both tested against)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .contract import PAYLOAD_VERSION
from .errors import InvalidPayloadError
from .instance_label import payload_instance_label

_MISSING = object()


def _whole(value: Any) -> int | None:
    """``value`` as a whole number, or None when it is not one: a JSON number without a fraction (``3`` or
    ``3.0``, which JavaScript cannot tell apart), never a bool or a string."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _optional_whole(raw: dict[str, Any], name: str) -> int | None:
    """A whole-number field of the payload; None when it is absent or null."""
    value = raw.get(name)
    if value is None:
        return None
    whole = _whole(value)
    if whole is None:
        raise InvalidPayloadError(f"payload field {name} has the wrong type: expected a whole number, got {json.dumps(value)}")
    return whole


def _whole_or(raw: dict[str, Any], name: str, default: int) -> int:
    """A whole-number field of the payload; absent or null means ``default``."""
    value = _optional_whole(raw, name)
    return default if value is None else value


def _text_field(raw: dict[str, Any], name: str, default: str | None) -> str:
    """A string field of the payload; absent or null means ``default`` (None: the field is required)."""
    value = raw.get(name)
    if value is None:
        if default is None:
            raise InvalidPayloadError(f"payload has no {name!r}")
        return default
    if not isinstance(value, str):
        raise InvalidPayloadError(f"payload field {name} has the wrong type: expected a string, got {json.dumps(value)[:80]}")
    return value


def _object_field(raw: dict[str, Any], name: str) -> dict[str, Any]:
    """An object field of the payload; absent or null means none. An empty list is still the wrong type."""
    value = raw.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidPayloadError(f"{name} must be an object, got {json.dumps(value)[:80]}")
    return value


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
        raise InvalidPayloadError(f"fan_out_fields must be a list, got {json.dumps(raw)[:80]}")
    fields = []
    for entry in raw:
        path = entry.get("path") if isinstance(entry, dict) else None
        above = _whole(entry.get("above")) if isinstance(entry, dict) else None
        path_steps = path if isinstance(path, list) else []
        steps: list[str | int] = []
        for step in path_steps:
            name = step if isinstance(step, str) else _whole(step)
            if name is None:
                break
            steps.append(name)
        if not steps or len(steps) != len(path_steps) or above is None:
            raise InvalidPayloadError(f'fan_out_fields entries are {{"path": [names], "above": n}}, got {json.dumps(entry)[:120]}')
        fields.append(FanOutField(tuple(steps), above))
    return tuple(fields)


def _batch(raw: Any) -> tuple[dict[str, Any], ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(element, dict) for element in raw):
        raise InvalidPayloadError("batch must be a list of objects (each instance's item, item_index, parallel_index)")
    return tuple(raw)


def _condition_fields(raw: Any) -> tuple[tuple[str, ...], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InvalidPayloadError(f"condition_fields must be a list of paths, got {json.dumps(raw)[:80]}")
    paths = []
    for path in raw:
        if not isinstance(path, list) or not path or not all(isinstance(step, str) for step in path):
            raise InvalidPayloadError(f'condition_fields entries are paths of field names (["meta", "n"]), got {json.dumps(path)[:120]}')
        paths.append(tuple(path))
    return tuple(paths)


_FAILURE_TEXTS = ("error", "cause", "execution_id")
_FAILURE_NAMES = ("task", "instance")


def _failure(raw: Any) -> dict[str, Any] | None:
    """The on_failure handler's ``failure``, with the fields the contract names (task and instance: null
    when absent); the rest of it is ignored, as the payload's own unknown fields are."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise InvalidPayloadError(f"failure must be an object {{task, instance, error, cause, execution_id}}, got {json.dumps(raw)[:80]}")
    failure: dict[str, Any] = {}
    for name in _FAILURE_NAMES:
        value = raw.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidPayloadError(f"payload field failure.{name} has the wrong type: expected a string or null, got {json.dumps(value)[:80]}")
        failure[name] = value
    for name in _FAILURE_TEXTS:
        value = raw.get(name)
        if not isinstance(value, str):
            got = "nothing" if value is None else json.dumps(value)[:80]
            raise InvalidPayloadError(f"payload field failure.{name} has the wrong type: expected a string, got {got}")
        failure[name] = value
    return failure


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
    # Output fields a downstream ``when:`` reads, kept beside the reference when the output is stored.
    condition_fields: tuple[tuple[str, ...], ...] = ()
    # Only for the on_failure handler: why the workflow failed (JSON fields; ork.Failure is its model).
    failure: dict[str, Any] | None = None

    @staticmethod
    def parse(raw: Any) -> Payload:
        """The payload ``raw`` (JSON data), or InvalidPayloadError naming the field that is wrong. Optional
        fields that are absent or null take their defaults; a field of the wrong type is refused rather
        than read as something else, as the Node SDK does (lambdas/contract/cases/payloads.json)."""
        if not isinstance(raw, dict):
            raise InvalidPayloadError(f"payload must be a JSON object, got {type(raw).__name__}")
        version = raw.get("ork")
        if version != PAYLOAD_VERSION or isinstance(version, bool):
            raise InvalidPayloadError(
                f"payload version {version!r} is not supported by this runtime (expects {PAYLOAD_VERSION}); deploy the workflow and its runtime together"
            )
        item = raw.get("item", _MISSING)
        return Payload(
            workflow=_text_field(raw, "workflow", None),
            task=_text_field(raw, "task", None),
            execution_id=_text_field(raw, "execution_id", ""),
            attempt=_whole_or(raw, "attempt", 0),
            params=_object_field(raw, "params"),
            inputs=_object_field(raw, "inputs"),
            parallel_index=_whole_or(raw, "parallel_index", 0),
            parallel_count=_whole_or(raw, "parallel_count", 1),
            has_item=item is not _MISSING,
            item=None if item is _MISSING else item,
            item_index=_optional_whole(raw, "item_index"),
            fan_out_fields=_fan_out_fields(raw.get("fan_out_fields")),
            output_spill_bytes=_optional_whole(raw, "output_spill_bytes"),
            batch=_batch(raw.get("batch")),
            condition_fields=_condition_fields(raw.get("condition_fields")),
            failure=_failure(raw.get("failure")),
        )

    def element(self, raw: dict[str, Any], index: int) -> Payload:
        """The payload of one instance of this batch: ``raw`` (this payload as received) merged with its
        element, whose per-instance fields win."""
        assert self.batch is not None
        merged = {name: value for name, value in raw.items() if name != "batch"}
        merged.update({name: value for name, value in self.batch[index].items() if name != "batch"})
        return Payload.parse(merged)

    @property
    def instance(self) -> str:
        """``process``, ``process[2]``, ``process[item 3]`` or ``process[item 3, 2]``: for logs and errors."""
        return payload_instance_label(self.task, self.item_index, self.parallel_index, self.parallel_count)
