"""Wire primitives of the v4 JSON face: exact amounts, dates, links, JSON responses.

Concur prints amounts as JSON numbers with exactly eight decimals (``525.00000000``) and
zero as ``0E-8``, a Java ``BigDecimal`` artefact clients must read as a Decimal. orjson
``Fragment`` emits those digits verbatim, so no float ever touches an amount.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import orjson
from aiohttp import web

from sandbox.records import CustomValue

EIGHT_PLACES: Final = Decimal("0.00000001")
_HEX32: Final = re.compile(r"^[0-9A-Fa-f]{32}$")
_IDS: Final = uuid.UUID("7d7b4c7e-2f57-4c4e-9d0b-0b7f2d8a9c11")  # namespace of derived ids

COUNTRY_NAMES: Final[dict[str, str]] = {
    "US": "UNITED STATES",
    "GB": "UNITED KINGDOM",
    "DE": "GERMANY",
    "FR": "FRANCE",
    "CA": "CANADA",
}
CURRENCY_NAMES: Final[dict[str, str]] = {
    "USD": "US, Dollar",
    "EUR": "Euro Member Countries, Euro",
    "GBP": "UK, Pound Sterling",
    "CAD": "Canada, Dollar",
}


def decimal_text(value: Decimal, places: Decimal = EIGHT_PLACES) -> str:
    """``525.00000000``; zero (of any sign or exponent) as Concur's ``0E-8``."""
    if value.is_zero():
        return "0E-8"
    return format(value.quantize(places), "f")


def number(value: Decimal, places: Decimal = EIGHT_PLACES) -> orjson.Fragment:
    return orjson.Fragment(decimal_text(value, places).encode("ascii"))


def amount(value: Decimal, currency: str) -> dict[str, Any]:
    return {"value": number(value), "currencyCode": currency}


def date_text(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def datetime_text(value: datetime | None) -> str | None:
    """``YYYY-MM-DDTHH:mm:ssZ`` (UTC, no fraction), or None."""
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None


def link(rel: str, href: str, method: str = "GET") -> dict[str, Any]:
    return {
        "rel": rel,
        "href": href,
        "hreflang": None,
        "media": None,
        "title": None,
        "type": None,
        "deprecation": None,
        "method": method,
        "isTemplated": False,
    }


def derived_id(*parts: str) -> str:
    """A stable 32-hex id for things the sandbox does not store (locations, list items)."""
    return uuid.uuid5(_IDS, "|".join(parts)).hex.upper()


def list_item_url(base_url: str, value: str) -> str | None:
    """List custom fields hold a 32-hex list item id; their values link to List v4."""
    return f"{base_url}/list/v4/items?id={value}" if _HEX32.match(value) else None


def custom_item(base_url: str, field_id: str, value: str, is_valid: bool = True) -> dict[str, Any]:
    return {
        "id": field_id,
        "value": value,
        "isValid": is_valid,
        "listItemUrl": list_item_url(base_url, value),
    }


def custom_value_item(base_url: str, field_id: str, custom: CustomValue) -> dict[str, Any]:
    """v4 shows a list value as its list item id, a text value as itself."""
    value = derived_id("list", custom.code) if custom.code else custom.value
    return custom_item(base_url, field_id, value)


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")


__all__ = [
    "COUNTRY_NAMES",
    "CURRENCY_NAMES",
    "EIGHT_PLACES",
    "amount",
    "custom_item",
    "custom_value_item",
    "date_text",
    "datetime_text",
    "decimal_text",
    "derived_id",
    "json_response",
    "link",
    "list_item_url",
    "number",
]
