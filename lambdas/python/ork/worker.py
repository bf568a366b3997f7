"""Local worker: ``python -m ork.worker``.

A long-lived process that imports each task file once and answers many invocations, the way a warm
Lambda container serves many events. The protocol is written down in docs/worker-protocol.md, and its
messages' shapes in lambdas/contract/worker-protocol.ts (test/contract/worker-protocol.test.ts checks this
worker's against them): JSON lines on a channel of their own (``WORKER_CHANNEL_FD``, fd 3) that this worker
takes for itself before any task runs, so that child processes do not inherit it; a ready message, then one
reply per request, in order.

Task code keeps the real stdout and stderr (fds 1 and 2, a file the engine reads after each reply), as on
Lambda: ``sys.stdout`` is a real file object, and child processes inherit it. Both are flushed before the
reply is written. ``ctx.log`` lines and ``ctx.metrics`` records (EMF) are JSON lines on that stdout, written
as they happen, as on Lambda: what an attempt printed or logged before it crashed or timed out is there.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import stat
import sys
import threading
import time
from typing import Any, BinaryIO

from .contract import WAITS_SAMPLE_EVERY, WAITS_SAMPLED_FIRST, WORKER_CHANNEL_FD
from .errors import ProtocolError, describe_failure
from .loader import load_task
from .payload_store import References, store_from_environment
from .runtime import input_fields, invoke
from .secrets import use_local
from .sink import StreamSink, json_line


def _apply_env(env: Any, previous: dict[str, str | None]) -> None:
    """Sets the invocation's variables, noting in ``previous`` what to put back (null unsets one)."""
    if not env:
        return
    if not isinstance(env, dict):
        raise ProtocolError(f"request env must be an object of strings, got {type(env).__name__}")
    for key, value in env.items():
        previous.setdefault(key, os.environ.get(key))
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = str(value)


def _restore_env(previous: dict[str, str | None]) -> None:
    for key, value in previous.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def _local_secrets(entries: Any) -> dict[str, dict[str, str]] | None:
    """The request's ``secrets`` (the invoked task's, from ``ork run``'s file and environment): each name
    to ``{"value": …}`` or ``{"missing": hint}``. Absent: the task has none locally."""
    if entries is None:
        return None
    if not isinstance(entries, dict) or not all(isinstance(entry, dict) for entry in entries.values()):
        raise ProtocolError("request secrets must be an object of {value} or {missing} objects")
    return {str(name): {str(k): str(v) for k, v in entry.items()} for name, entry in entries.items()}


