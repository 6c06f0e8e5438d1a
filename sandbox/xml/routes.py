"""Routes of the XML face (v1.1 / v2.0 Expense Report APIs).

Concur's legacy hosts match some path segments case-insensitively and its own documents
spell them both ways (``ReportsList``/``reportslist``, ``workflowaction``/``WorkFlowAction``),
so those segments accept any case.
"""

from __future__ import annotations

from aiohttp import web

from sandbox.xml.admin_reports import get_admin_reports
from sandbox.xml.entries import get_entry, post_entries
from sandbox.xml.full_details import get_full_details
from sandbox.xml.links import V11, V20
from sandbox.xml.report_details import get_report_details
from sandbox.xml.reports_list import get_reports_list
from sandbox.xml.workflow_action import post_workflow_action

_REPORTS_LIST = V11 + "/{_list:(?i:reportslist)}"
_FULL_DETAILS = V11 + "/{_details:(?i:reportfulldetails)}/{rpt_key}"
_ENTRY = V11 + "/report/{rpt_key}/entry"
_WORKFLOW_ACTION = V11 + "/report/{step_key}/{_action:(?i:workflowaction)}"


def add_xml_routes(app: web.Application) -> None:
    """Register the XML routes on the sandbox app."""
    router = app.router
    router.add_get(V20 + "/report/{report_id}", get_report_details)
    router.add_get(V20 + "/{_reports:(?i:reports)}", get_admin_reports)
    router.add_get(V20 + "/{_reports:(?i:reports)}/", get_admin_reports)
    router.add_get(_FULL_DETAILS, get_full_details)
    router.add_get(_REPORTS_LIST, get_reports_list)
    router.add_get(_REPORTS_LIST + "/", get_reports_list)
    router.add_get(_REPORTS_LIST + "/{view}", get_reports_list)
    router.add_get(_ENTRY + "/{rpe_key}", get_entry)
    router.add_post(_ENTRY, post_entries)
    router.add_post(_ENTRY + "/", post_entries)
    router.add_post(_ENTRY + "/{rpe_key}", post_entries)
    router.add_post(_WORKFLOW_ACTION, post_workflow_action)


__all__ = ["add_xml_routes"]
