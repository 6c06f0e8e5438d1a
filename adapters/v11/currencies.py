"""Concur's currency names → ISO 4217 codes.

The v1.1/v2.0 entry documents name the transaction currency (``US, Dollar``) but never its
code, and the v1.1 entry omits the report currency entirely. The canonical ``Amount`` needs a
code, so well-known names are mapped here. Unknown names fall back to the report currency
when the exchange rate is exactly 1 (same currency), else to ``XXX``, ISO 4217's code for
"no currency", which never passes for a real one.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

UNKNOWN_CURRENCY: Final = "XXX"

CURRENCY_CODES: Final = {
    "us, dollar": "USD",
    "euro": "EUR",
    "uk, pound sterling": "GBP",
    "united kingdom, pound sterling": "GBP",
    "canada, dollar": "CAD",
    "australia, dollar": "AUD",
    "new zealand, dollar": "NZD",
    "japan, yen": "JPY",
    "china, yuan renminbi": "CNY",
    "hong kong, dollar": "HKD",
    "singapore, dollar": "SGD",
    "india, rupee": "INR",
    "switzerland, franc": "CHF",
    "sweden, krona": "SEK",
    "norway, krone": "NOK",
    "denmark, krone": "DKK",
    "poland, zloty": "PLN",
    "czech republic, koruna": "CZK",
    "hungary, forint": "HUF",
    "mexico, peso": "MXN",
    "brazil, real": "BRL",
    "south africa, rand": "ZAR",
    "korea (south), won": "KRW",
    "south korea, won": "KRW",
    "israel, new shekel": "ILS",
    "united arab emirates, dirham": "AED",
}


def currency_code(
    name: str | None, *, exchange_rate: Decimal | None, report_currency: str | None
) -> str:
    """The ISO code for a Concur currency name (see the module docstring for fallbacks)."""
    if name is not None:
        stripped = name.strip()
        if len(stripped) == 3 and stripped.isalpha() and stripped.isupper():
            return stripped
        code = CURRENCY_CODES.get(stripped.lower())
        if code is not None:
            return code
    if report_currency is not None and exchange_rate is not None and exchange_rate == 1:
        return report_currency
    return UNKNOWN_CURRENCY


__all__ = ["CURRENCY_CODES", "UNKNOWN_CURRENCY", "currency_code"]
