"""Large outputs go to a payload store and travel as references, because Step Functions caps a state's
input and output at 256 KiB. One code path, two backends: a directory locally, S3 on AWS.

A reference is ``{"$ork_ref": "<url>", "bytes": <size>}`` with a ``file://`` or ``s3://`` URL. The
threshold is ``ORK_LARGE_OUTPUT_BYTES`` (default 64 KiB): well under the state limit, so that a task
receiving several upstream outputs, or a fan-out's list of outputs, still fits.
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

REF_KEY = "$ork_ref"
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
        response = self.client.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))
        return response["Body"].read()


def store_from_environment() -> PayloadStore:
    """S3 when ``ORK_PAYLOAD_BUCKET`` is set (AWS), else the directory ``ORK_PAYLOAD_DIR`` (local runs)."""
    bucket = os.environ.get("ORK_PAYLOAD_BUCKET")
    if bucket:
        return S3Store(bucket, os.environ.get("ORK_PAYLOAD_PREFIX", ""))
    directory = os.environ.get("ORK_PAYLOAD_DIR") or os.path.join(tempfile.gettempdir(), "ork-payloads")
    return DirectoryStore(directory)


def is_reference(value: Any) -> bool:
    return isinstance(value, dict) and REF_KEY in value and isinstance(value[REF_KEY], str) and len(value) <= 2


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

    def offload(self, value: Any, key: str) -> Any:
        """The value itself when small; a reference to the stored JSON when not."""
        encoded = json.dumps(value, separators=(",", ":"), default=str).encode()
        if len(encoded) <= self.threshold:
            return value
        try:
            url = self.store.put(key, encoded)
        except Exception as error:
            raise PayloadStoreError(f"could not store a {len(encoded)}-byte output at {key}: {error}") from error
        return {REF_KEY: url, "bytes": len(encoded)}

    def resolve(self, value: Any) -> Any:
        """Replaces references, at any depth of lists and objects, by what they point to."""
        if is_reference(value):
            return self._load(value[REF_KEY])
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

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
