"""One normal form for Concur's decimals, decided once for every answer.

Concur prints money with 8 decimals (``525.00000000``) and zero as ``0E-8``; v4 JSON prints
whatever JSON number it likes (``150``). Passed through, one field would show ``150``,
``150.00000000`` and ``0E-8`` side by side. So every money value is brought to Concur's
scale of 8 places, and every exchange rate to Concur's 14, *without ever rounding*: a value
with more significant places than the scale keeps them (it is still exact, only longer).
Rendered text is always positional (``format(value, "f")``), never exponent notation.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Final

from pydantic import AfterValidator

MONEY_PLACES: Final = 8
"""Concur's scale for amounts (v1.1/v2.0 XML: ``150.00000000``)."""
RATE_PLACES: Final = 14
"""Concur's scale for exchange rates (v1.1/v2.0 XML: ``1.00000000000000``)."""


def at_scale(value: Decimal, places: int) -> Decimal:
    """``value`` with exactly ``places`` decimals, unless that would round it."""
    if not value.is_finite():
        return value
    try:
        scaled = value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:  # more digits than the context holds: keep it as it is
        return value
    return scaled if scaled == value else value


def money(value: Decimal) -> Decimal:
    return at_scale(value, MONEY_PLACES)


def rate(value: Decimal) -> Decimal:
    return at_scale(value, RATE_PLACES)


def plain(value: Decimal) -> str:
    """Positional text: ``0E-8`` → ``0.00000000``; never an exponent."""
    return format(value, "f")


Money = Annotated[Decimal, AfterValidator(money)]
"""A money amount in the canonical models: always at Concur's 8 places."""
Rate = Annotated[Decimal, AfterValidator(rate)]
"""An exchange rate in the canonical models: always at Concur's 14 places."""

__all__ = ["MONEY_PLACES", "RATE_PLACES", "Money", "Rate", "at_scale", "money", "plain", "rate"]
