"""An expense type."""

from __future__ import annotations

import strawberry

from adapters import models


@strawberry.type(description="An expense type (its key is what new entries name).")
class ExpenseType:
    key: str
    name: str | None

    @classmethod
    def from_model(cls, model: models.ExpenseType) -> ExpenseType:
        return cls(key=model.key, name=model.name)


__all__ = ["ExpenseType"]
