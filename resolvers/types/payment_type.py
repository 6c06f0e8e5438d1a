"""A payment type."""

from __future__ import annotations

import strawberry

from adapters import models


@strawberry.type(description="How an expense was paid.")
class PaymentType:
    key: str
    name: str | None

    @classmethod
    def from_model(cls, model: models.PaymentType | None) -> PaymentType | None:
        if model is None:
            return None
        return cls(key=model.key, name=model.name)


__all__ = ["PaymentType"]
