from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.errors import UpstreamBadResponse
from adapters.models import Allocation, CustomField
from adapters.v11.namespaces import V11_NS, expect_root, scheme_variants
from adapters.v11.values import XmlRecord, list_value
from adapters.v11.xmlsafe import parse_xml

HTTPS_NS = V11_NS.replace("http://", "https://")


def record(children: str, namespace: str = V11_NS) -> XmlRecord:
    root = parse_xml(
        f'<R xmlns="{namespace}" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">'
        f"{children}</R>".encode()
    )
    return XmlRecord(root, expect_root(root, "R", V11_NS))


def test_amounts_are_exact_decimals() -> None:
    rec = record("<A>40.00000000</A><B>0E-8</B><C>1.00000000000000</C>")
    assert str(rec.decimal("A")) == "40.00000000"
    assert str(rec.decimal("B")) == "0E-8"
    assert str(rec.decimal("C")) == "1.00000000000000"


@pytest.mark.parametrize("bad", ["abc", "NaN", "Infinity", "1,5"])
def test_unreadable_amounts_are_bad_responses(bad: str) -> None:
    with pytest.raises(UpstreamBadResponse):
        record(f"<A>{bad}</A>").decimal("A")


def test_flags_empty_nil_and_no_date() -> None:
    rec = record(
        "<Y>Y</Y><N>N</N><E /><Nil i:nil='true' /><Sub>0001-01-01T00:00:00</Sub>"
        "<When>2011-06-18T16:03:31</When><Day>2011-06-15T00:00:00</Day><Pad>  x \n </Pad>"
    )
    assert rec.flag("Y") is True
    assert rec.flag("N") is False
    assert rec.flag("Missing") is False
    assert rec.text("E") is None
    assert rec.text("Nil") is None
    assert rec.instant("Nil") is None
    assert rec.instant("Sub") is None
    assert rec.day("Sub") is None
    assert rec.instant("When") == datetime(2011, 6, 18, 16, 3, 31, tzinfo=UTC)
    assert rec.day("Day") == date(2011, 6, 15)
    assert rec.text("Pad") == "x"


def test_bad_flag_is_a_bad_response() -> None:
    with pytest.raises(UpstreamBadResponse):
        record("<F>maybe</F>").flag("F")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("P", Allocation.PARTIAL), ("F", Allocation.FULL), ("N", Allocation.NONE)],
)
def test_allocation_codes(text: str, expected: Allocation) -> None:
    assert record(f"<H>{text}</H>").allocation("H") is expected


def test_list_values_split_code_and_name() -> None:
    assert list_value("custom1", "(1234) Project 1234") == CustomField(
        id="custom1", value="Project 1234", code="1234"
    )
    assert list_value("custom2", "Plain") == CustomField(id="custom2", value="Plain")
    assert list_value("custom3", None) is None


def test_https_spelling_of_the_namespace_is_the_same_document() -> None:
    assert scheme_variants(V11_NS) == {V11_NS, HTTPS_NS}
    rec = record("<A>1</A>", namespace=HTTPS_NS)
    assert rec.text("A") == "1"


def test_children_in_another_namespace_are_not_matched() -> None:
    root = parse_xml(f'<R xmlns="{V11_NS}"><A xmlns="urn:other">1</A></R>'.encode())
    rec = XmlRecord(root, expect_root(root, "R", V11_NS))
    assert rec.text("A") is None
