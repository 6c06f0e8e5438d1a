"""XML namespaces and media type of Concur's legacy Expense Report APIs.

v1.1 documents (ExpenseEntry, ReportEntries, WorkflowAction, ActionStatus, ReportsList,
report full details) live in the 2011/03 namespace; the v2.0 report details in 2012/07.
Concur's own samples sometimes spell the namespace with ``https://``; request parsing treats
the scheme as insignificant.
"""

from __future__ import annotations

from typing import Final

NS_V11: Final = "http://www.concursolutions.com/api/expense/expensereport/2011/03"
NS_V20: Final = "http://www.concursolutions.com/api/expense/expensereport/2012/07"
NS_XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
XML_CONTENT_TYPE: Final = "application/xml"
XML_CHARSET: Final = "utf-8"

ACCEPTED_REQUEST_NAMESPACES: Final = frozenset(
    {NS_V11, NS_V11.replace("http://", "https://", 1), ""},
)

__all__ = [
    "ACCEPTED_REQUEST_NAMESPACES",
    "NS_V11",
    "NS_V20",
    "NS_XSI",
    "XML_CHARSET",
    "XML_CONTENT_TYPE",
]
