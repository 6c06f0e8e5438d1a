from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from adapters.errors import BadUserInput
from adapters.models import (
    Allocation,
    Amount,
    CustomField,
    EntryResult,
    ExpenseType,
    NewEntry,
    PaymentType,
)
from adapters.v11.entries import (
    build_report_entries,
    parse_entry_status_list,
    parse_expense_entry,
)


def canonical(body: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    return etree.tostring(etree.fromstring(body, parser), method="c14n")


def test_doc_expense_entry_sample(data: Callable[[str], bytes]) -> None:
    entry = parse_expense_entry(data("expense_entry.xml"))
    assert entry.id == "nbmTPob9qSUJWKttTEr6MLaXaPKYYPv7U"
    # Without a plain id the opaque key from ReportID is kept.
    assert entry.report_id == "nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw"
    assert entry.expense_type == ExpenseType(key="BUSML", name="OTHER")
    assert entry.spend_category == "Miscellaneous"
    assert entry.transaction_date == date(2011, 6, 15)
    assert entry.transaction_amount == Amount(value=Decimal("40.00000000"), currency_code="USD")
    assert str(entry.transaction_amount.value) == "40.00000000"  # type: ignore[union-attr]
    # ExchangeRate 1 → posted/approved are in the transaction currency.
    assert entry.posted_amount == Amount(value=Decimal("40.00000000"), currency_code="USD")
    assert entry.approved_amount == Amount(value=Decimal("40.00000000"), currency_code="USD")
    assert str(entry.exchange_rate) == "1.00000000000000"
    assert entry.payment_type == PaymentType(key="CASH")
    assert entry.vendor is None
    assert entry.location is None
    assert entry.business_purpose is None
    assert entry.receipt_image_id is None
    assert entry.has_attendees is True
    assert not any(
        [
            entry.has_comments,
            entry.has_exceptions,
            entry.has_vat,
            entry.image_required,
            entry.is_credit_card_charge,
            entry.is_itemized,
            entry.is_personal,
            entry.is_personal_card_charge,
            entry.receipt_required,
        ]
    )
    assert entry.allocation is Allocation.NONE
    assert entry.last_modified == datetime(2011, 6, 18, 16, 3, 31, tzinfo=UTC)
    assert entry.custom_fields == [CustomField(id="custom1", value="Value")]
    assert entry.org_units == []
    # Canonical models round-trip through JSON exactly (the cache stores them so).
    assert type(entry).model_validate_json(entry.model_dump_json()) == entry


def test_plain_report_id_and_report_currency_are_used_when_given(
    data: Callable[[str], bytes],
) -> None:
    entry = parse_expense_entry(
        data("expense_entry.xml"), report_id="764428DD6A664AF0BFCB", currency="EUR"
    )
    assert entry.report_id == "764428DD6A664AF0BFCB"
    assert entry.posted_amount == Amount(value=Decimal("40.00000000"), currency_code="EUR")


def test_doc_report_entries_request_is_built_exactly(data: Callable[[str], bytes]) -> None:
    entries = [
        NewEntry(
            currency_code="USD",
            expense_type_key="BUSPR",
            description="Business Promotions",
            transaction_date=date(2011, 1, 12),
            transaction_amount=Decimal("29.23"),
            comment="Brochure sample",
            vendor="Kinkos",
        ),
        NewEntry(
            currency_code="USD",
            expense_type_key="BRKFT",
            description="Description",
            transaction_date=date(2011, 1, 12),
            transaction_amount=Decimal("15.54"),
            comment="Breakfast meeting",
            vendor="Starbucks",
        ),
    ]
    assert canonical(build_report_entries(entries)) == canonical(data("report_entries_request.xml"))


def test_custom_fields_and_optional_elements_are_placed_in_documented_order() -> None:
    body = build_report_entries(
        [
            NewEntry(
                currency_code="EUR",
                expense_type_key="LODNG",
                transaction_date=date(2024, 5, 1),
                transaction_amount=Decimal("120.5E0"),
                location_id="LOC1",
                is_personal=True,
                payment_type_id="CPAID",
                custom_fields=[
                    CustomField(id="custom2", value="Project", code="P-7"),
                    CustomField(id="orgUnit1", value="Sales"),
                    CustomField(id="Custom10", value="x"),
                ],
            )
        ]
    )
    expense = etree.fromstring(body)[0]
    assert [etree.QName(child).localname for child in expense] == [
        "CrnCode",
        "ExpKey",
        "TransactionDate",
        "TransactionAmount",
        "LocationID",
        "OrgUnit1",
        "Custom2",
        "Custom10",
        "IsPersonal",
        "PaymentTypeID",
    ]
    values = {etree.QName(child).localname: child.text for child in expense}
    assert values["TransactionAmount"] == "120.5"
    assert values["Custom2"] == "P-7"
    assert values["IsPersonal"] == "Y"


@pytest.mark.parametrize("field_id", ["custom41", "orgUnit7", "custom0", "notes", "custom"])
def test_unknown_custom_field_ids_are_refused_before_sending(field_id: str) -> None:
    entry = NewEntry(
        currency_code="USD",
        expense_type_key="BUSML",
        transaction_date=date(2024, 1, 1),
        transaction_amount=Decimal(1),
        custom_fields=[CustomField(id=field_id, value="x")],
    )
    with pytest.raises(BadUserInput) as caught:
        build_report_entries([entry])
    assert caught.value.field == "entries[0].custom_fields"


def test_no_entries_is_bad_input() -> None:
    with pytest.raises(BadUserInput):
        build_report_entries([])


def test_doc_entry_status_list_sample(data: Callable[[str], bytes]) -> None:
    assert parse_entry_status_list(data("report_entry_status_list.xml")) == [
        EntryResult(index=1, success=True, entry_id="nE0avYnILN9mHdTErNSd2pH45udFoNQ$po"),
        EntryResult(index=2, success=True, entry_id="awEDvYnILN9g$s6lCFX0jFBWmHAiTYYf9C"),
    ]


def test_failed_entries_carry_their_message() -> None:
    body = (
        b'<ReportEntryStatusList xmlns="http://www.concursolutions.com/api/expense/'
        b'expensereport/2011/03"><ReportEntryStatus><Index>1</Index><Status>FAILED</Status>'
        b"<Message>CrnCode is required.</Message></ReportEntryStatus></ReportEntryStatusList>"
    )
    assert parse_entry_status_list(body) == [
        EntryResult(index=1, success=False, message="CrnCode is required.")
    ]
