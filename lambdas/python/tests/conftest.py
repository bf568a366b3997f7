"""Shared helpers of the SDK's tests: the package on sys.path, task files written on the fly, payloads."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PYTHON_ROOT = Path(__file__).resolve().parent.parent
REPO_ROOT = PYTHON_ROOT.parent.parent
if str(PYTHON_ROOT) not in sys.path:
    sys.path.insert(0, str(PYTHON_ROOT))

from ork.payload_store import DirectoryStore, References  # noqa: E402
from ork.runtime import invoke  # noqa: E402
from ork.sink import ListSink  # noqa: E402


def make_payload(task: str = "t", **fields: Any) -> dict[str, Any]:
    """A version-1 payload as the compiled machine builds it (docs/payload.md)."""
    payload: dict[str, Any] = {
        "ork": 1,
        "workflow": "wf",
        "task": task,
        "execution_id": "arn:aws:states:us-east-1:123456789012:execution:wf:run-1",
        "attempt": 0,
        "params": {},
        "inputs": {},
        "parallel_index": 0,
        "parallel_count": 1,
    }
    payload.update(fields)
    return payload


class Run:
    """The result of one in-process invocation: output, or the raised error, plus what the task logged."""

    def __init__(self) -> None:
        self.logs = ListSink()
        self.metrics = ListSink()
        self.output: Any = None
        self.error: BaseException | None = None


@pytest.fixture
def workflow(tmp_path: Path) -> Callable[..., Path]:
    """Writes a task file into a fresh workflow directory and returns its path."""

    def write(source: str, name: str = "tasks/task.py") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source).lstrip())
        return path

    return write


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "payloads"
    directory.mkdir()
    return directory


@pytest.fixture
def run_task_file(store_dir: Path) -> Callable[..., Run]:
    """Invokes a task file in this process, as the worker and the Lambda handler do."""

    def run(path: Path, payload: dict[str, Any] | None = None, references: References | None = None) -> Run:
        result = Run()
        refs = references or References(DirectoryStore(store_dir))
        try:
            result.output = invoke(
                payload or make_payload(),
                str(path),
                str(path.parent.parent),
                references=refs,
                log_sink=result.logs,
                metric_sink=result.metrics,
            )
        except Exception as error:  # the tests look at it
            result.error = error
        return result

    return run


@pytest.fixture
def run_ok(run_task_file: Callable[..., Run]) -> Callable[..., Run]:
    """Like run_task_file, but fails the test with the task's traceback if the task failed."""

    def run(*args: Any, **kwargs: Any) -> Run:
        result = run_task_file(*args, **kwargs)
        if result.error is not None:
            raise result.error
        return result

    return run


def worker_env(**extra: str) -> dict[str, str]:
    """Environment of a ``python -m ork.worker`` subprocess that imports this checkout's SDK."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PYTHON_ROOT), env.get("PYTHONPATH")) if p)
    env.update(extra)
    return env


class WorkerProcess:
    """``python -m ork.worker`` started as ``ork run`` starts it (docs/worker-protocol.md): stdin /dev/null,
    stdout and stderr one output file, the protocol on fd 3 (a socket pair; ``channel`` is this end)."""

    def __init__(self, env: dict[str, str], cwd: Path = PYTHON_ROOT) -> None:
        self.channel, theirs = socket.socketpair()
        self.output = tempfile.NamedTemporaryFile(prefix="ork-worker-output-")
        given = theirs.fileno()

        def channel_on_fd_3() -> None:
            # dup2 clears close-on-exec on fd 3; a socket that already is fd 3 is duplicated first.
            os.dup2(os.dup(given) if given == 3 else given, 3)

        output = os.open(self.output.name, os.O_WRONLY | os.O_APPEND)
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ork.worker"],
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                close_fds=False,
                preexec_fn=channel_on_fd_3,
            )
        finally:
            os.close(output)
            theirs.close()
        self.requests = self.channel.makefile("wb", buffering=0)
        self.replies = self.channel.makefile("rb")

    def printed(self) -> bytes:
        """Everything the worker, its tasks and their child processes wrote to stdout and stderr so far."""
        with open(self.output.name, "rb") as file:
            return file.read()

    def close(self, timeout: float = 60) -> int:
        """Closes the channel (the worker exits) and waits for the exit code."""
        try:
            self.channel.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        try:
            return self.process.wait(timeout=timeout)
        finally:
            self.requests.close()
            self.replies.close()
            self.channel.close()
            self.output.close()


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """Fake credentials and a region, so that boto3 clients made anywhere talk to moto and nowhere else."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    return "us-east-1"


@pytest.fixture
def bucket(aws: str) -> Iterator[Any]:
    """The boto3 S3 client of a moto account holding the empty bucket ``ork-payloads``."""
    # Imported here: boto3 is the SDK's optional aws extra, and only the tests of the S3 store need it.
    import boto3
    from moto import mock_aws

    with mock_aws():
        s3 = boto3.client("s3", region_name=aws)
        s3.create_bucket(Bucket="ork-payloads")
        yield s3
