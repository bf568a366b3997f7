"""The downstream side of large fan-outs (docs/scale.md): a Distributed Map's results (``ork_results``, the
ResultWriter manifest and its result files) read back as the list of outputs in item order, and tolerated
failures (``ork_failed`` markers, FAILED records) left out of that list and reported in ``ctx.failures``.
Both stores: a directory (local runs) and S3 (moto)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import make_payload
from ork import ToleratedFailure
from ork.errors import error_name
from ork.failures import split_failures
from ork.payload_store import DirectoryStore, References, S3Store

CONSUMER = """
from ork import task, Context

@task
def main(input, ctx: Context):
    return {
        "process": input["process"],
        "failures": {name: [f.to_json() for f in failed] for name, failed in ctx.failures.items()},
    }
"""

# Reads nothing from its input: its context still reports the failures upstream.
CONTEXT_ONLY = """
from ork import task, Context

@task
def main(ctx: Context):
    return {name: [f.to_json() for f in failed] for name, failed in ctx.failures.items()}
"""

ARN = "arn:aws:states:us-east-1:123456789012:mapRun:etl/process:1"
# The parent execution's id, which the Map's ItemSelector hands every child (make_payload's execution_id).
EXECUTION = make_payload()["execution_id"]


def succeeded(child_input: Any, output: Any) -> dict[str, Any]:
    """A child record as the ResultWriter writes it: Input and Output as JSON strings."""
    return {
        "ExecutionArn": f"{ARN}:child",
        "Input": json.dumps(child_input),
        "InputDetails": {"Included": True},
        "Name": "child",
        "Output": json.dumps(output),
        "OutputDetails": {"Included": True},
        "Status": "SUCCEEDED",
        "StartDate": "2026-01-01T00:00:00.000Z",
        "StopDate": "2026-01-01T00:00:01.000Z",
    }


def failed(child_input: Any, error: str, cause: str) -> dict[str, Any]:
    return {"ExecutionArn": f"{ARN}:bad", "Input": json.dumps(child_input), "Name": "bad", "Status": "FAILED", "Error": error, "Cause": cause}


Write = Callable[[str, bytes], None]


def write_results(write: Write, bucket: str, prefix: str, files: dict[str, list[list[dict[str, Any]]]], per_child: str = "one") -> dict[str, Any]:
    """Writes a manifest and its result files (one per list of records) and returns the Map's reference."""
    manifest: dict[str, Any] = {"DestinationBucket": bucket, "MapRunArn": ARN, "ResultFiles": {"SUCCEEDED": [], "FAILED": [], "PENDING": []}}
    for status, chunks in files.items():
        for n, records in enumerate(chunks):
            key = f"{prefix}/{status}_{n}.json"
            data = json.dumps(records).encode()
            write(key, data)
            manifest["ResultFiles"][status].append({"Key": key, "Size": len(data)})
    write(f"{prefix}/manifest.json", json.dumps(manifest).encode())
    return {"ork_results": {"bucket": bucket, "key": f"{prefix}/manifest.json", "per_child": per_child}}


def directory_writer(root: Path) -> Write:
    def write(key: str, data: bytes) -> None:
        (root / key).parent.mkdir(parents=True, exist_ok=True)
        (root / key).write_bytes(data)

    return write


@pytest.fixture
def local(store_dir) -> tuple[Write, str, References]:
    return directory_writer(store_dir), str(store_dir.resolve()), References(DirectoryStore(store_dir))


def test_records_are_put_in_item_order_and_failures_reported(workflow, run_ok, local) -> None:
    write, bucket, references = local
    big = references.offload({"rows": 2, "blob": "x" * 100}, "wf/run-1/process/process_item_2_-attempt1.json", threshold=10)
    results = write_results(
        write,
        bucket,
        "ork-results/wf/process/run",
        {
            # Completion order, spread over two files.
            "SUCCEEDED": [
                [succeeded({"item": "c", "item_index": 3, "params": {}}, {"rows": 3}), succeeded({"item": "a", "item_index": 0}, {"rows": 0})],
                [succeeded({"item": "c", "item_index": 2}, big), succeeded({"item": "b", "item_index": 10}, {"rows": 10})],
            ],
            "FAILED": [[failed({"item": "x", "item_index": 1}, "ValueError", "bad row in x")]],
        },
    )
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    output = run_ok(consumer, make_payload("consumer", inputs={"process": results}), references=references).output
    # The output that was stored as a $ork_ref is read back too.
    assert output["process"] == [{"rows": 0}, {"rows": 2, "blob": "x" * 100}, {"rows": 3}, {"rows": 10}]
    assert output["failures"] == {"process": [{"error": "ValueError", "cause": "bad row in x", "item_index": 1, "parallel_index": None, "start": None}]}


