"""Canonical models both Concur protocols map into.

Nothing here knows a wire format: the v4 JSON and v1.1/v2.0 XML parsers in this package
produce these, operations and resolvers consume them, and the cache stores them as JSON
(``model_dump(mode="json")``), so every field must round-trip through JSON exactly
(amounts are ``Decimal``, serialised as strings).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from adapters.decimals import Money, Rate


class Canonical(BaseModel):
    """Frozen: a model read from Concur is a fact, not a draft."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Amount(Canonical):
    """An exact amount, always at Concur's 8 decimals (``adapters.decimals``): ``150`` from
    v4 and ``0E-8`` from XML become ``150.00000000`` and ``0.00000000``."""

    value: Money
    currency_code: str


class Status(Canonical):
    """A Concur status: ``code`` is stable (``A_PEND``), ``name`` is localised."""

    code: str
    name: str


class CustomField(Canonical):
    """A custom or org-unit field. ``code`` is the list item code when the field is a list
    (v1.1 renders those as ``(code) name``; v4 as a list item id)."""

    id: str
    value: str | None = None
    code: str | None = None
    is_valid: bool = True


class ExpenseType(Canonical):
    key: str
    name: str | None = None


class PaymentType(Canonical):
    key: str
    name: str | None = None


class Allocation(StrEnum):
    NONE = "NONE"
    PARTIAL = "PARTIAL"
    FULL = "FULL"


class ReportContext(StrEnum):
    """The v4 ``contextType``: whose view of the report the caller asks for."""

    TRAVELER = "TRAVELER"
    MANAGER = "MANAGER"
    PROCESSOR = "PROCESSOR"
    PROXY = "PROXY"


class ReportView(StrEnum):
    """The v1.1 ReportsList views the graph offers."""

    RECENT = "RECENT"
    ACTIVE = "ACTIVE"
    UNSUBMITTED = "UNSUBMITTED"
    PENDING = "PENDING"
    APPROVED = "APPROVED"
    TOAPPROVE = "TOAPPROVE"
    PROCESSED = "PROCESSED"
    PAID = "PAID"


class TokenKind(StrEnum):
    """The ``concur.type`` claim of a Concur access token."""

    USER = "user"
    COMPANY = "company"
    APP = "app"


class Protocol(StrEnum):
    """Which Concur API carries a workflow action."""

    V4 = "V4"
    XML = "XML"


class WorkflowActionKind(StrEnum):
    APPROVE = "APPROVE"
    SEND_BACK = "SEND_BACK"
    RECALL = "RECALL"
    SUBMIT = "SUBMIT"


class Report(Canonical):
    """A report header (v4 ``ReportDetails``)."""

    id: str
    name: str | None = None
    business_purpose: str | None = None
    report_number: str | None = None
    report_date: date | None = None
    creation_date: datetime | None = None
    submit_date: datetime | None = None
    currency_code: str | None = None
    total: Amount | None = None
    claimed: Amount | None = None
    approved: Amount | None = None
    amount_due_employee: Amount | None = None
    amount_due_company_card: Amount | None = None
    personal: Amount | None = None
    approval_status: Status
    payment_status: Status
    owner_id: str | None = None
    policy: str | None = None
    policy_id: str | None = None
    custom_data: list[CustomField] = Field(default_factory=list)
    can_recall: bool = False
    version: int | None = None


class Itemization(Canonical):
    id: str
    expense_type: ExpenseType | None = None
    transaction_date: date | None = None
    transaction_amount: Amount | None = None
    posted_amount: Amount | None = None
    approved_amount: Amount | None = None
    business_purpose: str | None = None
    is_personal: bool = False
    last_modified: datetime | None = None


class Entry(Canonical):
    """An expense entry (v1.1 ``ExpenseEntry`` or full-details entry, keyed by ``RpeKey``;
    v2.0 ``ExpenseEntriesList`` item, keyed by ``ReportEntryID``)."""

    id: str
    report_id: str
    expense_type: ExpenseType
    spend_category: str | None = None
    transaction_date: date | None = None
    transaction_amount: Amount | None = None
    posted_amount: Amount | None = None
    approved_amount: Amount | None = None
    exchange_rate: Rate | None = None
    vendor: str | None = None
    location: str | None = None
    payment_type: PaymentType | None = None
    business_purpose: str | None = None
    is_personal: bool = False
    is_itemized: bool = False
    has_attendees: bool = False
    has_comments: bool = False
    has_exceptions: bool = False
    has_vat: bool = False
    receipt_required: bool = False
    image_required: bool = False
    is_credit_card_charge: bool = False
    is_personal_card_charge: bool = False
    receipt_image_id: str | None = None
    allocation: Allocation = Allocation.NONE
    custom_fields: list[CustomField] = Field(default_factory=list)
    org_units: list[CustomField] = Field(default_factory=list)
    itemizations: list[Itemization] = Field(default_factory=list)
    last_modified: datetime | None = None


