from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from adapters.errors import BadUserInput, UpstreamBadResponse
from adapters.models import Amount, CustomField, NewReport, Report, ReportSummary, Status
from adapters.v4.reports import (
    new_report_body,
    parse_created_id,
    parse_report,
    parse_reports_to_approve,
    update_report_body,
)


def test_doc_report_details_sample(data: Callable[[str], bytes]) -> None:
    report = parse_report(data("v4_report_details.json"))
    assert report.id == "764428DD6A664AF0BFCB"
    assert report.name == "March Expenses"
    assert report.business_purpose == "Facility cleaning and renovation"
    assert report.report_date == date(2020, 3, 25)
    assert report.creation_date == datetime(2020, 3, 25, 20, 42, 39, tzinfo=UTC)
    assert report.submit_date is None
    assert report.currency_code == "USD"
    assert report.approval_status == Status(code="A_NOTF", name="Not Submitted")
    assert report.payment_status == Status(code="P_NOTP", name="Not Paid")
    assert report.owner_id == "32c2fcc3-b2e8-4907-9672-5b3f49b1c643"
    assert report.policy == "JH - US Expense Policy"
    assert report.policy_id == "EE095F66AEF52B4A9CE62952601E5CB1"
    assert report.can_recall is False
    assert report.version == 0
    # Exact digits: 525.00000000 stays 525.00000000 and 0E-8 stays 0E-8 (never via float).
    assert report.total == Amount(value=Decimal("525.00000000"), currency_code="USD")
    assert str(report.total.value) == "525.00000000"  # type: ignore[union-attr]
    assert str(report.claimed.value) == "525.00000000"  # type: ignore[union-attr]
    assert str(report.approved.value) == "525.00000000"  # type: ignore[union-attr]
    assert str(report.amount_due_employee.value) == "0E-8"  # type: ignore[union-attr]
    assert str(report.personal.value) == "0E-8"  # type: ignore[union-attr]
    assert report.custom_data[0] == CustomField(
        id="custom15", value="4366A89A916F074099A971B000989A94"
    )
    assert len(report.custom_data) == 4
    dumped = report.model_dump(mode="json")
    assert dumped["total"]["value"] == "525.00000000"
    assert dumped["personal"]["value"] == "0E-8"
    assert type(report).model_validate_json(report.model_dump_json()) == report


def usd(value: str) -> Amount:
    return Amount(value=Decimal(value), currency_code="USD")


def test_doc_report_details_sample_is_exactly_this_report(data: Callable[[str], bytes]) -> None:
    """Every field, those copied by name and those given by hand."""
    expected = Report(
        id="764428DD6A664AF0BFCB",
        name="March Expenses",
        business_purpose="Facility cleaning and renovation",
        report_number=None,
        report_date=date(2020, 3, 25),
        creation_date=datetime(2020, 3, 25, 20, 42, 39, tzinfo=UTC),
        submit_date=None,
        currency_code="USD",
        total=usd("525.00000000"),
        claimed=usd("525.00000000"),
        approved=usd("525.00000000"),
        amount_due_employee=usd("0E-8"),
        amount_due_company_card=usd("0E-8"),
        personal=usd("0E-8"),
        approval_status=Status(code="A_NOTF", name="Not Submitted"),
        payment_status=Status(code="P_NOTP", name="Not Paid"),
        owner_id="32c2fcc3-b2e8-4907-9672-5b3f49b1c643",
        policy="JH - US Expense Policy",
        policy_id="EE095F66AEF52B4A9CE62952601E5CB1",
        custom_data=[
            CustomField(id="custom15", value="4366A89A916F074099A971B000989A94"),
            CustomField(id="custom16", value="Test33224ASDF"),
            CustomField(id="custom3", value="582AE31D0F506C4BAA97573F2A90F03B"),
            CustomField(id="custom4", value="79AE45D0F6757946AC2B01CDFA6CA326"),
        ],
        can_recall=False,
        version=0,
    )
    report = parse_report(data("v4_report_details.json"))
    assert report == expected
    assert report.model_dump_json() == expected.model_dump_json()


def test_a_report_with_only_its_required_fields() -> None:
    """Absent statuses' names fall back to their codes; an absent or null list is empty."""
    expected = Report(
        id="R1",
        approval_status=Status(code="A_PEND", name="A_PEND"),
        payment_status=Status(code="P_NOTP", name="P_NOTP"),
    )
    required = b'"reportId": "R1", "approvalStatusId": "A_PEND", "paymentStatusId": "P_NOTP"'
    assert parse_report(b"{" + required + b"}") == expected
    assert parse_report(b"{" + required + b', "customData": null}') == expected


