"""Ork task SDK: ``from ork import task, Context``."""

from .context import Context
from .errors import (
    ForeignReferenceError,
    InputValidationError,
    InvalidPayloadError,
    OrkError,
    OutputValidationError,
    PayloadStoreError,
    ProtocolError,
    SecretAccessDeniedError,
    SecretNotDeclaredError,
    SecretNotFoundError,
    TaskDefinitionError,
)
from .failure_handler import Failure
from .failures import ToleratedFailure
from .secrets import Secrets
from .task import task

__all__ = [
    "Context",
    "Failure",
    "ForeignReferenceError",
    "InputValidationError",
    "InvalidPayloadError",
    "OrkError",
    "OutputValidationError",
    "PayloadStoreError",
    "ProtocolError",
    "SecretAccessDeniedError",
    "SecretNotDeclaredError",
    "SecretNotFoundError",
    "Secrets",
    "TaskDefinitionError",
    "ToleratedFailure",
    "task",
]
__version__ = "0.1.0"
