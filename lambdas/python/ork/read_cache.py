"""What a worker has read from the payload store, kept for the next instances (issue 13).

Every instance of a fan-out is handed its upstream's output, whose long lists are references to the store
(``ork_items``, ``$ork_ref``, ``ork_results``). Read once per instance, a stored list of n items is read n
times: quadratic in the fan-out's size, and on AWS one S3 GET of the whole list per instance. A stored
object never changes once a reference to it is handed on (its key names the execution, the task instance
and the attempt), so one process — a local worker, a warm Lambda container — reads each one once and keeps
what it resolved to: keyed by the execution (workflow and execution id, so that a reference is only ever
answered from what was read, and checked, for the same execution) and the upstream field as the payload
holds it (its references).

The cache keeps the resolved value's JSON text, not the objects: every reader gets objects of its own
(``json.loads``, in C), so an instance that changes its input cannot change the next instance's. The
texts are bounded (``ORK_READ_CACHE_BYTES``, default 64 MiB; 0 turns the cache off); the least recently
used go first, and a value larger than the bound is not kept.
"""

from __future__ import annotations

import json
import os
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any
from weakref import WeakKeyDictionary

from .contract import ENVIRONMENT, ITEMS_KEY, REF_KEY, RESULTS_KEY

DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
_CACHE_BYTES = ENVIRONMENT["read_cache_bytes"]


def cache_bytes() -> int:
    raw = os.environ.get(_CACHE_BYTES)
    try:
        return DEFAULT_CACHE_BYTES if raw is None or raw == "" else max(0, int(raw))
    except ValueError:
        return DEFAULT_CACHE_BYTES


class _Entry:
    __slots__ = ("text", "facts")

    def __init__(self, text: str) -> None:
        self.text = text
        # What was worked out from the value once (its tolerated failures), by name.
        self.facts: dict[str, Any] = {}


class ReadCache:
    def __init__(self, limit: int | None = None) -> None:
        self._limit = limit
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._size = 0
        # Reads of the store through this cache (misses): what the tests count.
        self.reads = 0

    @property
    def limit(self) -> int:
        return cache_bytes() if self._limit is None else self._limit

    def get(self, key: Hashable, read: Callable[[], Any]) -> Any:
        """A fresh copy of what ``read()`` returned for ``key``, calling it only when nothing is kept."""
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return json.loads(entry.text)
        self.reads += 1
        value = read()
        limit = self.limit
        if limit > 0:
            try:
                text = json.dumps(value, separators=(",", ":"), allow_nan=False)
            except (TypeError, ValueError):
                return value  # not plain JSON data (NaN read from a stored text): read again next time
            if len(text) <= limit:
                self._entries[key] = _Entry(text)
                self._size += len(text)
                while self._size > limit:
                    _, old = self._entries.popitem(last=False)
                    self._size -= len(old.text)
        return value

    def fact(self, key: Hashable, name: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once for as long as ``key``'s value is kept (compute may read it through get)."""
        entry = self._entries.get(key)
        if entry is not None and name in entry.facts:
            return entry.facts[name]
        value = compute()
        entry = self._entries.get(key)
        if entry is not None:
            entry.facts[name] = value
        return value


_caches: WeakKeyDictionary[Any, ReadCache] = WeakKeyDictionary()


def cache_for(owner: Any) -> ReadCache:
    """The cache of one ``References`` (one per worker process or Lambda container)."""
    cache = _caches.get(owner)
    if cache is None:
        cache = _caches[owner] = ReadCache()
    return cache


def contains_reference(value: Any) -> bool:
    """Whether resolving ``value`` reads the store: a ``$ork_ref``, ``ork_items`` or ``ork_results`` in it."""
    if isinstance(value, dict):
        # A $ork_ref may hold any number of other fields: those kept for a condition downstream.
        if isinstance(value.get(REF_KEY), str) or (len(value) <= 2 and (ITEMS_KEY in value or RESULTS_KEY in value)):
            return True
        return any(contains_reference(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_reference(v) for v in value)
    return False
