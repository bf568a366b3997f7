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
    TaskDefinitionError,
)
from .failures import Failure
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
    "TaskDefinitionError",
    "task",
]
__version__ = "0.1.0"
