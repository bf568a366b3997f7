"""``ctx.secrets``: Secrets Manager and SSM reads (moto), the cache and its TTL, the errors, masking, and the
local worker's values (docs/python-sdk.md, "Secrets")."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from conftest import PYTHON_ROOT, json_lines, make_payload, worker_env
from ork import lambda_handler, masking, secrets
from ork.errors import describe_failure, error_name, masked_exception
from ork.payload_store import DirectoryStore, References
from ork.worker import handle

SENTINEL = "s3ntinel-Pa55word"

READS = """
from ork import task, Context

@task
def main(input, ctx: Context):
    names = input["params"]["names"]
    return {name: ctx.secrets[name] for name in names}
"""

READS_JSON = """
from ork import task, Context

@task
def main(ctx: Context):
    return ctx.secrets.json("prod/warehouse")
"""

LOGS = """
from ork import task, Context

@task
def main(ctx: Context):
    password = ctx.secrets["prod/warehouse"]
    ctx.log.info(f"connecting with {password}", dsn=f"postgres://u:{password}@db", nested={"p": [password]})
    return {"length": len(password)}
"""

RAISES = """
from ork import task, Context

@task
def main(ctx: Context):
    password = ctx.secrets["prod/warehouse"]
    raise RuntimeError(f"login refused for password {password}")
"""


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts as a new process would: no cached value, no client, nothing masked."""
    secrets._clear_cache()
    masking._forget_all()
    monkeypatch.delenv("ORK_SECRETS", raising=False)
    monkeypatch.delenv("ORK_SECRETS_TTL_SECONDS", raising=False)
    yield
    secrets._clear_cache()
    masking._forget_all()


def declare(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    monkeypatch.setenv("ORK_SECRETS", json.dumps(list(names)))


def error_of(run: Any) -> BaseException:
    assert run.error is not None, f"the task succeeded: {run.output!r}"
    return run.error


@mock_aws
def test_reads_secrets_manager_and_ssm_by_name_path_and_arn(aws, monkeypatch, workflow, run_ok) -> None:
    sm = boto3.client("secretsmanager")
    arn = sm.create_secret(Name="prod/warehouse", SecretString=SENTINEL)["ARN"]
    sm.create_secret(Name="other", SecretString="other-value")
    ssm = boto3.client("ssm")
    ssm.put_parameter(Name="/ork/api-token", Value="tok-123456", Type="SecureString")
    parameter_arn = "arn:aws:ssm:us-east-1:123456789012:parameter/ork/api-token"
    names = ["prod/warehouse", "/ork/api-token", arn, parameter_arn]
    declare(monkeypatch, *names)
    output = run_ok(workflow(READS), make_payload(params={"names": names})).output
    assert output == {"prod/warehouse": SENTINEL, "/ork/api-token": "tok-123456", arn: SENTINEL, parameter_arn: "tok-123456"}


@mock_aws
def test_json_secret_and_its_leaves_are_masked(aws, monkeypatch, workflow, run_ok) -> None:
    boto3.client("secretsmanager").create_secret(Name="prod/warehouse", SecretString=json.dumps({"user": "etl", "password": SENTINEL, "port": 5432}))
    declare(monkeypatch, "prod/warehouse")
    assert run_ok(workflow(READS_JSON)).output == {"user": "etl", "password": SENTINEL, "port": 5432}
    # The password leaf is masked on its own; "etl" is too short to be (it would mask every "etl" in the logs).
    assert masking.mask(f"user etl, password {SENTINEL}") == "user etl, password ***"


@mock_aws
def test_json_of_a_secret_that_is_not_json_does_not_quote_it(aws, monkeypatch, workflow, run_task_file) -> None:
    boto3.client("secretsmanager").create_secret(Name="prod/warehouse", SecretString=f"{{not json {SENTINEL}")
    declare(monkeypatch, "prod/warehouse")
    error = error_of(run_task_file(workflow(READS_JSON)))
    assert "secret 'prod/warehouse' is not JSON" in str(error)
    assert SENTINEL not in describe_failure(error)["message"] + describe_failure(error)["traceback"]


@mock_aws
@pytest.mark.parametrize("name", ["prod/missing", "/ork/missing"])
def test_a_missing_secret_is_secret_not_found(aws, monkeypatch, workflow, run_task_file, name) -> None:
    declare(monkeypatch, name)
    error = error_of(run_task_file(workflow(READS), make_payload(params={"names": [name]})))
    assert error_name(error) == "Ork.SecretNotFound"
    assert f"secret '{name}'" in str(error)
    failure = describe_failure(error)
    assert failure["retryable"] is False


@mock_aws
@set_initial_no_auth_action_count(4)
def test_a_role_without_the_grant_is_secret_access_denied(aws, monkeypatch, workflow, run_task_file) -> None:
    # moto checks IAM once the first 4 calls are made: a user whose policy allows only reading another secret
    # (with `*`: moto 5.2 cannot match the `?` wildcard the deployed grant uses).
    boto3.client("secretsmanager").create_secret(Name="prod/warehouse", SecretString=SENTINEL)
    iam = boto3.client("iam")
    iam.create_user(UserName="task")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:*:*:secret:other-*"}],
    }
    iam.put_user_policy(UserName="task", PolicyName="p", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="task")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # its credentials were resolved with the first client
    declare(monkeypatch, "prod/warehouse")
    error = error_of(run_task_file(workflow(READS), make_payload(params={"names": ["prod/warehouse"]})))
    assert error_name(error) == "Ork.SecretAccessDenied", repr(error)
    assert "secret 'prod/warehouse'" in str(error) and "not authorized to perform: secretsmanager:GetSecretValue" in str(error)
    assert describe_failure(error)["retryable"] is False
    assert SENTINEL not in str(error)


