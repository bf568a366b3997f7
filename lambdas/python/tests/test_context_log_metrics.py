"""Context fields, ``ctx.log`` structured lines and ``ctx.metrics`` EMF records."""

from __future__ import annotations

import io
import json
import math

import pytest

from conftest import json_lines, make_payload
from emf import check_emf
from ork.context import Context
from ork.payload import Payload
from ork.sink import ListSink, StreamSink

EXECUTION = "arn:aws:states:eu-west-1:123456789012:execution:etl:2f1c"

CONTEXT_TASK = """
from ork import task, Context

@task
def main(ctx: Context):
    return {
        "workflow": ctx.workflow,
        "task": ctx.task,
        "execution_id": ctx.execution_id,
        "attempt": ctx.attempt,
        "parallel_index": ctx.parallel_index,
        "parallel_count": ctx.parallel_count,
        "item_index": ctx.item_index,
        "instance": ctx.instance,
    }
"""


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, {"attempt": 1, "parallel_index": 0, "parallel_count": 1, "item_index": None, "instance": "process"}),
        (
            {"attempt": 2, "parallel_index": 3, "parallel_count": 4},
            {"attempt": 3, "parallel_index": 3, "parallel_count": 4, "item_index": None, "instance": "process[3]"},
        ),
        (
            {"item": "b.csv", "item_index": 1},
            {"attempt": 1, "parallel_index": 0, "parallel_count": 1, "item_index": 1, "instance": "process[item 1]"},
        ),
        (
            {"item": "eu", "item_index": 2, "parallel_index": 1, "parallel_count": 4, "attempt": 1},
            {"attempt": 2, "parallel_index": 1, "parallel_count": 4, "item_index": 2, "instance": "process[item 2, 1]"},
        ),
    ],
    ids=["plain", "parallel-retry", "foreach", "foreach-x-parallel"],
)
def test_context_fields(workflow, run_ok, fields: dict, expected: dict) -> None:
    path = workflow(CONTEXT_TASK)
    payload = make_payload("process", workflow="etl", execution_id=EXECUTION, **fields)
    output = run_ok(path, payload).output
    assert output == {"workflow": "etl", "task": "process", "execution_id": EXECUTION, **expected}


def _context(**fields) -> tuple[Context, io.StringIO]:
    stream = io.StringIO()
    sink = StreamSink(stream)
    payload = Payload.parse(make_payload("process", workflow="etl", execution_id=EXECUTION, **fields))
    return Context(payload, sink, sink), stream


def test_log_lines_are_json_with_task_instance_and_execution() -> None:
    ctx, stream = _context(item="a", item_index=4, parallel_index=1, parallel_count=2, attempt=1)
    ctx.log.info("processed", rows=12)
    ctx.log.warning("slow")
    ctx.log.debug("detail", task="not allowed to replace the task")
    ctx.log.error({"not": "a string"})
    lines = json_lines(stream.getvalue())
    assert [line["level"] for line in lines] == ["info", "warning", "debug", "error"]
    for line in lines:
        assert line["task"] == "process"
        assert line["workflow"] == "etl"
        assert line["instance"] == "process[item 4, 1]"
        assert line["execution_id"] == EXECUTION
        assert line["attempt"] == 2
        assert isinstance(line["timestamp"], float)
    assert lines[0]["message"] == "processed" and lines[0]["rows"] == 12
    assert lines[2]["task"] == "process"
    assert lines[3]["message"] == "{'not': 'a string'}"


def test_log_exception_carries_the_traceback() -> None:
    ctx, stream = _context()
    empty: dict[str, int] = {}
    try:
        empty["missing"]
    except KeyError:
        ctx.log.exception("lookup failed", key="missing")
    [line] = json_lines(stream.getvalue())
    assert line["level"] == "error" and line["key"] == "missing"
    assert "KeyError: 'missing'" in line["traceback"] and "Traceback (most recent call last)" in line["traceback"]


