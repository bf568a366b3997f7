"""``ctx.secrets``: the Secrets Manager secrets and SSM parameters a task declares in ``secrets:``.

A name is read on first use, not before: a task pays for the secrets it reads, and boto3 is imported only
then (cold starts of tasks without secrets do not load it). A secret reference is a Secrets Manager name
(``prod/warehouse``), an SSM parameter path (leading ``/``: ``/ork/api-token``, read WithDecryption), or the
ARN of either. The names the task may read are ``ORK_SECRETS`` (a JSON list, set by the deploy construct
and by ``ork run``); any other is ``Ork.SecretNotDeclared``.

Values are cached per process (a warm Lambda environment keeps them) for ``ORK_SECRETS_TTL_SECONDS``
(default 300; 0 reads the service every time). Locally, ``ork run`` hands the worker the invoked task's
values with each request (``use_local``), and AWS is never called.

Every value handed out is registered with masking.py: ``ctx.log`` lines and failure causes show ``***``.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .contract import ENVIRONMENT
from .errors import OrkError, SecretAccessDeniedError, SecretNotDeclaredError, SecretNotFoundError
from .masking import register

_DECLARED = ENVIRONMENT["secrets"]
_TTL = ENVIRONMENT["secrets_ttl_seconds"]
DEFAULT_TTL_SECONDS = 300.0

_SECRETS_MANAGER_ARN = re.compile(r"^arn:[^:]+:secretsmanager:")
_SSM_ARN = re.compile(r"^arn:[^:]+:ssm:[^:]*:[^:]*:parameter/")

# Error codes of GetSecretValue and GetParameter that are final: retrying the same call cannot succeed.
# https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html#API_GetSecretValue_Errors
# (ResourceNotFoundException; InvalidRequestException: the secret is scheduled for deletion; DecryptionFailure:
# the KMS key cannot decrypt it) and
# https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameter.html#API_GetParameter_Errors
# (ParameterNotFound, ParameterVersionNotFound, InvalidKeyId); AccessDeniedException is either service's
# (and KMS's, which both pass on) refusal of the role.
NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "InvalidRequestException", "ParameterNotFound", "ParameterVersionNotFound"})
ACCESS_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "DecryptionFailure", "InvalidKeyId", "KMSAccessDeniedException"})


def service_of(name: str) -> str:
    """``"ssm"`` for a parameter path or ARN, ``"secretsmanager"`` for anything else (the design's rule)."""
    if name.startswith("/") or _SSM_ARN.match(name):
        return "ssm"
    return "secretsmanager"


def declared_secrets() -> tuple[str, ...]:
    """The names ``ORK_SECRETS`` lists (none when it is unset)."""
    raw = os.environ.get(_DECLARED)
    if not raw:
        return ()
    try:
        names = json.loads(raw)
    except ValueError:
        names = None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise OrkError(f"{_DECLARED} must be a JSON list of secret names, got {raw[:200]!r}")
    return tuple(names)


def ttl_seconds() -> float:
    raw = os.environ.get(_TTL)
    if raw is None or not raw.strip():
        return DEFAULT_TTL_SECONDS
    try:
        return max(0.0, float(raw))
    except ValueError:
        return DEFAULT_TTL_SECONDS


# The process's cache: name -> (value, monotonic time it was read).
_cache: dict[str, tuple[str, float]] = {}
_clients: dict[str, Any] = {}
_lock = threading.Lock()
# Set by the local worker for the invocation in progress: name -> {"value": …} or {"missing": hint}.
_local: Mapping[str, Mapping[str, str]] | None = None


@contextmanager
def use_local(entries: Mapping[str, Mapping[str, str]] | None) -> Iterator[None]:
    """The values ``ork run`` sent with a request (docs/worker-protocol.md, ``secrets``), for that request:
    no AWS call, no cache. ``None`` (a request without the field) leaves the AWS path in place."""
    global _local
    previous = _local
    _local = entries
    try:
        yield
    finally:
        _local = previous


def _client(service: str) -> Any:
    client = _clients.get(service)
    if client is None:
        with _lock:
            client = _clients.get(service)
            if client is None:
                import boto3

                client = _clients[service] = boto3.client(service)
    return client


def _fetch(name: str) -> str:
    service = service_of(name)
    from botocore.exceptions import ClientError

    try:
        if service == "ssm":
            parameter = _client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]
            return str(parameter["Value"])
        response = _client("secretsmanager").get_secret_value(SecretId=name)
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        where = "SSM Parameter Store" if service == "ssm" else "Secrets Manager"
        # AWS's messages name the secret, never its value; `from None`: the ClientError adds nothing more.
        if code in NOT_FOUND_CODES:
            raise SecretNotFoundError(f"secret '{name}' cannot be read from {where}: {code}: {_aws_message(error)}") from None
        # HTTP 403 is a refusal whatever its code (a service behind a proxy may not send a JSON error body).
        if code in ACCESS_DENIED_CODES or status == 403:
            raise SecretAccessDeniedError(
                f"secret '{name}' cannot be read from {where}: {code}: {_aws_message(error)}. "
                "The task's role is granted the secrets its secrets: lists (and kms:Decrypt through that service); "
                "a secret encrypted with a customer managed key also needs that key's policy to allow the role"
            ) from None
        raise
    if "SecretString" in response and response["SecretString"] is not None:
        return str(response["SecretString"])
    # A binary secret (SecretBinary, bytes once boto3 decoded its base64) is read as UTF-8 text.
    return bytes(response["SecretBinary"]).decode("utf-8")


