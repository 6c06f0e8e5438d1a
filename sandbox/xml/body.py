"""Safe parsing of XML request bodies.

Bodies are parsed with entity resolution, network access and huge trees off, and any
document that declares a DOCTYPE is refused outright: the legacy APIs never need one, and
refusing it closes the entity-expansion and external-entity doors before they open.
Element names are matched by local name within the v1.1 namespace (or none), because
clients differ in how they qualify children.
"""

from __future__ import annotations

from lxml import etree

from sandbox.xml.errors import BadRequest
from sandbox.xml.namespaces import ACCEPTED_REQUEST_NAMESPACES


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
    )


def parse_body(raw: bytes, root_name: str) -> etree._Element:
    """Parse ``raw`` and check its root is ``root_name``; any problem is a 400."""
    if not raw.strip():
        raise BadRequest(f"The request body is empty; a {root_name} document is required.")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise BadRequest("DOCTYPE declarations are not allowed in request bodies.")
    try:
        root = etree.fromstring(raw, _parser())
    except etree.XMLSyntaxError as exc:
        raise BadRequest(f"The request body is not well-formed XML: {exc.msg}") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.public_id:
        raise BadRequest("DOCTYPE declarations are not allowed in request bodies.")
    name = etree.QName(root)
    if name.localname != root_name or (name.namespace or "") not in ACCEPTED_REQUEST_NAMESPACES:
        raise BadRequest(f"Expected a {root_name} element, got {name.localname}.")
    return root


def child_elements(parent: etree._Element) -> list[etree._Element]:
    """Element children only (comments and processing instructions are skipped)."""
    return [child for child in parent if isinstance(child.tag, str)]


def local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def children_named(parent: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in child_elements(parent) if local_name(child) == name]


def child_text(parent: etree._Element, name: str) -> str | None:
    """The stripped text of the first child called ``name``; None when absent."""
    for child in children_named(parent, name):
        return (child.text or "").strip()
    return None


__all__ = ["child_elements", "child_text", "children_named", "local_name", "parse_body"]
