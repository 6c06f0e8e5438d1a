"""Element builders and value formats shared by every XML document the sandbox serves.

Concur's legacy APIs print amounts with 8 decimals (``129.00000000``), exchange rates with
14, flags as ``Y``/``N``, datetimes as ``YYYY-MM-DDThh:mm:ss`` without a zone, null dates as
``i:nil="true"`` and empty values as empty elements (``<BusinessPurpose />``). Documents are
built with lxml's element API only, never by string formatting.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Final, cast

from aiohttp import web
from lxml import etree

from sandbox.records import CustomValue
from sandbox.text_rules import xml_safe
from sandbox.xml.namespaces import NS_XSI, XML_CHARSET, XML_CONTENT_TYPE

AMOUNT_QUANTUM: Final = Decimal("0.00000001")
RATE_QUANTUM: Final = Decimal("0.00000000000001")
UNSUBMITTED_DATE: Final = "0001-01-01T00:00:00"
_NIL: Final = f"{{{NS_XSI}}}nil"


def amount(value: Decimal) -> str:
    """An amount with exactly 8 decimals; ``0E-8`` prints as ``0.00000000``."""
    return f"{value.quantize(AMOUNT_QUANTUM):f}"


def rate(value: Decimal) -> str:
    """An exchange rate with exactly 14 decimals (``1.00000000000000``)."""
    return f"{value.quantize(RATE_QUANTUM):f}"


def percentage(value: Decimal) -> str:
    """An allocation percentage as Concur prints it: ``100.00000000%``."""
    return f"{amount(value)}%"


def yn(flag: bool) -> str:
    return "Y" if flag else "N"


def timestamp(value: datetime | date | None) -> str:
    """``YYYY-MM-DDThh:mm:ss`` (a date is midnight); ``""`` for a missing value."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.strftime("%Y-%m-%dT00:00:00")


def day(value: datetime | date | None) -> str:
    """``YYYY-MM-DD``; ``""`` for a missing value."""
    return "" if value is None else value.strftime("%Y-%m-%d")


def custom_text(value: CustomValue | None) -> str:
    """v1.1 renders list values as ``(code) name`` and plain values as they are."""
    if value is None:
        return ""
    if value.code:
        return f"({value.code}) {value.value}"
    return value.value


class Document:
    """One XML document whose elements all live in one namespace (or none).

    Concur declares the namespace as the default on the root and ``xmlns:i`` for nil
    markers, so every child is qualified with the same namespace.
    """

    def __init__(self, root_tag: str, namespace: str | None, *, xsi: bool = True) -> None:
        self.namespace = namespace
        nsmap: dict[str | None, str] = {}
        if namespace:
            nsmap[None] = namespace
        if xsi:
            nsmap["i"] = NS_XSI
        # lxml-stubs types nsmap without the None (default namespace) key lxml accepts
        self.root: etree._Element = etree.Element(
            self.tag(root_tag), nsmap=cast("dict[str, str]", nsmap)
        )

    def tag(self, name: str) -> str:
        return f"{{{self.namespace}}}{name}" if self.namespace else name

    def add(self, parent: etree._Element, name: str, text: str = "") -> etree._Element:
        """Append ``<name>text</name>``; an empty text gives an empty element."""
        element = etree.SubElement(parent, self.tag(name))
        if text:
            element.text = xml_safe(text)  # stored text can never make the document fail
        return element

    def add_all(self, parent: etree._Element, fields: Mapping[str, str]) -> None:
        """Append one element per field, in the mapping's order."""
        for name, text in fields.items():
            self.add(parent, name, text)

    def nil(self, parent: etree._Element, name: str) -> etree._Element:
        """``<name i:nil="true" />``: how Concur writes a null date."""
        element = self.add(parent, name)
        element.set(_NIL, "true")
        return element

    def date_or_nil(self, parent: etree._Element, name: str, value: datetime | None) -> None:
        if value is None:
            self.nil(parent, name)
        else:
            self.add(parent, name, timestamp(value))

    def numbered(
        self,
        parent: etree._Element,
        prefix: str,
        count: int,
        values: Mapping[int, CustomValue] | None = None,
    ) -> None:
        """``{prefix}1`` .. ``{prefix}{count}``, empty where no value is set."""
        for number in range(1, count + 1):
            value = values.get(number) if values else None
            self.add(parent, f"{prefix}{number}", custom_text(value))

    def response(self, status: int = 200) -> web.Response:
        return xml_response(self.root, status)


def xml_response(root: etree._Element, status: int = 200) -> web.Response:
    body = etree.tostring(root, xml_declaration=True, encoding=XML_CHARSET)
    return web.Response(
        body=body, status=status, content_type=XML_CONTENT_TYPE, charset=XML_CHARSET
    )


__all__ = [
    "AMOUNT_QUANTUM",
    "RATE_QUANTUM",
    "UNSUBMITTED_DATE",
    "Document",
    "amount",
    "custom_text",
    "day",
    "percentage",
    "rate",
    "timestamp",
    "xml_response",
    "yn",
]
