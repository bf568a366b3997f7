"""Batches (``batch_size:``, docs/scale.md): one invocation runs the task once per element of ``batch``, each
with its own input, Context, validation and offloading, and returns the outputs in order. A failing element
fails the batch with its own error name and a message that says which element it was. In process, through
the Lambda handler, the local worker (in process and as a subprocess), and refused by the container."""

from __future__ import annotations

import json

import pytest

from conftest import WorkerProcess, json_lines, make_payload, worker_env
from ork import lambda_handler
from ork.batch import BatchElementError
from ork.errors import describe_failure, error_name
from ork.payload_store import DirectoryStore, References, is_reference
from ork.worker import handle

TASK = """
from ork import task, Context
from pydantic import BaseModel

class Input(BaseModel):
    item: str
    discover: dict

class Output(BaseModel):
    text: str
    item_index: int | None
    parallel_index: int
    instance: str

@task
def main(input: Input, ctx: Context) -> Output:
    if input.item == "bad":
        try:
            {}["missing"]
        except KeyError as error:
            raise ValueError(f"cannot process {input.item}") from error
    if input.item == "wrong":
        return {"text": 5}
    ctx.log.info("processing", item=input.item)
    text = input.item * (300 if input.item == "big" else 1) + input.discover["suffix"]
    return Output(text=text, item_index=ctx.item_index, parallel_index=ctx.parallel_index, instance=ctx.instance)
"""


def batch_payload(*items: str, first: int = 0, **fields) -> dict:
    return make_payload(
        "process",
        inputs={"discover": {"suffix": "!"}},
        batch=[{"item": item, "item_index": first + n} for n, item in enumerate(items)],
        **fields,
    )


def test_a_batch_runs_each_element_in_order_with_its_own_context(workflow, run_ok) -> None:
    run = run_ok(workflow(TASK, "tasks/process.py"), batch_payload("a", "b", "c", first=40))
    assert run.output == [
        {"text": "a!", "item_index": 40, "parallel_index": 0, "instance": "process[item 40]"},
        {"text": "b!", "item_index": 41, "parallel_index": 0, "instance": "process[item 41]"},
        {"text": "c!", "item_index": 42, "parallel_index": 0, "instance": "process[item 42]"},
    ]
    assert [(r["item"], r["instance"]) for r in run.logs.records] == [("a", "process[item 40]"), ("b", "process[item 41]"), ("c", "process[item 42]")]


def test_element_fields_win_over_the_payload_s(workflow, run_ok) -> None:
    payload = make_payload(
        "process",
        inputs={"discover": {"suffix": "?"}},
        item="payload's",
        item_index=99,
        parallel_index=5,
        parallel_count=8,
        batch=[{"item": "x", "parallel_index": 1}, {"item": "y", "item_index": 3, "parallel_index": 2}],
    )
    output = run_ok(workflow(TASK, "tasks/process.py"), payload).output
    assert [(o["text"], o["item_index"], o["parallel_index"]) for o in output] == [("x?", 99, 1), ("y?", 3, 2)]


def test_each_output_is_offloaded_on_its_own(workflow, run_ok, store_dir, monkeypatch) -> None:
    monkeypatch.setenv("ORK_LARGE_OUTPUT_BYTES", "200")
    references = References(DirectoryStore(store_dir))
    output = run_ok(workflow(TASK, "tasks/process.py"), batch_payload("a", "big", "c", first=7), references=references).output
    assert [is_reference(o) for o in output] == [False, True, False]
    assert output[1]["$ork_ref"].endswith("/wf/run-1/process/process_item_8_-attempt1.json")
    assert references.resolve(output)[1]["text"] == "big" * 300 + "!"


def test_output_spill_bytes_applies_to_each_element(workflow, run_ok, store_dir) -> None:
    references = References(DirectoryStore(store_dir))
    output = run_ok(workflow(TASK, "tasks/process.py"), batch_payload("a", "b", output_spill_bytes=10), references=references).output
    assert [is_reference(o) for o in output] == [True, True]


def test_an_empty_batch_returns_an_empty_list(workflow, run_ok) -> None:
    assert run_ok(workflow(TASK, "tasks/process.py"), batch_payload()).output == []


def test_a_failing_element_fails_the_batch_with_its_error_name(workflow, run_task_file) -> None:
    error = run_task_file(workflow(TASK, "tasks/process.py"), batch_payload("a", "bad", "c", first=16)).error
    assert error_name(error) == type(error).__name__ == "ValueError"
    assert str(error) == "batch element 2 of 3 (item_index 17) failed: cannot process bad"
    assert type(error.__cause__) is ValueError and isinstance(error.__cause__.__cause__, KeyError)
    failure = describe_failure(error)
    assert failure["type"] == "ValueError" and failure["retryable"] is True
    assert "KeyError: 'missing'" in failure["traceback"] and "cannot process bad" in failure["traceback"]


