"""Graph types filled from canonical models by field name, so a new field is declared once.

A plain field of the graph type (one without a resolver) takes the canonical model's
attribute of the same name; a nested graph type with a ``from_model`` converts its value
(in lists and through ``None`` too). Only what differs in name or shape is given by hand,
as a keyword.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from strawberry.types.base import StrawberryList, StrawberryOptional, get_object_definition

T = TypeVar("T")
Convert = Callable[[Any], Any]


def from_model(cls: type[T], source: BaseModel, /, **given: object) -> T:
    """``cls`` with each field taken from ``source`` by name, except those ``given``."""
    values: dict[str, object] = dict(given)
    plan = _PLANS.get(cls) or _PLANS.setdefault(cls, _plan(cls))
    for name, convert in plan:
        if name not in values:
            values[name] = convert(getattr(source, name))
    return cls(**values)


_PLANS: dict[type[Any], tuple[tuple[str, Convert], ...]] = {}
"""Each graph type's fields and converters, worked out once."""


def _plan(cls: type[Any]) -> tuple[tuple[str, Convert], ...]:
    definition = get_object_definition(cls, strict=True)
    return tuple(
        (f.python_name, _converter(f.type)) for f in definition.fields if f.base_resolver is None
    )


def _converter(kind: object) -> Convert:
    if isinstance(kind, StrawberryOptional):
        inner = _converter(kind.of_type)
        return lambda value: None if value is None else inner(value)
    if isinstance(kind, StrawberryList):
        item = _converter(kind.of_type)
        return lambda values: [item(value) for value in values]
    make = getattr(kind, "from_model", None)
    if make is not None and get_object_definition(kind) is not None:
        return make  # type: ignore[no-any-return]
    return _same


def _same(value: object) -> object:
    return value


__all__ = ["from_model"]
