"""The two AWS entry points, called with exactly what AWS hands them.

* ``ork.lambda_handler.handler``: a direct Lambda ARN Task state (``"Resource": "${OrkFunction_<task>}"``)
  sends the state's effective Parameters as the event. The events here are *computed* from the compiled
  definitions of the golden fixtures (test/fixtures/*/expected.asl.json, which the golden test pins to the
  compiler), resolving their ``.$`` paths against a state input and a context object like the one Step
  Functions builds; the Lambda context object has the attributes the Python runtime gives it, and the
  function's environment is what the OrkWorkflow construct sets (``ORK_TASK_FILE`` relative to
  ``LAMBDA_TASK_ROOT``, ``ORK_PAYLOAD_BUCKET``/``_PREFIX``, ``ORK_WORKFLOW``, user env).
* ``python -m ork.container`` (``ork.container.main``): ECS starts the container with the task
  definition's environment plus the RunTask container overrides that the compiled
  ``ecs:runTask.waitForTaskToken`` state sets: ``ORK_TASK_TOKEN`` (``$$.Task.Token``), ``ORK_PAYLOAD``
  (``States.JsonToString`` of the payload the Pass state before it built) and ``ORK_ATTEMPT``
  (``States.Format('{}', $$.State.RetryCount)``). A fake Step Functions client records what the container
  reports. (The moto round trip through a real execution is tests/test_container.py.)
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO_ROOT, json_lines
from ork import container, lambda_handler
from ork.payload_store import References, S3Store

FIXTURES = REPO_ROOT / "test" / "fixtures"
REGION = "eu-west-1"
ACCOUNT = "123456789012"
EXECUTION_NAME = "6f0c2d1e-1b7a-4c55-9a0e-3f4b2c1d0e9f"
# A real task token is an opaque base64 string of several hundred characters.
TASK_TOKEN = "AQCEAAAAKgAAAAMAAAAAAAAAAeF1c2VyQGV4YW1wbGUuY29tL2Zvby9iYXI=" * 8


# --- a small evaluator of the ASL the compiler emits (paths, JsonToString, Format) ---------------------


def _path(document: Any, path: str) -> Any:
    """``$.a.b`` / ``$$.A.B`` (the leading ``$``/``$$`` already removed)."""
    value = document
    for part in [p for p in path.split(".") if p]:
        value = value[part]
    return value


def _evaluate(expression: str, state_input: Any, context: dict[str, Any]) -> Any:
    if expression.startswith("$$"):
        return _path(context, expression[2:])
    if expression.startswith("$"):
        return _path(state_input, expression[1:])
    match = re.fullmatch(r"States\.JsonToString\((.+)\)", expression)
    if match:
        # Step Functions writes compact JSON and keeps non-ASCII characters as they are.
        return json.dumps(_evaluate(match.group(1).strip(), state_input, context), separators=(",", ":"), ensure_ascii=False)
    match = re.fullmatch(r"States\.Format\('\{\}',\s*(.+)\)", expression)
    if match:
        value = _evaluate(match.group(1).strip(), state_input, context)
        return json.dumps(value) if not isinstance(value, str) else value
    match = re.fullmatch(r"States\.StringSplit\('([^']*)',\s*'([^']*)'\)", expression)
    if match:
        return match.group(1).split(match.group(2))
    raise AssertionError(f"the evaluator does not know {expression!r}")


def resolve(template: Any, state_input: Any, context: dict[str, Any]) -> Any:
    """A Parameters/ItemSelector template as Step Functions fills it in."""
    if isinstance(template, dict):
        resolved: dict[str, Any] = {}
        for key, value in template.items():
            if key.endswith(".$"):
                resolved[key[:-2]] = _evaluate(value, state_input, context)
            else:
                resolved[key] = resolve(value, state_input, context)
        return resolved
    if isinstance(template, list):
        return [resolve(item, state_input, context) for item in template]
    return template


# DefinitionSubstitutions as the OrkWorkflow construct fills them in at deploy (CloudFormation resolves them).
SUBSTITUTIONS = {
    "OrkCluster": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/Ork-container-WorkflowCluster",
    "OrkSubnets": "subnet-0123456789abcdef0,subnet-0fedcba9876543210",
    "OrkSecurityGroups": "sg-0123456789abcdef0",
    "OrkAssignPublicIp": "ENABLED",
    "OrkPayloadBucket": "ork-payloads",
}


def _substitute(name: str) -> str:
    if name in SUBSTITUTIONS:
        return SUBSTITUTIONS[name]
    kind, _, task = name.partition("_")
    return {
        "OrkFunction": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:Ork-wf-Task{task}",
        "OrkTaskDefinition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/Orkcontainer{task}:1",
        "OrkContainer": "task",
    }[kind]


def fixture_definition(name: str) -> dict[str, Any]:
    """A golden definition as deployed: its ``${…}`` placeholders substituted."""
    text = (FIXTURES / name / "expected.asl.json").read_text()
    return json.loads(re.sub(r"\$\{(\w+)\}", lambda m: _substitute(m.group(1)), text))


def find_state(definition: dict[str, Any], name: str) -> dict[str, Any]:
    states = definition["States"]
    if name in states:
        return states[name]
    for state in states.values():
        for nested in [state.get("ItemProcessor"), state.get("Iterator"), *state.get("Branches", [])]:
            if nested:
                try:
                    return find_state(nested, name)
                except KeyError:
                    pass
    raise KeyError(name)


def context_object(workflow: str, state: str, retry_count: int, **extra: Any) -> dict[str, Any]:
    """The context object (``$$``) of a Standard execution, as documented by Step Functions."""
    return {
        "Execution": {
            "Id": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{workflow}:{EXECUTION_NAME}",
            "Name": EXECUTION_NAME,
            "StartTime": "2024-01-15T06:00:04.123Z",
            "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/Ork-{workflow}-WorkflowStateMachineRole",
            "RedriveCount": 0,
        },
        "State": {"Name": state, "EnteredTime": "2024-01-15T06:00:09.456Z", "RetryCount": retry_count},
        "StateMachine": {"Id": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{workflow}", "Name": workflow},
        **extra,
    }


class LambdaContext:
    """What the AWS Lambda Python runtime passes as ``context``."""

    def __init__(self, function_name: str, timeout_ms: int = 900_000) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self.memory_limit_in_mb = "1024"
        self.aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2024/01/15/[$LATEST]58419525dade4d17a495dceeeed44708"
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = timeout_ms

    def get_remaining_time_in_millis(self) -> int:
        return self._deadline_ms


# --- Lambda ---------------------------------------------------------------------------------------------

PROCESS = """
import shapes_helpers as helpers  # a module at the top of the bundle: the workflow folder is importable
from ork import task, Context
from pydantic import BaseModel