class FailingClient:
    """A client whose every call fails with ``code``: errors moto does not produce (KMS, throttling)."""

    def __init__(self, code: str) -> None:
        self.code = code

    def _fail(self, operation: str) -> None:
        raise ClientError({"Error": {"Code": self.code, "Message": f"{self.code} for the key"}}, operation)

    def get_secret_value(self, **_: Any) -> None:
        self._fail("GetSecretValue")

    def get_parameter(self, **_: Any) -> None:
        self._fail("GetParameter")


@pytest.mark.parametrize(
    "code, name, expected",
    [
        ("AccessDeniedException", "prod/warehouse", "Ork.SecretAccessDenied"),
        ("AccessDeniedException", "/ork/api-token", "Ork.SecretAccessDenied"),
        ("DecryptionFailure", "prod/warehouse", "Ork.SecretAccessDenied"),
        ("InvalidKeyId", "/ork/api-token", "Ork.SecretAccessDenied"),
        ("InvalidRequestException", "prod/warehouse", "Ork.SecretNotFound"),
        ("ParameterVersionNotFound", "/ork/api-token", "Ork.SecretNotFound"),
        ("ThrottlingException", "prod/warehouse", "ClientError"),
    ],
)
def test_service_errors_by_code(monkeypatch, workflow, run_task_file, code, name, expected) -> None:
    service = secrets.service_of(name)
    monkeypatch.setitem(secrets._clients, service, FailingClient(code))
    declare(monkeypatch, name)
    error = error_of(run_task_file(workflow(READS), make_payload(params={"names": [name]})))
    assert error_name(error) == expected
    # A throttled read is worth retrying (retries: of the task); a refused one is not.
    assert describe_failure(error)["retryable"] is (expected == "ClientError")


