from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.decimals import plain
from adapters.errors import UpstreamBadResponse
from adapters.models import Allocation, Amount, CustomField, PaymentType, Status
from adapters.v11.full_details import parse_full_details

V11 = b"http://www.concursolutions.com/api/expense/expensereport/2011/03"


def test_full_details_as_documented(data: Callable[[str], bytes]) -> None:
    details = parse_full_details(data("v11_report_full_details.xml"))
    assert details.report_id == "4681D8C33A284E91A46E"
    assert details.report_key == "n6ujbuLd1Arwe45lT7As3ThJYJf2dAsrrEW"
    assert details.currency_code == "USD"
    assert details.approval_status == Status(code="A_PEND", name="Submitted & Pending Approval")
    assert details.payment_status == Status(code="P_NOTP", name="Not Paid")
    assert details.workflow_action_url is not None
    assert details.workflow_action_url.endswith("/WorkFlowAction")
    meal, hotel = details.entries
    assert meal.id == "nfUEGTNhWxbXkeT26XlVm9Gdqvbi8hlDa"  # RpeKey: what v1.1 entry routes take
    assert meal.report_id == "4681D8C33A284E91A46E"
    assert meal.expense_type.key == "BUSML"
    assert meal.expense_type.name == "Business Meal (attendees)"
    assert meal.payment_type == PaymentType(key="CASH")
    assert meal.transaction_date == date(2011, 5, 10)
    assert meal.posted_amount == Amount(value=Decimal("129"), currency_code="USD")
    assert meal.allocation is Allocation.PARTIAL
    assert meal.has_attendees is True
    assert meal.custom_fields == [CustomField(id="custom1", value="Project 1234", code="1234")]
    assert meal.org_units == [CustomField(id="orgUnit1", value="Engineering", code="ENG")]
    assert meal.itemizations == []
    assert meal.last_modified == datetime(2011, 5, 12, 14, 17, 10, tzinfo=UTC)

    assert hotel.id == "nHotel$Key%2"
    assert hotel.transaction_amount == Amount(value=Decimal("363.63636364"), currency_code="EUR")
    assert [item.id for item in hotel.itemizations] == ["nRoom1", "nMinibar"]
    minibar = hotel.itemizations[1]
    assert minibar.is_personal is True
    assert minibar.approved_amount is not None
    assert plain(minibar.approved_amount.value) == "0.00000000"
    assert type(details).model_validate_json(details.model_dump_json()) == details


def test_default_namespace_is_read_as_well(data: Callable[[str], bytes]) -> None:
    body = data("v11_report_full_details.xml").replace(b"xmlns:ns=", b"xmlns=")
    assert parse_full_details(body).report_key == "n6ujbuLd1Arwe45lT7As3ThJYJf2dAsrrEW"


def test_empty_workflow_action_url_means_no_action(data: Callable[[str], bytes]) -> None:
    body = data("v11_report_full_details.xml")
    start = body.index(b"<WorkflowActionURL>")
    end = body.index(b"</WorkflowActionURL>") + len(b"</WorkflowActionURL>")
    details = parse_full_details(body[:start] + b"<WorkflowActionURL />" + body[end:])
    assert details.workflow_action_url is None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            b"<RptKey>n6ujbuLd1Arwe45lT7As3ThJYJf2dAsrrEW</RptKey>\n  <ReportTotal>",
            b"<ReportTotal>",
        ),
        (b"<ApsKey>A_PEND</ApsKey>", b""),
        (b"<ReportDetails xmlns:ns", b"<ReportSummary xmlns:ns"),
        (b'xmlns:ns="' + V11, b'xmlns="http://example.com/other'),
    ],
    ids=["no RptKey", "no ApsKey", "other root", "other namespace"],
)
def test_unexpected_documents_are_bad_responses(
    data: Callable[[str], bytes], old: bytes, new: bytes
) -> None:
    body = data("v11_report_full_details.xml").replace(old, new)
    if new.startswith(b"<ReportSummary"):
        body = body.replace(b"</ReportDetails>", b"</ReportSummary>")
    with pytest.raises(UpstreamBadResponse):
        parse_full_details(body)
