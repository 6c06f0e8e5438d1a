"""Namespaces of Concur's legacy XML documents, and namespace-exact element lookup.

Each document family has its own namespace (v1.1 ``2011/03``, v2.0 report details
``2012/07``). Concur's own samples spell some of them with ``https://``, so the scheme is not
significant: we read the namespace the root actually uses (after checking it is one of the
two spellings) and then match every child by that exact qualified name.
"""

from __future__ import annotations

from typing import Final

from lxml import etree

from adapters.errors import UpstreamBadResponse

V11_NS: Final = "http://www.concursolutions.com/api/expense/expensereport/2011/03"
V20_REPORT_NS: Final = "http://www.concursolutions.com/api/expense/expensereport/2012/07"
XSI_NS: Final = "http://www.w3.org/2001/XMLSchema-instance"


def scheme_variants(namespace: str) -> frozenset[str]:
    """The namespace with ``http://`` and with ``https://``."""
    _, _, rest = namespace.partition("://")
    return frozenset({f"http://{rest}", f"https://{rest}"})


def expect_root(
    root: etree._Element,
    local_name: str,
    namespace: str,
    *,
    correlation_id: str | None = None,
) -> str:
    """Check the root is ``{namespace}local_name`` (either scheme); return the namespace it uses."""
    qname = etree.QName(root)
    if qname.localname != local_name or (qname.namespace or "") not in scheme_variants(namespace):
        raise UpstreamBadResponse(
            f"Concur returned an unexpected XML document (expected {local_name}).",
            correlation_id=correlation_id,
        )
    return qname.namespace or ""


__all__ = ["V11_NS", "V20_REPORT_NS", "XSI_NS", "expect_root", "scheme_variants"]
