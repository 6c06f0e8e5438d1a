"""Safe parsing and building of Concur's legacy XML.

An upstream (or anything impersonating it) must never make us read a local file, open a
connection or expand entities until memory runs out. So: lxml with entity resolution,
network access and DTD loading off, no huge trees, comments dropped; any document that
carries a DOCTYPE is refused outright (Concur never sends one) both before parsing (a cheap
byte scan, so a billion-laughs document costs nothing) and after (``docinfo``, which also
covers encodings the byte scan cannot see). Size is bounded earlier, while reading the body.
Request documents are built with lxml's element API, never by formatting strings.
"""

from __future__ import annotations

from typing import cast

from lxml import etree

from adapters.errors import UpstreamBadResponse

_DOCTYPE_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes, *, correlation_id: str | None = None) -> etree._Element:
    """Parse an upstream document or raise ``UpstreamBadResponse``; returns the root."""
    if not body.strip():
        raise UpstreamBadResponse(
            "Concur returned an empty XML document.", correlation_id=correlation_id
        )
    if any(marker in body for marker in _DOCTYPE_MARKERS):
        raise UpstreamBadResponse(
            "Concur returned an XML document with a DOCTYPE, which is never expected; "
            "it was refused unread.",
            correlation_id=correlation_id,
        )
    try:
        root = etree.fromstring(body, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise UpstreamBadResponse(
            "Concur returned malformed XML.", correlation_id=correlation_id
        ) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UpstreamBadResponse(
            "Concur returned an XML document with a DOCTYPE, which is never expected; "
            "it was refused.",
            correlation_id=correlation_id,
        )
    return root


def element(tag: str, namespace: str) -> etree._Element:
    """A root element with ``namespace`` as the default (unprefixed), as in Concur's samples."""
    nsmap = cast("dict[str, str]", {None: namespace})
    return etree.Element(f"{{{namespace}}}{tag}", nsmap=nsmap)


def to_bytes(root: etree._Element) -> bytes:
    """Serialise a request document as UTF-8 with an XML declaration."""
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


__all__ = ["element", "parse_xml", "to_bytes"]
