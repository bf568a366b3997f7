"""The ``on_failure:`` handler's input: the payload's ``failure`` (docs/python-sdk.md, "Failure handler"),
as a validated ``ork.Failure`` in an Input model, as a dict in an untyped input, and as ``ctx.failure``."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from conftest import make_payload
from ork import Failure, InputValidationError, ToleratedFailure
from ork.errors import error_name

FAILURE = {
    "task": "process",
    "instance": "process[item 3]",
    "error": "ValueError",
    "cause": "bad row 7",
    "execution_id": "arn:aws:states:us-east-1:123456789012:execution:wf:run-1",
}

TYPED = """
from ork import Context, Failure, task
from pydantic import BaseModel

class Params(BaseModel):
    channel: str

class Input(BaseModel):
    failure: Failure
    params: Params

@task
def main(input: Input, ctx: Context):
    assert isinstance(input.failure, Failure) and ctx.failure == input.failure
    return {"text": f"{input.failure.task} ({input.failure.instance}) failed: {input.failure.error}: {input.failure.cause}", "to": input.params.channel}
"""

UNTYPED = """
from ork import task

@task
def main(input):
    return {"failure": input["failure"], "params": input["params"], "fields": sorted(input)}
"""

CONTEXT_ONLY = """
from ork import Context, task

@task
def main(ctx: Context):
    return {"failure": None if ctx.failure is None else ctx.failure.model_dump()}
"""


def handler_payload(failure: dict | None = FAILURE, **fields) -> dict:
    return make_payload("on_failure", params={"channel": "#data"}, inputs={}, failure=failure, **fields)


def test_a_typed_handler_gets_a_validated_failure_and_its_params(workflow, run_ok) -> None:
    output = run_ok(workflow(TYPED), handler_payload()).output
    assert output == {"text": "process (process[item 3]) failed: ValueError: bad row 7", "to": "#data"}


def test_an_untyped_handler_gets_the_failure_as_data(workflow, run_ok) -> None:
    output = run_ok(workflow(UNTYPED), handler_payload()).output
    assert output == {"failure": FAILURE, "params": {"channel": "#data"}, "fields": ["failure", "params"]}


def test_a_failure_of_no_one_task_has_task_and_instance_none(workflow, run_ok) -> None:
    plain = {**FAILURE, "task": None, "instance": None, "error": "States.Runtime"}
    assert run_ok(workflow(CONTEXT_ONLY), handler_payload(plain)).output == {"failure": plain}


def test_an_ordinary_task_has_no_failure(workflow, run_ok) -> None:
    assert run_ok(workflow(CONTEXT_ONLY), make_payload("t")).output == {"failure": None}
    untyped = workflow(UNTYPED.replace('"failure": input["failure"], ', ""), "tasks/untyped.py")
    assert run_ok(untyped, make_payload("t")).output["fields"] == ["params"]


def test_an_input_model_that_declares_failure_refuses_a_payload_without_one(workflow, run_task_file) -> None:
    error = run_task_file(workflow(TYPED), make_payload("on_failure", params={"channel": "#data"})).error
    assert isinstance(error, InputValidationError) and "failure" in str(error)


def test_a_malformed_failure_is_an_invalid_payload(workflow, run_task_file) -> None:
    error = run_task_file(workflow(UNTYPED), handler_payload({"task": "process", "cause": "C", "execution_id": "x"})).error
    assert error_name(error) == "Ork.InvalidPayload" and "failure.error" in str(error)


def test_failure_is_a_frozen_model_and_tolerated_failures_keep_their_own_type() -> None:
    failure = Failure.model_validate(FAILURE)
    with pytest.raises(ValidationError):
        failure.error = "other"
    assert Failure.model_validate({"error": "E", "cause": "C", "execution_id": "x"}).task is None
    assert ToleratedFailure(error="E", cause="C").to_json()["item_index"] is None
