"""A checker of CloudWatch Embedded Metric Format records, after the specification:
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
"""

from __future__ import annotations

import math
from typing import Any

UNITS = set(
    """Seconds Microseconds Milliseconds Bytes Kilobytes Megabytes Gigabytes Terabytes Bits Kilobits Megabits
    Gigabits Terabits Percent Count Bytes/Second Kilobytes/Second Megabytes/Second Gigabytes/Second
    Terabytes/Second Bits/Second Kilobits/Second Megabits/Second Gigabits/Second Terabits/Second
    Count/Second None""".split()
)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_emf(record: Any) -> list[str]:
    """The ways a decoded log line breaks the EMF specification (empty when it follows it)."""
    problems: list[str] = []
    if not isinstance(record, dict):
        return ["the root is not an object"]
    aws = record.get("_aws")
    if not isinstance(aws, dict):
        return ["no _aws metadata object"]
    if not isinstance(aws.get("Timestamp"), int) or isinstance(aws.get("Timestamp"), bool) or aws["Timestamp"] < 0:
        problems.append("_aws.Timestamp is not a non-negative integer of milliseconds")
    directives = aws.get("CloudWatchMetrics")
    if not isinstance(directives, list) or not directives:
        return problems + ["_aws.CloudWatchMetrics is not a non-empty array"]
    for directive in directives:
        namespace = directive.get("Namespace")
        if not isinstance(namespace, str) or not 1 <= len(namespace) <= 1024:
            problems.append(f"Namespace {namespace!r} is not a string of 1 to 1024 characters")
        dimensions = directive.get("Dimensions")
        if not isinstance(dimensions, list):
            problems.append("Dimensions is not an array")
            dimensions = []
        for dimension_set in dimensions:
            if not isinstance(dimension_set, list) or len(dimension_set) > 30:
                problems.append(f"dimension set {dimension_set!r} is not an array of at most 30 keys")
                continue
            for key in dimension_set:
                if not isinstance(record.get(key), str):
                    problems.append(f"dimension {key!r} has no string value at the root")
        metrics = directive.get("Metrics")
        if not isinstance(metrics, list) or not 1 <= len(metrics) <= 100:
            problems.append("Metrics is not an array of 1 to 100 metric definitions")
            metrics = []
        for metric in metrics:
            name = metric.get("Name")
            if not isinstance(name, str) or not 1 <= len(name) <= 1024:
                problems.append(f"metric name {name!r} is not a string")
                continue
            value = record.get(name)
            values = value if isinstance(value, list) else [value]
            if not values or not all(_is_number(v) for v in values):
                problems.append(f"metric {name!r} has no number at the root (got {value!r})")
            if "Unit" in metric and metric["Unit"] not in UNITS:
                problems.append(f"metric {name!r} has unknown unit {metric['Unit']!r}")
    return problems
