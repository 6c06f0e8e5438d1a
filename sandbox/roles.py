"""Concur roles of a sandbox user, and the questions routes ask about them.

Roles decide what Concur lets a caller do, so the sandbox keeps them as Concur names them:
the Expense **traveler** (report owner), the approvers (**Expense Approver**/Authorized
Approver as the owner's manager, **Cost Object Approver**), the **Processor**, **proxy**,
and the two administrator roles the v2.0 and workflow documents name: **Web Services
Administrator** (Professional) and **Company Administrator**. A role is a plain string in
``SandboxUser.roles``.
"""

from __future__ import annotations

from typing import Final

from sandbox.records import SandboxUser

TRAVELER: Final = "TRAVELER"
MANAGER: Final = "MANAGER"  # Expense Approver / Authorized Approver
CO_APPROVER: Final = "CO_APPROVER"  # Cost Object Approver
PROCESSOR: Final = "PROCESSOR"
PROXY: Final = "PROXY"
WEB_SERVICES_ADMIN: Final = "WEB_SERVICES_ADMIN"
COMPANY_ADMIN: Final = "COMPANY_ADMIN"
ADMIN_ROLES: Final = frozenset({WEB_SERVICES_ADMIN, COMPANY_ADMIN})
ALL_ROLES: Final = frozenset(
    {TRAVELER, MANAGER, CO_APPROVER, PROCESSOR, PROXY, WEB_SERVICES_ADMIN, COMPANY_ADMIN}
)


def is_admin(user: SandboxUser | None) -> bool:
    """Company Administrator or Web Services Administrator: the roles that may read v2.0
    report details and act in the System role."""
    return user is not None and bool(user.roles & ADMIN_ROLES)


def is_web_services_admin(user: SandboxUser | None) -> bool:
    """Only a Web Services Administrator sees ``ReportKey`` and the card, bank, VAT and
    journal blocks of v2.0 report details."""
    return user is not None and WEB_SERVICES_ADMIN in user.roles


def is_processor(user: SandboxUser | None) -> bool:
    return user is not None and PROCESSOR in user.roles


__all__ = [
    "ADMIN_ROLES",
    "ALL_ROLES",
    "COMPANY_ADMIN",
    "CO_APPROVER",
    "MANAGER",
    "PROCESSOR",
    "PROXY",
    "TRAVELER",
    "WEB_SERVICES_ADMIN",
    "is_admin",
    "is_processor",
    "is_web_services_admin",
]
