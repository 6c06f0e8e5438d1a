from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from adapters.errors import UpstreamBadResponse
from adapters.v11.entries import parse_expense_entry
from adapters.v11.reports_list import parse_reports_list
from adapters.v11.workflow_action import check_action_status
from adapters.v11.xmlsafe import element, parse_xml, to_bytes


def test_external_entity_is_refused_unread(data: Callable[[str], bytes]) -> None:
    with pytest.raises(UpstreamBadResponse) as caught:
        check_action_status(data("xxe.xml"))
    assert "root:" not in caught.value.message
    assert "DOCTYPE" in caught.value.message


def test_billion_laughs_is_refused(data: Callable[[str], bytes]) -> None:
    with pytest.raises(UpstreamBadResponse):
        parse_reports_list(data("billion_laughs.xml"))


def test_doctype_hidden_from_the_byte_scan_is_refused_after_parsing() -> None:
    """UTF-16 hides the DOCTYPE from the byte scan; docinfo still catches it, and the
    external entity was not resolved."""
    document = (
        '<?xml version="1.0" encoding="utf-16"?>'
        '<!DOCTYPE ExpenseEntry [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<ExpenseEntry>&xxe;</ExpenseEntry>"
    ).encode("utf-16")
    with pytest.raises(UpstreamBadResponse, match="DOCTYPE"):
        parse_xml(document)


def test_plain_doctype_without_entities_is_refused() -> None:
    with pytest.raises(UpstreamBadResponse):
        parse_xml(b"<!DOCTYPE ActionStatus><ActionStatus/>")


@pytest.mark.parametrize(
    "body",
    [b"", b"   ", b"<ActionStatus>", b"not xml at all", b"<a></b>", b"\xff\xfe\x00garbage"],
)
def test_malformed_documents_are_bad_responses(body: bytes) -> None:
    with pytest.raises(UpstreamBadResponse):
        parse_xml(body, correlation_id="cid-1")


def test_bad_response_keeps_the_correlation_id() -> None:
    with pytest.raises(UpstreamBadResponse) as caught:
        parse_xml(b"<broken", correlation_id="cid-9")
    assert caught.value.correlation_id == "cid-9"


def test_comments_and_processing_instructions_are_dropped() -> None:
    root = parse_xml(b"<?xml version='1.0'?><!-- c --><a><?pi x?><b>1</b><!-- d --></a>")
    assert [child.tag for child in root] == ["b"]


def test_wrong_root_is_a_bad_response(data: Callable[[str], bytes]) -> None:
    with pytest.raises(UpstreamBadResponse, match="ExpenseEntry"):
        parse_expense_entry(data("action_status_success.xml"))


def test_built_documents_declare_the_default_namespace() -> None:
    root = element("WorkflowAction", "urn:example")
    etree.SubElement(root, "{urn:example}Action").text = "Approve & <go>"
    body = to_bytes(root)
    assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    assert b'<WorkflowAction xmlns="urn:example">' in body
    assert b"Approve &amp; &lt;go&gt;" in body
