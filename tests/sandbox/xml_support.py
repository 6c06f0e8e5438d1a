"""Helpers for the XML face's tests: real HTTP calls, lxml-built bodies, local-name lookups."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import cast

from lxml import etree
from multidict import CIMultiDictProxy

from tests.support.sandbox import SandboxHarness

NS11 = "http://www.concursolutions.com/api/expense/expensereport/2011/03"
NS20 = "http://www.concursolutions.com/api/expense/expensereport/2012/07"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
API = "/api/expense/expensereport"
STALE = (
    "The action cannot be executed because the item has recently been changed. "
    "Please refresh your list and try again."
)
PROCESSOR_SENTENCE = (
    "This API is not supported for the Processor role or expense reports pending the "
    "Processor workflow step."
)


@dataclass(frozen=True)
class XmlReply:
    status: int
    root: etree._Element
    headers: CIMultiDictProxy[str]
    raw: bytes


def local(element: etree._Element) -> str:
    return etree.QName(element).localname


def names(element: etree._Element) -> list[str]:
    return [local(child) for child in element if isinstance(child.tag, str)]


def find(element: etree._Element, name: str) -> etree._Element:
    for child in element:
        if isinstance(child.tag, str) and local(child) == name:
            return child
    raise AssertionError(f"{local(element)} has no {name}: {names(element)}")


def findall(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if isinstance(c.tag, str) and local(c) == name]


def text(element: etree._Element, name: str) -> str:
    """The child's text, ``""`` for an empty element."""
    return find(element, name).text or ""


def parse(raw: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(raw, parser)


def _url(sandbox: SandboxHarness, path_or_url: str) -> str:
    return path_or_url if path_or_url.startswith("http") else sandbox.base_url + path_or_url


async def call(
    sandbox: SandboxHarness,
    method: str,
    path_or_url: str,
    token: str | None,
    body: bytes | None = None,
    *,
    scheme: str = "OAuth",
) -> XmlReply:
    """One real HTTP request; the reply body is parsed as XML."""
    headers = {"Accept": "application/xml"}
    if token is not None:
        headers["Authorization"] = f"{scheme} {token}"
    if body is not None:
        headers["Content-Type"] = "application/xml"
    url = _url(sandbox, path_or_url)
    async with sandbox.session.request(method, url, headers=headers, data=body) as response:
        raw = await response.read()
        return XmlReply(response.status, parse(raw), response.headers, raw)


async def get(
    sandbox: SandboxHarness, path_or_url: str, token: str | None, *, scheme: str = "OAuth"
) -> XmlReply:
    return await call(sandbox, "GET", path_or_url, token, scheme=scheme)


async def post(
    sandbox: SandboxHarness, path_or_url: str, token: str | None, body: bytes
) -> XmlReply:
    return await call(sandbox, "POST", path_or_url, token, body)


def _default_ns(namespace: str | None) -> dict[str, str] | None:
    # lxml-stubs types nsmap without the None (default namespace) key lxml accepts
    return cast("dict[str, str]", {None: namespace}) if namespace else None


def document(root_name: str, children: Mapping[str, str], namespace: str | None = NS11) -> bytes:
    tag = (lambda n: f"{{{namespace}}}{n}") if namespace else (lambda n: n)
    root = etree.Element(tag(root_name), nsmap=_default_ns(namespace))
    for name, value in children.items():
        etree.SubElement(root, tag(name)).text = value
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def workflow_body(action: str, comment: str | None = None) -> bytes:
    children = {"Action": action}
    if comment is not None:
        children["Comment"] = comment
    return document("WorkflowAction", children)


def entries_body(expenses: Sequence[Mapping[str, str]]) -> bytes:
    root = etree.Element(f"{{{NS11}}}ReportEntries", nsmap=_default_ns(NS11))
    for fields in expenses:
        expense = etree.SubElement(root, f"{{{NS11}}}Expense")
        for name, value in fields.items():
            etree.SubElement(expense, f"{{{NS11}}}{name}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


__all__ = [
    "API",
    "NS11",
    "NS20",
    "PROCESSOR_SENTENCE",
    "STALE",
    "XSI",
    "XmlReply",
    "call",
    "document",
    "entries_body",
    "find",
    "findall",
    "get",
    "local",
    "names",
    "parse",
    "post",
    "text",
    "workflow_body",
]
