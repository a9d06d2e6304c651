"""Typed, frozen protocol parameters: the base of every family's ``params.py``.

A family declares its parameters once, as a frozen dataclass derived from :class:`Params`: the
defaults are the protocol of its default task, ``QUICK`` the overrides of the ``--quick`` profile,
and :func:`param` the range of each number.  Construction checks every field against its annotation
(``int``, ``float``, ``bool``, ``str``, ``Literal[...]``, ``tuple[...]``, ``Mapping[str, ...]``, ``X | None``)
and its range, and raises :class:`ParamError` naming the class, the parameter and the value; a
:class:`~benchmark.tasks.Task` adds the task's name.  ``as_dict()`` is what a Result records: every
field, defaults included, JSON-able; :meth:`Params.from_dict` reads it back.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import math
import operator
import types
import typing
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Mapping, Union

from benchmark.errors import TaskError
from benchmark.registry import did_you_mean

__all__ = ["ParamError", "Params", "param", "params_dict"]


class ParamError(TaskError):
    """A parameter that is unknown, of the wrong type or out of its range."""


def param(default=dataclasses.MISSING, *, default_factory=dataclasses.MISSING, ge=None, gt=None, le=None, lt=None,
          keys: tuple[str, ...] | None = None):
    """A :class:`Params` field with a range: ``ge``/``gt``/``le``/``lt`` bound a number (each element of a
    tuple); ``keys`` are the names a mapping may hold."""
    meta = {k: v for k, v in dict(ge=ge, gt=gt, le=le, lt=lt, keys=keys).items() if v is not None}
    return dataclasses.field(default=default, default_factory=default_factory, metadata=meta)


@dataclass(frozen=True)
class Params:
    """Base of a family's parameters; ``profile`` records the profile they were made for (``full``,
    ``quick`` or a task's own profile name)."""

    QUICK: ClassVar[Mapping[str, Any]] = {}

    profile: str = "full"

    def __post_init__(self):
        hints = _hints(type(self))
        for f in dataclasses.fields(self):
            value = _check(self, f.name, getattr(self, f.name), hints[f.name])
            _check_range(self, f, value)
            object.__setattr__(self, f.name, value)

    # ---------------------------------------------------------------- construction
    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def check_names(cls, names, what: str = "") -> None:
        """A :class:`ParamError` for the first name in ``names`` that is no parameter of ``cls``."""
        known = cls.names()
        for name in names:
            if name not in known:
                raise ParamError(f"{what}{name!r} is no parameter of {cls.__name__}{did_you_mean(name, known)}")

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]):
        """The parameters of ``values`` (the rest defaults); an unknown key raises :class:`ParamError`."""
        if isinstance(values, cls):
            return values
        values = dict(values)
        cls.check_names(values)
        return cls(**values)

    def replace(self, **changes):
        """A copy with ``changes``; a name that is no parameter raises (with "did you mean")."""
        type(self).check_names(changes)
        return dataclasses.replace(self, **changes)

    def quick(self):
        """These parameters under the quick profile (``QUICK`` overrides, ``profile="quick"``)."""
        return self.replace(**self.QUICK, profile="quick")

    # ---------------------------------------------------------------- recording
    def as_dict(self) -> dict[str, Any]:
        """Every field (defaults included) as JSON values: tuples become lists, mappings dicts."""
        return {f.name: _plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def __reduce__(self):  # mapping fields are read-only proxies, which do not pickle
        return (_rebuild, (type(self), self.as_dict()))


def _rebuild(cls, values):
    return cls.from_dict(values)


def params_dict(params: Params | Mapping[str, Any]) -> dict[str, Any]:
    """What a Result records of a task's params: :meth:`Params.as_dict`, or the plain mapping of a family
    that declares no :class:`Params` class."""
    return params.as_dict() if isinstance(params, Params) else dict(params)


def _plain(value):
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


@functools.lru_cache(maxsize=None)
def _hints(cls) -> dict[str, Any]:
    return typing.get_type_hints(cls)


class _Mismatch(Exception):
    pass


def _coerce(value, tp):
    """``value`` as type ``tp`` (a list for a tuple, an int for a float), else :class:`_Mismatch`."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (Union, types.UnionType):
        for arg in args:
            try:
                return _coerce(value, arg)
            except _Mismatch:
                continue
        raise _Mismatch
    if tp is type(None):
        if value is None:
            return None
        raise _Mismatch
    if origin is Literal:
        if any(value == a and type(value) is type(a) for a in args):
            return value
        raise _Mismatch
    if tp is bool:
        if isinstance(value, bool):
            return value
        raise _Mismatch
    if tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return int(value)
        raise _Mismatch
    if tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        raise _Mismatch
    if tp is str:
        if isinstance(value, str):
            return value
        raise _Mismatch
    if origin is tuple:
        if not isinstance(value, (tuple, list)):
            raise _Mismatch
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_coerce(v, args[0]) for v in value)
        if len(value) != len(args):
            raise _Mismatch
        return tuple(_coerce(v, a) for v, a in zip(value, args))
    if origin in (collections.abc.Mapping, dict) or tp in (Mapping, dict):
        if not isinstance(value, Mapping):
            raise _Mismatch
        key_t, val_t = args or (Any, Any)
        return types.MappingProxyType({_coerce(k, key_t): _coerce(v, val_t) for k, v in value.items()})
    raise TypeError(f"Params: unsupported annotation {tp!r}")  # pragma: no cover - a family's declaration


def _type_name(tp) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(map(repr, typing.get_args(tp)))
    if origin in (Union, types.UnionType):
        return " or ".join(_type_name(a) for a in typing.get_args(tp))
    if origin is None and isinstance(tp, type):
        return tp.__name__
    return str(tp).replace("typing.", "").replace("collections.abc.", "")


def _check(params: Params, name: str, value, tp):
    try:
        return _coerce(value, tp)
    except _Mismatch:
        raise ParamError(f"{type(params).__name__}: parameter {name} = {value!r} is not {_type_name(tp)}") from None


_BOUNDS = (("ge", operator.ge, "≥"), ("gt", operator.gt, ">"), ("le", operator.le, "≤"), ("lt", operator.lt, "<"))


def _check_range(params: Params, f: dataclasses.Field, value) -> None:
    meta = f.metadata
    where = f"{type(params).__name__}: parameter {f.name} = {_plain(value)!r}"
    if "keys" in meta and isinstance(value, Mapping):
        for key in value:
            if key not in meta["keys"]:
                raise ParamError(f"{where}: {key!r} is not one of {', '.join(meta['keys'])}"
                                 f"{did_you_mean(key, meta['keys'])}")
    values = value if isinstance(value, tuple) else (value,)
    for v in values:
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            continue
        if isinstance(v, float) and not math.isfinite(v):
            raise ParamError(f"{where} is not finite")
        for key, holds, text in _BOUNDS:
            if key in meta and not holds(v, meta[key]):
                raise ParamError(f"{where}: must be {text} {meta[key]}")
