"""Concur's legacy ``<Error>`` body, the one error shape of every v1.1/v2.0 XML route.

``<Error><Message/><Server-Time/><Id/></Error>`` carries no namespace. Statuses follow the
legacy table: 400 bad URI or body, 401 missing/invalid credentials, 403 not allowed,
404 bad id (also a report the caller may not see, so ids do not leak).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from aiohttp import web
from lxml import etree

from sandbox.text_rules import xml_safe
from sandbox.xml.render import timestamp, xml_response


class LegacyError(Exception):
    """Raised by XML handlers; the route wrapper answers with a legacy ``<Error>``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class BadRequest(LegacyError):
    def __init__(self, message: str) -> None:
        super().__init__(400, message)


class Forbidden(LegacyError):
    def __init__(self, message: str) -> None:
        super().__init__(403, message)


class NotFound(LegacyError):
    def __init__(self, message: str) -> None:
        super().__init__(404, message)


def error_element(message: str, server_time: datetime) -> etree._Element:
    root = etree.Element("Error")
    etree.SubElement(root, "Message").text = xml_safe(message)
    etree.SubElement(root, "Server-Time").text = timestamp(server_time)
    etree.SubElement(root, "Id").text = str(uuid.uuid4()).upper()
    return root


def error_response(status: int, message: str, server_time: datetime) -> web.Response:
    return xml_response(error_element(message, server_time), status)


__all__ = [
    "BadRequest",
    "Forbidden",
    "LegacyError",
    "NotFound",
    "error_element",
    "error_response",
]
