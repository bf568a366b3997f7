"""What a stored output keeps beside its reference for the ``when:`` conditions downstream (docs/payload.md,
References).

A condition is a Choice state: it reads ``$.results.<task>.<path>`` and cannot open a stored output. So the
payload of a task whose output fields a condition reads names them (``condition_fields``), and when the
output goes to the store, those fields travel beside the reference at their own paths:
``{"$ork_ref": url, "bytes": N, "count": 5, "meta": {"n": 1}}``. Only values a condition compares are
kept, and only small ones (the point of storing the output is that the state stays small): null, booleans,
numbers and strings of at most 1,024 UTF-8 bytes. Anything else is left out, and the condition reads the
field as missing. Reading the reference ignores them: it stands for what it points to.

The ``ork_items`` references of the payload's ``fan_out_fields`` are kept the same way: a fan-out list is
stored on its own when the whole output would be (fan_out.py), and if the rest of the output is still too
large, the machine's Map would otherwise find no list at all.
"""

from __future__ import annotations

from typing import Any

from .contract import ITEMS_KEY, REF_KEY

KEPT_STRING_BYTES = 1024
# The reference's size: the output's own top-level field of that name takes its place when a condition reads
# it (or a field inside it), so that the condition does not read the size instead.
SIZE_KEY = "bytes"


def _keepable(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float)):
        return True
    return isinstance(value, str) and len(value.encode()) <= KEPT_STRING_BYTES


def _is_items(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(ITEMS_KEY), dict)


def _value_at(output: dict[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    node: Any = output
    for step in path:
        if not isinstance(node, dict) or step not in node:
            return False, None
        node = node[step]
    return True, node


def kept_fields(output: Any, paths: tuple[tuple[str, ...], ...], items_paths: tuple[tuple[str, ...], ...] = ()) -> dict[str, Any]:
    """The fields at ``paths`` of ``output`` that are kept, each at its path; and at ``items_paths`` (the
    payload's fan_out_fields), the ``ork_items`` references the runtime stored their lists as, so that the
    machine's Map still finds its list when the rest of the output is stored too."""
    kept: dict[str, Any] = {}
    if not isinstance(output, dict):
        return kept
    # Fan-out lists last: one replaces whatever a condition path inside it kept, never the other way round
    # (setdefault would walk into the output's own object).
    candidates = [(path, _keepable) for path in paths] + [(path, _is_items) for path in items_paths]
    for path, keep in candidates:
        # The reference's own URL cannot be replaced: a condition on such a field reads it as missing.
        if not path or path[0] == REF_KEY:
            continue
        found, value = _value_at(output, path)
        if not found or not keep(value):
            continue
        target = kept
        for step in path[:-1]:
            # A shorter path's value is an object here (a kept scalar would have no field to walk into).
            target = target.setdefault(step, {})
        target[path[-1]] = value
    return kept


def reference_with(url: str, size: int, output: Any, paths: tuple[tuple[str, ...], ...], items_paths: tuple[tuple[str, ...], ...] = ()) -> dict[str, Any]:
    """``{"$ork_ref": url, "bytes": size}`` and the kept fields of ``output``."""
    reference: dict[str, Any] = {REF_KEY: url}
    if not any(path and path[0] == SIZE_KEY for path in (*paths, *items_paths)):
        reference[SIZE_KEY] = size
    reference.update(kept_fields(output, paths, items_paths))
    return reference
