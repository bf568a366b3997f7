"""Spilling a ``foreach:`` source list to the payload store (docs/scale.md, "Upstream of a foreach").

A list of more than ``above`` elements is replaced by ``{"ork_items": {"bucket", "key", "count"}}``: the
compiled machine takes the Distributed Map when it finds that reference (its ItemReader reads the list from
the store), the inline Map when it finds the list itself. A field that is absent or not a list is left as
it is: the machine's guards report it with the error names users know (``Ork.FanOutSourceMissing`` …).

A shorter list is stored too when the whole output is above the large-output threshold: otherwise the
output would travel as one reference and the machine could not see the list at all.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .payload import FanOutField
from .payload_store import References, Scope

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def items_key(output_key: str, path: tuple[str | int, ...]) -> str:
    """``…/process_item_3_-attempt1.json`` → ``…/process_item_3_-attempt1-items-files.json``."""
    stem = output_key[: -len(".json")] if output_key.endswith(".json") else output_key
    return f"{stem}-items-{_UNSAFE.sub('_', '.'.join(str(p) for p in path))}.json"


def _get(container: Any, step: str | int) -> tuple[bool, Any]:
    if isinstance(container, dict) and isinstance(step, str) and step in container:
        return True, container[step]
    if isinstance(container, list) and isinstance(step, int) and -len(container) <= step < len(container):
        return True, container[step]
    return False, None


def _replaced(container: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A copy of ``container`` with ``value`` at ``path``, copying only the containers on the way: the
    task's own objects (a dict it returned) are not changed under it."""
    step, rest = path[0], path[1:]
    copy: Any = dict(container) if isinstance(container, dict) else list(container)
    copy[step] = value if not rest else _replaced(container[step], rest, value)
    return copy


def _oversized(output: Any, references: References, threshold: int | None) -> bool:
    limit = references.threshold if threshold is None else min(threshold, references.threshold)
    return len(json.dumps(output, separators=(",", ":"), default=str).encode()) > limit


def spill_fan_out_fields(
    output: Any,
    fields: tuple[FanOutField, ...],
    references: References,
    output_key: str,
    threshold: int | None = None,
    scope: Scope | None = None,
) -> Any:
    # Whether the output would go to the store whole: then any fan-out list is stored on its own instead.
    oversized = bool(fields) and _oversized(output, references, threshold)
    for field in fields:
        node: Any = output
        found = True
        for step in field.path:
            found, node = _get(node, step)
            if not found:
                break
        if found:
            # An ``ork_items`` the task returned rather than one this runtime wrote (its params passed on):
            # the machine's ItemReader would read it as the fan-out's list, so it must be this execution's.
            references.check_items(node, scope)
        if not found or not isinstance(node, list) or (len(node) <= field.above and not oversized):
            continue
        reference = references.store_items(node, items_key(output_key, field.path))
        output = _replaced(output, field.path, reference)
    return output
