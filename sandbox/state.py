"""The sandbox's in-memory company: users, reports, entries, workflow, cost objects.

Everything the sandbox serves is read from one ``Store``; every change goes through
``sandbox.engine`` so versions, timestamps and events stay consistent. Protocol handlers
render these objects into their own wire format (v4 JSON, v1.1/v2.0 XML); nothing here
knows a wire format.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

APPROVAL_STATUS_NAMES: dict[str, str] = {
    "A_NOTF": "Not Submitted",
    "A_RESU": "Sent Back to Employee",
    "A_PEND": "Submitted & Pending Approval",
    "A_PECO": "Pending Cost Object Approval",
    "A_ACCO": "Approved & In Accounting Review",
    "A_APPR": "Approved",
}
RECALLED_STATUS_NAME = "Recalled by Employee"
PAYMENT_STATUS_NAMES: dict[str, str] = {
    "P_NOTP": "Not Paid",
    "P_PROC": "Processing Payment",
    "P_PAID": "Paid",
}
ZERO = Decimal("0E-8")
PLAIN_REPORT_KEY_BASE = 4_170_000  # plain ReportKeys are numeric strings from here up


def utcnow() -> datetime:
    return datetime.now(UTC)


class SandboxClock:
    """Wall-clock time plus an offset that only moves forward.

    Admin advances it so token expiry and timestamps can be exercised without waiting;
    everything in the sandbox that asks "what time is it" asks this object.
    """

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def timestamp(self) -> float:
        return self().timestamp()

    def advance(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self.offset += timedelta(seconds=seconds)


@dataclass
class SandboxUser:
    id: str  # lower-case UUID; Concur compares user ids case-insensitively
    login: str
    first_name: str
    last_name: str
    password: str
    roles: frozenset[str]  # see sandbox.roles
    manager_id: str | None = None
    currency_code: str = "USD"
    employee_id: str = ""  # the company's employee number (v4 ``Employee.employeeId``)

    @property
    def display_name(self) -> str:
        """Concur's ``EmployeeName`` form: ``Last, First``."""
        return f"{self.last_name}, {self.first_name}"


@dataclass
class SandboxCompany:
    id: str
    name: str
    auth_token: str  # the App Center request token, used with credtype=authtoken


@dataclass
class SandboxApp:
    client_id: str
    client_secret: str
    app_id: str


@dataclass
class CustomValue:
    """A custom/org-unit value; ``code`` set means a list item, rendered ``(code) value``."""

    value: str
    code: str | None = None


@dataclass
class SandboxItemization:
    key: str
    expense_type_key: str
    expense_type_name: str
    transaction_date: date
    transaction_amount: Decimal
    posted_amount: Decimal
    approved_amount: Decimal
    business_purpose: str = ""
    is_personal: bool = False
    last_modified: datetime = field(default_factory=utcnow)


@dataclass
class SandboxAttendee:
    key: str
    attendee_type: str  # SYSEMP, BUSGUEST
    first_name: str
    last_name: str
    company: str = ""
    title: str = ""
    external_id: str = ""


@dataclass
class SandboxAllocation:
    key: str
    percentage: Decimal
    account_code: str = ""
    custom: dict[int, CustomValue] = field(default_factory=dict)


@dataclass
class SandboxEntry:
    expense_id: str  # 32 hex: the v4 expense id and the plain v2.0 ``ReportEntryID``
    rpe_key: str  # encrypted v1.1 entry key (``RpeKey``), accepted only on v1.1 routes
    expense_type_key: str
    expense_type_name: str
    spend_category: str
    transaction_date: date
    transaction_amount: Decimal
    transaction_currency: str
    posted_amount: Decimal
    approved_amount: Decimal
    exchange_rate: Decimal = Decimal("1")
    vendor: str = ""
    location_name: str = ""
    location_subdivision: str = ""
    location_country: str = ""
    payment_type_key: str = "CASH"
    payment_type_name: str = "Cash"
    business_purpose: str = ""
    comment: str = ""
    is_personal: bool = False
    has_comments: bool = False
    has_exceptions: bool = False
    has_vat: bool = False
    receipt_required: bool = False
    image_required: bool = False
    is_credit_card_charge: bool = False
    is_personal_card_charge: bool = False
    receipt_image_id: str = ""
    ereceipt_id: str = ""
    allocations: list[SandboxAllocation] = field(default_factory=list)
    custom: dict[int, CustomValue] = field(default_factory=dict)  # 1..40
    org_units: dict[int, CustomValue] = field(default_factory=dict)  # 1..6
    itemizations: list[SandboxItemization] = field(default_factory=list)
    attendees: list[SandboxAttendee] = field(default_factory=list)
    cost_object: str | None = None  # name of the cost object this expense is charged to
    extracted: bool = False
    last_modified: datetime = field(default_factory=utcnow)

    @property
    def is_itemized(self) -> bool:
        return bool(self.itemizations)

    @property
    def has_attendees(self) -> bool:
        return bool(self.attendees)

    @property
    def allocation_flag(self) -> str:
        """``HasAllocation``: N (none), P (partial) or F (full)."""
        if not self.allocations:
            return "N"
        total = sum((a.percentage for a in self.allocations), Decimal(0))
        return "F" if total >= 100 else "P"


