"""Value formats and request parsing of the XML face, checked without a server."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from lxml import etree

from sandbox.records import ZERO, CustomValue
from sandbox.xml.body import child_text, parse_body
from sandbox.xml.currencies import convert, currency_name, sandbox_rate
from sandbox.xml.errors import BadRequest, error_element
from sandbox.xml.namespaces import NS_V11, NS_XSI
from sandbox.xml.render import (
    Document,
    amount,
    custom_text,
    percentage,
    rate,
    timestamp,
    yn,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("129"), "129.00000000"),
        (ZERO, "0.00000000"),
        (Decimal("29.23"), "29.23000000"),
        (Decimal("-4.5"), "-4.50000000"),
    ],
)
def test_amounts_have_eight_decimals(value: Decimal, expected: str) -> None:
    assert amount(value) == expected


def test_rates_percentages_flags_and_dates() -> None:
    assert rate(Decimal(1)) == "1.00000000000000"
    assert percentage(Decimal(50)) == "50.00000000%"
    assert (yn(True), yn(False)) == ("Y", "N")
    assert timestamp(datetime(2011, 6, 18, 16, 3, 31, 999, tzinfo=UTC)) == "2011-06-18T16:03:31"
    assert timestamp(date(2011, 6, 15)) == "2011-06-15T00:00:00"
    assert timestamp(None) == ""


def test_list_customs_render_as_code_and_name() -> None:
    assert custom_text(CustomValue("Project 1234", code="1234")) == "(1234) Project 1234"
    assert custom_text(CustomValue("Value")) == "Value"
    assert custom_text(None) == ""


def test_currency_names_and_sandbox_rates() -> None:
    assert currency_name("usd") == "US, Dollar"
    assert currency_name("EUR") == "Euro Member Countries, Euro"
    assert currency_name("GBP") == "UK, Pound Sterling"
    assert currency_name("XYZ") == "XYZ"
    assert sandbox_rate("EUR", "USD") == Decimal("1.08")
    assert sandbox_rate("USD", "USD") == 1
    assert sandbox_rate("XYZ", "USD") is None
    assert convert(Decimal("100.005"), Decimal("1.08")) == Decimal("108.01")


def test_document_uses_default_namespace_and_nil() -> None:
    doc = Document("ReportDetails", NS_V11)
    doc.add(doc.root, "Empty")
    doc.nil(doc.root, "PaidDate")
    doc.numbered(doc.root, "Custom", 2, {2: CustomValue("x", "c")})
    root = etree.fromstring(etree.tostring(doc.root))
    assert root.nsmap == {None: NS_V11, "i": NS_XSI}
    names = [etree.QName(c).localname for c in root]
    assert names == ["Empty", "PaidDate", "Custom1", "Custom2"]
    assert all(etree.QName(c).namespace == NS_V11 for c in root)
    assert root[1].get(f"{{{NS_XSI}}}nil") == "true"
    assert root[0].text is None
    assert root[3].text == "(c) x"


def test_legacy_error_has_no_namespace() -> None:
    root = error_element("bad", datetime(2017, 9, 27, 15, 46, 57, tzinfo=UTC))
    assert root.tag == "Error"
    assert [c.tag for c in root] == ["Message", "Server-Time", "Id"]
    assert root[1].text == "2017-09-27T15:46:57"
    assert root[2].text is not None
    assert root[2].text == root[2].text.upper()


def test_parse_body_accepts_namespaced_and_plain_roots() -> None:
    body = (
        b'<WorkflowAction xmlns="http://www.concursolutions.com/api/expense/expensereport/2011/03">'
        b"<Action>Approve</Action></WorkflowAction>"
    )
    assert child_text(parse_body(body, "WorkflowAction"), "Action") == "Approve"
    raw = b"<WorkflowAction><Comment> hi </Comment></WorkflowAction>"
    plain = parse_body(raw, "WorkflowAction")
    assert child_text(plain, "Comment") == "hi"
    assert child_text(plain, "Action") is None


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"<WorkflowAction>",
        b"<Other/>",
        b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><WorkflowAction>&x;</WorkflowAction>',
        '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE WorkflowAction><WorkflowAction/>'.encode(
            "utf-16"
        ),
        b'<!DOCTYPE WorkflowAction SYSTEM "http://127.0.0.1:9/x.dtd"><WorkflowAction/>',
    ],
)
def test_parse_body_refuses_bad_bodies(raw: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_body(raw, "WorkflowAction")