def test_ork_errors_keep_their_name_and_are_not_retried(workflow, run_task_file) -> None:
    payload = make_payload(
        "process", inputs={"discover": {"suffix": "!"}}, parallel_count=4, batch=[{"item": "a", "parallel_index": 2}, {"item": "wrong", "parallel_index": 3}]
    )
    error = run_task_file(workflow(TASK, "tasks/process.py"), payload).error
    assert type(error).__name__ == "Ork.OutputValidationError"
    assert str(error).startswith("batch element 2 of 2 (parallel_index 3) failed: output of task 'process'")
    assert describe_failure(error)["retryable"] is False
    missing_input = run_task_file(workflow(TASK, "tasks/process.py"), make_payload("process", batch=[{"item": "a"}])).error
    assert error_name(missing_input) == "Ork.InputValidationError" and "batch element 1 of 1" in str(missing_input)


@pytest.mark.parametrize("batch", ["a", [1, 2], {"item": 1}])
def test_a_malformed_batch_is_an_invalid_payload(workflow, run_task_file, batch) -> None:
    error = run_task_file(workflow(TASK, "tasks/process.py"), make_payload("process", batch=batch)).error
    assert error_name(error) == "Ork.InvalidPayload" and "batch" in str(error)


def test_the_lambda_handler_runs_batches(workflow, monkeypatch, tmp_path, store_dir, capsys) -> None:
    workflow(TASK, "tasks/process.py")
    monkeypatch.setenv("ORK_TASK_FILE", "tasks/process.py")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    monkeypatch.delenv("ORK_WORKFLOW_DIR", raising=False)
    monkeypatch.delenv("ORK_PAYLOAD_BUCKET", raising=False)
    monkeypatch.setenv("ORK_PAYLOAD_DIR", str(store_dir))
    monkeypatch.setattr(lambda_handler, "_references", None)
    assert [o["text"] for o in lambda_handler.handler(batch_payload("a", "b"), None)] == ["a!", "b!"]
    capsys.readouterr()
    with pytest.raises(BatchElementError) as raised:
        lambda_handler.handler(batch_payload("a", "bad", first=3), None)
    # The Lambda runtime reports type(error).__name__ as the errorType Retry and Catch match; the element's
    # own exception is the cause.
    assert type(raised.value).__name__ == "ValueError" and "item_index 4" in str(raised.value)
    assert type(raised.value.__cause__) is ValueError
    line = json_lines(capsys.readouterr().out)[-1]
    assert line["error"]["type"] == "ValueError" and "batch element 2 of 2 (item_index 4)" in line["message"]


def test_the_worker_runs_batches(workflow, tmp_path, capsys) -> None:
    path = workflow(TASK, "tasks/process.py")
    references = References(DirectoryStore(tmp_path / "store"))
    capsys.readouterr()
    reply = handle({"id": 1, "file": str(path), "workflow_dir": str(tmp_path), "payload": batch_payload("a", "b")}, references)
    assert reply["ok"] is True and [o["text"] for o in reply["output"]] == ["a!", "b!"]
    # One ctx.log line per element, on stdout as on Lambda.
    assert len([line for line in json_lines(capsys.readouterr().out) if "level" in line]) == 2
    reply = handle({"id": 2, "file": str(path), "workflow_dir": str(tmp_path), "payload": batch_payload("bad", first=5)}, references)
    assert reply["ok"] is False and reply["error"]["type"] == "ValueError"
    assert reply["error"]["message"] == "batch element 1 of 1 (item_index 5) failed: cannot process bad"


def test_the_worker_process_runs_batches(workflow, tmp_path) -> None:
    path = workflow(TASK, "tasks/process.py")
    request = {"id": 9, "file": str(path), "workflow_dir": str(tmp_path), "payload": batch_payload("x", "y", first=2)}
    worker = WorkerProcess(worker_env(ORK_PAYLOAD_DIR=str(tmp_path / "store")))
    try:
        worker.requests.write((json.dumps(request) + "\n").encode())
        ready, reply = (json.loads(worker.replies.readline()) for _ in range(2))
    finally:
        assert worker.close() == 0
    assert ready["ready"] is True
    assert reply["ok"] is True and [(o["text"], o["item_index"]) for o in reply["output"]] == [("x!", 2), ("y!", 3)]
