"""``ConcurClient``: the one face of Concur that the rest of the gateway sees.

Every method takes the caller's ``Credentials`` (the token is passed through to Concur) and
returns canonical models; which protocol serves what is decided here and in the modules
beneath (``adapters.v4``, ``adapters.v11``). Reads may retry; actions are sent at most once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
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


class ConcurClient(ABC):
    """Facade over the v4 JSON and v1.1/v2.0 XML adapters (``adapters.concur`` implements it).

    Errors are always ``adapters.errors.GatewayError`` subclasses; reads may have been
    retried, actions were sent at most once (``ActionOutcomeUnknown`` when the answer was lost).
    """

    @abstractmethod
    async def app_token(self) -> str:
        """An app token (client credentials) for ESS subscription management."""

    @abstractmethod
    async def company_token(self) -> str:
        """A company token for system workflow steps."""

    @abstractmethod
    async def verify_token(self, token: str) -> Credentials:
        """Check a caller's access token against Concur's JWKS; raise ``Unauthenticated``."""

    @abstractmethod
    async def get_report(
        self, creds: Credentials, report_id: str, context: ReportContext
    ) -> Report:
        """v4 report header."""

    @abstractmethod
    async def get_report_details(self, creds: Credentials, report_id: str) -> ReportDetails:
        """The XML details this caller may see: approval/payment status, WorkflowActionURL,
        entries. v1.1 full details by the encrypted key Concur handed this caller (then
        ``report_key`` is that key and entries are keyed by ``RpeKey``), else v2.0 details by
        plain id, which Concur serves to administrators only (``Forbidden`` for others;
        ``report_key`` is then None)."""

    @abstractmethod
    async def list_reports(self, creds: Credentials, view: ReportView) -> list[ReportSummary]:
        """v1.1 ReportsList/{view}; the keys it names are remembered for this caller."""

    @abstractmethod
    async def is_administrator(self, creds: Credentials) -> bool:
        """Whether Concur serves this caller its admin-only v2.0 Get List of Reports (a
        Company or Web Services Administrator, or a company token); ``Forbidden``: no."""

    @abstractmethod
    async def reports_to_approve(self, creds: Credentials) -> list[ReportSummary]:
        """v4 reportsToApprove for the calling manager."""

    @abstractmethod
    async def get_entry(
        self,
        creds: Credentials,
        report_key: str,
        entry_id: str,
        *,
        report_id: str | None = None,
        currency_code: str | None = None,
    ) -> Entry:
        """v1.1 entry details, by the report's encrypted key and the entry's ``RpeKey``.

        The v1.1 document names its report only by that key (``ReportID``) and carries no
        currency code: pass the plain ``report_id`` to have it in ``Entry.report_id`` (else
        the key is used) and the report's ``currency_code`` for posted/approved amounts.
        """

    @abstractmethod
    async def cost_objects(self, creds: Credentials, report_id: str) -> list[CostObject]:
        """v4 costObjectsForApprover."""

    @abstractmethod
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
        """Approve at the current step: v4 (short URL for a company token, long URL for a
        user token) or, with ``Protocol.XML``, v1.1 at ``workflow_action_url``."""

    @abstractmethod
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
        """Send the report back to its owner (a comment is required); routed like ``approve``."""

    @abstractmethod
    async def recall(self, creds: Credentials, report_id: str, context: ReportContext) -> None:
        """v4 recall as the owner (``TRAVELER``) or a proxy (``PROXY``)."""

    @abstractmethod
    async def submit(self, creds: Credentials, report_id: str) -> None:
        """v4 submit; ``Conflict`` when the report is not submittable."""

    @abstractmethod
    async def create_report(
        self, creds: Credentials, report: NewReport, context: ReportContext
    ) -> str:
        """Returns the new report id (parsed from the 201 ``uri``)."""

    @abstractmethod
    async def update_report(
        self,
        creds: Credentials,
        report_id: str,
        patch: dict[str, object],
        context: ReportContext,
    ) -> None:
        """JSON Merge Patch of the header (canonical field names, mapped to v4 here)."""

    @abstractmethod
    async def add_entries(
        self, creds: Credentials, report_key: str | None, entries: list[NewEntry]
    ) -> list[EntryResult]:
        """v1.1 entry POST: one result per entry (a failed entry does not fail the others).

        ``report_key`` is ``ReportDetails.report_key``; None (no v1.1 key for this caller)
        is ``NotFound`` before anything is sent."""


__all__ = ["ConcurClient", "Credentials"]