class Discovered(BaseModel):
    files: list[str]


class Params(BaseModel):
    date: str


class Input(BaseModel):
    item: str
    discover: Discovered
    params: Params


class Output(BaseModel):
    file: str
    position: int
    of: int
    date: str
    attempt: int
    execution_id: str
    instance: str
    stage: str


@task
def main(input: Input, ctx: Context) -> Output:
    ctx.log.info("processing", file=input.item)
    if input.item == "broken.csv":
        raise helpers.QuotaExceeded(f"429 while reading {input.item}")
    return Output(
        file=input.item,
        position=ctx.item_index,
        of=len(input.discover.files),
        date=input.params.date,
        attempt=ctx.attempt,
        execution_id=ctx.execution_id,
        instance=ctx.instance,
        stage=helpers.stage(),
    )
"""

HELPERS = """
import os


class QuotaExceeded(Exception):
    pass


def stage():
    return os.environ["STAGE"]
"""

BIG = """
from ork import task


@task
def main(input):
    return {"rows": ["x" * 100] * 2000}
"""


class FakeS3:
    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def put_object(self, *, Bucket: str, Key: str, Body: bytes, ContentType: str) -> dict[str, Any]:
        self.objects[(Bucket, Key)] = Body
        return {"ETag": '"abc"'}


@pytest.fixture
def lambda_function(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """A deployed function's file system and environment: the bundle at LAMBDA_TASK_ROOT, env as the construct sets it."""
    root = tmp_path / "var-task"

    def deploy(workflow: str, files: dict[str, str], task_file: str, user_env: dict[str, str] | None = None) -> Path:
        for name, source in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(source.lstrip())
        for name in ("ORK_WORKFLOW_DIR", "ORK_PAYLOAD_DIR", "ORK_LARGE_OUTPUT_BYTES"):
            monkeypatch.delenv(name, raising=False)
        environment = {
            # The Lambda runtime's own variables.
            "LAMBDA_TASK_ROOT": str(root),
            "AWS_LAMBDA_FUNCTION_NAME": f"Ork-{workflow}-Task",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
            "AWS_REGION": REGION,
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
            # The OrkWorkflow construct's (lib/deploy/ork-workflow.ts).
            **(user_env or {}),
            "ORK_WORKFLOW": workflow,
            "ORK_PAYLOAD_BUCKET": "ork-foreach-aggregate-payloadbucket-1a2b3c4d",
            "ORK_PAYLOAD_PREFIX": f"{workflow}/",
            "ORK_TASK_FILE": task_file,
        }
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(lambda_handler, "_references", None)
        return root

    return deploy