def test_log_lines_with_values_json_cannot_encode() -> None:
    ctx, stream = _context()
    ctx.log.info("odd", when={1, 2}, obj=object(), ratio=math.nan, spread=[math.inf, -math.inf, 2.5])
    [text] = stream.getvalue().splitlines()
    line = json.loads(text, parse_constant=lambda constant: pytest.fail(f"{constant} in a log line"))
    assert line["when"] == "{1, 2}"
    assert line["ratio"] == "nan" and line["spread"] == ["inf", "-inf", 2.5]


def test_metric_records_are_valid_emf() -> None:
    ctx, stream = _context(item="a", item_index=0)
    ctx.metrics.record("rows_processed", 120)
    ctx.metrics.record("duration", 1.5, "Seconds")
    ctx.metrics.record("throughput", 2048.25, "Bytes/Second")
    records = json_lines(stream.getvalue())
    assert len(records) == 3
    for record in records:
        assert check_emf(record) == []
        [directive] = record["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "Ork"
        assert directive["Dimensions"] == [["Workflow"], ["Workflow", "Task"]]
        assert record["Workflow"] == "etl" and record["Task"] == "process"
        assert record["ExecutionId"] == EXECUTION and record["Instance"] == "process[item 0]"
    assert records[0]["rows_processed"] == 120
    assert records[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "rows_processed", "Unit": "Count"}]
    assert records[1]["duration"] == 1.5
    assert records[1]["_aws"]["CloudWatchMetrics"][0]["Metrics"] == [{"Name": "duration", "Unit": "Seconds"}]
    assert records[2]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] == "Bytes/Second"


def test_metric_namespace_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("ORK_METRICS_NAMESPACE", "Acme/Pipelines")
    ctx, stream = _context()
    ctx.metrics.record("n", 1)
    [record] = json_lines(stream.getvalue())
    assert record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Acme/Pipelines"
    assert check_emf(record) == []


@pytest.mark.parametrize(
    "args, words",
    [
        (("rows", 1, "Parsecs"), "unknown CloudWatch unit 'Parsecs'"),
        (("rows", 1, "count"), "unknown CloudWatch unit 'count'"),
        (("rows", math.nan), "finite number"),
        (("rows", math.inf), "finite number"),
        (("rows", "12"), "finite number"),
        (("rows", True), "finite number"),
        (("rows", None), "finite number"),
        (("", 1), "non-empty string"),
        (("x" * 256, 1), "at most 255"),
        ((7, 1), "non-empty string"),
        (("Workflow", 1), "reserved"),
        (("Task", 1), "reserved"),
        (("ExecutionId", 1), "reserved"),
        (("Instance", 1), "reserved"),
        (("_aws", 1), "reserved"),
    ],
)
def test_bad_metrics_are_rejected(args: tuple, words: str) -> None:
    ctx, stream = _context()
    with pytest.raises(ValueError) as raised:
        ctx.metrics.record(*args)
    assert words in str(raised.value)
    assert stream.getvalue() == ""


def test_metrics_in_a_task_go_to_the_metric_sink(workflow, run_ok) -> None:
    path = workflow(
        """
        from ork import task, Context

        @task
        def main(ctx: Context):
            ctx.metrics.record("files", 3)
            ctx.log.info("done")
            print("printed text is not a log record")
            return {}
        """
    )
    result = run_ok(path, make_payload("count"))
    [metric] = result.metrics.records
    [log] = result.logs.records
    assert check_emf(json.loads(json.dumps(metric))) == [] and metric["files"] == 3
    assert log["message"] == "done"


def test_emf_checker_catches_broken_records() -> None:
    # The checker itself must see the faults it is there for.
    good = {
        "_aws": {"Timestamp": 1, "CloudWatchMetrics": [{"Namespace": "Ork", "Dimensions": [["W"]], "Metrics": [{"Name": "m", "Unit": "Count"}]}]},
        "W": "x",
        "m": 1,
    }
    assert check_emf(good) == []
    assert check_emf({**good, "m": "1"}) != []
    assert check_emf({**good, "W": 3}) != []
    assert check_emf({k: v for k, v in good.items() if k != "m"}) != []
    assert check_emf({"m": 1}) != []


def test_list_sink_keeps_records() -> None:
    sink = ListSink()
    sink.emit({"a": 1})
    assert sink.records == [{"a": 1}]