def _aws_message(error: Any) -> str:
    message = str(error.response.get("Error", {}).get("Message", "")) or "no message"
    return message if len(message) <= 300 else message[:297] + "..."


def read_secret(name: str, task: str) -> str:
    """The value of a declared secret: the local request's, the cache's while it is fresh, else the service's."""
    if not isinstance(name, str):
        raise TypeError(f"a secret name is a string, got {type(name).__name__}")
    declared = declared_secrets()
    if name not in declared:
        listed = ", ".join(declared) if declared else "none"
        raise SecretNotDeclaredError(
            f"task '{task}' read secret '{name}', which its secrets: does not list (it lists: {listed}). "
            f"Add it to the task's secrets: in workflow.yaml: the task's role may read only those"
        )
    local = _local
    if local is not None:
        entry = local.get(name)
        if entry is None or "value" not in entry:
            hint = entry.get("missing") if entry else None
            raise SecretNotFoundError(f"secret '{name}' has no local value" + (f": {hint}" if hint else ""))
        value = str(entry["value"])
    else:
        ttl = ttl_seconds()
        cached = _cache.get(name)
        now = time.monotonic()
        if cached is not None and ttl > 0 and now - cached[1] < ttl:
            value = cached[0]
        else:
            value = _fetch(name)
            if ttl > 0:
                _cache[name] = (value, now)
            else:
                _cache.pop(name, None)
    register(value)
    return value


class Secrets:
    """``ctx.secrets[name]`` is the secret's text; ``ctx.secrets.json(name)`` parses it as JSON.

    ``name`` is written as in ``secrets:`` (a Secrets Manager name, an SSM path with its leading ``/``, or
    an ARN). Errors: ``Ork.SecretNotDeclared``, ``Ork.SecretNotFound``, ``Ork.SecretAccessDenied``, none
    retried.
    """

    __slots__ = ("_task",)

    def __init__(self, task: str) -> None:
        self._task = task

    def __getitem__(self, name: str) -> str:
        return read_secret(name, self._task)

    def json(self, name: str) -> Any:
        text = read_secret(name, self._task)
        try:
            return json.loads(text)
        except ValueError as error:
            # The parser's message quotes the text around the error: only its position is kept.
            raise ValueError(f"secret '{name}' is not JSON (line {getattr(error, 'lineno', '?')}, column {getattr(error, 'colno', '?')})") from None

    @property
    def declared(self) -> tuple[str, ...]:
        """The names the task may read (its ``secrets:``)."""
        return declared_secrets()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in declared_secrets()

    def __repr__(self) -> str:
        return f"Secrets(declared={list(declared_secrets())!r})"


def _clear_cache() -> None:
    """For tests: a fresh process's cache and clients."""
    with _lock:
        _cache.clear()
        _clients.clear()