def test_an_undeclared_name_is_secret_not_declared_without_calling_aws(monkeypatch, workflow, run_task_file) -> None:
    declare(monkeypatch, "prod/warehouse")
    monkeypatch.setitem(secrets._clients, "secretsmanager", FailingClient("ShouldNotBeCalled"))
    error = error_of(run_task_file(workflow(READS), make_payload("extract", params={"names": ["prod/other"]})))
    assert error_name(error) == "Ork.SecretNotDeclared"
    message = str(error)
    assert "task 'extract'" in message and "'prod/other'" in message and "prod/warehouse" in message and "secrets:" in message
    assert describe_failure(error)["retryable"] is False


def test_no_secrets_declared_at_all(workflow, run_task_file) -> None:
    error = error_of(run_task_file(workflow(READS), make_payload(params={"names": ["prod/warehouse"]})))
    assert error_name(error) == "Ork.SecretNotDeclared" and "it lists: none" in str(error)


@mock_aws
def test_values_are_cached_for_the_ttl(aws, monkeypatch, workflow, run_ok) -> None:
    sm = boto3.client("secretsmanager")
    sm.create_secret(Name="prod/warehouse", SecretString="first-value")
    declare(monkeypatch, "prod/warehouse")
    path = workflow(READS)
    payload = make_payload(params={"names": ["prod/warehouse"]})
    assert run_ok(path, payload).output == {"prod/warehouse": "first-value"}
    sm.put_secret_value(SecretId="prod/warehouse", SecretString="second-value")
    # A warm environment keeps the value it read ...
    assert run_ok(path, payload).output == {"prod/warehouse": "first-value"}
    # ... until the TTL has passed.
    clock = time.monotonic() + secrets.DEFAULT_TTL_SECONDS + 1
    monkeypatch.setattr(time, "monotonic", lambda: clock)
    assert run_ok(path, payload).output == {"prod/warehouse": "second-value"}


@mock_aws
def test_a_ttl_of_zero_reads_every_time(aws, monkeypatch, workflow, run_ok) -> None:
    sm = boto3.client("secretsmanager")
    sm.create_secret(Name="prod/warehouse", SecretString="first-value")
    declare(monkeypatch, "prod/warehouse")
    monkeypatch.setenv("ORK_SECRETS_TTL_SECONDS", "0")
    path = workflow(READS)
    payload = make_payload(params={"names": ["prod/warehouse"]})
    assert run_ok(path, payload).output == {"prod/warehouse": "first-value"}
    sm.put_secret_value(SecretId="prod/warehouse", SecretString="second-value")
    assert run_ok(path, payload).output == {"prod/warehouse": "second-value"}


@mock_aws
def test_ctx_log_masks_the_value_in_the_message_and_the_fields(aws, monkeypatch, workflow, run_ok) -> None:
    boto3.client("secretsmanager").create_secret(Name="prod/warehouse", SecretString=SENTINEL)
    declare(monkeypatch, "prod/warehouse")
    run = run_ok(workflow(LOGS))
    assert run.output == {"length": len(SENTINEL)}
    [line] = run.logs.records
    assert line["message"] == "connecting with ***"
    assert line["dsn"] == "postgres://u:***@db" and line["nested"] == {"p": ["***"]}
    assert SENTINEL not in json.dumps(run.logs.records)


@mock_aws
def test_lambda_handler_masks_the_cause_and_keeps_the_error_name(aws, monkeypatch, workflow, tmp_path, store_dir, capsys) -> None:
    boto3.client("secretsmanager").create_secret(Name="prod/warehouse", SecretString=SENTINEL)
    declare(monkeypatch, "prod/warehouse")
    workflow(RAISES, "tasks/raises.py")
    monkeypatch.setenv("ORK_TASK_FILE", "tasks/raises.py")
    monkeypatch.setenv("LAMBDA_TASK_ROOT", str(tmp_path))
    monkeypatch.delenv("ORK_WORKFLOW_DIR", raising=False)
    monkeypatch.setenv("ORK_PAYLOAD_DIR", str(store_dir))
    monkeypatch.setattr(lambda_handler, "_references", None)
    with pytest.raises(Exception) as raised:
        lambda_handler.handler(make_payload("raises"), None)
    # What the Lambda runtime reports: type(error).__name__ (Retry/Catch match it) and str(error) (the cause).
    assert type(raised.value).__name__ == "RuntimeError"
    assert str(raised.value) == "login refused for password ***"
    printed = capsys.readouterr().out
    assert SENTINEL not in printed
    [line] = json_lines(printed)
    assert line["error"]["message"] == "login refused for password ***"


