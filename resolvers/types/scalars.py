"""The ``Decimal`` scalar: bounded on the way in, positional text on the way out.

On the way out Strawberry's own scalar serialises with ``str``, which prints Concur's zero as
``0E-8``; this one prints exact positional text at the canonical models' scale (8 places for
money, 14 for rates: ``adapters.decimals``).

On the way in
Strawberry's own ``Decimal`` accepts whatever ``decimal.Decimal`` does: ``NaN``,
``-Infinity`` and ``1e999999999``, which the adapters then format with ``format(x, "f")``
— a billion digits, gigabytes of memory and a frozen event loop for one 272-byte request.
Concur documents amounts as "Maximum 23 characters" with up to three decimal places, so the
text is bounded first (length, then digits and exponent read off ``as_tuple()``, which does
no arithmetic), and only a finite amount Concur could store becomes a ``Decimal``. A refusal
is a ``BadUserInput``, which the error mapping reports as ``BAD_USER_INPUT`` whether the
amount came as a variable or inline in the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, DecimalException
from typing import Final

from strawberry.types.scalar import ScalarDefinition

from adapters.decimals import plain
from adapters.errors import BadUserInput

MAX_AMOUNT_CHARS: Final = 23
"""Concur: amounts are "Maximum 23 characters"."""
MAX_DECIMAL_PLACES: Final = 8
"""Concur answers amounts with eight decimal places (``40.00000000``); more is noise."""


def _refuse(text: str, why: str) -> BadUserInput:
    shown = text if len(text) <= MAX_AMOUNT_CHARS else text[:MAX_AMOUNT_CHARS] + "…"
    return BadUserInput(f'Value cannot represent a Decimal: "{shown}" ({why}).')


def parse_bounded_decimal(value: object) -> Decimal:
    """A finite decimal of at most 23 characters and digits, or ``BadUserInput``."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadUserInput('A Decimal is a string such as "123.45" (or a number).')
    text = value if isinstance(value, str) else repr(value)
    text = text.strip()
    if len(text) > MAX_AMOUNT_CHARS:
        raise _refuse(text, f"at most {MAX_AMOUNT_CHARS} characters")
    try:
        parsed = Decimal(text)
    except DecimalException:
        raise _refuse(text, "not a decimal number") from None
    _sign, digits, exponent = parsed.as_tuple()
    if not isinstance(exponent, int):  # "n", "N" or "F": NaN, sNaN, Infinity
        raise _refuse(text, "not a finite number")
    integer_digits = len(digits) + exponent
    if integer_digits > MAX_AMOUNT_CHARS or -exponent > MAX_DECIMAL_PLACES:
        raise _refuse(text, f"at most {MAX_AMOUNT_CHARS} digits, {MAX_DECIMAL_PLACES} decimals")
    return parsed


BOUNDED_DECIMAL: Final = ScalarDefinition(
    name="Decimal",
    description=(
        "Decimal (fixed-point) as exact positional text, never an exponent: money at 8 "
        "decimals (150.00000000), exchange rates at 14."
    ),
    specified_by_url=None,
    serialize=plain,
    parse_value=parse_bounded_decimal,
    parse_literal=None,
    origin=Decimal,
)
"""Replaces Strawberry's ``Decimal`` (same name; ``scalar_overrides`` in ``resolvers.schema``)."""

SCALAR_OVERRIDES: Final[Mapping[object, ScalarDefinition]] = {Decimal: BOUNDED_DECIMAL}


__all__ = [
    "BOUNDED_DECIMAL",
    "MAX_AMOUNT_CHARS",
    "MAX_DECIMAL_PLACES",
    "SCALAR_OVERRIDES",
    "parse_bounded_decimal",
]
