"""Failures a task instance can end with.

Step Functions matches Retry and Catch on the error name, which the Lambda runtime takes from the raised
exception's class name. Ork's own errors therefore carry dotted names (``Ork.InputValidationError``) so
that they cannot collide with a user's exception classes, and users' exceptions keep their own names
(``ValueError``), so a workflow can retry or catch them by name.
"""

from __future__ import annotations

import traceback
from typing import Any

from .masking import mask


class OrkError(Exception):
    """Base of Ork's own errors. ``retryable`` tells runners whether retrying could help."""

    error_name = "Ork.Error"
    retryable = True


def _named(name: str, base: type[OrkError], retryable: bool, doc: str) -> type[OrkError]:
    # A dotted __name__ is what the Lambda runtime reports as errorType, and so what Retry/Catch match.
    cls = type(name, (base,), {"error_name": name, "retryable": retryable, "__doc__": doc, "__module__": __name__})
    return cls


InputValidationError = _named("Ork.InputValidationError", OrkError, False, "The assembled input does not fit the task's Input model.")
OutputValidationError = _named("Ork.OutputValidationError", OrkError, False, "The task returned something that does not fit its Output model.")
InvalidPayloadError = _named("Ork.InvalidPayload", OrkError, False, "The invocation payload is not one this runtime understands.")
TaskDefinitionError = _named("Ork.TaskDefinitionError", OrkError, False, "The task file does not define a usable @task function.")
ProtocolError = _named("Ork.ProtocolError", OrkError, False, "A local worker request is not one the worker understands.")
PayloadStoreError = _named("Ork.PayloadStoreError", OrkError, True, "A large output could not be written to or read from the payload store.")
SecretNotFoundError = _named(
    "Ork.SecretNotFound",
    OrkError,
    False,
    "A secret the task reads does not exist in Secrets Manager or SSM Parameter Store (or, locally, has no value).",
)
SecretAccessDeniedError = _named(
    "Ork.SecretAccessDenied",
    OrkError,
    False,
    "The task's role may not read a secret, or its KMS key may not be used to decrypt it.",
)
SecretNotDeclaredError = _named(
    "Ork.SecretNotDeclared",
    OrkError,
    False,
    "The task read a secret that its ``secrets:`` in workflow.yaml does not list.",
)
ForeignReferenceError = _named(
    "Ork.ForeignReference",
    OrkError,
    False,
    "A payload reference in the data points outside this execution's own payload store (docs/payload.md).",
)


def error_name(error: BaseException) -> str:
    """The name Step Functions sees for this error."""
    return getattr(error, "error_name", None) or type(error).__name__


def describe_failure(error: BaseException) -> dict[str, Any]:
    """A structured failure: name, message, whether to retry, and the whole traceback including causes.
    A secret value the task read (ctx.secrets) is masked in the message and the traceback."""
    return {
        "type": error_name(error),
        "message": mask(str(error)),
        "retryable": bool(getattr(error, "retryable", True)),
        "traceback": mask("".join(traceback.format_exception(error))),
    }


def masked_exception(error: BaseException) -> BaseException:
    """``error``, or when its message holds a secret value, an exception of the same name (what Step
    Functions matches) whose message is masked: the Lambda runtime reports ``str(error)`` as the cause."""
    text = str(error)
    masked = mask(text)
    if masked == text:
        return error
    cls = type(error_name(error), (Exception,), {"retryable": bool(getattr(error, "retryable", True)), "__module__": type(error).__module__})
    replacement: BaseException = cls(masked)
    return replacement.with_traceback(error.__traceback__)
