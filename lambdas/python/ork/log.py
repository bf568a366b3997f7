"""``ctx.log``: structured log lines that carry workflow, task, instance and execution."""

from __future__ import annotations

import time
import traceback
from typing import Any

from .masking import active, mask_data
from .sink import Sink

LEVELS = ("debug", "info", "warning", "error")


class TaskLogger:
    """Each call writes one JSON record: ``{"level", "message", "task", "instance", "execution_id", …}``.

    Extra keyword arguments become fields of the record (``ctx.log.info("done", rows=12)``), which
    CloudWatch Logs Insights can filter on. Secret values the task read are masked (masking.py).
    """

    def __init__(self, sink: Sink, fields: dict[str, Any]) -> None:
        self._sink = sink
        self._fields = fields

    def _emit(self, level: str, message: Any, extra: dict[str, Any]) -> None:
        record = {"timestamp": round(time.time(), 3), "level": level, "message": str(message), **self._fields}
        for key, value in extra.items():
            if key not in record:
                record[key] = value
        # A secret value the task read (ctx.secrets) is written as *** wherever it appears in the line.
        self._sink.emit(mask_data(record) if active() else record)

    def debug(self, message: Any, **fields: Any) -> None:
        self._emit("debug", message, fields)

    def info(self, message: Any, **fields: Any) -> None:
        self._emit("info", message, fields)

    def warning(self, message: Any, **fields: Any) -> None:
        self._emit("warning", message, fields)

    warn = warning

    def error(self, message: Any, **fields: Any) -> None:
        self._emit("error", message, fields)

    def exception(self, message: Any, **fields: Any) -> None:
        """An error line with the traceback of the exception being handled."""
        self._emit("error", message, {**fields, "traceback": traceback.format_exc()})
