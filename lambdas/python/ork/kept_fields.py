"""What a stored output keeps beside its reference for the ``when:`` conditions downstream (docs/payload.md,
References).

A condition is a Choice state: it reads ``$.results.<task>.<path>`` and cannot open a stored output. So the
payload of a task whose output fields a condition reads names them (``condition_fields``), and when the
output goes to the store, those fields travel beside the reference at their own paths:
``{"$ork_ref": url, "bytes": N, "count": 5, "meta": {"n": 1}}``. Only values a condition compares are
kept, and only small ones (the point of storing the output is that the state stays small): null, booleans,
numbers and strings of at most 1,024 UTF-8 bytes. Anything else is left out, and the condition reads the
field as missing. Reading the reference ignores them: it stands for what it points to.
"""

from __future__ import annotations

from typing import Any

from .contract import REF_KEY

KEPT_STRING_BYTES = 1024
# The reference's size: the output's own top-level field of that name takes its place when a condition reads
# it (or a field inside it), so that the condition does not read the size instead.
SIZE_KEY = "bytes"


def _keepable(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float)):
        return True
    return isinstance(value, str) and len(value.encode()) <= KEPT_STRING_BYTES


def kept_fields(output: Any, paths: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """The fields at ``paths`` of ``output`` that are kept, each at its path."""
    kept: dict[str, Any] = {}
    if not isinstance(output, dict):
        return kept
    for path in paths:
        # The reference's own URL cannot be replaced: a condition on such a field reads it as missing.
        if path[0] == REF_KEY:
            continue
        node: Any = output
        found = True
        for step in path:
            if not isinstance(node, dict) or step not in node:
                found = False
                break
            node = node[step]
        if not found or not _keepable(node):
            continue
        target = kept
        for step in path[:-1]:
            # A shorter path's value is an object here (a kept scalar would have no field to walk into).
            target = target.setdefault(step, {})
        target[path[-1]] = node
    return kept


def reference_with(url: str, size: int, output: Any, paths: tuple[tuple[str, ...], ...]) -> dict[str, Any]:
    """``{"$ork_ref": url, "bytes": size}`` and the kept fields of ``output``."""
    reference: dict[str, Any] = {REF_KEY: url}
    if not any(path[0] == SIZE_KEY for path in paths):
        reference[SIZE_KEY] = size
    reference.update(kept_fields(output, paths))
    return reference
