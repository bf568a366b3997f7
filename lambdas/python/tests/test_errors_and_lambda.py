"""Exceptions raised by tasks: their names, chained tracebacks, and what the Lambda handler does with them."""

from __future__ import annotations

import pytest

from conftest import json_lines, make_payload
from emf import check_emf
from ork import InputValidationError, lambda_handler
from ork.errors import describe_failure, error_name
from ork.payload_store import DirectoryStore, References
from ork.worker import handle

CHAINED = """
from ork import task

def lookup(table, key):
    return table[key]

@task
def main(input):
    try:
        return lookup({}, "region")
    except KeyError as missing:
        raise ValueError(f"no region configured for {input['params'].get('tenant')}") from missing
"""

LOGGING = """
from ork import task, Context
from pydantic import BaseModel

class Input(BaseModel):
    n: int

class Output(BaseModel):
    doubled: int

@task
def main(input: Input, ctx: Context) -> Output:
    ctx.log.info("doubling", n=input.n)
    ctx.metrics.record("doubled", input.n * 2)
    return Output(doubled=input.n * 2)
"""


def test_describe_failure_keeps_the_whole_chain(workflow, run_task_file) -> None:
    error = run_task_file(workflow(CHAINED), make_payload(params={"tenant": "acme"})).error
    assert type(error) is ValueError and isinstance(error.__cause__, KeyError)
    failure = describe_failure(error)
    assert failure["type"] == "ValueError"
    assert failure["message"] == "no region configured for acme"
    assert failure["retryable"] is True
    tb = failure["traceback"]
    assert "KeyError: 'region'" in tb
    assert "The above exception was the direct cause of the following exception" in tb
    assert "ValueError: no region configured for acme" in tb
    assert tb.index("KeyError") < tb.index("direct cause") < tb.rindex("ValueError")
    assert "in lookup" in tb  # the frame in the task file is there


def test_worker_reply_for_a_raising_task(workflow, tmp_path) -> None:
    path = workflow(CHAINED)
    request = {"id": 3, "file": str(path), "workflow_dir": str(tmp_path), "payload": make_payload(params={"tenant": "t1"})}
    reply = handle(request, References(DirectoryStore(tmp_path / "store")))
    assert reply["id"] == 3 and reply["ok"] is False
    assert reply["error"]["type"] == "ValueError"
    assert "KeyError" in reply["error"]["traceback"] and "direct cause" in reply["error"]["traceback"]


def test_user_exception_names_are_kept(workflow, run_task_file) -> None:
    path = workflow(
        """
        from ork import task

        class QuotaExceeded(Exception):
            pass

        @task
        def main():
            raise QuotaExceeded("429 from the API")
        """
    )
    error = run_task_file(path).error
    assert error_name(error) == "QuotaExceeded"
    assert describe_failure(error)["retryable"] is True


# --- the Lambda handler --------------------------------------------------------------------------------


@pytest.fixture
def lambda_env(monkeypatch, tmp_path, store_dir):
    """A Lambda function's environment: the task file relative to the task root, payloads in a directory."""

    def configure(task_file: str) -> None:
        monkeypatch.setenv("ORK_TASK_FILE", task_file)
        monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
        monkeypatch.delenv("ORK_WORKFLOW_DIR", raising=False)
        monkeypatch.delenv("ORK_PAYLOAD_BUCKET", raising=False)
        monkeypatch.setenv("ORK_PAYLOAD_DIR", str(store_dir))
        monkeypatch.setattr(lambda_handler, "_references", None)

    return configure


def test_lambda_handler_returns_the_output_and_prints_logs_and_emf(workflow, lambda_env, capsys) -> None:
    workflow(LOGGING, "tasks/double.py")
    lambda_env("tasks/double.py")
    payload = make_payload("double", inputs={"n": 21})
    assert lambda_handler.handler(payload, None) == {"doubled": 42}
    log, metric = json_lines(capsys.readouterr().out)
    assert log["message"] == "doubling" and log["n"] == 21 and log["task"] == "double"
    assert check_emf(metric) == [] and metric["doubled"] == 42


def test_lambda_handler_reraises_the_same_exception_and_logs_the_traceback(workflow, lambda_env, capsys) -> None:
    workflow(CHAINED, "tasks/chained.py")
    lambda_env("tasks/chained.py")
    payload = make_payload("chained", params={"tenant": "acme"})
    with pytest.raises(ValueError) as raised:
        lambda_handler.handler(payload, None)
    # The Lambda runtime reports type(error).__name__ as errorType: what Retry and Catch match.
    assert type(raised.value).__name__ == "ValueError"
    assert isinstance(raised.value.__cause__, KeyError)
    [line] = json_lines(capsys.readouterr().out)
    assert line["level"] == "error"
    assert line["message"] == "task failed: ValueError: no region configured for acme"
    assert line["task"] == "chained" and line["execution_id"] == payload["execution_id"]
    assert line["error"]["type"] == "ValueError"
    traceback = line["error"]["traceback"]
    assert "KeyError: 'region'" in traceback and "direct cause" in traceback and "ValueError: no region" in traceback


def test_lambda_handler_validation_error_name(workflow, lambda_env, capsys) -> None:
    workflow(LOGGING, "tasks/double.py")
    lambda_env("tasks/double.py")
    with pytest.raises(InputValidationError) as raised:
        lambda_handler.handler(make_payload("double", inputs={"n": "many"}), None)
    assert type(raised.value).__name__ == "Ork.InputValidationError"
    [line] = json_lines(capsys.readouterr().out)
    assert line["error"]["type"] == "Ork.InputValidationError" and line["error"]["retryable"] is False
    assert "field 'n'" in line["error"]["message"] and '"many"' in line["error"]["message"]


def test_lambda_handler_without_a_task_file(lambda_env, monkeypatch, capsys) -> None:
    lambda_env("x.py")
    monkeypatch.delenv("ORK_TASK_FILE")
    with pytest.raises(Exception) as raised:
        lambda_handler.handler(make_payload(), None)
    assert error_name(raised.value) == "Ork.TaskDefinitionError"
    assert "ORK_TASK_FILE" in str(raised.value)


def test_lambda_handler_with_a_non_object_event(workflow, lambda_env, capsys) -> None:
    workflow(LOGGING, "tasks/double.py")
    lambda_env("tasks/double.py")
    with pytest.raises(Exception) as raised:
        lambda_handler.handler("not an object", None)
    assert error_name(raised.value) == "Ork.InvalidPayload"
    [line] = json_lines(capsys.readouterr().out)
    assert "task" not in line
