"""The input of a task without an Input model (``def main(input)``): a dict whose stored fields are read on use.

Such a task receives every field: ``item``, ``params`` and one per upstream task. An upstream output that
holds references to the payload store — above all the stored list a ``foreach:`` fans out over, which every
instance is handed — is resolved when the task first reads that field, not before: an instance that reads
only ``input["item"]`` costs the same whatever the size of the list (issue 13: resolved eagerly, a
3,000-item foreach of untyped tasks took eight times as long as of typed ones, and 100,000 items ran at 27
per second). Reading the field gives the whole output, as the Input contract says (docs/python-sdk.md).

It is a real ``dict`` (``isinstance`` holds, ``json.dumps``, ``dict(…)``, ``{**input}``, iteration and
comparison see every field): whatever looks at the values of the whole dict resolves the pending fields
first; the names alone (``in``, ``len``, iteration) read nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class LazyInput(dict):  # type: ignore[type-arg]
    __slots__ = ("_pending", "_resolve")

    def __init__(self, ready: dict[str, Any], pending: dict[str, Any], resolve: Callable[[str, Any], Any]) -> None:
        super().__init__(ready)
        self._pending = dict(pending)
        self._resolve = resolve

    def _load(self, key: str) -> Any:
        value = self._resolve(key, self._pending[key])
        del self._pending[key]
        dict.__setitem__(self, key, value)
        return value

    def _load_all(self) -> None:
        for key in list(self._pending):
            self._load(key)

    @property
    def pending(self) -> frozenset[str]:
        """The fields not read yet (for tests and debugging)."""
        return frozenset(self._pending)

    # One field: resolve that one only.
    def __missing__(self, key: Any) -> Any:
        if key in self._pending:
            return self._load(key)
        raise KeyError(key)

    def get(self, key: Any, default: Any = None) -> Any:
        if key in self._pending:
            return self._load(key)
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._pending or dict.__contains__(self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        self._pending.pop(key, None)
        dict.__setitem__(self, key, value)

    def __delitem__(self, key: Any) -> None:
        if self._pending.pop(key, _ABSENT) is not _ABSENT:
            dict.pop(self, key, None)
            return
        dict.__delitem__(self, key)

    def pop(self, key: Any, *default: Any) -> Any:
        if key in self._pending:
            self._load(key)
        return dict.pop(self, key, *default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key in self._pending:
            return self._load(key)
        return dict.setdefault(self, key, default)

    # The names alone: nothing to read.
    def __iter__(self) -> Iterator[Any]:
        return iter([*dict.__iter__(self), *self._pending])

    # The whole dict: resolve every pending field first.

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._pending)

    def __reversed__(self) -> Iterator[Any]:
        self._load_all()
        return dict.__reversed__(self)

    def keys(self):  # type: ignore[no-untyped-def]
        self._load_all()
        return dict.keys(self)

    def values(self):  # type: ignore[no-untyped-def]
        self._load_all()
        return dict.values(self)

    def items(self):  # type: ignore[no-untyped-def]
        self._load_all()
        return dict.items(self)

    def popitem(self) -> tuple[Any, Any]:
        self._load_all()
        return dict.popitem(self)

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key in dict(*args, **kwargs):
            self._pending.pop(key, None)
        dict.update(self, *args, **kwargs)

    def clear(self) -> None:
        self._pending.clear()
        dict.clear(self)

    def copy(self) -> dict[str, Any]:
        self._load_all()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._load_all()
        if isinstance(other, LazyInput):
            other._load_all()
        return dict.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = None

    def __or__(self, other: Any) -> Any:
        self._load_all()
        return dict.__or__(dict(dict.items(self)), other)

    def __ror__(self, other: Any) -> Any:
        self._load_all()
        return dict.__ror__(dict(dict.items(self)), other)

    def __ior__(self, other: Any) -> LazyInput:
        self.update(other)
        return self

    def __repr__(self) -> str:
        self._load_all()
        return dict.__repr__(self)

    def __reduce__(self) -> Any:
        # copy.copy, copy.deepcopy and pickle make a plain dict of every field.
        self._load_all()
        return (dict, (dict(dict.items(self)),))

    def __reduce_ex__(self, protocol: Any) -> Any:
        return self.__reduce__()


_ABSENT = object()
