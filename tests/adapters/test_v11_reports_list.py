from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from adapters.models import Amount, ReportSummary
from adapters.v11.reports_list import parse_reports_list


def test_reports_list(data: Callable[[str], bytes]) -> None:
    assert parse_reports_list(data("reports_list.xml")) == [
        ReportSummary(
            id="764428DD6A664AF0BFCB",
            name="March Expenses",
            total=Amount(value=Decimal("525.00000000"), currency_code="USD"),
            report_date=date(2020, 3, 25),
            owner_name="Miller, Chris",
            report_key="nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw",
        ),
        ReportSummary(
            id="826FB0A052BD41E48CE6",
            name="Empty report",
            total=Amount(value=Decimal("0E-8"), currency_code="EUR"),
            report_date=date(2020, 4, 1),
            owner_name="Miller, Chris",
            report_key="nKey2",
        ),
    ]


def test_empty_list() -> None:
    body = (
        b'<ReportsList xmlns="http://www.concursolutions.com/api/expense/expensereport/2011/03"/>'
    )
    assert parse_reports_list(body) == []
