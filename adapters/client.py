"""``ConcurClient``: the one face of Concur that the rest of the gateway sees.

Every method takes the caller's ``Credentials`` (the token is passed through to Concur) and
returns canonical models; which protocol serves what is decided here and in the modules
beneath (``adapters.v4``, ``adapters.v11``). Reads may retry; actions are sent at most once.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.models import (
    CostObject,
    Entry,
    EntryResult,
    NewEntry,
    NewReport,
    Protocol,
    Report,
    ReportContext,
    ReportDetails,
    ReportSummary,
    ReportView,
    TokenKind,
)


@dataclass(frozen=True, slots=True)
class Credentials:
    """The caller as Concur will see it: the raw access token and what it claims."""

    token: str
    user_id: str
    kind: TokenKind

    def __repr__(self) -> str:  # never print a token
        return f"Credentials(user_id={self.user_id!r}, kind={self.kind.value!r})"


class ConcurClient:
    """Facade over the v4 JSON and v1.1/v2.0 XML adapters (filled in by the adapters)."""

    async def verify_token(self, token: str) -> Credentials:
        """Check a caller's access token against Concur's JWKS; raise ``Unauthenticated``."""
        raise NotImplementedError

    async def get_report(
        self, creds: Credentials, report_id: str, context: ReportContext
    ) -> Report:
        """v4 report header."""
        raise NotImplementedError

    async def get_report_details(self, creds: Credentials, report_id: str) -> ReportDetails:
        """v2.0 XML details: opaque key, WorkflowActionURL, approval status, entries."""
        raise NotImplementedError

    async def list_reports(self, creds: Credentials, view: ReportView) -> list[ReportSummary]:
        """v1.1 ReportsList/{view}."""
        raise NotImplementedError

    async def reports_to_approve(self, creds: Credentials) -> list[ReportSummary]:
        """v4 reportsToApprove for the calling manager."""
        raise NotImplementedError

    async def get_entry(self, creds: Credentials, report_key: str, entry_id: str) -> Entry:
        """v1.1 entry details."""
        raise NotImplementedError

    async def cost_objects(self, creds: Credentials, report_id: str) -> list[CostObject]:
        """v4 costObjectsForApprover."""
        raise NotImplementedError

    async def approve(
        self,
        creds: Credentials,
        report_id: str,
        *,
        protocol: Protocol,
        comment: str | None = None,
        expense_rejected_comment: str | None = None,
        expected_step_code: str | None = None,
        expected_step_sequence: str | None = None,
        workflow_action_url: str | None = None,
    ) -> None:
        raise NotImplementedError

    async def send_back(
        self,
        creds: Credentials,
        report_id: str,
        *,
        protocol: Protocol,
        comment: str,
        expected_step_code: str | None = None,
        expected_step_sequence: str | None = None,
        workflow_action_url: str | None = None,
    ) -> None:
        raise NotImplementedError

    async def recall(self, creds: Credentials, report_id: str, context: ReportContext) -> None:
        raise NotImplementedError

    async def submit(self, creds: Credentials, report_id: str) -> None:
        raise NotImplementedError

    async def create_report(
        self, creds: Credentials, report: NewReport, context: ReportContext
    ) -> str:
        """Returns the new report id (parsed from the 201 ``uri``)."""
        raise NotImplementedError

    async def update_report(
        self,
        creds: Credentials,
        report_id: str,
        patch: dict[str, object],
        context: ReportContext,
    ) -> None:
        """JSON Merge Patch of the header (canonical field names, mapped to v4 here)."""
        raise NotImplementedError

    async def add_entries(
        self, creds: Credentials, report_key: str, entries: list[NewEntry]
    ) -> list[EntryResult]:
        raise NotImplementedError


__all__ = ["ConcurClient", "Credentials"]
