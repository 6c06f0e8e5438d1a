"""Currency names as v1.1 prints them and the sandbox's fixed exchange rates.

Concur names currencies ``Country, Currency`` (``US, Dollar``, ``UK, Pound Sterling``).
When an entry is posted in a foreign currency without an ``ExchangeRate``, Concur uses
the company's configured rates; the sandbox's company has this fixed table (value of one
unit in US dollars), so posted amounts are reproducible in tests.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Final

CURRENCY_NAMES: Final[dict[str, str]] = {
    "USD": "US, Dollar",
    "EUR": "Euro Member Countries, Euro",
    "GBP": "UK, Pound Sterling",
    "CAD": "Canada, Dollar",
    "AUD": "Australia, Dollar",
    "CHF": "Switzerland, Franc",
    "JPY": "Japan, Yen",
    "INR": "India, Rupee",
    "MXN": "Mexico, Peso",
    "SEK": "Sweden, Krona",
}

USD_VALUE: Final[dict[str, Decimal]] = {
    "USD": Decimal(1),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
    "CAD": Decimal("0.74"),
    "AUD": Decimal("0.66"),
    "CHF": Decimal("1.12"),
    "JPY": Decimal("0.0067"),
    "INR": Decimal("0.012"),
    "MXN": Decimal("0.058"),
    "SEK": Decimal("0.095"),
}

_RATE_QUANTUM: Final = Decimal("0.00000000000001")
_CENT: Final = Decimal("0.01")


def currency_name(code: str) -> str:
    """The v1.1 ``TransactionCurrencyName``; an unknown code prints as itself."""
    return CURRENCY_NAMES.get(code.upper(), code.upper())


def sandbox_rate(source: str, target: str) -> Decimal | None:
    """Units of ``target`` per unit of ``source``, or None when either is unknown."""
    source, target = source.upper(), target.upper()
    if source == target:
        return Decimal(1)
    if source not in USD_VALUE or target not in USD_VALUE:
        return None
    return (USD_VALUE[source] / USD_VALUE[target]).quantize(_RATE_QUANTUM, ROUND_HALF_UP)


def convert(transaction_amount: Decimal, exchange_rate: Decimal) -> Decimal:
    """The posted amount: transaction amount times rate, rounded to the cent."""
    return (transaction_amount * exchange_rate).quantize(_CENT, ROUND_HALF_UP)


__all__ = ["CURRENCY_NAMES", "USD_VALUE", "convert", "currency_name", "sandbox_rate"]