def process_event(item_index: int, files: list[str], retry_count: int) -> dict[str, Any]:
    """The event of one instance of foreach-aggregate's ``process``, inside its Map."""
    definition = fixture_definition("foreach-aggregate")
    fan_out = definition["States"]["process-fanout"]
    task = find_state(definition, "process")
    assert task["Type"] == "Task" and task["Resource"].startswith(f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:")
    state_input = {"params": {"date": "2024-01-15"}, "results": {"discover": {"files": files}}}
    assert _path(state_input, fan_out["ItemsPath"][1:]) == files
    map_context = context_object("foreach-aggregate", "process-fanout", 0, Map={"Item": {"Index": item_index, "Value": files[item_index]}})
    iteration_input = resolve(fan_out["ItemSelector"], state_input, map_context)
    return resolve(task["Parameters"], iteration_input, context_object("foreach-aggregate", "process", retry_count))


def test_the_event_is_the_documented_payload() -> None:
    event = process_event(1, ["a.csv", "b.csv", "c.csv"], retry_count=2)
    # An inline fan-out's instances offload smaller outputs, so that 40 of them fit in one state (docs/scale.md).
    spill = event.pop("output_spill_bytes", None)
    assert spill is None or (isinstance(spill, int) and 0 < spill <= 64 * 1024)
    assert event == {
        "ork": 1,
        "workflow": "foreach-aggregate",
        "task": "process",
        "execution_id": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:foreach-aggregate:{EXECUTION_NAME}",
        "attempt": 2,
        "params": {"date": "2024-01-15"},
        "inputs": {"discover": {"files": ["a.csv", "b.csv", "c.csv"]}},
        "parallel_index": 0,
        "parallel_count": 1,
        "item": "b.csv",
        "item_index": 1,
    }


def test_lambda_handler_answers_a_step_functions_invocation(lambda_function, capsys) -> None:
    lambda_function(
        "foreach-aggregate",
        {"tasks/process.py": PROCESS, "shapes_helpers.py": HELPERS},
        "tasks/process.py",
        user_env={"STAGE": "prod"},
    )
    files = ["a.csv", "b.csv", "c.csv"]
    event = process_event(2, files, retry_count=1)
    output = lambda_handler.handler(event, LambdaContext("Ork-foreach-aggregate-TaskProcess"))
    assert output == {
        "file": "c.csv",
        "position": 2,
        "of": 3,
        "date": "2024-01-15",
        "attempt": 2,  # RetryCount 1 is the second attempt
        "execution_id": event["execution_id"],
        "instance": "process[item 2]",
        "stage": "prod",
    }
    # What Lambda returns to Step Functions must be JSON.
    assert json.loads(json.dumps(output)) == output
    [log] = json_lines(capsys.readouterr().out)
    assert log["message"] == "processing" and log["file"] == "c.csv" and log["execution_id"] == event["execution_id"]


def test_lambda_handler_failure_is_an_exception_named_as_step_functions_matches_it(lambda_function, capsys) -> None:
    lambda_function("foreach-aggregate", {"tasks/process.py": PROCESS, "shapes_helpers.py": HELPERS}, "tasks/process.py", user_env={"STAGE": "prod"})
    event = process_event(0, ["broken.csv"], retry_count=0)
    with pytest.raises(Exception) as raised:
        lambda_handler.handler(event, LambdaContext("Ork-foreach-aggregate-TaskProcess"))
    # The Lambda runtime reports errorType = type(error).__name__; Retry/Catch ErrorEquals match that.
    assert type(raised.value).__name__ == "QuotaExceeded"
    assert str(raised.value) == "429 while reading broken.csv"
    line = json_lines(capsys.readouterr().out)[-1]
    assert line["level"] == "error" and line["error"]["type"] == "QuotaExceeded"
    assert line["task"] == "process" and line["execution_id"] == event["execution_id"]


def test_validation_errors_carry_the_name_the_compiled_retriers_exclude(lambda_function, capsys) -> None:
    lambda_function("foreach-aggregate", {"tasks/process.py": PROCESS, "shapes_helpers.py": HELPERS}, "tasks/process.py", user_env={"STAGE": "prod"})
    event = process_event(0, ["a.csv"], retry_count=0)
    event["params"] = {"date": 20240115}  # not a string: the Input model refuses it
    with pytest.raises(Exception) as raised:
        lambda_handler.handler(event, LambdaContext("Ork-foreach-aggregate-TaskProcess"))
    name = type(raised.value).__name__
    assert name == "Ork.InputValidationError"
    # A task with retries gets a MaxAttempts 0 retrier for exactly this name before States.ALL.
    retriers = find_state(fixture_definition("params-retries"), "fetch")["Retry"]
    first_match = next(r for r in retriers if name in r["ErrorEquals"] or "States.ALL" in r["ErrorEquals"])
    assert first_match["MaxAttempts"] == 0


def test_large_output_goes_under_the_workflow_prefix_the_role_may_write(lambda_function, capsys) -> None:
    lambda_function("foreach-aggregate", {"tasks/big.py": BIG}, "tasks/big.py")
    s3 = FakeS3()
    # The store the handler builds from ORK_PAYLOAD_BUCKET/_PREFIX, with a fake S3 client in it.
    lambda_handler._references = References(S3Store(os.environ["ORK_PAYLOAD_BUCKET"], os.environ["ORK_PAYLOAD_PREFIX"], client=s3))
    event = process_event(0, ["a.csv"], retry_count=0)
    output = lambda_handler.handler(event, LambdaContext("Ork-foreach-aggregate-TaskBig"))
    [(bucket, key)] = list(s3.objects)
    assert bucket == "ork-foreach-aggregate-payloadbucket-1a2b3c4d"
    # The function role may only write <bucket>/<workflow>/* (test/deploy/least-privilege.test.ts).
    assert key.startswith("foreach-aggregate/")
    assert EXECUTION_NAME in key and key.endswith(".json")
    assert output == {"$ork_ref": f"s3://{bucket}/{key}", "bytes": len(s3.objects[(bucket, key)])}
    assert json.loads(s3.objects[(bucket, key)]) == {"rows": ["x" * 100] * 2000}


# --- container --------------------------------------------------------------------------------------------

TRAIN = """
import os
import time
from ork import task, Context
from pydantic import BaseModel


class Prepared(BaseModel):
    rows: int


class Params(BaseModel):
    mode: str = "ok"
    city: str = ""


class Input(BaseModel):
    prepare: Prepared
    params: Params


class Output(BaseModel):
    rows: int
    attempt: int
    execution_id: str
    city: str
    model: str


@task
def main(input: Input, ctx: Context) -> Output:
    if input.params.mode == "fail":
        try:
            {}["region"]
        except KeyError as missing:
            raise ValueError("no region configured") from missing
    if input.params.mode == "slow":
        time.sleep(float(os.environ["SLEEP"]))
    return Output(rows=input.prepare.rows * 2, attempt=ctx.attempt, execution_id=ctx.execution_id, city=input.params.city, model=os.environ["MODEL"])
"""


class FakeStepFunctions:
    """Records send_task_success / send_task_failure / send_task_heartbeat (thread-safe)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def _record(self, name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.calls.append((name, kwargs))
        return {}

    def send_task_success(self, **kwargs: Any) -> dict[str, Any]:
        return self._record("send_task_success", kwargs)

    def send_task_failure(self, **kwargs: Any) -> dict[str, Any]:
        return self._record("send_task_failure", kwargs)

    def send_task_heartbeat(self, **kwargs: Any) -> dict[str, Any]:
        return self._record("send_task_heartbeat", kwargs)

    def named(self, name: str) -> list[dict[str, Any]]:
        return [kwargs for called, kwargs in self.calls if called == name]


def run_task_overrides(params: dict[str, Any], retry_count: int) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The container overrides of the container fixture's ``train`` RunTask, and the state before it."""
    definition = fixture_definition("container")
    prepare = definition["States"]["train-payload"]
    run = definition["States"]["train"]
    assert run["Resource"] == "arn:aws:states:::ecs:runTask.waitForTaskToken"
    state_input = {"params": params, "results": {"prepare": {"rows": 21}}}
    # The Pass state writes the payload at its ResultPath ($.ork) once; only the Task state is retried.
    built = resolve(prepare["Parameters"], state_input, context_object("container", "train-payload", 0))
    assert prepare["ResultPath"] == "$.ork"
    task_input = {**state_input, "ork": built}
    context = context_object("container", "train", retry_count, Task={"Token": TASK_TOKEN})
    parameters = resolve(run["Parameters"], task_input, context)
    assert parameters["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] == SUBSTITUTIONS["OrkSubnets"].split(",")
    [override] = parameters["Overrides"]["ContainerOverrides"]
    assert override["Name"] == "task"  # the container name the construct gives every task definition
    return override["Environment"], built["payload"]


@pytest.fixture
def ecs_task(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Starts ``ork.container.main`` with the environment ECS gives the container."""
    app = tmp_path / "app"
    (app / "tasks").mkdir(parents=True)
    (app / "tasks" / "train.py").write_text(TRAIN.lstrip())

    def start(
        params: dict[str, Any],
        retry_count: int = 0,
        heartbeat_seconds: str = "600",
        extra: dict[str, str] | None = None,
        tamper: dict[str, str] | None = None,
    ) -> tuple[int, FakeStepFunctions, list[dict[str, str]]]:
        overrides, _ = run_task_overrides(params, retry_count)
        for name in ("ORK_PAYLOAD_URL", "ORK_PAYLOAD_DIR", "LAMBDA_TASK_ROOT"):
            monkeypatch.delenv(name, raising=False)
        environment = {
            # The task definition's environment (lib/deploy/ork-workflow.ts) and the image's ENV.
            "MODEL": "big",
            "ORK_WORKFLOW": "container",
            "ORK_PAYLOAD_BUCKET": "ork-container-payloadbucket-1a2b3c4d",
            "ORK_PAYLOAD_PREFIX": "container/",
            "ORK_TASK_FILE": "tasks/train.py",
            "ORK_HEARTBEAT_SECONDS": heartbeat_seconds,
            "ORK_WORKFLOW_DIR": str(app),
            "PYTHONUNBUFFERED": "1",
            # What ECS adds.
            "AWS_REGION": REGION,
            "ECS_CONTAINER_METADATA_URI_V4": "http://169.254.170.2/v4/0123456789abcdef-1234567890",
            **(extra or {}),
        }
        # The RunTask overrides, as ECS applies them: name/value pairs over the definition's environment.
        for pair in overrides:
            assert set(pair) == {"Name", "Value"} and isinstance(pair["Value"], str), pair
            environment[pair["Name"]] = pair["Value"]
        environment.update(tamper or {})
        for name, value in environment.items():
            monkeypatch.setenv(name, value)
        client = FakeStepFunctions()
        return container.main(client=client), client, overrides

    return start


def test_overrides_are_the_documented_strings() -> None:
    overrides, payload = run_task_overrides({"city": "Zürich"}, retry_count=3)
    environment = {pair["Name"]: pair["Value"] for pair in overrides}
    assert set(environment) == {"ORK_TASK_TOKEN", "ORK_PAYLOAD", "ORK_ATTEMPT"}
    assert environment["ORK_TASK_TOKEN"] == TASK_TOKEN
    assert environment["ORK_ATTEMPT"] == "3"
    assert json.loads(environment["ORK_PAYLOAD"]) == payload
    assert payload["attempt"] == 0 and payload["inputs"] == {"prepare": {"rows": 21}}
    assert "Zürich" in environment["ORK_PAYLOAD"]


def test_container_reports_success_through_the_task_token(ecs_task, capsys) -> None:
    code, client, _ = ecs_task({"city": "Zürich"}, retry_count=1)
    assert code == 0
    assert [name for name, _ in client.calls] == ["send_task_success"]
    [call] = client.named("send_task_success")
    assert call["taskToken"] == TASK_TOKEN
    assert json.loads(call["output"]) == {
        "rows": 42,
        "attempt": 2,  # ORK_ATTEMPT 1 (the retry count) over the payload's 0: the second attempt
        "execution_id": f"arn:aws:states:{REGION}:{ACCOUNT}:execution:container:{EXECUTION_NAME}",
        "city": "Zürich",
        "model": "big",
    }


def test_container_reports_failure_with_the_error_name_and_cause(ecs_task, capsys) -> None:
    code, client, _ = ecs_task({"mode": "fail"})
    assert code == 1
    assert [name for name, _ in client.calls] == ["send_task_failure"]
    [call] = client.named("send_task_failure")
    assert call["taskToken"] == TASK_TOKEN
    # Step Functions matches Retry/Catch on `error`: the exception's class name, as on Lambda.
    assert call["error"] == "ValueError"
    assert len(call["error"]) <= 256 and len(call["cause"]) <= 32768
    cause = json.loads(call["cause"])
    assert cause["errorType"] == "ValueError" and cause["errorMessage"] == "no region configured"
    assert any("KeyError" in line for line in cause["stackTrace"])
    line = json_lines(capsys.readouterr().out)[-1]
    assert line["level"] == "error" and line["error"]["type"] == "ValueError"


def test_container_sends_heartbeats_while_the_task_runs(ecs_task, capsys) -> None:
    # Heartbeats every ORK_HEARTBEAT_SECONDS / 3 (at least 1 s): 3 s -> one per second; the task takes 2.5 s.
    code, client, _ = ecs_task({"mode": "slow"}, heartbeat_seconds="3", extra={"SLEEP": "2.5"})
    assert code == 0
    beats = client.named("send_task_heartbeat")
    assert len(beats) >= 2 and all(beat == {"taskToken": TASK_TOKEN} for beat in beats)
    # The result is reported last, after the heartbeat thread has stopped.
    assert client.calls[-1][0] == "send_task_success"


def test_container_with_a_payload_it_cannot_read_fails_the_token(ecs_task, capsys) -> None:
    code, client, _ = ecs_task({}, tamper={"ORK_PAYLOAD": "{not json"})
    assert code == 1
    [call] = client.named("send_task_failure")
    assert call["error"] == "Ork.InvalidPayload" and call["taskToken"] == TASK_TOKEN
