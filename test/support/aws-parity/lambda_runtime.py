"""One warm "Lambda execution environment" of the AWS parity harness (test/support/aws-parity).

The harness starts this script once per concurrent invocation slot of a function, with that function's
environment (as Lambda sets it: the function's variables, ``_HANDLER``, ``LAMBDA_TASK_ROOT`` …), as
``python -I -S /var/runtime/lambda_runtime.py`` in a sandbox where the function's code is /var/task
(read-only, the working directory) and /tmp is the only writable place (lambda-sandbox.ts). Like the real Python runtime (awslambdaric), it imports
the handler once and then serves one invocation at a time, so module-level state survives between
invocations exactly as in a warm Lambda container.

Protocol with the harness, one JSON object per line:

- on its protocol stream it first writes ``{"ready": true, "pid": …}``;
- request on stdin: ``{"id": "<request id>", "event": …, "arn": "<invoked function ARN>",
  "deadline_ms": <epoch ms>}``;
- reply: ``{"id", "ok": true, "payload": "<JSON text of the result>", "logs": "…", "ms": …}`` or
  ``{"id", "ok": false, "payload": "<JSON text of the error object>", "logs": "…", "ms": …}``, where the
  error object has the shape the Lambda Invoke API returns with ``X-Amz-Function-Error: Unhandled``:
  ``{"errorMessage", "errorType", "requestId", "stackTrace"}`` (errorType is the exception class's
  ``__name__``, which is what Step Functions' Retry and Catch match).

The protocol uses a duplicate of the original stdout; file descriptor 1 is pointed at stderr, so nothing a
task writes (print, ``ctx.log``, a C extension) can corrupt it. What an invocation writes to stdout and
stderr is captured and returned as its ``logs``, as CloudWatch would show them.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import time
import traceback
from typing import Any


def _error(message: str, error_type: str, stack: list[str] | None, request_id: str) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack or []}


def _trace(tb: Any) -> list[str]:
    frames = traceback.extract_tb(tb)
    # Like awslambdaric, leave out the runtime's own frames.
    while frames and frames[0].filename == __file__:
        frames = traceback.StackSummary.from_list(list(frames)[1:])
    return traceback.format_list(frames)


class LambdaContext:
    """The attributes of awslambdaric's LambdaContext that handlers use."""

    def __init__(self, request_id: str, arn: str, deadline_ms: int) -> None:
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int(self._deadline_ms - time.time() * 1000))


def _load_handler() -> Any:
    """The handler named by ``_HANDLER`` (``module.function``), or the error the runtime reports instead."""
    spec = os.environ.get("_HANDLER", "")
    try:
        module_name, function_name = spec.rsplit(".", 1)
    except ValueError as error:
        return _error(f"Bad handler '{spec}': {error}", "Runtime.MalformedHandlerName", None, "")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        return _error(f"Unable to import module '{module_name}': {error}", "Runtime.ImportModuleError", None, "")
    except SyntaxError as error:
        return _error(f"Syntax error in module '{module_name}': {error}", "Runtime.UserCodeSyntaxError", None, "")
    except Exception as error:  # an exception raised while importing: reported as itself, like awslambdaric
        return _error(str(error), type(error).__name__, _trace(error.__traceback__), "")
    handler = getattr(module, function_name, None)
    if handler is None:
        return _error(f"Handler '{function_name}' missing on module '{module_name}'", "Runtime.HandlerNotFound", None, "")
    return handler


def _invoke(handler: Any, request: dict[str, Any]) -> tuple[bool, str]:
    request_id = str(request.get("id", ""))
    if isinstance(handler, dict):  # the handler could not be loaded: every invocation fails with that error
        return False, json.dumps({**handler, "requestId": request_id})
    context = LambdaContext(request_id, str(request.get("arn", "")), int(request.get("deadline_ms") or 0))
    try:
        result = handler(request.get("event"), context)
    except Exception as error:
        return False, json.dumps(_error(str(error), type(error).__name__, _trace(error.__traceback__), request_id))
    try:
        return True, json.dumps(result)
    except (TypeError, ValueError) as error:
        message = f"Unable to marshal response: {error}"
        return False, json.dumps(_error(message, "Runtime.MarshalError", None, request_id))


def main() -> None:
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # As on Lambda: the task root (/var/task) first, then the AWS SDK the runtime ships, then the standard
    # library. The interpreter runs with -I -S, so nothing else of this machine is importable; this
    # script's own folder (/var/runtime) takes the place Python gave it, first on sys.path.
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    runtime_dir = os.path.dirname(os.path.abspath(__file__))
    if sys.path and os.path.abspath(sys.path[0] or ".") == runtime_dir:
        sys.path.pop(0)
    sys.path[0:0] = [task_root, os.path.join(runtime_dir, "python"), runtime_dir]
    handler = _load_handler()
    protocol.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        started = time.perf_counter()
        captured = io.StringIO()
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            ok, payload = _invoke(handler, request)
        reply = {
            "id": request.get("id"),
            "ok": ok,
            "payload": payload,
            "logs": captured.getvalue(),
            "ms": round((time.perf_counter() - started) * 1000, 2),
        }
        protocol.write(json.dumps(reply) + "\n")


if __name__ == "__main__":
    main()
