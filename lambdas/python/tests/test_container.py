"""The container entry point (``python -m ork.container``) completing real task tokens.

The state machine is what Ork compiles for an ``executor: container`` task (``node bin/ork.js compile``),
its ``${…}`` placeholders filled with resources made in moto. moto's Step Functions interpreter runs it:
the ECS Task state calls moto's ECS RunTask with the task token and payload in the container overrides and
waits; the test reads them back from ECS, runs ``ork.container.main`` with that environment, and the
execution ends with what the container reported.

Two gaps of moto 5.2 are bridged here, each only where moto still has it (see ``_moto_gaps``):

1. moto's service integrations leave request parameters as the state machine spells them
   (``StateTaskService._normalise_parameters`` is a no-op), so ECS RunTask receives ``LaunchType``,
   ``Cluster`` … where boto3 wants ``launchType``, ``cluster`` (KeyError in botocore's serializer), and the
   RunTask response keeps ``tasks`` where the integration reads ``Tasks``. The test gives the ECS
   integration the casing translation that AWS (and LocalStack, whose interpreter moto ported) performs,
   built from moto's own ``_to_boto_request``/``_from_boto_response`` and botocore's ECS model.
2. moto sets ``$$.State.RetryCount`` only in Task, Map and Parallel states; the compiled container payload
   is built in a Pass state before the Task, where moto has no RetryCount. There the value can only be 0
   (only the Task state is retried; the real count reaches the container as ``ORK_ATTEMPT``), so the
   test writes 0 in that one Pass state.

moto's ECS also needs the VPC to have DNS host names (it reads the network interface's private DNS name)
and a container-level memory, which the test's resources have. And moto's SendTaskFailure handler passes on
the error but drops the cause (``StepFunctionResponse.send_task_failure`` reads only ``error``), so the
execution's ``cause`` is checked where it leaves the container: the calls are recorded on the client.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import boto3
import pytest
from moto import mock_aws

from conftest import REPO_ROOT, json_lines
from ork import container
from ork.payload_store import DirectoryStore, References

ORK_JS = REPO_ROOT / "bin" / "ork.js"
DEADLINE = 60

WORKFLOW = """
name: boxed
tasks:
  crunch:
    executor: container
    file: tasks/crunch.py
    image: python:3.12
    heartbeat: 2s
    retries: 1
    retry_delay: 1s
"""

CRUNCH = """
import time
from ork import task, Context
from pydantic import BaseModel

class Params(BaseModel):
    mode: str = "ok"
    rows: int = 3

class Input(BaseModel):
    params: Params

class Output(BaseModel):
    rows: int
    attempt: int
    execution_id: str

@task
def main(input: Input, ctx: Context) -> Output:
    ctx.log.info("crunching", mode=input.params.mode)
    mode = input.params.mode
    if mode == "fail":
        try:
            {}["region"]
        except KeyError as missing:
            raise ValueError("no region configured") from missing
    if mode == "flaky" and ctx.attempt == 1:
        raise RuntimeError("the first attempt fails")
    if mode == "slow" and ctx.attempt == 1:
        time.sleep(3.5)
    return Output(rows=input.params.rows, attempt=ctx.attempt, execution_id=ctx.execution_id)
"""


def _compile(directory: Path, workflow: str) -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the state machine under test is compiled by `node bin/ork.js compile`")
    if not ORK_JS.is_file():
        pytest.skip(f"{ORK_JS} is missing")
    (directory / "workflow.yaml").write_text(workflow)
    (directory / "tasks").mkdir()
    (directory / "tasks" / "crunch.py").write_text(CRUNCH)
    result = subprocess.run([node, str(ORK_JS), "compile", str(directory)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> tuple[Path, str]:
    """The workflow directory and the definition Ork compiles for it."""
    directory = tmp_path_factory.mktemp("boxed")
    return directory, _compile(directory, WORKFLOW)


@pytest.fixture(scope="module")
def compiled_without_retries(tmp_path_factory) -> tuple[Path, str]:
    directory = tmp_path_factory.mktemp("boxed_once")
    return directory, _compile(directory, WORKFLOW.replace("    retries: 1\n", "").replace("    retry_delay: 1s\n", ""))


def _moto_gaps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bridges gap 1 of the module docstring, and only if this moto still has it."""
    import botocore.session
    from botocore import xform_name
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_ecs import (
        StateTaskServiceEcs,
    )

    probe = {"LaunchType": "FARGATE"}
    StateTaskServiceEcs()._normalise_parameters(probe)
    if "launchType" in probe:
        return  # moto translates by itself now

    model = botocore.session.get_session().get_service_model("ecs")
    operations = {xform_name(name): name for name in model.operation_names}

    def operation(self: Any, action: str | None) -> Any:
        return model.operation_model(operations[self._get_boto_service_action(action)])

    def normalise_parameters(self: Any, parameters: dict, boto_service_name: Any = None, service_action_name: Any = None) -> None:
        self._to_boto_request(parameters, operation(self, service_action_name).input_shape)

    def normalise_response(self: Any, response: Any, boto_service_name: Any = None, service_action_name: Any = None) -> None:
        self._from_boto_response(response, operation(self, service_action_name).output_shape)

    monkeypatch.setattr(StateTaskServiceEcs, "_normalise_parameters", normalise_parameters)
    monkeypatch.setattr(StateTaskServiceEcs, "_normalise_response", normalise_response)