class CostObjectExpense(Canonical):
    id: str
    approved_amount: Amount | None = None
    posted_amount: Amount | None = None


class CostObject(Canonical):
    """v4 ``CostObjectForApprover``, field for field."""

    name: str
    approved_amount: Amount
    claimed_amount: Amount
    approver_id: str
    expenses: list[CostObjectExpense] = Field(default_factory=list)
    is_owned_by_caller: bool
    is_fully_approved: bool
    is_approvable_as_user: bool
    is_approvable_as_delegate: bool


class ReportDetails(Canonical):
    """What the XML side knows of a report, keyed by its plain (v4) id.

    ``report_key`` is the encrypted v1.1 key (``RptKey``) Concur handed this caller, None
    when the details came from v2.0 (whose unencrypted ``ReportKey`` no v1.1 route takes).
    Entry ids follow the source: ``RpeKey`` from v1.1, ``ReportEntryID`` from v2.0.
    ``workflow_action_url`` is absent when the caller has no action at the current step.
    The approval status here is the one the v1.1 warning says to check before any action.
    """

    report_id: str
    report_key: str | None = None
    currency_code: str | None = None
    approval_status: Status
    payment_status: Status | None = None
    workflow_action_url: str | None = None
    entries: list[Entry] = Field(default_factory=list)


class ReportSummary(Canonical):
    """One row of a report list (v1.1 ReportsList or v4 reportsToApprove)."""

    id: str
    name: str | None = None
    total: Amount | None = None
    report_date: date | None = None
    owner_name: str | None = None
    report_key: str | None = None


class StepInstance(Canonical):
    id: str
    assigned_user_id: str | None = None


class WorkflowFacts(Canonical):
    """The last ``statusChanged`` facts recorded for a report (from ESS)."""

    report_id: str
    step_code: str | None = None
    role_code: str | None = None
    process_id: str | None = None
    current_approval_status: str | None = None
    current_payment_status: str | None = None
    step_instances: list[StepInstance] = Field(default_factory=list)
    last_modified: datetime | None = None


class ReportEvent(Canonical):
    """A change to a report, as Concur's ESS announced it (protocol-neutral).

    ``event_type`` is Concur's (``reportCreated``, ``reportUpdated``, ``reportDeleted``,
    ``statusChanged``); ``facts`` is set for ``statusChanged``.
    """

    id: str
    event_type: str
    report_id: str
    occurred_at: datetime
    owner_id: str | None = None
    facts: WorkflowFacts | None = None
    correlation_id: str | None = None


class WorkflowStep(Canonical):
    """Where a report is in its workflow, merged from v1.1, v4 and ESS facts."""

    approval_status: Status
    step_code: str | None = None
    role_code: str | None = None
    process_id: str | None = None
    sequence: int | None = None
    assignees: list[str] = Field(default_factory=list)
    has_action_url: bool = False
    last_transition_at: datetime | None = None


class User(Canonical):
    """The caller, as its Concur token names it."""

    id: str
    kind: TokenKind
    company_id: str | None = None


class NewReport(Canonical):
    """v4 ``NewReport``."""

    name: str
    business_purpose: str | None = None
    comment: str | None = None
    country_code: str | None = None
    country_sub_division_code: str | None = None
    policy_id: str | None = None
    report_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    custom_data: list[CustomField] = Field(default_factory=list)


class NewEntry(Canonical):
    """One v1.1 ``Expense`` to post: the minimum is currency, type, date and amount."""

    currency_code: str
    expense_type_key: str
    transaction_date: date
    transaction_amount: Decimal
    description: str | None = None
    vendor: str | None = None
    comment: str | None = None
    is_personal: bool = False
    location_id: str | None = None
    payment_type_id: str | None = None
    custom_fields: list[CustomField] = Field(default_factory=list)


class EntryResult(Canonical):
    """Per-entry outcome of a v1.1 entry POST (``ReportEntryStatus``)."""

    index: int
    success: bool
    entry_id: str | None = None
    message: str | None = None


__all__ = [
    "Allocation",
    "Amount",
    "Canonical",
    "CostObject",
    "CostObjectExpense",
    "CustomField",
    "Entry",
    "EntryResult",
    "ExpenseType",
    "Itemization",
    "NewEntry",
    "NewReport",
    "PaymentType",
    "Protocol",
    "Report",
    "ReportContext",
    "ReportDetails",
    "ReportEvent",
    "ReportSummary",
    "ReportView",
    "Status",
    "StepInstance",
    "TokenKind",
    "User",
    "WorkflowActionKind",
    "WorkflowFacts",
    "WorkflowStep",
]
