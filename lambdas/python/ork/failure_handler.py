"""The failure an ``on_failure:`` handler is told about: the payload's ``failure`` field (docs/payload.md).

The handler declares it in its Input model (``failure: Failure``) or reads ``ctx.failure``; an untyped
``def main(input)`` finds it as a dict under ``input["failure"]``. Its fields are the contract's
(lambdas/contract/failure-schema.ts): which task and instance failed (None when no one task did: a state of
the machine), the error name the execution fails with, its cause, and the execution's id.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Failure(BaseModel):
    """Why the workflow failed. ``instance`` is None for a fan-out as a whole (its Map state failed)."""

    model_config = ConfigDict(frozen=True)

    task: str | None = None
    instance: str | None = None
    error: str
    cause: str
    execution_id: str
