"""Money, exact: ``value`` is a Decimal scalar serialised as a string, never a float.

The ``Decimal`` scalar itself (positional text out, bounded text in) is in ``scalars``.
"""

from __future__ import annotations

from decimal import Decimal

import strawberry

from adapters import models


@strawberry.type(description="An exact amount in a currency (Concur keeps 8 decimals).")
class Amount:
    value: Decimal
    currency_code: str

    @classmethod
    def from_model(cls, model: models.Amount | None) -> Amount | None:
        if model is None:
            return None
        return cls(value=model.value, currency_code=model.currency_code)


__all__ = ["Amount"]
