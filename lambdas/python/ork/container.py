"""Container entry point of ``executor: container`` tasks on ECS Fargate: ``python -m ork.container``.

Step Functions starts the task with ``ecs:runTask.waitForTaskToken`` and passes, in the container's
environment, ``ORK_TASK_TOKEN``, ``ORK_ATTEMPT`` (the state's retry count) and the payload: ``ORK_PAYLOAD`` (JSON) or ``ORK_PAYLOAD_URL`` (a payload
store reference, for payloads too large for an environment variable). The task file is ``ORK_TASK_FILE``.
While the task runs, a thread sends heartbeats every ``ORK_HEARTBEAT_SECONDS / 3`` seconds; at the end it
reports SendTaskSuccess with the output or SendTaskFailure with the error name and the full cause.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

from .contract import ENVIRONMENT
from .environment import task_location
from .errors import InvalidPayloadError, describe_failure
from .payload_store import References, store_from_environment
from .runtime import invoke
from .sink import StreamSink

# Step Functions' limits for SendTaskFailure.
MAX_ERROR = 256
MAX_CAUSE = 32768

_PAYLOAD = ENVIRONMENT["payload"]
_PAYLOAD_URL = ENVIRONMENT["payload_url"]
_ATTEMPT = ENVIRONMENT["attempt"]
_TASK_TOKEN = ENVIRONMENT["task_token"]
_HEARTBEAT_SECONDS = ENVIRONMENT["heartbeat_seconds"]


def read_payload(references: References) -> Any:
    if os.environ.get(_PAYLOAD_URL):
        # The payload itself, not the references in it: those are resolved, within the execution's scope,
        # when its inputs are assembled (a reference in its params stays data).
        return references.read_url(os.environ[_PAYLOAD_URL])
    raw = os.environ.get(_PAYLOAD)
    if raw is None:
        raise InvalidPayloadError(f"neither {_PAYLOAD} nor {_PAYLOAD_URL} is set")
    try:
        return json.loads(raw)
    except ValueError as error:
        raise InvalidPayloadError(f"{_PAYLOAD} is not JSON: {error}") from error


def refuse_batch(payload: Any) -> Any:
    # One ECS task per instance: batch_size is a Distributed Map option of Lambda tasks, and a batch would
    # keep a container (and its heartbeats) alive for the whole batch under one task token.
    if isinstance(payload, dict) and payload.get("batch") is not None:
        raise InvalidPayloadError("the container entry point runs one instance per task: batch_size applies to Lambda tasks only")
    return payload


def with_attempt(payload: Any) -> Any:
    # The payload is built once before the ECS state, whose retries set ORK_ATTEMPT (the retry count).
    attempt = os.environ.get(_ATTEMPT)
    if attempt is not None and attempt.isdigit() and isinstance(payload, dict):
        return {**payload, "attempt": int(attempt)}
    return payload


class Heartbeat:
    def __init__(self, client: Any, token: str, interval: float) -> None:
        self._client = client
        self._token = token
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ork-heartbeat", daemon=True)
        self.sent = 0

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._client.send_task_heartbeat(taskToken=self._token)
                self.sent += 1
            except Exception as error:  # a missed heartbeat must not kill the task; the next one may pass
                print(json.dumps({"level": "warning", "message": f"heartbeat failed: {error}"}), file=sys.stderr)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def main(client: Any = None) -> int:
    sink = StreamSink()
    references = References(store_from_environment())
    token = os.environ.get(_TASK_TOKEN)
    if token and client is None:
        import boto3

        client = boto3.client("stepfunctions")
    interval = max(1.0, float(os.environ.get(_HEARTBEAT_SECONDS, "300")) / 3)
    try:
        task_file, workflow_dir = task_location()
        payload = with_attempt(refuse_batch(read_payload(references)))
        if token:
            with Heartbeat(client, token, interval):
                output = invoke(payload, task_file, workflow_dir, references=references, log_sink=sink, metric_sink=sink)
        else:
            output = invoke(payload, task_file, workflow_dir, references=references, log_sink=sink, metric_sink=sink)
    except Exception as error:
        failure = describe_failure(error)
        sink.emit({"level": "error", "message": f"task failed: {failure['type']}: {failure['message']}", "error": failure})
        if token:
            cause = json.dumps({"errorType": failure["type"], "errorMessage": failure["message"], "stackTrace": failure["traceback"].splitlines()})
            try:
                client.send_task_failure(taskToken=token, error=failure["type"][:MAX_ERROR], cause=cause[:MAX_CAUSE])
            except Exception as report_error:  # e.g. the token timed out already; the failure is logged above
                sink.emit({"level": "error", "message": f"could not report the failure: {report_error}"})
        return 1
    if token:
        try:
            client.send_task_success(taskToken=token, output=json.dumps(output))
        except Exception as error:
            # The token may have timed out (no heartbeat got through) or the output been refused: a structured
            # line and a failing exit code, not an unstructured traceback.
            failure = describe_failure(error)
            sink.emit({"level": "error", "message": f"could not report the output: {failure['type']}: {failure['message']}", "error": failure})
            return 1
    else:
        sys.stdout.write(json.dumps(output) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
