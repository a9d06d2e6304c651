"""One generic registry for models and tasks.

Names are registered once: a duplicate raises :class:`DuplicateNameError`;
an unknown name raises :class:`UnknownNameError` with "did you mean"
suggestions.  Entries may be registered lazily as a zero-argument factory,
so nothing heavy is imported until an entry is asked for.
"""

from __future__ import annotations

import difflib
from typing import Callable, Generic, Iterator, TypeVar

from benchmark.errors import DuplicateNameError, UnknownNameError

T = TypeVar("T")


def did_you_mean(name: str, choices) -> str:
    """Return ``" (did you mean 'x'?)"`` for close matches, else ``""``."""
    close = difflib.get_close_matches(name, list(choices), n=3, cutoff=0.5)
    if not close:
        return ""
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


class Registry(Generic[T]):
    """A name → object mapping with strict registration.

    Parameters
    ----------
    kind
        What is registered ("model", "task"): used in error messages.
    """

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, T] = {}
        self._factories: dict[str, Callable[[], T]] = {}

    def register(self, name: str, obj: T) -> T:
        self._check_new(name)
        self._entries[name] = obj
        return obj

    def register_lazy(self, name: str, factory: Callable[[], T]) -> None:
        """Register ``factory``; it is called once, on first :meth:`get`."""
        self._check_new(name)
        self._factories[name] = factory

    def get(self, name: str) -> T:
        if name in self._entries:
            return self._entries[name]
        if name in self._factories:
            obj = self._factories[name]()  # a factory that raises stays registered (and raises again)
            del self._factories[name]
            self._entries[name] = obj
            return obj
        available = ", ".join(self.names()) or "none"
        raise UnknownNameError(
            f"unknown {self.kind} {name!r}{did_you_mean(name, self.names())}; "
            f"registered: {available}"
        )

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)
        self._factories.pop(name, None)

    def names(self) -> list[str]:
        return sorted([*self._entries, *self._factories])

    def __contains__(self, name: object) -> bool:
        return name in self._entries or name in self._factories

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries) + len(self._factories)

    def _check_new(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise DuplicateNameError(f"{self.kind} name must be a non-empty string, got {name!r}")
        if name in self:
            raise DuplicateNameError(f"{self.kind} {name!r} is already registered")
