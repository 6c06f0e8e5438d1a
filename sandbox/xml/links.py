"""Absolute URLs the XML documents hand out.

Concur's legacy documents carry absolute links (``Report-Details-Url``,
``WorkflowActionURL``...) built from opaque keys; clients follow them verbatim, so they
must name the origin the sandbox is really served on.
"""

from __future__ import annotations

from typing import Final

API_ROOT: Final = "/api/expense/expensereport"
V11: Final = f"{API_ROOT}/v1.1"
V20: Final = f"{API_ROOT}/v2.0"


def report_url(base: str, rpt_key: str) -> str:
    """``Report-Details-Url``: the v1.1 report URL, built on the encrypted ``RptKey``."""
    return f"{base}{V11}/report/{rpt_key}"


def full_details_url(base: str, rpt_key: str) -> str:
    return f"{base}{V11}/reportfulldetails/{rpt_key}"


def entry_url(base: str, rpt_key: str, rpe_key: str) -> str:
    return f"{report_url(base, rpt_key)}/entry/{rpe_key}"


def workflow_action_url(base: str, step_key: str) -> str:
    return f"{report_url(base, step_key)}/workflowaction"


__all__ = [
    "API_ROOT",
    "V11",
    "V20",
    "entry_url",
    "full_details_url",
    "report_url",
    "workflow_action_url",
]
