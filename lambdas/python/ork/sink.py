"""Where log lines and metric records go: stdout on Lambda and ECS (CloudWatch reads it), a list locally
(the local worker returns them with the result so the engine can show and record them)."""

from __future__ import annotations

import json
import math
import sys
from typing import Any, Protocol


class Sink(Protocol):
    def emit(self, record: dict[str, Any]) -> None: ...


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def json_line(record: Any) -> str:
    """Compact JSON. NaN and infinities, which JSON lacks, become "nan"/"inf" strings: Python would write
    them bare, and neither CloudWatch Logs Insights nor the local engine could then parse the line."""
    try:
        return json.dumps(record, default=str, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(_finite(record), default=str, separators=(",", ":"), allow_nan=False)


class StreamSink:
    """One JSON object per line on a stream (stdout by default, read by CloudWatch Logs)."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream

    def emit(self, record: dict[str, Any]) -> None:
        stream = self._stream or sys.stdout
        stream.write(json_line(record) + "\n")
        stream.flush()


class ListSink:
    """Keeps records in memory, for the local worker's reply."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def emit(self, record: dict[str, Any]) -> None:
        self.records.append(record)