@dataclass
class SandboxCostObject:
    name: str
    approver_id: str


@dataclass
class StepInstance:
    id: str  # 32 hex
    assigned_user_id: str | None
    approved: bool = False


@dataclass
class WorkflowState:
    """Where a report is. ``step_key`` is the opaque id in the v1.1 ``WorkflowActionURL``;
    it changes on every transition, so a URL read before a change goes stale."""

    approval_status: str = "A_NOTF"
    approval_status_name: str = APPROVAL_STATUS_NAMES["A_NOTF"]
    payment_status: str = "P_NOTP"
    step_code: str | None = None
    role_code: str | None = None
    sequence: int = 0
    process_id: str = ""
    instances: list[StepInstance] = field(default_factory=list)
    step_key: str = ""
    last_transition_at: datetime | None = None


@dataclass
class SandboxReport:
    report_id: str  # 20 upper-case hex: the v4 reportId and the v2.0/v1.1 ``ReportID``
    rpt_key: str  # encrypted v1.1 report key (``RptKey``), accepted only on v1.1 routes
    report_key: str  # plain (unencrypted) numeric v2.0 ``ReportKey``, shown to WS admins only
    owner_id: str
    name: str
    business_purpose: str = ""
    comment: str = ""
    report_number: str = ""
    report_date: date | None = None
    start_date: date | None = None
    end_date: date | None = None
    creation_date: datetime = field(default_factory=utcnow)
    submit_date: datetime | None = None
    paid_date: datetime | None = None
    currency_code: str = "USD"
    policy_id: str = ""
    policy_name: str = ""
    country_code: str = "US"
    country_sub_division_code: str = "US-WA"
    report_type: str = "Regular"
    custom_data: list[dict[str, Any]] = field(default_factory=list)  # v4 CustomData items
    is_paper_receipts_received: bool = False
    entries: list[SandboxEntry] = field(default_factory=list)
    cost_objects: list[SandboxCostObject] = field(default_factory=list)
    workflow: WorkflowState = field(default_factory=WorkflowState)
    version: int = 0
    ever_sent_back: bool = False
    last_modified: datetime = field(default_factory=utcnow)

    def _sum(self, pick: Callable[[SandboxEntry], bool], amount: str = "posted_amount") -> Decimal:
        return sum(
            (getattr(e, amount) for e in self.entries if pick(e)),
            ZERO,
        )

    @property
    def total(self) -> Decimal:
        return self._sum(lambda e: True)

    @property
    def personal_amount(self) -> Decimal:
        return self._sum(lambda e: e.is_personal)

    @property
    def claimed_amount(self) -> Decimal:
        return self._sum(lambda e: not e.is_personal)

    @property
    def approved_amount(self) -> Decimal:
        return self._sum(lambda e: not e.is_personal, "approved_amount")

    @property
    def amount_due_company_card(self) -> Decimal:
        return self._sum(lambda e: e.is_credit_card_charge and not e.is_personal)

    @property
    def amount_due_employee(self) -> Decimal:
        return self._sum(lambda e: not e.is_credit_card_charge and not e.is_personal)

    @property
    def amount_company_paid(self) -> Decimal:
        return self.amount_due_company_card

    @property
    def is_submitted(self) -> bool:
        return self.workflow.approval_status not in ("A_NOTF", "A_RESU")

    @property
    def can_recall(self) -> bool:
        """Recall is open while the first approver has not acted."""
        return self.workflow.approval_status == "A_PEND"


@dataclass(frozen=True)
class SandboxEvent:
    """A change the ESS publisher turns into an envelope (``facts`` as documented)."""

    event_type: str  # reportCreated, reportUpdated, reportDeleted, statusChanged
    report_id: str
    facts: dict[str, Any]


EventListener = Callable[[SandboxEvent], None]

_KEY_ALPHABET = string.ascii_letters + string.digits