def test_a_batch_with_per_child_list_is_flattened_in_order(workflow, run_ok, local) -> None:
    write, bucket, references = local
    batch = lambda *indexes: {"Items": [{"item": f"i{i}", "item_index": i} for i in indexes], "BatchInput": {"params": {}}}  # noqa: E731
    results = write_results(
        write,
        bucket,
        "batched",
        {
            "SUCCEEDED": [[succeeded(batch(4, 5), [{"i": 4}, {"i": 5}]), succeeded(batch(0, 1), [{"i": 0}, {"i": 1}])]],
            "FAILED": [[failed(batch(2, 3), "Ork.OutputValidationError", "batch element 1 of 2 (item_index 2) failed")]],
        },
        per_child="list",
    )
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    output = run_ok(consumer, make_payload("consumer", inputs={"process": results}), references=references).output
    assert output["process"] == [{"i": 0}, {"i": 1}, {"i": 4}, {"i": 5}]
    # A failed batch failed each of its instances.
    assert [(f["item_index"], f["error"]) for f in output["failures"]["process"]] == [(2, "Ork.OutputValidationError"), (3, "Ork.OutputValidationError")]


def test_chunks_of_indexes_are_ordered_by_start(workflow, run_ok, local) -> None:
    write, bucket, references = local
    chunk = lambda start, n: succeeded({"start": start, "count": 2500}, [{"p": start + i} for i in range(n)])  # noqa: E731
    results = write_results(
        write,
        bucket,
        "chunks",
        {"SUCCEEDED": [[chunk(2000, 500), chunk(0, 1000)], [chunk(1000, 1000)]]},
        per_child="list",
    )
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    output = run_ok(consumer, make_payload("consumer", inputs={"process": results}), references=references).output
    assert [o["p"] for o in output["process"]] == list(range(2500))
    assert output["failures"] == {}


def test_parallel_index_orders_when_there_is_no_item_index(local) -> None:
    write, bucket, references = local
    results = write_results(
        write,
        bucket,
        "parallel",
        {"SUCCEEDED": [[succeeded({"parallel_index": i}, i) for i in (7, 2, 9, 0)] + [succeeded({"other": 1}, "unindexed")]]},
    )
    assert references.resolve(results) == [0, 2, 7, 9, "unindexed"]


def test_workers_of_one_item_flatten_and_inline_failures_inside_them_are_reported(workflow, run_ok, local) -> None:
    write, bucket, references = local
    marker = {"ork_failed": {"error": "States.Timeout", "cause": "too slow", "item_index": 1, "parallel_index": 1}}
    results = write_results(
        write,
        bucket,
        "workers",
        {
            "SUCCEEDED": [
                [succeeded({"item": "b", "item_index": 1}, [{"w": "1.0"}, marker]), succeeded({"item": "a", "item_index": 0}, [{"w": "0.0"}, {"w": "0.1"}])]
            ]
        },
        per_child="list",
    )
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    output = run_ok(consumer, make_payload("consumer", inputs={"process": results}), references=references).output
    assert output["process"] == [{"w": "0.0"}, {"w": "0.1"}, {"w": "1.0"}]
    assert output["failures"]["process"] == [{"error": "States.Timeout", "cause": "too slow", "item_index": 1, "parallel_index": 1, "start": None}]


def test_inline_failure_markers_are_removed_and_reported(workflow, run_ok, store_dir) -> None:
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    process = [{"rows": 1}, {"ork_failed": {"error": "KeyError", "cause": "'id'", "item_index": 1}}, {"rows": 3}]
    other = [{"ork_failed": {"error": "E", "cause": "c", "parallel_index": 4}}]
    output = run_ok(consumer, make_payload("consumer", inputs={"process": process, "other": other, "plain": {"x": 1}})).output
    assert output["process"] == [{"rows": 1}, {"rows": 3}]
    assert output["failures"] == {
        "process": [{"error": "KeyError", "cause": "'id'", "item_index": 1, "parallel_index": None, "start": None}],
        "other": [{"error": "E", "cause": "c", "item_index": None, "parallel_index": 4, "start": None}],
    }


def test_no_failures_is_an_empty_dict(workflow, run_ok) -> None:
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    assert run_ok(consumer, make_payload("consumer", inputs={"process": [1, 2]})).output == {"process": [1, 2], "failures": {}}


