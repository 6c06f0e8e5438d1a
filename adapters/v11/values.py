"""Typed reads of legacy XML values.

Concur's XML conventions, converted once here: amounts with 8 (exchange rates 14) decimals
become ``Decimal`` straight from the text (never via float); ``Y``/``N`` flags become bool;
empty elements, ``i:nil="true"`` and the ``0001-01-01T00:00:00`` "no date" all become None;
datetimes carry no zone and are UTC; list-valued custom fields read ``(code) name``.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final

from lxml import etree

from adapters.errors import UpstreamBadResponse
from adapters.models import Allocation, Amount, CustomField
from adapters.v11.namespaces import XSI_NS

_NO_DATE: Final = "0001-01-01"
_LIST_VALUE = re.compile(r"^\((?P<code>[^()]*)\)\s*(?P<name>.*)$", re.DOTALL)
_FLAGS: Final = {"Y": True, "N": False, "TRUE": True, "FALSE": False}
_ALLOCATION: Final = {
    "N": Allocation.NONE,
    "P": Allocation.PARTIAL,
    "F": Allocation.FULL,
    # The v1.1 full-details sample shows ``Y`` although its table lists only P/F/N.
    "Y": Allocation.FULL,
}


def list_value(field_id: str, text: str | None) -> CustomField | None:
    """A custom field from its rendered value: ``(1234) Project 1234`` → code + name."""
    if text is None:
        return None
    match = _LIST_VALUE.match(text)
    if match is None:
        return CustomField(id=field_id, value=text)
    return CustomField(id=field_id, value=match["name"] or None, code=match["code"] or None)


_XSI_NIL: Final = f"{{{XSI_NS}}}nil"


class XmlRecord:
    """One element of a parsed document whose children share the document's namespace."""

    __slots__ = ("_correlation_id", "_index", "_ns", "element")

    def __init__(
        self, element: etree._Element, namespace: str, *, correlation_id: str | None = None
    ) -> None:
        self.element = element
        self._ns = namespace
        self._correlation_id = correlation_id
        self._index: dict[str, etree._Element] | None = None

    def _bad(self, what: str) -> UpstreamBadResponse:
        return UpstreamBadResponse(
            f"Concur returned an unreadable value in {what}.",
            correlation_id=self._correlation_id,
        )

    def _qname(self, name: str) -> str:
        return f"{{{self._ns}}}{name}" if self._ns else name

    def child(self, name: str) -> etree._Element | None:
        """The first child with this name. An entry has ~100 children and is asked for most
        of them, so they are indexed once instead of scanned on every look-up."""
        index = self._index
        if index is None:  # reversed, so the first of two same-named children wins
            index = self._index = {element.tag: element for element in reversed(self.element)}
        return index.get(f"{{{self._ns}}}{name}" if self._ns else name)

    def record(self, name: str) -> XmlRecord | None:
        element = self.child(name)
        if element is None:
            return None
        return XmlRecord(element, self._ns, correlation_id=self._correlation_id)

    def records(self, container: str, item: str) -> list[XmlRecord]:
        """Items of a list element (``ExpenseEntriesList/ExpenseEntry``); absent list = []."""
        parent = self.child(container)
        if parent is None:
            return []
        return [
            XmlRecord(element, self._ns, correlation_id=self._correlation_id)
            for element in parent.iterfind(self._qname(item))
        ]

    def items(self, item: str) -> list[XmlRecord]:
        """Direct children named ``item`` (a root that is itself the list)."""
        return [
            XmlRecord(element, self._ns, correlation_id=self._correlation_id)
            for element in self.element.iterfind(self._qname(item))
        ]

    def text(self, name: str) -> str | None:
        """Stripped text; None when absent, empty (``<X />``) or ``i:nil="true"``."""
        element = self.child(name)
        if element is None or element.get(_XSI_NIL) == "true":
            return None
        value = (element.text or "").strip()
        return value or None

    def required(self, name: str) -> str:
        value = self.text(name)
        if value is None:
            raise UpstreamBadResponse(
                f"Concur's answer lacks the {name} element.", correlation_id=self._correlation_id
            )
        return value

    def decimal(self, name: str) -> Decimal | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation as exc:
            raise self._bad(name) from exc
        if not number.is_finite():
            raise self._bad(name)
        return number

    def amount(self, name: str, currency_code: str | None) -> Amount | None:
        value = self.decimal(name)
        if value is None or currency_code is None:
            return None
        return Amount(value=value, currency_code=currency_code)

    def integer(self, name: str) -> int | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            return int(value)
        except ValueError as exc:
            raise self._bad(name) from exc

    def flag(self, name: str) -> bool:
        """``Y``/``N``; an absent or empty flag is False."""
        value = self.text(name)
        if value is None:
            return False
        try:
            return _FLAGS[value.upper()]
        except KeyError as exc:
            raise self._bad(name) from exc

    def allocation(self, name: str) -> Allocation:
        value = self.text(name)
        if value is None:
            return Allocation.NONE
        try:
            return _ALLOCATION[value.upper()]
        except KeyError as exc:
            raise self._bad(name) from exc

    def instant(self, name: str) -> datetime | None:
        value = self.text(name)
        if value is None or value.startswith(_NO_DATE):
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError as exc:
            raise self._bad(name) from exc
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)

    def day(self, name: str) -> date | None:
        value = self.text(name)
        if value is None or value.startswith(_NO_DATE):
            return None
        try:
            return datetime.fromisoformat(value).date()
        except ValueError as exc:
            raise self._bad(name) from exc

    def custom_field(self, name: str, field_id: str) -> CustomField | None:
        """``CustomN``/``OrgUnitN``: plain text (v1.1, ``(code) name`` for lists) or, in
        v2.0, child ``Type``/``Value``/``Code`` elements."""
        element = self.child(name)
        if element is None:
            return None
        if len(element):
            nested = XmlRecord(element, self._ns, correlation_id=self._correlation_id)
            value, code = nested.text("Value"), nested.text("Code")
            if value is None and code is None:
                return None
            return CustomField(id=field_id, value=value, code=code)
        text = (element.text or "").strip()  # most are empty: skip the nil check for those
        if not text or element.get(_XSI_NIL) == "true":
            return None
        return list_value(field_id, text)

    def custom_fields(self, prefix: str, count: int, id_prefix: str) -> list[CustomField]:
        """The non-empty ``{prefix}1..{count}`` fields, ids in v4 style (``custom1``)."""
        fields = (
            self.custom_field(f"{prefix}{index}", f"{id_prefix}{index}")
            for index in range(1, count + 1)
        )
        return [field for field in fields if field is not None]


ENTRY_FLAGS: Final = {
    "is_personal": "IsPersonal",
    "is_itemized": "IsItemized",
    "has_attendees": "HasAttendees",
    "has_comments": "HasComments",
    "has_exceptions": "HasExceptions",
    "has_vat": "HasVat",
    "receipt_required": "ReceiptRequired",
    "image_required": "ImageRequired",
    "is_credit_card_charge": "IsCreditCardCharge",
    "is_personal_card_charge": "IsPersonalCardCharge",
}
"""An entry's Y/N elements, named alike in v1.1 ``ExpenseEntry`` and v2.0 details."""


def entry_flags(entry: XmlRecord) -> dict[str, bool]:
    """The canonical ``Entry`` flags read from an entry element of either version."""
    return {field: entry.flag(element) for field, element in ENTRY_FLAGS.items()}


__all__ = ["ENTRY_FLAGS", "XmlRecord", "entry_flags", "list_value"]