class Store:
    """The sandbox company. One per sandbox app; nothing global."""

    def __init__(self, *, seed: int = 7, base_url: str = "") -> None:
        self.base_url = base_url
        self.listeners: list[EventListener] = []
        self.clock = SandboxClock()
        self._muted = 0
        self.clear(seed=seed)

    def clear(self, *, seed: int) -> None:
        """Forget every user, app and report (in place: holders of this Store stay valid).

        Listeners, the base URL and the clock survive, since they belong to the running app.
        """
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 - ids for an emulator, not secrets
        self.company = SandboxCompany(id="", name="", auth_token="")
        self.users: dict[str, SandboxUser] = {}
        self.apps: dict[str, SandboxApp] = {}
        self.reports: dict[str, SandboxReport] = {}
        self.deleted_reports: set[str] = set()
        self._by_key: dict[str, str] = {}
        self._by_step_key: dict[str, str] = {}
        self._report_numbers = 0
        self._plain_keys = 0

    # ids -------------------------------------------------------------------------------
    def hex_id(self, length: int) -> str:
        return format(self.rng.getrandbits(length * 4), f"0{length}X")

    def new_report_id(self) -> str:
        return self.hex_id(20)

    def new_expense_id(self) -> str:
        return self.hex_id(32)

    def opaque_key(self) -> str:
        """A v1.1-style encrypted key, e.g. ``nYO0ck05r5fATbnjrMBf0d$sCIBqX8WQYw``.

        It starts with a lower-case ``n`` and holds a ``$``, so it can never equal a plain
        id (upper-case hex or digits): a plain id sent where a key belongs finds nothing.
        """
        body = "".join(self.rng.choices(_KEY_ALPHABET, k=30))
        cut = self.rng.randrange(8, 24)
        return "n" + body[:cut] + "$" + body[cut:]

    def plain_report_key(self) -> str:
        """The unencrypted numeric ``ReportKey`` of a new report (unique in the company)."""
        self._plain_keys += 1
        return str(PLAIN_REPORT_KEY_BASE + self._plain_keys)

    def next_report_number(self) -> str:
        self._report_numbers += 1
        return f"RPT{self._report_numbers:06d}"

    # lookups ---------------------------------------------------------------------------
    def user_by_login(self, login: str) -> SandboxUser | None:
        login = login.lower()
        return next((u for u in self.users.values() if u.login.lower() == login), None)

    def user(self, user_id: str) -> SandboxUser | None:
        return self.users.get(user_id.lower())

    def report(self, report_id: str) -> SandboxReport | None:
        return self.reports.get(report_id.upper())

    def report_by_rpt_key(self, rpt_key: str) -> SandboxReport | None:
        """The report whose encrypted v1.1 key is ``rpt_key``; a plain id finds nothing."""
        report_id = self._by_key.get(rpt_key)
        return self.reports.get(report_id) if report_id else None

    def report_by_step_key(self, step_key: str) -> SandboxReport | None:
        """The report whose *current* step has this key; stale keys find nothing."""
        report_id = self._by_step_key.get(step_key)
        report = self.reports.get(report_id) if report_id else None
        if report is None or report.workflow.step_key != step_key:
            return None
        return report

    def add_report(self, report: SandboxReport) -> None:
        self.reports[report.report_id] = report
        self._by_key[report.rpt_key] = report.report_id
        if report.workflow.step_key:
            self._by_step_key[report.workflow.step_key] = report.report_id

    def remove_report(self, report: SandboxReport) -> None:
        self.reports.pop(report.report_id, None)
        self._by_key.pop(report.rpt_key, None)
        self._by_step_key.pop(report.workflow.step_key, None)
        self.deleted_reports.add(report.report_id)

    def rotate_step_key(self, report: SandboxReport) -> None:
        """Give the report's new step a fresh opaque key; the old URL goes stale."""
        self._by_step_key.pop(report.workflow.step_key, None)
        report.workflow.step_key = self.opaque_key()
        self._by_step_key[report.workflow.step_key] = report.report_id

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Drop events while seeding: a seeded company has no history to publish."""
        self._muted += 1
        try:
            yield
        finally:
            self._muted -= 1

    def emit(self, event: SandboxEvent) -> None:
        if self._muted:
            return
        for listener in list(self.listeners):
            listener(event)


__all__ = [
    "APPROVAL_STATUS_NAMES",
    "PAYMENT_STATUS_NAMES",
    "PLAIN_REPORT_KEY_BASE",
    "RECALLED_STATUS_NAME",
    "ZERO",
    "CustomValue",
    "EventListener",
    "SandboxAllocation",
    "SandboxApp",
    "SandboxAttendee",
    "SandboxClock",
    "SandboxCompany",
    "SandboxCostObject",
    "SandboxEntry",
    "SandboxEvent",
    "SandboxItemization",
    "SandboxReport",
    "SandboxUser",
    "StepInstance",
    "Store",
    "WorkflowState",
    "utcnow",
]
