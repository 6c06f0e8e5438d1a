"""A custom or org-unit field of a report or entry."""

from __future__ import annotations

import strawberry

from adapters import models


@strawberry.type(
    description="A custom or org-unit field; `code` is the list item code of a list field."
)
class CustomField:
    name: str
    value: str | None
    code: str | None
    is_valid: bool

    @classmethod
    def from_model(cls, model: models.CustomField) -> CustomField:
        return cls(name=model.id, value=model.value, code=model.code, is_valid=model.is_valid)


__all__ = ["CustomField"]
