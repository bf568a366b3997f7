"""Large outputs go to a payload store and travel as references, because Step Functions caps a state's
input and output at 256 KiB. One code path, two backends: a directory locally, S3 on AWS.

A reference is ``{"$ork_ref": "<url>", "bytes": <size>}`` with a ``file://`` or ``s3://`` URL, and the
output fields a downstream condition reads beside them (kept_fields.py), which reading it ignores. The
threshold is ``ORK_LARGE_OUTPUT_BYTES`` (default 64 KiB): well under the state limit, so that a task
receiving several upstream outputs, or a fan-out's list of outputs, still fits.

The machine's own references name a bucket and a key instead of a URL, because its Map states read them
(ItemReader, ResultWriter): ``{"ork_items": {"bucket", "key", "count"}}`` (a fan-out's source list) and
``{"ork_results": {"bucket", "key", "per_child"}}`` (a Distributed Map's results, results.py). Locally
the "bucket" is the store's directory, which an absolute path tells apart from any S3 bucket name.

References are honoured only where the runtime itself writes for the execution at hand (``Scope``): on S3
the store's bucket, under ``<prefix><workflow>/<execution>/`` (Distributed Map results: under
``ork-results/<workflow>/``, every child record carrying this execution's id); locally the run's payload
folder (and those of the runs ``ork run --resume`` reuses outputs from, ``ORK_PAYLOAD_READ_DIRS``).
Anything else fails with ``Ork.ForeignReference``: a reference in a workflow's input, passed on by a task,
must not read another execution's data or a file of the machine (docs/payload.md, "References").
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlparse

from .contract import ENVIRONMENT, ITEMS_KEY, REF_KEY, RESULTS_KEY
from .errors import ForeignReferenceError, OrkError, PayloadStoreError
from .failures import ToleratedFailure, is_failure_marker, split_failures
from .kept_fields import reference_with
from .results import is_results_reference, read_results

DEFAULT_THRESHOLD = 64 * 1024
# Where Distributed Maps write their results (ResultWriter Prefix ``ork-results/<workflow>/<task>``):
# compiler/emit/distributed-fan-out.ts, lib/deploy/distributed-maps.ts.
RESULTS_PREFIX = "ork-results/"
# Payload folders of earlier runs whose outputs ``ork run --resume`` reuses (os.pathsep-separated).
READ_DIRS_VARIABLE = ENVIRONMENT["payload_read_dirs"]
_LARGE_OUTPUT_BYTES = ENVIRONMENT["large_output_bytes"]
_PAYLOAD_BUCKET = ENVIRONMENT["payload_bucket"]
_PAYLOAD_PREFIX = ENVIRONMENT["payload_prefix"]
_PAYLOAD_DIR = ENVIRONMENT["payload_dir"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")

Kind = Literal["ref", "items", "results"]


def execution_prefix(workflow: str, execution_id: str) -> str:
    """``<workflow>/<execution>/``: how every key the runtime writes for this execution begins (under the
    store's own prefix). The execution is the last ``:`` part of the id (the name in an execution ARN)."""
    execution = _UNSAFE.sub("_", execution_id.rsplit(":", 1)[-1] or "local")
    return f"{workflow}/{execution}/"


@dataclass(frozen=True, slots=True)
class Scope:
    """The execution whose references are honoured, as its payload names it. A Distributed Map's children
    are handed the parent's ``execution_id``, so they share the parent's scope."""

    workflow: str
    execution_id: str

    @property
    def prefix(self) -> str:
        return execution_prefix(self.workflow, self.execution_id)


def _plain_key(key: str) -> bool:
    # No empty, "." or ".." segment: an HTTP client could normalise "a/../b" into another key than checked.
    return bool(key) and all(part not in ("", ".", "..") for part in key.split("/"))


def _inside(path: str, root: str) -> bool:
    return path.startswith(root.rstrip(os.sep) + os.sep)


def _execution_of(child_input: Any) -> Any:
    """The ``execution_id`` a Distributed Map child ran with: in its Input, or its batch's BatchInput."""
    if not isinstance(child_input, dict):
        return None
    if "execution_id" in child_input:
        return child_input["execution_id"]
    batch_input = child_input.get("BatchInput")
    return batch_input.get("execution_id") if isinstance(batch_input, dict) else None


def large_output_threshold() -> int:
    raw = os.environ.get(_LARGE_OUTPUT_BYTES)
    if raw is None or raw == "":
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError as error:
        raise PayloadStoreError(f"{_LARGE_OUTPUT_BYTES} must be a number of bytes, got {raw!r}") from error
    return value


class PayloadStore(Protocol):
    def put(self, key: str, data: bytes) -> str: ...

    def get(self, url: str) -> bytes: ...

    def location(self, key: str) -> tuple[str, str]:
        """The bucket and key a Map state reads what ``put(key, …)`` wrote from."""
        ...


class DirectoryStore:
    """Local runs: files under a directory (the run's folder, or a temporary one). References are honoured
    under it and under ``read_roots`` (the payload folders of the runs a resumed run reuses outputs from)."""

    def __init__(self, root: str | os.PathLike[str], read_roots: Iterable[str | os.PathLike[str]] = ()) -> None:
        self.root = Path(root).resolve()
        self.read_roots = (self.root, *(Path(r).resolve() for r in read_roots if str(r)))

    def describe(self, scope: Scope | None) -> str:
        return f"the run's payload folder {self.root}"

    def owns_url(self, url: str, scope: Scope | None) -> bool:
        parsed = urlparse(url)
        return parsed.scheme == "file" and parsed.netloc in ("", "localhost") and self.owns_path(unquote(parsed.path))

    def owns_location(self, bucket: str, key: str, scope: Scope | None, kind: Kind) -> bool:
        return os.path.isabs(bucket) and self.owns_path(os.path.join(bucket, key))

    def owns_record(self, child_input: Any, scope: Scope | None) -> bool:
        # The folder is the run's own: a record there is this run's (or a resumed one's, which it reuses).
        return True

    def owns_path(self, path: str) -> bool:
        real = os.path.realpath(path)  # symlinks and ".." resolved: what reading the path would open
        return any(_inside(real, str(root)) for root in self.read_roots)

    def put(self, key: str, data: bytes) -> str:
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        temporary.write_bytes(data)
        temporary.replace(path)
        return path.as_uri()

    def get(self, url: str) -> bytes:
        return Path(unquote(urlparse(url).path)).read_bytes()

    def location(self, key: str) -> tuple[str, str]:
        return str(self.root), key


class S3Store:
    """On AWS: objects under ``s3://bucket/prefix``. boto3 is imported only when S3 is used."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self._client = client
        self._lock = threading.Lock()

    @property
    def client(self) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    import boto3

                    self._client = boto3.client("s3")
        return self._client

    def put(self, key: str, data: bytes) -> str:
        full = f"{self.prefix}{key}"
        self.client.put_object(Bucket=self.bucket, Key=full, Body=data, ContentType="application/json")
        return f"s3://{self.bucket}/{full}"

    def get(self, url: str) -> bytes:
        parsed = urlparse(url)
        return self.get_object(parsed.netloc, parsed.path.lstrip("/"))

    def get_object(self, bucket: str, key: str) -> bytes:
        response = self.client.get_object(Bucket=bucket, Key=key)
        data: bytes = response["Body"].read()
        return data

    def location(self, key: str) -> tuple[str, str]:
        return self.bucket, f"{self.prefix}{key}"

    def describe(self, scope: Scope | None) -> str:
        where = f"{self.prefix}{scope.prefix}" if scope else self.prefix
        return f"s3://{self.bucket}/{where} (and {RESULTS_PREFIX}{scope.workflow + '/' if scope else ''} for Distributed Map results)"

    def owns_url(self, url: str, scope: Scope | None) -> bool:
        parsed = urlparse(url)
        # The bucket and key get() would read.
        return parsed.scheme == "s3" and self.owns_location(parsed.netloc, parsed.path.lstrip("/"), scope, "ref")

    def owns_location(self, bucket: str, key: str, scope: Scope | None, kind: Kind) -> bool:
        if bucket != self.bucket or not _plain_key(key):
            return False
        if kind == "results":
            # A Map Run's key (<prefix>/<map run id>/…) does not name the execution: its records do (owns_record).
            return key.startswith(f"{RESULTS_PREFIX}{scope.workflow}/" if scope else RESULTS_PREFIX)
        return key.startswith(self.prefix + (scope.prefix if scope else ""))

    def owns_record(self, child_input: Any, scope: Scope | None) -> bool:
        return scope is None or _execution_of(child_input) == scope.execution_id


def read_roots_from_environment() -> list[str]:
    return [d for d in os.environ.get(READ_DIRS_VARIABLE, "").split(os.pathsep) if d]


def store_from_environment() -> PayloadStore:
    """S3 when ``ORK_PAYLOAD_BUCKET`` is set (AWS), else the directory ``ORK_PAYLOAD_DIR`` (local runs)."""
    bucket = os.environ.get(_PAYLOAD_BUCKET)
    if bucket:
        return S3Store(bucket, os.environ.get(_PAYLOAD_PREFIX, ""))
    directory = os.environ.get(_PAYLOAD_DIR) or os.path.join(tempfile.gettempdir(), "ork-payloads")
    return DirectoryStore(directory, read_roots_from_environment())


def is_reference(value: Any) -> bool:
    """A ``$ork_ref`` URL, whatever else the object holds (its size, the fields kept for conditions)."""
    return isinstance(value, dict) and isinstance(value.get(REF_KEY), str)


def is_items_reference(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1 or not isinstance(value.get(ITEMS_KEY), dict):
        return False
    body = value[ITEMS_KEY]
    return isinstance(body.get("bucket"), str) and isinstance(body.get("key"), str)


class References:
    """Writes outputs above the threshold and reads references back from this runtime's own store, within
    the scope of the execution at hand (``Scope``; without one, anywhere in the store)."""

    def __init__(self, store: PayloadStore, threshold: int | None = None) -> None:
        self.store = store
        self._threshold = threshold

    @property
    def threshold(self) -> int:
        # Read at each use: the local worker sets a task's environment per invocation, after this was built.
        return large_output_threshold() if self._threshold is None else self._threshold

    def offload(
        self,
        value: Any,
        key: str,
        threshold: int | None = None,
        keep: tuple[tuple[str, ...], ...] = (),
        keep_items: tuple[tuple[str, ...], ...] = (),
    ) -> Any:
        """The value itself when small; a reference to the stored JSON when not, with the fields at the paths
        ``keep`` (the payload's ``condition_fields``) and the ``ork_items`` at ``keep_items`` (its
        ``fan_out_fields``) beside it. ``threshold`` lowers the usual one for this value (a fan-out
        instance's ``output_spill_bytes``), never raises it."""
        encoded = json.dumps(value, separators=(",", ":"), default=str).encode()
        limit = self.threshold if threshold is None else min(threshold, self.threshold)
        if len(encoded) <= limit:
            return value
        try:
            url = self.store.put(key, encoded)
        except Exception as error:
            raise PayloadStoreError(f"could not store a {len(encoded)}-byte output at {key}: {error}") from error
        return reference_with(url, len(encoded), value, keep, keep_items)

    def store_items(self, items: list[Any], key: str) -> dict[str, Any]:
        """Writes a fan-out's source list where the Distributed Map's ItemReader reads it."""
        encoded = json.dumps(items, separators=(",", ":"), default=str).encode()
        try:
            self.store.put(key, encoded)
            bucket, full_key = self.store.location(key)
        except Exception as error:
            raise PayloadStoreError(f"could not store a list of {len(items)} items ({len(encoded)} bytes) at {key}: {error}") from error
        return {ITEMS_KEY: {"bucket": bucket, "key": full_key, "count": len(items)}}

    def resolve(self, value: Any, scope: Scope | None = None) -> Any:
        """Replaces references, at any depth of lists and objects, by what they point to; what they point
        to may hold references in turn (a child's output in a Distributed Map's results), checked alike."""
        if is_reference(value):
            return self.resolve(self._load(value[REF_KEY], scope), scope)
        if is_items_reference(value):
            body = value[ITEMS_KEY]
            return self.resolve(self._read_list(body["bucket"], body["key"], ITEMS_KEY, scope), scope)
        if is_results_reference(value):
            return self.resolve(self._read_results(value, scope), scope)
        if isinstance(value, list):
            return [self.resolve(v, scope) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v, scope) for k, v in value.items()}
        return value

    def resolve_outputs(self, value: Any, scope: Scope | None = None) -> tuple[Any, list[ToleratedFailure]]:
        """An upstream field resolved, without the tolerated failures in its list of outputs, and those."""
        return split_failures(self.resolve(value, scope))

    def failures_in(self, value: Any, scope: Scope | None = None) -> list[ToleratedFailure]:
        """The tolerated failures of an upstream field the task does not read, reading no more than needed:
        markers in an inline list, the FAILED files of a Distributed Map's results."""
        if is_results_reference(value):
            value = self._read_results(value, scope, failures_only=True)
        if not isinstance(value, list):
            return []
        return split_failures([v for v in value if is_failure_marker(v)])[1]

    def check_items(self, value: Any, scope: Scope | None) -> None:
        """Refuses an ``ork_items`` reference outside the scope, before the machine's ItemReader reads it: a
        task's output field may hold one it did not write (its params, passed on)."""
        if is_items_reference(value):
            self._check_location(value[ITEMS_KEY]["bucket"], value[ITEMS_KEY]["key"], "items", scope)

    def read_url(self, url: str) -> Any:
        """JSON at a URL the runtime's configuration names (the container's ``ORK_PAYLOAD_URL``), not one
        found in data: not checked against a scope, and the references in it are not resolved."""
        return self._fetch(url)

    def _refuse(self, what: str, scope: Scope | None) -> OrkError:
        execution = f" of execution {scope.execution_id}" if scope else ""
        return ForeignReferenceError(
            f"{what} is outside this execution's payload store ({self.store_description(scope)}){execution}: "
            "references are read only where the runtime writes for the execution; pass data, not references"
        )

    def store_description(self, scope: Scope | None) -> str:
        describe = getattr(self.store, "describe", None)
        return describe(scope) if callable(describe) else type(self.store).__name__

    def _check_location(self, bucket: str, key: str, kind: Kind, scope: Scope | None) -> None:
        owns = getattr(self.store, "owns_location", None)
        if not (callable(owns) and owns(bucket, key, scope, kind)):
            name = ITEMS_KEY if kind == "items" else RESULTS_KEY
            raise self._refuse(f"{name} reference to {bucket}/{key}", scope)

    def _read_results(self, value: Any, scope: Scope | None, failures_only: bool = False) -> list[Any]:
        owns_record = getattr(self.store, "owns_record", None)

        def check_record(child_input: Any) -> None:
            if not (callable(owns_record) and owns_record(child_input, scope)):
                body = value[RESULTS_KEY]
                raise self._refuse(
                    f"{RESULTS_KEY} reference to {body['bucket']}/{body['key']} (a child record of execution {_execution_of(child_input)!r})",
                    scope,
                )

        read: Callable[[str, str], Any] = lambda bucket, key: self._read_json(bucket, key, "results", scope)  # noqa: E731
        return read_results(value, read, failures_only=failures_only, check_input=check_record)

    def _read_list(self, bucket: str, key: str, what: str, scope: Scope | None) -> list[Any]:
        value = self._read_json(bucket, key, "items", scope)
        if not isinstance(value, list):
            raise PayloadStoreError(f"{what} at {bucket}/{key} is not a JSON array")
        return value

    def _read_json(self, bucket: str, key: str, kind: Kind, scope: Scope | None) -> Any:
        """JSON at a machine-written location of this store: a file under the directory ``bucket``, or an
        object of the store's bucket."""
        self._check_location(bucket, key, kind, scope)
        try:
            if os.path.isabs(bucket):
                data = Path(os.path.join(bucket, key)).read_bytes()
            else:
                if not isinstance(self.store, S3Store):  # owns_location admits bucket names on S3 stores only
                    raise PayloadStoreError(f"{type(self.store).__name__} cannot read S3 objects")
                data = self.store.get_object(bucket, key)
            return json.loads(data)
        except Exception as error:
            raise PayloadStoreError(f"could not read {bucket}/{key}: {error}") from error

    def _load(self, url: str, scope: Scope | None) -> Any:
        owns = getattr(self.store, "owns_url", None)
        if not (callable(owns) and owns(url, scope)):
            raise self._refuse(f"payload reference {url}", scope)
        return self._fetch(url)

    def _fetch(self, url: str) -> Any:
        scheme = urlparse(url).scheme
        try:
            if scheme == "s3":
                store = self.store if isinstance(self.store, S3Store) else S3Store(urlparse(url).netloc)
                data = store.get(url)
            elif scheme == "file":
                data = DirectoryStore("/").get(url)
            else:
                raise PayloadStoreError(f"unknown payload reference {url!r}")
            return json.loads(data)
        except PayloadStoreError:
            raise
        except Exception as error:
            raise PayloadStoreError(f"could not read payload reference {url}: {error}") from error
