"""Canonical models filled from v4 wire models by field name, so a field that Concur names
as we do needs no line of its own in a parser.

A canonical field with a wire twin of the same name takes the twin's value: as it is when
both have the same type; a nested wire model becomes the canonical model of that field (by
this same rule), in lists and through ``None`` too; ``None`` for a canonical field that
takes no ``None`` (an omitted list) is the canonical default. Only what differs in name or
shape is given by hand, as a keyword. A twin of another shape that is not given raises
``TypeError`` naming it, so a wrong value is never copied silently. Each pair of classes is
worked out once.
"""

from __future__ import annotations

import functools
import operator
import types
from collections.abc import Callable
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from adapters.models import Canonical

C = TypeVar("C", bound=Canonical)
Convert = Callable[[Any], Any]
Plan = tuple[tuple[str, Convert], ...]


def from_wire(cls: type[C], wire: BaseModel, /, **given: object) -> C:
    """``cls`` with each field taken from ``wire``'s field of the same name, except those
    ``given``."""
    values: dict[str, object] = dict(given)
    for name, convert in _plan(cls, type(wire)):
        if name not in values:
            values[name] = convert(getattr(wire, name))
    return cls(**values)


_PLANS: dict[tuple[type[BaseModel], type[BaseModel]], Plan] = {}
"""Each (canonical, wire) pair's shared fields and converters."""


def _plan(cls: type[BaseModel], wire_type: type[BaseModel]) -> Plan:
    plan = _PLANS.get((cls, wire_type))
    if plan is None:
        sources = wire_type.model_fields
        plan = tuple(
            (name, _field_converter(name, sources[name].annotation, target))
            for name, target in cls.model_fields.items()
            if name in sources
        )
        _PLANS[(cls, wire_type)] = plan
    return plan


def _field_converter(name: str, source: Any, target: FieldInfo) -> Convert:
    convert = _converter(source, target.annotation)
    if convert is None and _is_optional(source) and not target.is_required():
        inner = _converter(_without_none(source), target.annotation)
        if inner is not None:
            return _or_default(inner, target)
    return convert or _mismatch(name, source, target.annotation)


def _converter(source: Any, target: Any) -> Convert | None:
    """How a value of type ``source`` becomes one of type ``target``; None if it cannot."""
    if source == target:
        return _same
    if _is_optional(target):
        inner = _converter(_without_none(source), _without_none(target))
        return None if inner is None else _or_none(inner)
    if _is_optional(source):
        return None
    if get_origin(source) is list and get_origin(target) is list:
        item = _converter(get_args(source)[0], get_args(target)[0])
        return None if item is None else _each(item)
    if _is_model(source, BaseModel) and _is_model(target, Canonical):
        return _nested(target)
    return None


def _is_model(kind: Any, base: type[BaseModel]) -> bool:
    return isinstance(kind, type) and issubclass(kind, base)


def _is_optional(kind: Any) -> bool:
    return get_origin(kind) in (Union, types.UnionType) and type(None) in get_args(kind)


def _without_none(kind: Any) -> Any:
    if not _is_optional(kind):
        return kind
    return functools.reduce(operator.or_, (a for a in get_args(kind) if a is not type(None)))


def _same(value: object) -> object:
    return value


def _or_none(inner: Convert) -> Convert:
    return lambda value: None if value is None else inner(value)


def _or_default(inner: Convert, target: FieldInfo) -> Convert:
    return lambda value: (
        target.get_default(call_default_factory=True) if value is None else inner(value)
    )


def _each(item: Convert) -> Convert:
    return lambda values: [item(value) for value in values]


def _nested(target: type[Canonical]) -> Convert:
    return lambda value: from_wire(target, value)


def _mismatch(name: str, source: Any, target: Any) -> Convert:
    def refuse(value: object) -> object:
        raise TypeError(
            f"{name}: the wire's {source} does not become {target} by itself; give it by hand."
        )

    return refuse


__all__ = ["from_wire"]
