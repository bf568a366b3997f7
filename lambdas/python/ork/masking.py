"""Secret values kept out of what a task writes down: ``ctx.log`` lines and failure causes.

Every value ``ctx.secrets`` hands out is registered here (and, for a JSON secret, each of its string
leaves), for the life of the process: a value read once may have been copied anywhere since. ``mask``
replaces each occurrence with ``***``. Values shorter than ``MIN_MASKED`` characters are not registered:
masking ``"1"`` or ``"us"`` in every log line would hide more than it protects.
"""

from __future__ import annotations

import json
import re
import threading
from typing import Any

MASK = "***"
MIN_MASKED = 4

_values: set[str] = set()
_pattern: re.Pattern[str] | None = None
_lock = threading.Lock()


def register(value: str) -> None:
    """Masks ``value`` from now on, and the string leaves of its JSON when it is a JSON object or list."""
    candidates = [value]
    stripped = value.strip()
    if stripped[:1] in ("{", "["):
        try:
            candidates.extend(_string_leaves(json.loads(stripped)))
        except ValueError:
            pass
    fresh = {text for text in candidates if len(text) >= MIN_MASKED and text not in _values}
    if not fresh:
        return
    global _pattern
    with _lock:
        _values.update(fresh)
        # Longest first: a value that contains another is masked whole, not around the shorter one.
        ordered = sorted(_values, key=len, reverse=True)
        _pattern = re.compile("|".join(re.escape(text) for text in ordered))


def _string_leaves(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [leaf for item in data.values() for leaf in _string_leaves(item)]
    if isinstance(data, list):
        return [leaf for item in data for leaf in _string_leaves(item)]
    return []


def mask(text: str) -> str:
    """``text`` with every registered value replaced by ``***``."""
    pattern = _pattern
    return text if pattern is None else pattern.sub(MASK, text)


def mask_data(data: Any) -> Any:
    """A copy of JSON-like data whose strings (keys too) are masked; the same object when nothing is registered."""
    if _pattern is None:
        return data
    if isinstance(data, str):
        return mask(data)
    if isinstance(data, dict):
        return {mask(key) if isinstance(key, str) else key: mask_data(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [mask_data(item) for item in data]
    if data is None or isinstance(data, (bool, int, float)):
        return data
    # Any other object is written as its str() (the sinks' json default): masked in that form.
    return mask(str(data))


def active() -> bool:
    """Whether any value is registered (the writers skip masking altogether until one is)."""
    return _pattern is not None


def _forget_all() -> None:
    """For tests: a fresh process's state."""
    global _pattern
    with _lock:
        _values.clear()
        _pattern = None
