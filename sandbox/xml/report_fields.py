"""Report-level values both report-details documents (v1.1 and v2.0) derive the same way.

The store keeps report custom fields as v4 ``CustomData`` items (``{"id": "custom3",
"value": ...}``); the legacy documents print them as numbered ``CustomN``/``OrgUnitN``.
"""

from __future__ import annotations

import re
from typing import Final

from sandbox.records import CustomValue, SandboxReport
from sandbox.state import Store

LEDGER_NAME: Final = "DEFAULT"
_CUSTOM_ID: Final = re.compile(r"(?P<kind>custom|orgunit)(?P<number>\d{1,2})", re.IGNORECASE)


def report_customs(
    report: SandboxReport,
) -> tuple[dict[int, CustomValue], dict[int, CustomValue]]:
    """``(org_units, customs)`` keyed by number, from the report's v4 custom data."""
    org_units: dict[int, CustomValue] = {}
    customs: dict[int, CustomValue] = {}
    for item in report.custom_data:
        match = _CUSTOM_ID.fullmatch(str(item.get("id", "")))
        value = item.get("value")
        if match is None or value is None:
            continue
        target = org_units if match["kind"].lower() == "orgunit" else customs
        code = item.get("code")
        target[int(match["number"])] = CustomValue(str(value), str(code) if code else None)
    return org_units, customs


def has_exception(report: SandboxReport) -> bool:
    return any(entry.has_exceptions for entry in report.entries)


def owner_login(store: Store, report: SandboxReport) -> str:
    owner = store.user(report.owner_id)
    return owner.login if owner else ""


def owner_name(store: Store, report: SandboxReport) -> str:
    """``Last, First`` as the details documents print ``EmployeeName``."""
    owner = store.user(report.owner_id)
    return owner.display_name if owner else ""


__all__ = ["LEDGER_NAME", "has_exception", "owner_login", "owner_name", "report_customs"]
