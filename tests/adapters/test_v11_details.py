from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.decimals import plain
from adapters.errors import UpstreamBadResponse
from adapters.models import Allocation, Amount, CustomField, PaymentType, Status
from adapters.v11.details import parse_report_details


def test_report_details(data: Callable[[str], bytes]) -> None:
    details = parse_report_details(data("v20_report_details.xml"))
    assert details.report_id == "764428DD6A664AF0BFCB"
    assert details.report_key is None  # v2.0's unencrypted ReportKey is no v1.1 key
    assert details.approval_status == Status(code="A_PEND", name="Submitted & Pending Approval")
    assert details.payment_status == Status(code="P_NOTP", name="Not Paid")
    assert details.workflow_action_url == (
        "http://127.0.0.1:8081/api/expense/expensereport/v1.1/report/nStep$Key1/workflowaction"
    )
    meal, hotel = details.entries
    assert meal.id == "nbmTPob9qSUJWKttTEr6MLaXaPKYYPv7U"
    assert meal.report_id == "764428DD6A664AF0BFCB"
    assert meal.payment_type == PaymentType(key="CASH", name="Cash")
    assert meal.transaction_date == date(2020, 3, 10)
    assert meal.posted_amount == Amount(value=Decimal("125.00000000"), currency_code="USD")
    assert meal.allocation is Allocation.PARTIAL
    assert meal.custom_fields == [
        CustomField(id="custom1", value="Project 1234", code="1234"),
        CustomField(id="custom2", value="Plain text"),
    ]
    assert meal.org_units == [CustomField(id="orgUnit1", value="Engineering", code="ENG")]
    assert meal.itemizations == []  # the Regular copy is not an itemization
    assert meal.last_modified == datetime(2020, 3, 25, 20, 45, tzinfo=UTC)

    assert hotel.transaction_amount == Amount(value=Decimal("363.63636364"), currency_code="EUR")
    assert hotel.posted_amount == Amount(value=Decimal("400.00000000"), currency_code="USD")
    assert hotel.is_itemized is True
    assert [item.id for item in hotel.itemizations] == ["nRoom1", "nMinibar"]
    assert plain(hotel.itemizations[1].approved_amount.value) == "0.00000000"  # type: ignore[union-attr]
    assert hotel.itemizations[1].is_personal is True
    assert type(details).model_validate_json(details.model_dump_json()) == details


def test_empty_workflow_action_url_means_no_action(data: Callable[[str], bytes]) -> None:
    body = data("v20_report_details.xml").replace(
        b"<WorkflowActionURL>http://127.0.0.1:8081/api/expense/expensereport/v1.1/report/"
        b"nStep$Key1/workflowaction</WorkflowActionURL>",
        b"<WorkflowActionURL />",
    )
    assert parse_report_details(body).workflow_action_url is None


def test_details_without_report_key_are_read(data: Callable[[str], bytes]) -> None:
    """Only a Web Services Administrator is sent ``ReportKey``; a Company Administrator's
    details lack it and are just as readable."""
    body = data("v20_report_details.xml").replace(
        b"<ReportKey>nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw</ReportKey>", b""
    )
    details = parse_report_details(body)
    assert details.report_id == "764428DD6A664AF0BFCB"
    assert details.report_key is None


def test_v11_namespace_is_not_accepted_for_v20_details(data: Callable[[str], bytes]) -> None:
    body = data("v20_report_details.xml").replace(b"2012/07", b"2011/03")
    with pytest.raises(UpstreamBadResponse):
        parse_report_details(body)
