from __future__ import annotations

from decimal import Decimal

from adapters.v11.currencies import currency_code


def test_known_names_codes_and_fallbacks() -> None:
    assert currency_code("US, Dollar", exchange_rate=None, report_currency=None) == "USD"
    assert currency_code("Euro", exchange_rate=Decimal("1.1"), report_currency="USD") == "EUR"
    assert currency_code("CHF", exchange_rate=None, report_currency=None) == "CHF"
    assert currency_code("Narnia, Crown", exchange_rate=Decimal(1), report_currency="GBP") == "GBP"
    assert currency_code("Narnia, Crown", exchange_rate=Decimal(2), report_currency="GBP") == "XXX"
    assert currency_code(None, exchange_rate=None, report_currency=None) == "XXX"