def _payload_attempt_as_zero(definition: dict) -> None:
    """Gap 2 of the module docstring: the payload Pass state's attempt, which can only be 0 there."""
    for state in definition["States"].values():
        payload = state.get("Parameters", {}).get("payload") if state["Type"] == "Pass" else None
        if isinstance(payload, dict) and payload.get("attempt.$") == "$$.State.RetryCount":
            del payload["attempt.$"]
            payload["attempt"] = 0


class Recording:
    """The Step Functions client, with every ``send_task_*`` call noted (from the heartbeat thread too)."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not name.startswith("send_task_"):
            return attribute

        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            return attribute(**kwargs)

        return call

    def sent(self, name: str) -> list[dict[str, Any]]:
        return [kwargs for called, kwargs in self.calls if called == name]


class Machine:
    def __init__(self, directory: Path, definition: str, region: str, store: Path) -> None:
        self.directory = directory
        self.store = store
        self.ec2 = boto3.client("ec2", region_name=region)
        self.ecs = boto3.client("ecs", region_name=region)
        self.sfn = boto3.client("stepfunctions", region_name=region)
        self.client = Recording(self.sfn)
        vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        subnets = [self.ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in (1, 2)]
        group = self.ec2.create_security_group(GroupName="ork-tasks", Description="Ork tasks", VpcId=vpc)["GroupId"]
        self.cluster = self.ecs.create_cluster(clusterName="ork")["cluster"]["clusterArn"]
        task_definition = self.ecs.register_task_definition(
            family="boxed-crunch",
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            cpu="1024",
            memory="2048",
            containerDefinitions=[{"name": "crunch", "image": "python:3.12", "essential": True, "memory": 2048}],
        )["taskDefinition"]["taskDefinitionArn"]
        values = {
            "OrkCluster": self.cluster,
            "OrkTaskDefinition_crunch": task_definition,
            "OrkContainer_crunch": "crunch",
            "OrkSubnets": ",".join(subnets),
            "OrkSecurityGroups": group,
            "OrkAssignPublicIp": "DISABLED",
        }
        found = set(re.findall(r"\$\{(\w+)\}", definition))
        assert found == set(values), f"placeholders changed: {sorted(found)}"
        parsed = json.loads(re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], definition))
        self.task_state = parsed["States"]["crunch"]
        _payload_attempt_as_zero(parsed)
        self.arn = self.sfn.create_state_machine(name="boxed", definition=json.dumps(parsed), roleArn="arn:aws:iam::123456789012:role/ork-boxed")[
            "stateMachineArn"
        ]
        self.subnets = subnets
        self.seen: set[str] = set()

    def start(self, name: str, params: dict[str, Any]) -> str:
        return self.sfn.start_execution(stateMachineArn=self.arn, name=name, input=json.dumps(params))["executionArn"]

    def new_tasks(self) -> list[dict[str, Any]]:
        arns = [a for a in self.ecs.list_tasks(cluster=self.cluster)["taskArns"] if a not in self.seen]
        if not arns:
            return []
        self.seen.update(arns)
        return self.ecs.describe_tasks(cluster=self.cluster, tasks=arns)["tasks"]

    def run_container(self, task: dict[str, Any], heartbeat_seconds: str) -> int:
        """``python -m ork.container`` as ECS would start it: the task definition's environment plus overrides."""
        [override] = task["overrides"]["containerOverrides"]
        assert override["name"] == "crunch"
        environment = {e["name"]: e["value"] for e in override["environment"]}
        assert {"ORK_TASK_TOKEN", "ORK_PAYLOAD"} <= set(environment)
        environment.update(
            ORK_TASK_FILE="tasks/crunch.py",
            ORK_WORKFLOW_DIR=str(self.directory),
            ORK_PAYLOAD_DIR=str(self.store),
            ORK_HEARTBEAT_SECONDS=heartbeat_seconds,
        )
        with mock.patch.dict(os.environ, environment):
            os.environ.pop("ORK_PAYLOAD_BUCKET", None)
            return container.main(client=self.client)

    def drive(self, execution: str, heartbeat_seconds: str = "2") -> tuple[dict[str, Any], list[tuple[dict, int]]]:
        """Runs a container for every ECS task the execution starts, until the execution ends."""
        runs: list[tuple[dict, int]] = []
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            for task in self.new_tasks():
                runs.append((task, self.run_container(task, heartbeat_seconds)))
            described = self.sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                return described, runs
            time.sleep(0.05)
        raise AssertionError(f"execution {execution} still running after {DEADLINE}s")