def _flush_output() -> None:
    """What the task wrote to sys.stdout / sys.stderr reaches fds 1 and 2 before the reply: the engine reads
    the output file when the reply arrives. A task may have replaced either stream; the originals too."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        try:
            if stream is not None:
                stream.flush()
        except Exception:  # a closed or broken stream must not fail the reply
            pass


def _blocked_so_far() -> int | None:
    """How many times this thread has blocked (voluntary context switches: a sleep, I/O, a lock, a child):
    the engine tells a task that computes from one that waits by it (docs/worker-protocol.md, `waits`)."""
    try:
        return resource.getrusage(resource.RUSAGE_THREAD).ru_nvcsw
    except (AttributeError, OSError):  # RUSAGE_THREAD is Linux's
        return None


def _output_end() -> int | None:
    """How long the output file (fds 1 and 2) is once the reply's output is flushed: where this invocation's
    output ends. The engine may have queued the next request, which can print before the reply is read."""
    try:
        status = os.fstat(1)
    except OSError:
        return None
    return status.st_size if stat.S_ISREG(status.st_mode) else None


# getrusage is one of the dearest calls of an invocation (a third of a no-op's time in a VM), so `waits` is
# measured on a task's first invocations and then on one in WAITS_SAMPLE_EVERY (both from the contract, as the
# Node worker does): the engine averages it anyway.
_invocations: dict[Any, int] = {}


def _sample_waits(task_file: Any) -> bool:
    count = _invocations.get(task_file, 0)
    _invocations[task_file] = count + 1
    return count < WAITS_SAMPLED_FIRST or count % WAITS_SAMPLE_EVERY == 0


def handle(request: dict[str, Any], references: References) -> dict[str, Any]:
    started = time.perf_counter()
    waits_before = _blocked_so_far() if _sample_waits(request.get("file")) else None
    # ctx.log lines and metric records (EMF) go to stdout as they are written, as on Lambda, where CloudWatch
    # reads them: what an attempt logged before it crashed or timed out is in the output the engine keeps.
    sink = StreamSink()
    reply: dict[str, Any] = {"id": request.get("id")}
    previous: dict[str, str | None] = {}
    try:
        # Inside the try: a bad env must fail this request, not end the worker.
        _apply_env(request.get("env"), previous)
        task_file = request.get("file")
        if not isinstance(task_file, str) or not task_file:
            raise ProtocolError("request has no 'file': the path of the task file to run")
        with use_local(_local_secrets(request.get("secrets"))):
            output = invoke(
                request.get("payload"),
                task_file,
                request.get("workflow_dir"),
                references=references,
                log_sink=sink,
                metric_sink=sink,
            )
        reply["ok"] = True
        reply["output"] = output
        reply["reads"] = input_fields(load_task(task_file, request.get("workflow_dir")))
    except (Exception, SystemExit) as error:  # every failure becomes a reply; the worker lives on (sys.exit too)
        reply["ok"] = False
        reply["error"] = describe_failure(error)
    finally:
        _restore_env(previous)
        _flush_output()
    reply["ms"] = round((time.perf_counter() - started) * 1000, 3)
    if waits_before is not None:
        waits_after = _blocked_so_far()
        if waits_after is not None:
            reply["waits"] = waits_after - waits_before
    return reply


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    references = References(store_from_environment())
    write = replies.write
    flush = replies.flush
    write(json.dumps({"ready": True, "pid": os.getpid(), "python": platform.python_version()}).encode() + b"\n")
    flush()
    for line in requests:
        if not line.strip():
            continue
        reply: dict[str, Any]
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("a request is a JSON object")
        except ValueError as error:
            reply = {
                "id": None,
                "ok": False,
                "error": {"type": "Ork.ProtocolError", "message": f"bad request line: {error}", "retryable": False, "traceback": ""},
            }
        else:
            reply = handle(request, references)
            end = _output_end()
            if end is not None:
                reply["out"] = end
        try:
            data = json_line(reply)
        except (TypeError, ValueError, RecursionError) as error:
            data = json.dumps(
                {
                    "id": reply.get("id"),
                    "ok": False,
                    "error": {"type": "Ork.ProtocolError", "message": f"reply is not JSON: {error}", "retryable": False, "traceback": ""},
                }
            )
        write(data.encode() + b"\n")
        flush()


def _exit_with_parent() -> None:
    # A worker whose engine died (even by SIGKILL) must not live on running tasks: stdin only closes once
    # the task in progress returns, so watch the parent process as well.
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(1)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="ork-parent-watch", daemon=True).start()


PROTOCOL_FD = WORKER_CHANNEL_FD


def _take_channel() -> tuple[BinaryIO, BinaryIO]:
    """The protocol channel on fd 3, moved to descriptors that no child process inherits (os.dup makes
    non-inheritable ones), and fd 3 closed: a task, or a process it starts, can write to stdout, stderr or
    any fd it opens without reaching the replies."""
    try:
        reading = os.dup(PROTOCOL_FD)
    except OSError:
        sys.stderr.write("ork.worker: no protocol channel on fd 3; the worker is started by `ork run` (docs/worker-protocol.md)\n")
        sys.exit(2)
    writing = os.dup(PROTOCOL_FD)  # before fd 3 is closed, or this would be fd 3 again
    os.close(PROTOCOL_FD)
    # Buffered: a write of a large reply that the kernel takes in parts is completed by flush(), which serve()
    # calls after each reply.
    return os.fdopen(reading, "rb"), os.fdopen(writing, "wb")


def main() -> None:
    _exit_with_parent()
    requests, replies = _take_channel()
    try:
        serve(requests, replies)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