def test_failures_of_fields_the_task_does_not_read_are_reported_without_reading_the_outputs(workflow, run_ok, local, store_dir) -> None:
    write, bucket, references = local
    results = write_results(
        write,
        bucket,
        "unread",
        {"SUCCEEDED": [[succeeded({"item_index": 0}, 0)]], "FAILED": [[failed({"item_index": 1}, "ValueError", "boom")]]},
    )
    # Outputs are never read for a field the task ignores: a missing SUCCEEDED file goes unnoticed.
    (store_dir / "unread" / "SUCCEEDED_0.json").unlink()
    task = workflow(CONTEXT_ONLY, "tasks/context_only.py")
    inline = [{"ork_failed": {"error": "E", "cause": "c", "item_index": 5}}, {"ok": True}]
    output = run_ok(task, make_payload("context_only", inputs={"process": results, "inline": inline, "fine": [1]}), references=references).output
    assert output == {
        "process": [{"error": "ValueError", "cause": "boom", "item_index": 1, "parallel_index": None, "start": None}],
        "inline": [{"error": "E", "cause": "c", "item_index": 5, "parallel_index": None, "start": None}],
    }


def test_split_failures_leaves_other_values_alone() -> None:
    assert split_failures({"ork_failed": {"error": "x"}}) == ({"ork_failed": {"error": "x"}}, [])
    assert split_failures([1, {"ork_failed": "not an object"}]) == ([1, {"ork_failed": "not an object"}], [])
    kept, failures = split_failures([{"ork_failed": {"error": "E", "cause": "C", "item_index": 2, "extra": 1}}])
    assert kept == [] and failures == [ToleratedFailure(error="E", cause="C", item_index=2)]


def test_a_missing_manifest_is_a_payload_store_error(workflow, run_task_file, store_dir) -> None:
    consumer = workflow(CONSUMER, "tasks/consumer.py")
    reference = {"ork_results": {"bucket": str(store_dir), "key": "nowhere/manifest.json", "per_child": "one"}}
    error = run_task_file(consumer, make_payload("consumer", inputs={"process": reference})).error
    assert error_name(error) == "Ork.PayloadStoreError" and "nowhere/manifest.json" in str(error)
    assert isinstance(error.__cause__, FileNotFoundError)


def test_items_that_are_not_a_list_are_a_payload_store_error(store_dir) -> None:
    (store_dir / "items.json").write_text('{"not": "a list"}')
    with pytest.raises(Exception) as raised:
        References(DirectoryStore(store_dir)).resolve({"ork_items": {"bucket": str(store_dir), "key": "items.json", "count": 1}})
    assert error_name(raised.value) == "Ork.PayloadStoreError" and "not a JSON array" in str(raised.value)


# --- S3, through moto ------------------------------------------------------------------------------------


def test_results_and_items_on_s3(workflow, run_ok, bucket) -> None:
    write = lambda key, data: bucket.put_object(Bucket="ork-payloads", Key=key, Body=data)  # noqa: E731
    references = References(S3Store("ork-payloads", "runs", client=bucket), threshold=10)
    big = references.offload({"i": 1, "blob": "y" * 50}, "wf/run-1/process/p1.json")
    assert big["$ork_ref"].startswith("s3://ork-payloads/runs/")
    results = write_results(
        write,
        "ork-payloads",
        "ork-results/wf/process/0123",
        {
            "SUCCEEDED": [
                [
                    succeeded({"item_index": 2, "execution_id": EXECUTION}, {"i": 2}),
                    succeeded({"item_index": 1, "execution_id": EXECUTION}, big),
                    succeeded({"item_index": 0, "execution_id": EXECUTION}, {"i": 0}),
                ]
            ],
            "FAILED": [[failed({"item_index": 3, "execution_id": EXECUTION}, "States.TaskFailed", "lambda failed")]],
        },
    )
    items = references.store_items(["a", "b"], "wf/run-1/discover/discover-attempt1-items-files.json")
    assert items == {"ork_items": {"bucket": "ork-payloads", "key": "runs/wf/run-1/discover/discover-attempt1-items-files.json", "count": 2}}
    consumer = workflow(
        """
        from ork import task, Context

        @task
        def main(input, ctx: Context):
            return {"process": input["process"], "files": input["discover"]["files"], "failed": [f.item_index for f in ctx.failures["process"]]}
        """,
        "tasks/consumer.py",
    )
    payload = make_payload("consumer", inputs={"process": results, "discover": {"files": items}})
    output = References(S3Store("ork-payloads", client=bucket)).resolve(run_ok(consumer, payload, references=references).output)
    assert output == {"process": [{"i": 0}, {"i": 1, "blob": "y" * 50}, {"i": 2}], "files": ["a", "b"], "failed": [3]}
