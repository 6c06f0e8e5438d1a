from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.decimals import money, plain, rate
from adapters.models import Amount, Entry, ExpenseType


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("150", "150.00000000"),
        ("0E-8", "0.00000000"),
        ("0", "0.00000000"),
        ("-12.5", "-12.50000000"),
        ("1E+3", "1000.00000000"),
        ("0.123456789", "0.123456789"),  # more places than Concur's: kept, never rounded
    ],
)
def test_money_is_shown_at_eight_places_and_never_rounded(given: str, shown: str) -> None:
    assert plain(money(Decimal(given))) == shown
    assert Decimal(plain(money(Decimal(given)))) == Decimal(given)


def test_rates_are_shown_at_fourteen_places() -> None:
    assert plain(rate(Decimal("1.08"))) == "1.08000000000000"
    assert plain(rate(Decimal("1E+0"))) == "1.00000000000000"


def test_models_hold_the_normal_form_through_json() -> None:
    amount = Amount(value=Decimal("150"), currency_code="USD")
    assert plain(amount.value) == "150.00000000"
    assert plain(Amount.model_validate_json(amount.model_dump_json()).value) == "150.00000000"
    entry = Entry(
        id="E1", report_id="R1", expense_type=ExpenseType(key="TAXIX"), exchange_rate=Decimal(1)
    )
    assert entry.exchange_rate is not None
    assert plain(entry.exchange_rate) == "1.00000000000000"


@pytest.mark.parametrize("text", ["150", "0E-8", "12.3", "-0.5", "99999999999.1"])
def test_no_exponent_ever(text: str) -> None:
    assert "E" not in plain(money(Decimal(text))).upper()