def test_amounts_named_alike_are_copied_and_custom_fields_keep_their_validity() -> None:
    body = (
        b'{"reportId": "R1", "approvalStatusId": "A_PEND", "paymentStatusId": "P_NOTP",'
        b' "amountDueEmployee": {"value": 150, "currencyCode": "EUR"},'
        b' "amountDueCompanyCard": {"value": 0E-8, "currencyCode": "EUR"},'
        b' "customData": [{"id": "c1", "isValid": false, "listItemUrl": "https://x"}],'
        b' "canRecall": true, "reportVersion": 7}'
    )
    report = parse_report(body)
    assert str(report.amount_due_employee.value) == "150.00000000"  # type: ignore[union-attr]
    assert str(report.amount_due_company_card.value) == "0E-8"  # type: ignore[union-attr]
    assert report.amount_due_company_card.currency_code == "EUR"  # type: ignore[union-attr]
    assert report.custom_data == [CustomField(id="c1", is_valid=False)]
    assert (report.can_recall, report.version) == (True, 7)


def test_reports_to_approve() -> None:
    body = json.dumps(
        [
            {
                "reportId": "ABC",
                "name": "Trip",
                "reportNumber": "N1",
                "reportDate": "2024-05-01",
                "submitDate": "2024-05-02T10:00:00Z",
                "approver": {"employeeId": "m", "employeeUuid": "u-m"},
                "employee": {"employeeId": "t", "employeeUuid": "u-t"},
                "amountDueEmployee": {"value": 0, "currencyCode": "USD"},
                "claimedAmount": {"value": 12.5, "currencyCode": "USD"},
                "totalApprovedAmount": {"value": 12.5, "currencyCode": "USD"},
                "hasExceptions": False,
                "reportType": "Regular",
            }
        ]
    ).encode()
    assert parse_reports_to_approve(body) == [
        ReportSummary(
            id="ABC",
            name="Trip",
            total=Amount(value=Decimal("12.5"), currency_code="USD"),
            report_date=date(2024, 5, 1),
        )
    ]


def test_schema_violations_are_bad_responses() -> None:
    with pytest.raises(UpstreamBadResponse):
        parse_report(b'{"name": "no id or statuses"}')
    with pytest.raises(UpstreamBadResponse):
        parse_report(b"{not json")


def test_new_report_body_omits_absent_fields() -> None:
    body = json.loads(
        new_report_body(
            NewReport(
                name="July Office Facility Supplies",
                business_purpose="Office Facility Supplies",
                start_date=date(2024, 7, 1),
                custom_data=[CustomField(id="custom15", value="E31CB42509F9FF408BA7DD6713AB49BD")],
            )
        )
    )
    assert body == {
        "name": "July Office Facility Supplies",
        "businessPurpose": "Office Facility Supplies",
        "startDate": "2024-07-01",
        "customData": [{"id": "custom15", "value": "E31CB42509F9FF408BA7DD6713AB49BD"}],
    }


def test_update_maps_canonical_names_and_adds_report_source() -> None:
    body = json.loads(
        update_report_body(
            {
                "business_purpose": "Office Facility Supplies",
                "custom_data": [{"id": "custom15", "value": "E31CB42509F9FF408BA7DD6713AB49BD"}],
                "end_date": date(2024, 7, 31),
                "start_date": "2024-07-01",
                "comment": None,
                "is_paper_receipts_received": True,
            }
        )
    )
    assert body == {
        "businessPurpose": "Office Facility Supplies",
        "customData": [{"id": "custom15", "value": "E31CB42509F9FF408BA7DD6713AB49BD"}],
        "endDate": "2024-07-31",
        "startDate": "2024-07-01",
        "comment": None,
        "isPaperReceiptsReceived": True,
        "reportSource": "OTHER",
    }


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"reportName": "x"}, "reportName"),
        ({"report_source": "UI"}, "report_source"),
        ({"name": 5}, "name"),
        ({"start_date": "01/07/2024"}, "start_date"),
        ({"is_paper_receipts_received": "yes"}, "is_paper_receipts_received"),
        ({"custom_data": "x"}, "custom_data"),
        ({}, "patch"),
    ],
)
def test_update_refuses_what_it_cannot_map(patch: dict[str, object], field: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        update_report_body(patch)
    assert caught.value.field == field


def test_created_id_from_uri() -> None:
    body = (
        b'{"uri": "https://us.api.concursolutions.com/expensereports/v4/users/32C2FCC3-B2E8-4907'
        b'-9672-5B3F49B1C643/context/TRAVELER/reports/826FB0A052BD41E48CE6"}'
    )
    assert parse_created_id(body) == "826FB0A052BD41E48CE6"
    with pytest.raises(UpstreamBadResponse):
        parse_created_id(b'{"uri": "https://example.com/nothing"}')
