"""Where log lines and metric records go: stdout on Lambda and ECS (CloudWatch reads it), a list locally
(the local worker returns them with the result so the engine can show and record them)."""

from __future__ import annotations

import json
import sys
from typing import Any, Protocol


class Sink(Protocol):
    def emit(self, record: dict[str, Any]) -> None: ...


class StreamSink:
    """One JSON object per line on a stream (stdout by default, read by CloudWatch Logs)."""

    def __init__(self, stream: Any = None) -> None:
        self._stream = stream

    def emit(self, record: dict[str, Any]) -> None:
        stream = self._stream or sys.stdout
        stream.write(json.dumps(record, default=str, separators=(",", ":")) + "\n")
        stream.flush()


class ListSink:
    """Keeps records in memory, for the local worker's reply."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

    def emit(self, record: dict[str, Any]) -> None:
        self.records.append(record)
