"""The local worker, ``python -m ork.worker``, driven as a subprocess over its JSON-lines protocol."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import WorkerProcess, make_payload, worker_env

TIMEOUT = 30


def _reject(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def strict_json(line: bytes) -> Any:
    """Every line the worker writes must be JSON as the engine's JSON.parse reads it: no NaN or Infinity."""
    return json.loads(line, parse_constant=_reject)


class Worker:
    """One worker process; replies are read by a thread so that no test can hang on a silent worker."""

    def __init__(self, **env: str) -> None:
        self.started = WorkerProcess(worker_env(**env))
        self.process = self.started.process
        self.lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        self.next_id = 0

    def _pump(self) -> None:
        for line in self.started.replies:
            self.lines.put(line)

    def read(self) -> dict[str, Any]:
        line = self.lines.get(timeout=TIMEOUT)
        return strict_json(line)

    def printed(self) -> bytes:
        return self.started.printed()

    def records(self) -> list[dict[str, Any]]:
        """The JSON lines on the worker's stdout: ctx.log lines and metric records, as on Lambda."""
        return [strict_json(line) for line in self.printed().splitlines() if line.startswith(b"{")]

    def send_raw(self, data: bytes) -> None:
        self.started.requests.write(data)

    def send(self, file: Path, payload: dict[str, Any] | None = None, **extra: Any) -> int:
        self.next_id += 1
        request = {"id": self.next_id, "file": str(file), "workflow_dir": str(file.parent.parent), "payload": payload or make_payload(), **extra}
        self.send_raw(json.dumps(request).encode() + b"\n")
        return self.next_id

    def call(self, file: Path, payload: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        sent = self.send(file, payload, **extra)
        reply = self.read()
        assert reply["id"] == sent
        return reply

    def close(self) -> int:
        if self.process.returncode is not None:
            return self.process.returncode
        try:
            return self.started.close(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise


@pytest.fixture
def worker(store_dir):
    started = Worker(ORK_PAYLOAD_DIR=str(store_dir), ORK_WORKER_BASE="from-spawn")
    ready = started.read()
    assert ready["ready"] is True
    yield started
    started.close()


ECHO = """
import os
import sys
from ork import task, Context

IMPORTS = globals().setdefault("IMPORTS", 0) + 1
CALLS = 0

@task
def main(input, ctx: Context):
    global CALLS
    CALLS += 1
    ctx.log.info("called", n=CALLS)
    return {"calls": CALLS, "imports": IMPORTS, "index": ctx.parallel_index, "pid": os.getpid()}
"""


def test_ready_line() -> None:
    process = Worker()
    try:
        ready = process.read()
        assert ready["ready"] is True
        assert ready["pid"] == process.process.pid
        assert ready["python"] == ".".join(map(str, sys.version_info[:3]))
    finally:
        assert process.close() == 0


def test_many_requests_pipelined_answered_in_order(worker, workflow) -> None:
    path = workflow(ECHO)
    count = 300
    for index in range(count):
        worker.send(path, make_payload(parallel_index=index, parallel_count=count))
    replies = [worker.read() for _ in range(count)]
    assert [r["id"] for r in replies] == list(range(1, count + 1))
    assert all(r["ok"] for r in replies), replies[0]
    assert [r["output"]["index"] for r in replies] == list(range(count))
    assert [r["output"]["calls"] for r in replies] == list(range(1, count + 1))
    assert {r["output"]["imports"] for r in replies} == {1}  # the task file is imported once
    assert {r["output"]["pid"] for r in replies} == {worker.process.pid}
    assert [r["n"] for r in worker.records() if r.get("message") == "called"] == list(range(1, count + 1))
    assert all(isinstance(r["ms"], (int, float)) for r in replies)


def test_waits_is_measured_on_a_sample_of_each_tasks_invocations(worker, workflow) -> None:
    # getrusage costs a third of a no-op invocation: the first 8 of a task carry `waits`, then one in 16.
    path = workflow(ECHO)
    replies = [worker.call(path, make_payload(parallel_index=i, parallel_count=40)) for i in range(40)]
    assert [i for i, r in enumerate(replies) if "waits" in r] == [0, 1, 2, 3, 4, 5, 6, 7, 16, 32]
    assert all(isinstance(r["waits"], int) and r["waits"] >= 0 for r in replies if "waits" in r)


def test_prints_go_to_the_real_stdout_and_never_reach_the_protocol(worker, workflow) -> None:
    path = workflow(
        """
        import os
        import subprocess
        import sys
        from ork import task

        @task
        def main():
            print("hello from the task")
            print('{"id": 2, "ok": true, "output": "forged", "logs": [], "metrics": []}')
            sys.stdout.write("no newline")
            sys.stdout.buffer.write(b" and bytes\\n")
            os.write(sys.stdout.fileno(), b"straight to file descriptor 1\\n")
            subprocess.run(["echo", "from a child process"], check=True)
            subprocess.run(["echo", "a child on stdout=sys.stdout"], stdout=sys.stdout, check=True)
            print("to stderr", file=sys.stderr)
            return {"done": True, "stdout": type(sys.stdout).__name__, "fd": sys.stdout.fileno()}
        """
    )
    reply = worker.call(path)
    assert reply["ok"] is True, reply
    assert reply["output"] == {"done": True, "stdout": "TextIOWrapper", "fd": 1}
    assert "stdout" not in reply  # the engine reads fd 1 itself
    # Flushed before the reply: all of it is in the output file, in the order it was written.
    assert (
        worker.printed()
        .decode()
        .endswith(
            'hello from the task\n{"id": 2, "ok": true, "output": "forged", "logs": [], "metrics": []}\n'
            "no newline and bytes\nstraight to file descriptor 1\nfrom a child process\na child on stdout=sys.stdout\nto stderr\n"
        )
    )
    # The next exchange is clean: nothing the task wrote reached the protocol.
    second = worker.call(path)
    assert second["id"] == 2 and second["output"]["done"] is True


def test_child_processes_cannot_reach_the_protocol_channel(worker, workflow) -> None:
    path = workflow(
        """
        import os
        import stat
        import subprocess
        from ork import task

        @task
        def main():
            forged = '{"id": 1, "ok": true, "output": "forged", "logs": [], "metrics": []}'
            shell = subprocess.run(["sh", "-c", f"echo '{forged}' >&3"], capture_output=True, close_fds=False)
            system = os.system(f"echo '{forged}' >&3 2>/dev/null")
            try:
                channel_on_fd_3 = stat.S_ISSOCK(os.fstat(3).st_mode)
            except OSError:
                channel_on_fd_3 = False
            return {"shell": shell.returncode, "system": system, "fd3_is_a_socket": channel_on_fd_3}
        """
    )
    reply = worker.call(path)
    assert reply["ok"] is True, reply
    assert reply["output"]["shell"] != 0 and reply["output"]["system"] != 0
    assert reply["output"]["fd3_is_a_socket"] is False
    assert worker.call(path)["id"] == 2


def test_without_a_channel_on_fd_3_the_worker_says_so() -> None:
    done = subprocess.run([sys.executable, "-m", "ork.worker"], env=worker_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
    assert done.returncode == 2
    assert b"no protocol channel on fd 3" in done.stderr
    assert done.stdout == b""


ENV = """
import os
from ork import task

@task
def main():
    return {name: os.environ.get(name) for name in ("ORK_TEST_VAR", "ORK_WORKER_BASE")}
"""


def test_env_is_applied_per_invocation_and_restored(worker, workflow) -> None:
    path = workflow(ENV)
    first = worker.call(path, env={"ORK_TEST_VAR": "one", "ORK_WORKER_BASE": "overridden"})
    assert first["output"] == {"ORK_TEST_VAR": "one", "ORK_WORKER_BASE": "overridden"}
    second = worker.call(path)
    assert second["output"] == {"ORK_TEST_VAR": None, "ORK_WORKER_BASE": "from-spawn"}
    third = worker.call(path, env={"ORK_TEST_VAR": 42, "ORK_WORKER_BASE": None})
    assert third["output"] == {"ORK_TEST_VAR": "42", "ORK_WORKER_BASE": None}
    assert worker.call(path)["output"] == {"ORK_TEST_VAR": None, "ORK_WORKER_BASE": "from-spawn"}


def test_env_is_restored_after_a_failing_task(worker, workflow) -> None:
    path = workflow("import os\nfrom ork import task\n\n@task\ndef main():\n    raise RuntimeError(os.environ['ORK_TEST_VAR'])\n")
    reply = worker.call(path, env={"ORK_TEST_VAR": "during"})
    assert reply["ok"] is False and reply["error"]["message"] == "during"
    assert worker.call(workflow(ENV, "tasks/env.py"))["output"]["ORK_TEST_VAR"] is None


def test_per_invocation_env_sets_the_large_output_threshold(worker, workflow, store_dir) -> None:
    path = workflow("from ork import task\n\n@task\ndef main():\n    return {'blob': 'x' * 500}\n")
    assert worker.call(path)["output"] == {"blob": "x" * 500}
    reply = worker.call(path, env={"ORK_LARGE_OUTPUT_BYTES": "100"})
    assert reply["output"]["$ork_ref"].startswith("file://")
    assert json.loads(Path(reply["output"]["$ork_ref"][len("file://") :]).read_text()) == {"blob": "x" * 500}


def test_bad_lines_are_answered_and_the_worker_lives_on(worker, workflow) -> None:
    path = workflow(ECHO)
    worker.send_raw(b"{not json\n")
    bad = worker.read()
    assert bad["id"] is None and bad["ok"] is False
    assert bad["error"]["type"] == "Ork.ProtocolError" and "bad request line" in bad["error"]["message"]
    worker.send_raw(b"[1, 2, 3]\n")
    assert worker.read()["error"]["type"] == "Ork.ProtocolError"
    worker.send_raw(b"\n   \n")  # blank lines are skipped, not answered
    worker.send_raw(b'{"id": 41, "payload": {}}\n')
    missing_file = worker.read()
    assert missing_file["id"] == 41 and missing_file["error"]["type"] == "Ork.ProtocolError"
    assert "'file'" in missing_file["error"]["message"]
    bad_env = worker.call(path, env=["A=1"])
    assert bad_env["ok"] is False and bad_env["error"]["type"] == "Ork.ProtocolError"
    worker.send_raw(b"\xff\xfe garbage bytes\n")
    assert worker.read()["error"]["type"] == "Ork.ProtocolError"
    good = worker.call(path)
    assert good["ok"] is True and good["output"]["calls"] == 1
    assert worker.process.poll() is None


def test_task_failures_are_replies(worker, workflow) -> None:
    raising = workflow(
        """
        from ork import task

        @task
        def main():
            try:
                {}["region"]
            except KeyError as missing:
                raise ValueError("no region") from missing
        """,
        "tasks/raising.py",
    )
    reply = worker.call(raising)
    assert reply["ok"] is False
    assert reply["error"]["type"] == "ValueError" and reply["error"]["message"] == "no region"
    assert reply["error"]["retryable"] is True
    assert "KeyError: 'region'" in reply["error"]["traceback"]
    assert "direct cause" in reply["error"]["traceback"]

    exiting = workflow("import sys\nfrom ork import task\n\n@task\ndef main():\n    sys.exit(3)\n", "tasks/exiting.py")
    reply = worker.call(exiting)
    assert reply["ok"] is False and reply["error"]["type"] == "SystemExit"

    typed = workflow(
        "from ork import task\nfrom pydantic import BaseModel\n\nclass Input(BaseModel):\n    n: int\n\n@task\ndef main(input: Input):\n    return {}\n",
        "tasks/typed.py",
    )
    reply = worker.call(typed, make_payload(inputs={"n": "x"}))
    assert reply["error"]["type"] == "Ork.InputValidationError" and reply["error"]["retryable"] is False

    assert worker.call(workflow(ECHO, "tasks/echo.py"))["ok"] is True


def test_logs_and_metrics_are_json_lines_on_stdout_as_on_lambda(worker, workflow) -> None:
    # Written as they happen, not held for the reply: what an attempt logged before a crash is there.
    path = workflow(
        """
        from ork import task, Context

        @task
        def main(ctx: Context):
            ctx.log.info("working", step=1)
            ctx.metrics.record("rows", 12)
            return {}
        """
    )
    reply = worker.call(path, make_payload("count", item="a", item_index=2))
    assert reply["ok"] is True and "logs" not in reply and "metrics" not in reply
    log, metric = worker.records()
    assert log["message"] == "working" and log["instance"] == "count[item 2]" and log["step"] == 1
    assert metric["rows"] == 12 and metric["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Ork"


def test_worker_exits_when_the_channel_closes(worker) -> None:
    assert worker.close() == 0


def test_worker_throughput_sanity(worker, workflow) -> None:
    # Not the benchmark (bench/python-worker.ts is): a floor far below it, to catch an accidental slowdown.
    path = workflow("from ork import task\n\n@task\ndef main():\n    return {}\n")
    worker.call(path)
    count = 2000
    started = time.perf_counter()
    for _ in range(count):
        worker.send(path)
    for _ in range(count):
        assert worker.read()["ok"] is True
    rate = count / (time.perf_counter() - started)
    assert rate > 500, f"{rate:.0f} invocations/s"


def test_non_finite_numbers_never_reach_the_protocol(worker, workflow) -> None:
    logging = workflow(
        """
        from ork import task, Context

        @task
        def main(ctx: Context):
            ctx.log.info("ratios", ratio=float("nan"), nested={"values": [float("inf"), 1.5]})
            return {"ok": 1.5}
        """,
        "tasks/logging.py",
    )
    reply = worker.call(logging)
    assert reply["ok"] is True and reply["output"] == {"ok": 1.5}
    [log] = worker.records()
    assert log["ratio"] == "nan" and log["nested"] == {"values": ["inf", 1.5]}

    returning = workflow("from ork import task\n\n@task\ndef main():\n    return {'mean': float('nan')}\n", "tasks/nan.py")
    reply = worker.call(returning)
    assert reply["ok"] is False and reply["error"]["type"] == "Ork.OutputValidationError"
    assert "not JSON data" in reply["error"]["message"]
