"""Proto messages filled from canonical models by field name, so a field named alike in the
model and the message needs no line of its own in ``convert``.

A message field with a canonical twin of the same name takes the twin's value through the
converter of the field's proto type, chosen once per (message, model) pair: a message or
enum type by its full name (a Timestamp, an Amount, an Allocation), each item of a repeated
field, and a scalar (string, bool, integer) as it is. ``None`` leaves a field unset (what
proto3 ``optional`` and message fields mean by absent) and never reaches a converter. Only
what differs in name or shape is given by hand, as a keyword; a message or enum field with
no converter that is not given raises ``TypeError`` naming it, so nothing is dropped
silently.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from google.protobuf.message import Message
from pydantic import BaseModel

M = TypeVar("M", bound=Message)
Convert = Callable[[Any], Any]
Plan = tuple[tuple[str, Convert], ...]


class Filler:
    """Fills messages by name, with one converter per proto message or enum type."""

    def __init__(self, by_type: Mapping[str, Convert]) -> None:
        self._by_type = dict(by_type)
        self._plans: dict[tuple[type[Message], type[BaseModel]], Plan] = {}

    def __call__(self, message: type[M], model: BaseModel, /, **given: object) -> M:
        """``message`` with each field taken from ``model``'s field of the same name, except
        those ``given``."""
        values = {name: value for name, value in given.items() if value is not None}
        for name, convert in self._plan(message, type(model)):
            if name not in given:
                value = getattr(model, name)
                if value is not None:
                    values[name] = convert(value)
        return message(**values)

    def _plan(self, message: type[Message], model: type[BaseModel]) -> Plan:
        plan = self._plans.get((message, model))
        if plan is None:
            shared = model.model_fields
            plan = tuple(
                (f.name, self._converter(f.name, f.message_type or f.enum_type, f.is_repeated))
                for f in message.DESCRIPTOR.fields
                if f.name in shared
            )
            self._plans[(message, model)] = plan
        return plan

    def _converter(self, name: str, kind: _Type | None, repeated: bool) -> Convert:
        if kind is None:
            return _same
        convert = self._by_type.get(kind.full_name)
        if convert is None:
            return _refuse(name, kind.full_name)
        return _each(convert) if repeated else convert


class _Type(Protocol):
    """A proto message or enum type, as a field's descriptor names it."""

    @property
    def full_name(self) -> str: ...


def _same(value: object) -> object:
    return value


def _each(item: Convert) -> Convert:
    return lambda values: [item(value) for value in values]


def _refuse(name: str, kind: str) -> Convert:
    def refuse(value: object) -> object:
        raise TypeError(f"{name}: no converter for {kind}; give it by hand.")

    return refuse


__all__ = ["Filler"]
