"""``ctx.metrics.record``: CloudWatch metrics through the Embedded Metric Format (EMF).

A record is a log line that CloudWatch turns into a metric with no API call:
namespace ``ORK_METRICS_NAMESPACE`` (default ``Ork``), dimension sets ``[Workflow]`` and
``[Workflow, Task]``, plus the execution id and instance as searchable properties.
See https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
"""

from __future__ import annotations

import math
import os
import time
from typing import Any

from .contract import ENVIRONMENT
from .sink import Sink

UNITS = frozenset(
    """Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits
    Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second
    Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second Terabits/Second
    Count/Second None""".split()
)

DEFAULT_NAMESPACE = "Ork"
_NAMESPACE = ENVIRONMENT["metrics_namespace"]


class Metrics:
    def __init__(self, sink: Sink, workflow: str, task: str, properties: dict[str, Any]) -> None:
        self._sink = sink
        self._workflow = workflow
        self._task = task
        self._properties = properties
        self._namespace = os.environ.get(_NAMESPACE, DEFAULT_NAMESPACE)
        self._reserved = frozenset({"_aws", "Workflow", "Task", *properties})

    def record(self, name: str, value: float, unit: str = "Count") -> None:
        if not isinstance(name, str) or not name or len(name) > 255:
            raise ValueError("metric name must be a non-empty string of at most 255 characters")
        if name in self._reserved:
            # These keys already hold the record's dimensions and properties: a metric of the same name
            # would overwrite one or be overwritten, and CloudWatch would drop the record.
            raise ValueError(f"metric name {name!r} is reserved; Ork uses it for: {', '.join(sorted(self._reserved))}")
        if unit not in UNITS:
            raise ValueError(f"unknown CloudWatch unit {unit!r}; use one of: {', '.join(sorted(UNITS))}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError(f"metric {name!r} needs a finite number, got {value!r}")
        self._sink.emit(
            {
                "_aws": {
                    "Timestamp": int(time.time() * 1000),
                    "CloudWatchMetrics": [
                        {
                            "Namespace": self._namespace,
                            "Dimensions": [["Workflow"], ["Workflow", "Task"]],
                            "Metrics": [{"Name": name, "Unit": unit}],
                        }
                    ],
                },
                "Workflow": self._workflow,
                "Task": self._task,
                name: value,
                **self._properties,
            }
        )