def test_lambda_handler_leaves_an_error_without_a_secret_as_it_is() -> None:
    masking.register(SENTINEL)
    error = ValueError("nothing secret here")
    assert masked_exception(error) is error


def test_worker_uses_the_requests_values_and_never_aws(monkeypatch, workflow, tmp_path) -> None:
    monkeypatch.setitem(secrets._clients, "secretsmanager", FailingClient("ShouldNotBeCalled"))
    path = workflow(LOGS)
    request = {
        "id": 1,
        "file": str(path),
        "workflow_dir": str(tmp_path),
        "payload": make_payload(),
        "env": {"ORK_SECRETS": json.dumps(["prod/warehouse"])},
        "secrets": {"prod/warehouse": {"value": SENTINEL}},
    }
    reply = handle(request, References(DirectoryStore(tmp_path / "store")))
    assert reply["ok"] is True, reply
    assert reply["output"] == {"length": len(SENTINEL)}
    # Not kept for the next request: the engine sends each request its task's values.
    assert secrets._local is None and "prod/warehouse" not in secrets._cache


def test_worker_missing_local_value_fails_with_the_hint(workflow, tmp_path) -> None:
    path = workflow(RAISES)
    hint = "add it to /wf/.ork/secrets.json or set ORK_SECRET_PROD_WAREHOUSE"
    request = {
        "id": 2,
        "file": str(path),
        "workflow_dir": str(tmp_path),
        "payload": make_payload(),
        "env": {"ORK_SECRETS": json.dumps(["prod/warehouse"])},
        "secrets": {"prod/warehouse": {"missing": hint}},
    }
    reply = handle(request, References(DirectoryStore(tmp_path / "store")))
    assert reply["ok"] is False
    assert reply["error"]["type"] == "Ork.SecretNotFound" and reply["error"]["retryable"] is False
    assert reply["error"]["message"] == f"secret 'prod/warehouse' has no local value: {hint}"


def test_worker_masks_the_value_in_the_reply_error(workflow, tmp_path) -> None:
    request = {
        "id": 3,
        "file": str(workflow(RAISES)),
        "workflow_dir": str(tmp_path),
        "payload": make_payload(),
        "env": {"ORK_SECRETS": json.dumps(["prod/warehouse"])},
        "secrets": {"prod/warehouse": {"value": SENTINEL}},
    }
    reply = handle(request, References(DirectoryStore(tmp_path / "store")))
    assert reply["ok"] is False and reply["error"]["type"] == "RuntimeError"
    assert SENTINEL not in json.dumps(reply)
    assert reply["error"]["message"] == "login refused for password ***"


def test_boto3_is_not_imported_until_a_secret_is_read(workflow, tmp_path) -> None:
    path = workflow(
        """
        import sys
        from ork import task, Context

        @task
        def main(ctx: Context):
            return {"boto3": "boto3" in sys.modules}
        """
    )
    script = (
        "import json, sys\n"
        "from ork.runtime import invoke\n"
        "from ork.payload_store import DirectoryStore, References\n"
        "from ork.sink import ListSink\n"
        f"out = invoke({make_payload()!r}, {str(path)!r}, {str(tmp_path)!r}, references=References(DirectoryStore({str(tmp_path)!r})), "
        "log_sink=ListSink(), metric_sink=ListSink())\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], env=worker_env(), cwd=PYTHON_ROOT, capture_output=True, text=True, check=True)
    assert json.loads(result.stdout) == {"boto3": False}
