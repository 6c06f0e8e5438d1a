"""Money, exact: ``value`` is a Decimal scalar serialised as a string, never a float.

Strawberry's own ``Decimal`` scalar serialises with ``str``, which prints Concur's zero as
``0E-8``; ``DECIMAL`` replaces it (same name, same input parsing) with positional text. The
scale (8 places for money, 14 for rates) is the canonical models' (``adapters.decimals``).
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Final

import strawberry
from strawberry.schema.types.base_scalars import DecimalDefinition
from strawberry.types.scalar import ScalarDefinition

from adapters import models
from adapters.decimals import plain

DECIMAL: Final[ScalarDefinition] = dataclasses.replace(
    DecimalDefinition,
    description=(
        "Decimal (fixed-point) as exact positional text, never an exponent: money at 8 "
        "decimals (150.00000000), exchange rates at 14."
    ),
    serialize=plain,
)
"""The schema's ``Decimal`` scalar (``scalar_overrides`` in ``resolvers.schema``)."""


@strawberry.type(description="An exact amount in a currency (Concur keeps 8 decimals).")
class Amount:
    value: Decimal
    currency_code: str

    @classmethod
    def from_model(cls, model: models.Amount | None) -> Amount | None:
        if model is None:
            return None
        return cls(value=model.value, currency_code=model.currency_code)


__all__ = ["DECIMAL", "Amount"]
