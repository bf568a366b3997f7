"""Large outputs go to a payload store and travel as references, because Step Functions caps a state's
input and output at 256 KiB. One code path, two backends: a directory locally, S3 on AWS.

A reference is ``{"$ork_ref": "<url>", "bytes": <size>}`` with a ``file://`` or ``s3://`` URL. The
threshold is ``ORK_LARGE_OUTPUT_BYTES`` (default 64 KiB): well under the state limit, so that a task
receiving several upstream outputs, or a fan-out's list of outputs, still fits.

The machine's own references name a bucket and a key instead of a URL, because its Map states read them
(ItemReader, ResultWriter): ``{"ork_items": {"bucket", "key", "count"}}`` (a fan-out's source list) and
``{"ork_results": {"bucket", "key", "per_child"}}`` (a Distributed Map's results, results.py). Locally
the "bucket" is the store's directory, which an absolute path tells apart from any S3 bucket name.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlparse

from .errors import PayloadStoreError
from .failures import Failure, is_failure_marker, split_failures
from .results import is_results_reference, read_results

REF_KEY = "$ork_ref"
ITEMS_KEY = "ork_items"
DEFAULT_THRESHOLD = 64 * 1024


def large_output_threshold() -> int:
    raw = os.environ.get("ORK_LARGE_OUTPUT_BYTES")
    if raw is None or raw == "":
        return DEFAULT_THRESHOLD
    try:
        value = int(raw)
    except ValueError as error:
        raise PayloadStoreError(f"ORK_LARGE_OUTPUT_BYTES must be a number of bytes, got {raw!r}") from error
    return value


class PayloadStore(Protocol):
    def put(self, key: str, data: bytes) -> str: ...

    def get(self, url: str) -> bytes: ...

    def location(self, key: str) -> tuple[str, str]:
        """The bucket and key a Map state reads what ``put(key, …)`` wrote from."""
        ...


class DirectoryStore:
    """Local runs: files under a directory (the run's folder, or a temporary one)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

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
        return response["Body"].read()

    def location(self, key: str) -> tuple[str, str]:
        return self.bucket, f"{self.prefix}{key}"


def store_from_environment() -> PayloadStore:
    """S3 when ``ORK_PAYLOAD_BUCKET`` is set (AWS), else the directory ``ORK_PAYLOAD_DIR`` (local runs)."""
    bucket = os.environ.get("ORK_PAYLOAD_BUCKET")
    if bucket:
        return S3Store(bucket, os.environ.get("ORK_PAYLOAD_PREFIX", ""))
    directory = os.environ.get("ORK_PAYLOAD_DIR") or os.path.join(tempfile.gettempdir(), "ork-payloads")
    return DirectoryStore(directory)


def is_reference(value: Any) -> bool:
    return isinstance(value, dict) and REF_KEY in value and isinstance(value[REF_KEY], str) and len(value) <= 2


def is_items_reference(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1 or not isinstance(value.get(ITEMS_KEY), dict):
        return False
    body = value[ITEMS_KEY]
    return isinstance(body.get("bucket"), str) and isinstance(body.get("key"), str)


class References:
    """Writes outputs above the threshold and reads references back, whichever store wrote them."""

    def __init__(self, store: PayloadStore, threshold: int | None = None) -> None:
        self.store = store
        self._threshold = threshold
        self._s3: S3Store | None = store if isinstance(store, S3Store) else None

    @property
    def threshold(self) -> int:
        # Read at each use: the local worker sets a task's environment per invocation, after this was built.
        return large_output_threshold() if self._threshold is None else self._threshold

    def offload(self, value: Any, key: str, threshold: int | None = None) -> Any:
        """The value itself when small; a reference to the stored JSON when not. ``threshold`` lowers the
        usual one for this value (a fan-out instance's ``output_spill_bytes``), never raises it."""
        encoded = json.dumps(value, separators=(",", ":"), default=str).encode()
        limit = self.threshold if threshold is None else min(threshold, self.threshold)
        if len(encoded) <= limit:
            return value
        try:
            url = self.store.put(key, encoded)
        except Exception as error:
            raise PayloadStoreError(f"could not store a {len(encoded)}-byte output at {key}: {error}") from error
        return {REF_KEY: url, "bytes": len(encoded)}

    def store_items(self, items: list[Any], key: str) -> dict[str, Any]:
        """Writes a fan-out's source list where the Distributed Map's ItemReader reads it."""
        encoded = json.dumps(items, separators=(",", ":"), default=str).encode()
        try:
            self.store.put(key, encoded)
            bucket, full_key = self.store.location(key)
        except Exception as error:
            raise PayloadStoreError(f"could not store a list of {len(items)} items ({len(encoded)} bytes) at {key}: {error}") from error
        return {ITEMS_KEY: {"bucket": bucket, "key": full_key, "count": len(items)}}

    def resolve(self, value: Any) -> Any:
        """Replaces references, at any depth of lists and objects, by what they point to; what they point
        to may hold references in turn (a child's output in a Distributed Map's results)."""
        if is_reference(value):
            return self.resolve(self._load(value[REF_KEY]))
        if is_items_reference(value):
            body = value[ITEMS_KEY]
            return self.resolve(self._read_list(body["bucket"], body["key"], ITEMS_KEY))
        if is_results_reference(value):
            return self.resolve(read_results(value, self._read_json))
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def resolve_outputs(self, value: Any) -> tuple[Any, list[Failure]]:
        """An upstream field resolved, without the tolerated failures in its list of outputs, and those."""
        return split_failures(self.resolve(value))

    def failures_in(self, value: Any) -> list[Failure]:
        """The tolerated failures of an upstream field the task does not read, reading no more than needed:
        markers in an inline list, the FAILED files of a Distributed Map's results."""
        if is_results_reference(value):
            value = read_results(value, self._read_json, failures_only=True)
        if not isinstance(value, list):
            return []
        return split_failures([v for v in value if is_failure_marker(v)])[1]

    def _read_list(self, bucket: str, key: str, what: str) -> list[Any]:
        value = self._read_json(bucket, key)
        if not isinstance(value, list):
            raise PayloadStoreError(f"{what} at {bucket}/{key} is not a JSON array")
        return value

    def _read_json(self, bucket: str, key: str) -> Any:
        """JSON at a machine-written location: a file under the directory ``bucket``, or an S3 object."""
        try:
            if os.path.isabs(bucket):
                data = (Path(bucket) / key).read_bytes()
            else:
                if self._s3 is None:
                    self._s3 = S3Store(bucket)
                data = self._s3.get_object(bucket, key)
            return json.loads(data)
        except Exception as error:
            raise PayloadStoreError(f"could not read {bucket}/{key}: {error}") from error

    def _load(self, url: str) -> Any:
        scheme = urlparse(url).scheme
        try:
            if scheme == "s3":
                if self._s3 is None:
                    self._s3 = S3Store(urlparse(url).netloc)
                data = self._s3.get(url)
            elif scheme == "file":
                data = DirectoryStore("/").get(url)
            else:
                raise PayloadStoreError(f"unknown payload reference {url!r}")
            return json.loads(data)
        except PayloadStoreError:
            raise
        except Exception as error:
            raise PayloadStoreError(f"could not read payload reference {url}: {error}") from error