@contextmanager
def executing_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto with its Step Functions interpreter running executions, and gap 1 of the module docstring bridged."""
    _moto_gaps(monkeypatch)
    with mock_aws(config={"stepfunctions": {"execute_state_machine": True}}):
        yield


@pytest.fixture
def machine(compiled, aws, monkeypatch, tmp_path):
    directory, definition = compiled
    with executing_moto(monkeypatch):
        yield Machine(directory, definition, aws, tmp_path / "payloads")


@pytest.fixture
def machine_without_retries(compiled_without_retries, aws, monkeypatch, tmp_path):
    directory, definition = compiled_without_retries
    with executing_moto(monkeypatch):
        yield Machine(directory, definition, aws, tmp_path / "payloads")


def test_the_compiled_task_state_is_the_ecs_integration(machine) -> None:
    state = machine.task_state
    assert state["Resource"] == "arn:aws:states:::ecs:runTask.waitForTaskToken"
    assert state["HeartbeatSeconds"] == 2
    assert state["Parameters"]["LaunchType"] == "FARGATE"
    environment = state["Parameters"]["Overrides"]["ContainerOverrides"][0]["Environment"]
    assert {"Name": "ORK_TASK_TOKEN", "Value.$": "$$.Task.Token"} in environment


def test_container_completes_the_task_token(machine, capsys) -> None:
    execution = machine.start("ok-run", {"mode": "ok", "rows": 12})
    described, runs = machine.drive(execution)
    assert [code for _, code in runs] == [0]
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {"crunch": {"rows": 12, "attempt": 1, "execution_id": execution}}

    [(task, _)] = runs
    assert task["launchType"] == "FARGATE" and task["clusterArn"] == machine.cluster
    [override] = task["overrides"]["containerOverrides"]
    environment = {e["name"]: e["value"] for e in override["environment"]}
    payload = json.loads(environment["ORK_PAYLOAD"])
    assert payload["ork"] == 1 and payload["workflow"] == "boxed" and payload["task"] == "crunch"
    assert payload["params"] == {"mode": "ok", "rows": 12} and payload["execution_id"] == execution
    subnet = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}["subnetId"]
    assert subnet == machine.subnets[0]

    [log] = json_lines(capsys.readouterr().out)
    assert log["message"] == "crunching" and log["task"] == "crunch" and log["execution_id"] == execution


def test_a_failing_task_fails_the_execution_with_its_exception_name(machine, capsys) -> None:
    execution = machine.start("fail-run", {"mode": "fail"})
    described, runs = machine.drive(execution)
    # retries: 1, so the Task state ran twice, and both attempts failed.
    assert [code for _, code in runs] == [1, 1]
    assert described["status"] == "FAILED", described
    assert described["error"] == "ValueError"
    failures = machine.client.sent("send_task_failure")
    assert [f["error"] for f in failures] == ["ValueError", "ValueError"]
    assert {f["taskToken"] for f in failures} == {
        {e["name"]: e["value"] for e in task["overrides"]["containerOverrides"][0]["environment"]}["ORK_TASK_TOKEN"] for task, _ in runs
    }
    cause = json.loads(failures[0]["cause"])
    assert cause["errorType"] == "ValueError" and cause["errorMessage"] == "no region configured"
    stack = "\n".join(cause["stackTrace"])
    assert "KeyError: 'region'" in stack and "direct cause" in stack
    failures = [line for line in json_lines(capsys.readouterr().out) if line["level"] == "error"]
    assert len(failures) == 2 and failures[0]["error"]["type"] == "ValueError"


def test_validation_errors_are_not_retried(machine) -> None:
    execution = machine.start("invalid-run", {"rows": "many"})
    described, runs = machine.drive(execution)
    assert [code for _, code in runs] == [1]
    assert described["status"] == "FAILED" and described["error"] == "Ork.InputValidationError"
    [failure] = machine.client.sent("send_task_failure")
    assert "field 'params.rows'" in json.loads(failure["cause"])["errorMessage"]


def test_a_retried_attempt_knows_its_number(machine) -> None:
    execution = machine.start("flaky-run", {"mode": "flaky"})
    described, runs = machine.drive(execution)
    assert [code for _, code in runs] == [1, 0]
    attempts = [{e["name"]: e["value"] for e in task["overrides"]["containerOverrides"][0]["environment"]}.get("ORK_ATTEMPT") for task, _ in runs]
    assert attempts == ["0", "1"]
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["crunch"]["attempt"] == 2


def test_heartbeats_keep_a_long_task_alive(machine) -> None:
    # HeartbeatSeconds is 2 and the task takes 3.5 s: only the container's heartbeats (every second) keep it.
    execution = machine.start("slow-run", {"mode": "slow"})
    described, runs = machine.drive(execution, heartbeat_seconds="2")
    assert [code for _, code in runs] == [0]
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"])["crunch"]["attempt"] == 1
    assert len(machine.client.sent("send_task_heartbeat")) >= 3


def test_without_heartbeats_the_attempt_times_out(machine_without_retries, capsys) -> None:
    # The same slow task with heartbeats every 100 s: after 2 s of silence Step Functions gives the attempt
    # up, and the container's late report is refused. (Without retries: moto's interpreter makes the task
    # token once per state entry, so a retry would share the token and could take the late report.)
    machine = machine_without_retries
    assert not any("States.ALL" in r["ErrorEquals"] for r in machine.task_state.get("Retry", []))
    execution = machine.start("silent-run", {"mode": "slow"})
    described, runs = machine.drive(execution, heartbeat_seconds="300")
    assert [code for _, code in runs] == [1]
    # AWS names it States.HeartbeatTimeout in Retry/Catch; moto reports the execution's error as States.Timeout.
    assert described["status"] == "FAILED", described
    assert described["error"] in ("States.HeartbeatTimeout", "States.Timeout")
    assert machine.client.sent("send_task_heartbeat") == []
    assert len(machine.client.sent("send_task_success")) == 1
    [refused] = [line for line in json_lines(capsys.readouterr().out) if line["level"] == "error"]
    assert refused["message"].startswith("could not report the output")


# --- without a task token ----------------------------------------------------------------------------------


@pytest.fixture
def container_env(monkeypatch, tmp_path):
    for name in ("ORK_TASK_TOKEN", "ORK_PAYLOAD", "ORK_PAYLOAD_URL", "ORK_ATTEMPT", "ORK_PAYLOAD_BUCKET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("ORK_PAYLOAD_DIR", str(tmp_path / "payloads"))
    monkeypatch.setenv("ORK_WORKFLOW_DIR", str(tmp_path))
    monkeypatch.setenv("ORK_TASK_FILE", "tasks/crunch.py")
    (tmp_path / "tasks").mkdir()
    (tmp_path / "tasks" / "crunch.py").write_text(CRUNCH)
    return tmp_path


def _payload(**params: Any) -> dict[str, Any]:
    return {"ork": 1, "workflow": "boxed", "task": "crunch", "execution_id": "local-1", "attempt": 0, "params": params}


def test_without_a_token_the_output_goes_to_stdout(container_env, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ORK_PAYLOAD", json.dumps(_payload(rows=5)))
    monkeypatch.setenv("ORK_ATTEMPT", "2")
    assert container.main() == 0
    lines = json_lines(capsys.readouterr().out)
    assert lines[-1] == {"rows": 5, "attempt": 3, "execution_id": "local-1"}


def test_payload_from_a_store_reference(container_env, monkeypatch, capsys) -> None:
    reference = References(DirectoryStore(container_env / "payloads"), threshold=0).offload(_payload(rows=9), "p.json")
    monkeypatch.setenv("ORK_PAYLOAD_URL", reference["$ork_ref"])
    assert container.main() == 0
    assert json_lines(capsys.readouterr().out)[-1]["rows"] == 9


@pytest.mark.parametrize(
    "variable, value, words",
    [
        (None, None, "neither ORK_PAYLOAD nor ORK_PAYLOAD_URL is set"),
        ("ORK_PAYLOAD", "{not json", "ORK_PAYLOAD is not JSON"),
    ],
)
def test_bad_container_payloads(container_env, monkeypatch, capsys, variable, value, words) -> None:
    if variable:
        monkeypatch.setenv(variable, value)
    assert container.main() == 1
    [line] = json_lines(capsys.readouterr().out)
    assert line["error"]["type"] == "Ork.InvalidPayload" and words in line["error"]["message"]


def test_the_container_refuses_batches(container_env, monkeypatch, capsys) -> None:
    monkeypatch.setenv("ORK_PAYLOAD", json.dumps({**_payload(rows=1), "batch": [{"item": 1}]}))
    assert container.main() == 1
    [line] = json_lines(capsys.readouterr().out)
    assert line["error"]["type"] == "Ork.InvalidPayload" and "batch_size applies to Lambda tasks only" in line["error"]["message"]
