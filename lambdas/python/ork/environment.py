"""Where a runner finds its task file and workflow directory."""

from __future__ import annotations

import os

from .contract import ENVIRONMENT
from .errors import TaskDefinitionError

_TASK_FILE = ENVIRONMENT["task_file"]
_WORKFLOW_DIR = ENVIRONMENT["workflow_dir"]


def task_location() -> tuple[str, str]:
    """``(task file, workflow dir)`` from ``ORK_TASK_FILE`` (relative to ``ORK_WORKFLOW_DIR``, else the
    Lambda task root, else the current directory)."""
    workflow_dir = os.environ.get(_WORKFLOW_DIR) or os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    task_file = os.environ.get(_TASK_FILE)
    if not task_file:
        raise TaskDefinitionError(f"{_TASK_FILE} is not set: the runner does not know which task file to run")
    return os.path.join(workflow_dir, task_file), workflow_dir
