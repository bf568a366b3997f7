"""Imports task files once per process, as a warm Lambda container does."""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from types import ModuleType

from .errors import TaskDefinitionError
from .task import TaskSpec, find_task

_cache: dict[str, TaskSpec] = {}
_lock = threading.Lock()


def _module_name(path: str) -> str:
    # Unique per file so two workflows' tasks/process.py do not replace each other in sys.modules.
    stem = os.path.splitext(os.path.basename(path))[0]
    return f"ork_task_{abs(hash(path)):x}_{stem}"


def load_task(task_file: str, workflow_dir: str | None = None) -> TaskSpec:
    """The @task of a file. The file's folder and the workflow folder are importable from task code."""
    # By the name as given first: abspath on every invocation was a tenth of a no-op task's time in a worker.
    cached = _cache.get(task_file)
    if cached is not None:
        return cached
    path = os.path.abspath(task_file)
    cached = _cache.get(path)
    if cached is not None:
        _cache[task_file] = cached
        return cached
    with _lock:
        cached = _cache.get(path)
        if cached is not None:
            return cached
        if not os.path.isfile(path):
            raise TaskDefinitionError(f"task file {path} not found")
        for folder in (os.path.dirname(path), os.path.abspath(workflow_dir) if workflow_dir else None):
            if folder and folder not in sys.path:
                sys.path.insert(0, folder)
        name = _module_name(path)
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise TaskDefinitionError(f"cannot import {path}")
        module: ModuleType = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception:
            sys.modules.pop(name, None)
            raise
        found = find_task(module)
        _cache[path] = found
        _cache[task_file] = found
        return found
