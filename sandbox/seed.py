"""The sandbox's demo company: fixed users and apps, and reports driven through the engine.

Every demo report reaches its status by real transitions (submit, approve, send back,
recall, process, extract), so versions, step keys, sequences and step instances are what
a live report would have. Content (names, amounts, vendors) comes from a ``Random`` seeded
by ``Store.seed``: the same seed always builds the same company. Seeding runs muted, since
a freshly seeded company has no history to publish over ESS.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from sandbox.engine import Engine
from sandbox.records import (
    CustomValue,
    SandboxAllocation,
    SandboxApp,
    SandboxAttendee,
    SandboxCompany,
    SandboxCostObject,
    SandboxEntry,
    SandboxItemization,
    SandboxReport,
    SandboxUser,
)
from sandbox.roles import (
    CO_APPROVER,
    COMPANY_ADMIN,
    MANAGER,
    PROCESSOR,
    TRAVELER,
    WEB_SERVICES_ADMIN,
)
from sandbox.state import Store
from sandbox.workflow_terms import Actor, money

COMPANY_ID: Final = "6b1e2f4a-0c3d-4e5f-8a9b-1c2d3e4f5a6b"
COMPANY_NAME: Final = "Sandbox Industries"
COMPANY_AUTH_TOKEN: Final = "sandbox-company-auth-token"  # noqa: S105 - published demo value
CLIENT_ID: Final = "sandbox-client"
CLIENT_SECRET: Final = "sandbox-secret"  # noqa: S105 - published demo value
APP_ID: Final = "4eadc5a6-7f8b-4c9d-9e5f-6a7b8c9d0e1f"
DEMO_PASSWORD: Final = "sandbox"  # noqa: S105 - published demo value

TRAVELER_ID: Final = "0a6f1c2e-3b4d-4e5f-9a1b-2c3d4e5f6a7b"
TRAVELER2_ID: Final = "5fbe6d7c-8a9b-4c0d-9e1f-2a3b4c5d6e7f"
MANAGER_ID: Final = "1b7a2d3f-4c5e-4f6a-8b2c-3d4e5f6a7b8c"
COAPPROVER_ID: Final = "2c8b3e4a-5d6f-4a7b-9c3d-4e5f6a7b8c9d"
PROCESSOR_ID: Final = "3d9c4f5b-6e7a-4b8c-8d4e-5f6a7b8c9d0e"
ADMIN_ID: Final = "4eab5c6d-7f8a-4b9c-9d0e-1f2a3b4c5d6e"
COMPANY_ADMIN_ID: Final = "5fbc6d7e-8a9b-4cad-8e1f-2a3b4c5d6e7f"
TRAVELER_LOGIN: Final = "traveler@example.com"
TRAVELER2_LOGIN: Final = "traveler2@example.com"
MANAGER_LOGIN: Final = "manager@example.com"
COAPPROVER_LOGIN: Final = "coapprover@example.com"
PROCESSOR_LOGIN: Final = "processor@example.com"
ADMIN_LOGIN: Final = "admin@example.com"  # Web Services Administrator
COMPANY_ADMIN_LOGIN: Final = "companyadmin@example.com"  # Company Administrator only

ANCHOR: Final = date(2025, 6, 2)  # demo dates are fixed so the same seed gives the same data
SEND_BACK_COMMENT: Final = "Please attach the missing hotel folio and resubmit."


@dataclass(frozen=True)
class DemoUser:
    login: str
    id: str
    first_name: str
    last_name: str
    roles: frozenset[str]
    manager_id: str | None
    employee_id: str


DEMO_USERS: Final[tuple[DemoUser, ...]] = (
    DemoUser(
        TRAVELER_LOGIN,
        TRAVELER_ID,
        "Chris",
        "Miller",
        frozenset({TRAVELER}),
        MANAGER_ID,
        "EMP1001",
    ),
    DemoUser(
        TRAVELER2_LOGIN,
        TRAVELER2_ID,
        "Alex",
        "Kim",
        frozenset({TRAVELER}),
        MANAGER_ID,
        "EMP1002",
    ),
    DemoUser(
        MANAGER_LOGIN,
        MANAGER_ID,
        "Morgan",
        "Lee",
        frozenset({TRAVELER, MANAGER, CO_APPROVER}),
        None,
        "EMP0100",
    ),
    DemoUser(
        COAPPROVER_LOGIN,
        COAPPROVER_ID,
        "Casey",
        "Jordan",
        frozenset({TRAVELER, CO_APPROVER}),
        MANAGER_ID,
        "EMP0200",
    ),
    DemoUser(
        PROCESSOR_LOGIN,
        PROCESSOR_ID,
        "Pat",
        "Rivera",
        frozenset({PROCESSOR}),
        None,
        "EMP0300",
    ),
    DemoUser(
        ADMIN_LOGIN,
        ADMIN_ID,
        "Jordan",
        "Blake",
        frozenset({TRAVELER, WEB_SERVICES_ADMIN}),
        MANAGER_ID,
        "EMP0400",
    ),
    DemoUser(
        COMPANY_ADMIN_LOGIN,
        COMPANY_ADMIN_ID,
        "Riley",
        "Chen",
        frozenset({TRAVELER, COMPANY_ADMIN}),
        MANAGER_ID,
        "EMP0500",
    ),
)

# Expense types: key -> (name, spend category). Keys are Concur's 5-character codes.
EXPENSE_TYPES: Final[dict[str, tuple[str, str]]] = {
    "AIRFR": ("Airfare", "Travel"),
    "LODNG": ("Hotel", "Lodging"),
    "BRKFT": ("Breakfast", "Meals"),
    "DINNR": ("Dinner", "Meals"),
    "BUSML": ("Business Meal (attendees)", "Entertainment"),
    "CARRT": ("Car Rental", "Transportation"),
    "TAXIX": ("Taxi", "Transportation"),
    "PARKG": ("Parking", "Transportation"),
    "MILEG": ("Mileage", "Transportation"),
    "OFCSP": ("Office Supplies", "Office"),
}
# Units of USD per unit of the transaction currency (the company's fixed rates).
RATES: Final[dict[str, Decimal]] = {
    "USD": Decimal(1),
    "EUR": Decimal("1.08"),
    "GBP": Decimal("1.27"),
}
MILEAGE_RATE: Final = Decimal("0.67")  # USD per mile


@dataclass(frozen=True)
class Place:
    city: str
    subdivision: str
    country: str
    currency: str


PLACES: Final[dict[str, Place]] = {
    "Seattle": Place("Seattle", "US-WA", "US", "USD"),
    "Boston": Place("Boston", "US-MA", "US", "USD"),
    "Denver": Place("Denver", "US-CO", "US", "USD"),
    "Chicago": Place("Chicago", "US-IL", "US", "USD"),
    "Portland": Place("Portland", "US-OR", "US", "USD"),
    "Austin": Place("Austin", "US-TX", "US", "USD"),
    "New York": Place("New York", "US-NY", "US", "USD"),
    "Dallas": Place("Dallas", "US-TX", "US", "USD"),
    "London": Place("London", "GB-LND", "GB", "GBP"),
    "Berlin": Place("Berlin", "DE-BE", "DE", "EUR"),
    "Munich": Place("Munich", "DE-BY", "DE", "EUR"),
    "Paris": Place("Paris", "FR-IDF", "FR", "EUR"),
}
VENDORS: Final[dict[str, tuple[str, ...]]] = {
    "AIRFR": ("Alaska Airlines", "Delta Air Lines", "United Airlines", "Lufthansa"),
    "LODNG": ("Hilton", "Marriott", "Hyatt Regency", "Holiday Inn"),
    "BRKFT": ("Starbucks", "Le Pain Quotidien", "Blue Bottle Coffee"),
    "DINNR": ("The Capital Grille", "Ruth's Chris Steak House", "Local Bistro"),
    "BUSML": ("The Capital Grille", "Canlis", "Nobu", "Dishoom"),
    "CARRT": ("Hertz", "Avis", "Enterprise"),
    "TAXIX": ("Yellow Cab", "Uber", "Lyft"),
    "PARKG": ("Airport Parking", "ParkWhiz", "City Garage"),
    "MILEG": ("",),
    "OFCSP": ("Staples", "Office Depot", "Amazon"),
}
# Per-type amount ranges in the transaction currency (whole currency units).
AMOUNTS: Final[dict[str, tuple[int, int]]] = {
    "AIRFR": (220, 980),
    "LODNG": (160, 320),  # per night
    "BRKFT": (8, 28),
    "DINNR": (30, 95),
    "BUSML": (120, 480),
    "CARRT": (90, 340),
    "TAXIX": (14, 68),
    "PARKG": (12, 60),
    "MILEG": (20, 160),  # miles
    "OFCSP": (15, 140),
}
CARD_TYPES: Final = frozenset({"AIRFR", "LODNG", "CARRT"})
PROJECTS: Final = (("PRJ-100", "Project Falcon"), ("PRJ-200", "Project Harbor"))
DEPARTMENTS: Final = (("ENG", "Engineering"), ("SLS", "Sales"), ("MKT", "Marketing"))

# Target states of the demo reports, reached through the engine.
NOT_SUBMITTED: Final = "A_NOTF"
SENT_BACK: Final = "SENT_BACK"
RECALLED: Final = "RECALLED"
PENDING: Final = "A_PEND"
PENDING_COST_OBJECT: Final = "A_PECO"
PROCESSOR_REVIEW: Final = "A_ACCO"
PROCESSING_EXTRACTED: Final = "P_PROC_EXTRACTED"
PROCESSING: Final = "P_PROC"
PAID: Final = "P_PAID"


@dataclass(frozen=True)
class ReportPlan:
    owner_id: str
    name: str
    purpose: str
    city: str
    target: str
    kinds: tuple[str, ...]
    days_ago: int
    cost_objects: bool = False


PLANS: Final[tuple[ReportPlan, ...]] = (
    ReportPlan(
        TRAVELER_ID,
        "June Client Visit - Seattle",
        "Quarterly review with Northwind",
        "Seattle",
        NOT_SUBMITTED,
        ("AIRFR", "LODNG", "BUSML", "TAXIX", "BRKFT"),
        3,
    ),
    ReportPlan(
        TRAVELER_ID,
        "Office Supplies June",
        "Team office supplies",
        "Seattle",
        NOT_SUBMITTED,
        ("OFCSP", "OFCSP", "PARKG"),
        2,
    ),
    ReportPlan(TRAVELER_ID, "New Report", "", "Seattle", NOT_SUBMITTED, (), 1),
    ReportPlan(
        TRAVELER_ID,
        "Q2 Sales Conference",
        "Annual sales conference",
        "Boston",
        SENT_BACK,
        ("AIRFR", "LODNG", "DINNR", "TAXIX"),
        20,
    ),
    ReportPlan(
        TRAVELER_ID,
        "Team Offsite Supplies",
        "Offsite planning supplies",
        "Seattle",
        RECALLED,
        ("OFCSP", "BUSML"),
        12,
    ),
    ReportPlan(
        TRAVELER_ID,
        "Boston Customer Workshop",
        "Workshop with Contoso",
        "Boston",
        PENDING,
        ("AIRFR", "LODNG", "BUSML", "CARRT", "PARKG", "BRKFT"),
        9,
    ),
    ReportPlan(
        TRAVELER_ID,
        "London Partner Summit",
        "Partner summit and roadmap review",
        "London",
        PENDING,
        ("AIRFR", "LODNG", "TAXIX", "BUSML", "DINNR", "BRKFT", "TAXIX"),
        14,
    ),
    ReportPlan(
        TRAVELER_ID,
        "Product Launch Berlin",
        "Launch event for the EU market",
        "Berlin",
        PENDING_COST_OBJECT,
        ("AIRFR", "LODNG", "BUSML", "TAXIX", "DINNR"),
        25,
        cost_objects=True,
    ),
    ReportPlan(
        TRAVELER_ID,
        "Denver Trade Show",
        "Booth staffing at the trade show",
        "Denver",
        PROCESSOR_REVIEW,
        ("AIRFR", "LODNG", "CARRT", "DINNR", "PARKG"),
        35,
    ),
    ReportPlan(
        TRAVELER_ID,
        "Chicago Training",
        "Certification training",
        "Chicago",
        PROCESSING_EXTRACTED,
        ("AIRFR", "LODNG", "BRKFT", "TAXIX"),
        45,
    ),
    ReportPlan(
        TRAVELER_ID,
        "Portland Site Survey",
        "Survey of the new office site",
        "Portland",
        PROCESSING,
        ("MILEG", "PARKG", "DINNR"),
        40,
    ),
    ReportPlan(
        TRAVELER_ID,
        "April Client Dinners",
        "Client entertainment",
        "Seattle",
        PAID,
        ("BUSML", "BUSML", "TAXIX"),
        60,
    ),
    ReportPlan(
        TRAVELER2_ID,
        "Paris Customer Visit",
        "Customer onboarding in Paris",
        "Paris",
        NOT_SUBMITTED,
        ("AIRFR", "LODNG", "TAXIX", "BUSML", "BRKFT", "DINNR", "TAXIX", "PARKG"),
        4,
    ),
    ReportPlan(
        TRAVELER2_ID,
        "Mileage May",
        "Local customer visits",
        "Seattle",
        NOT_SUBMITTED,
        ("MILEG", "MILEG", "MILEG", "PARKG"),
        6,
    ),
    ReportPlan(
        TRAVELER2_ID,
        "Austin Kickoff",
        "Project kickoff with Fabrikam",
        "Austin",
        PENDING,
        ("AIRFR", "LODNG", "CARRT", "BUSML"),
        8,
    ),
    ReportPlan(
        TRAVELER2_ID,
        "New York Roadshow",
        "Investor roadshow support",
        "New York",
        PENDING,
        ("AIRFR", "LODNG", "TAXIX", "TAXIX", "DINNR", "BRKFT", "BUSML", "PARKG", "TAXIX", "OFCSP"),
        10,
    ),
    ReportPlan(
        TRAVELER2_ID,
        "Research Lab Visit",
        "Joint research sessions",
        "Munich",
        PENDING_COST_OBJECT,
        ("AIRFR", "LODNG", "DINNR", "TAXIX"),
        18,
        cost_objects=True,
    ),
    ReportPlan(
        TRAVELER2_ID,
        "Munich Conference",
        "Industry conference",
        "Munich",
        PROCESSOR_REVIEW,
        ("AIRFR", "LODNG", "BUSML", "BRKFT"),
        30,
        cost_objects=True,
    ),
    ReportPlan(
        TRAVELER2_ID,
        "March Expenses",
        "Monthly expenses",
        "Seattle",
        PAID,
        ("MILEG", "PARKG", "OFCSP", "BRKFT"),
        75,
    ),
    ReportPlan(
        TRAVELER2_ID,
        "Dallas Client Lunch",
        "Client lunch and site visit",
        "Dallas",
        SENT_BACK,
        ("BUSML", "TAXIX"),
        16,
    ),
)
SCALE_TARGETS: Final = (
    NOT_SUBMITTED,
    NOT_SUBMITTED,
    NOT_SUBMITTED,
    PENDING,
    PENDING,
    PROCESSOR_REVIEW,
    PROCESSING,
    PAID,
    SENT_BACK,
    PENDING,
)
SCALE_KINDS: Final = ("BRKFT", "DINNR", "TAXIX", "PARKG", "OFCSP")


def cents(value: Decimal) -> Decimal:
    """Amounts are whole cents, printed with Concur's 8 decimals."""
    return money(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class _Builder:
    """Makes entries for one seeding run; all content comes from ``rng``."""

    def __init__(self, store: Store, rng: random.Random) -> None:
        self.store = store
        self.rng = rng

    def amount(self, kind: str) -> Decimal:
        low, high = AMOUNTS[kind]
        return money(Decimal(self.rng.randrange(low * 100, high * 100)) / 100)

    def entry(
        self,
        kind: str,
        place: Place,
        day: date,
        *,
        owner: SandboxUser,
        index: int,
        rich: bool = True,
    ) -> SandboxEntry:
        name, category = EXPENSE_TYPES[kind]
        currency = "USD" if kind == "MILEG" else place.currency
        rate = RATES[currency]
        itemizations: list[SandboxItemization] = []
        if kind == "MILEG":
            miles = self.rng.randrange(*AMOUNTS["MILEG"])
            transaction = cents(MILEAGE_RATE * miles)
            purpose = f"{miles} miles to customer site"
        elif kind == "LODNG" and rich:
            nights = self.rng.randrange(1, 4)
            nightly = self.amount("LODNG")
            tax = cents(nightly * Decimal("0.155"))
            itemizations = [
                self.itemization("LODNG", "Room Rate", day + timedelta(days=n), nightly, rate)
                for n in range(nights)
            ] + [
                self.itemization("LODTX", "Hotel Tax", day + timedelta(days=n), tax, rate)
                for n in range(nights)
            ]
            transaction = money(sum((i.transaction_amount for i in itemizations), Decimal(0)))
            purpose = f"{nights} night(s) at the conference hotel"
        else:
            transaction = self.amount(kind)
            purpose = ""
        posted = cents(transaction * rate)
        if itemizations:  # the parent's posted amount is the sum of its children's
            posted = money(sum((i.posted_amount for i in itemizations), Decimal(0)))
        card = kind in CARD_TYPES
        personal = rich and kind == "DINNR" and index % 3 == 2
        entry = SandboxEntry(
            expense_id=self.store.new_expense_id(),
            rpe_key=self.store.opaque_key(),
            expense_type_key=kind,
            expense_type_name=name,
            spend_category=category,
            transaction_date=day,
            transaction_amount=transaction,
            transaction_currency=currency,
            posted_amount=posted,
            approved_amount=posted,
            exchange_rate=rate,
            vendor=self.rng.choice(VENDORS[kind]),
            location_name=place.city,
            location_subdivision=place.subdivision,
            location_country=place.country,
            payment_type_key="CPAID" if card else "CASH",
            payment_type_name="Company Paid" if card else "Cash",
            business_purpose=purpose,
            is_personal=personal,
            receipt_required=posted >= 75,
            image_required=posted >= 75,
            is_credit_card_charge=card,
            itemizations=itemizations,
            last_modified=datetime.combine(day, time(18, 0), UTC),
        )
        if rich:
            self.decorate(entry, owner, index)
        return entry

    def itemization(
        self, kind: str, name: str, day: date, amount: Decimal, rate: Decimal
    ) -> SandboxItemization:
        posted = cents(amount * rate)
        return SandboxItemization(
            key=self.store.opaque_key(),
            expense_type_key=kind,
            expense_type_name=name,
            transaction_date=day,
            transaction_amount=amount,
            posted_amount=posted,
            approved_amount=posted,
            last_modified=datetime.combine(day, time(18, 0), UTC),
        )

    def decorate(self, entry: SandboxEntry, owner: SandboxUser, index: int) -> None:
        """Attendees, allocations, custom fields and receipts: the parts clients trip on."""
        code, project = PROJECTS[index % len(PROJECTS)]
        dept_code, dept = DEPARTMENTS[index % len(DEPARTMENTS)]
        entry.custom = {
            1: CustomValue(project, code=code),
            2: CustomValue(f"Ticket {1000 + index}"),
        }
        entry.org_units = {
            1: CustomValue("North America", code="NA"),
            2: CustomValue(dept, code=dept_code),
        }
        if entry.posted_amount >= 75 and index % 2 == 0:
            entry.receipt_image_id = self.store.hex_id(32)
        if entry.expense_type_key == "TAXIX" and index % 2 == 1:
            entry.ereceipt_id = self.store.hex_id(32)
        if entry.expense_type_key == "BUSML":
            entry.business_purpose = "Working dinner with the customer team"
            entry.attendees = [
                SandboxAttendee(
                    key=self.store.opaque_key(),
                    attendee_type="SYSEMP",
                    first_name=owner.first_name,
                    last_name=owner.last_name,
                    company=COMPANY_NAME,
                    external_id=owner.employee_id,
                ),
                SandboxAttendee(
                    key=self.store.opaque_key(),
                    attendee_type="BUSGUEST",
                    first_name=self.rng.choice(("Jamie", "Taylor", "Robin", "Sam")),
                    last_name=self.rng.choice(("Garcia", "Nguyen", "Smith", "Okafor")),
                    company=self.rng.choice(("Northwind", "Contoso", "Fabrikam")),
                    title=self.rng.choice(("CTO", "VP Finance", "Buyer")),
                ),
            ]
        if entry.expense_type_key == "AIRFR":
            entry.allocations = [
                SandboxAllocation(
                    self.store.hex_id(32),
                    Decimal("50.00000000"),
                    "6100",
                    {1: CustomValue(project, code=code)},
                ),
                SandboxAllocation(
                    self.store.hex_id(32),
                    Decimal("50.00000000"),
                    "6200",
                    {1: CustomValue(*reversed(PROJECTS[(index + 1) % len(PROJECTS)]))},
                ),
            ]
        elif entry.expense_type_key == "CARRT":
            entry.allocations = [
                SandboxAllocation(
                    self.store.hex_id(32),
                    Decimal("60.00000000"),
                    "6300",
                    {1: CustomValue(project, code=code)},
                )
            ]
        if entry.is_personal:
            entry.comment = "Personal dinner, not reimbursable."
            entry.has_comments = True
        if entry.receipt_required and not entry.receipt_image_id:
            entry.has_exceptions = True


def _user(demo: DemoUser) -> SandboxUser:
    return SandboxUser(
        id=demo.id,
        login=demo.login,
        first_name=demo.first_name,
        last_name=demo.last_name,
        password=DEMO_PASSWORD,
        roles=demo.roles,
        manager_id=demo.manager_id,
        employee_id=demo.employee_id,
    )


def _company(store: Store) -> None:
    store.company = SandboxCompany(id=COMPANY_ID, name=COMPANY_NAME, auth_token=COMPANY_AUTH_TOKEN)
    store.users = {u.id: _user(u) for u in DEMO_USERS}
    store.apps = {CLIENT_ID: SandboxApp(CLIENT_ID, CLIENT_SECRET, APP_ID)}


def _custom_data(rng: random.Random, store: Store, index: int) -> list[dict[str, object]]:
    """Report header custom fields: a list item (32-hex id) and a free-text value."""
    return [
        {"id": "custom1", "value": store.hex_id(32), "isValid": True},
        {"id": "custom2", "value": f"CC-{4100 + index % 7}", "isValid": True},
        {"id": "orgUnit1", "value": rng.choice(("North America", "EMEA")), "isValid": True},
    ]


_APPROVED = ("submit", "approve", "co_approve")
PATHS: Final[dict[str, tuple[str, ...]]] = {
    NOT_SUBMITTED: (),
    RECALLED: ("submit", "recall"),
    SENT_BACK: ("submit", "send_back"),
    PENDING: ("submit",),
    PENDING_COST_OBJECT: ("submit", "approve"),
    PROCESSOR_REVIEW: _APPROVED,
    PROCESSING: (*_APPROVED, "process"),
    PROCESSING_EXTRACTED: (*_APPROVED, "process", "extract"),
    PAID: (*_APPROVED, "process", "extract", "pay"),
}


def _drive(engine: Engine, report: SandboxReport, target: str, owner: SandboxUser) -> None:
    """Walk a report through real transitions to its target state."""
    traveler = Actor(owner.id, "user")
    manager = Actor(owner.manager_id, "user")
    for step in PATHS[target]:
        if step == "submit":
            engine.submit(report, traveler)
        elif step == "recall":
            engine.recall(report, traveler)
        elif step == "send_back":
            engine.send_back(report, manager, comment=SEND_BACK_COMMENT)
        elif step == "approve":
            engine.approve(report, manager)
        elif step == "co_approve":
            for instance in list(report.workflow.instances):
                if report.workflow.approval_status == "A_PECO" and instance.assigned_user_id:
                    engine.approve(report, Actor(instance.assigned_user_id, "user"))
        elif step == "process":
            engine.process(report)
        elif step == "extract":
            engine.extract(report)
        elif step == "pay":
            engine.approve(report, Actor(None, "company"))


def _fix_dates(report: SandboxReport, created: datetime) -> None:
    """Demo history happened in the past: date it there, deterministically."""
    report.creation_date = created
    if report.submit_date is not None:
        report.submit_date = created + timedelta(days=2, hours=3)
    if report.paid_date is not None:
        report.paid_date = created + timedelta(days=20)


def _plan_report(
    engine: Engine,
    builder: _Builder,
    plan: ReportPlan,
    index: int,
    add_entry: Callable[[SandboxReport, SandboxEntry], None],
    *,
    rich: bool,
) -> SandboxReport:
    store = engine.store
    owner = store.users[plan.owner_id]
    place = PLACES[plan.city]
    start = ANCHOR - timedelta(days=plan.days_ago)
    end = start + timedelta(days=max(len(plan.kinds) // 2, 1))
    report = engine.create_report(
        owner.id,
        name=plan.name,
        business_purpose=plan.purpose,
        report_date=start,
        start_date=start,
        end_date=end,
        policy_id=POLICY_ID,
        policy_name=POLICY_NAME,
        country_code="US",
        country_sub_division_code="US-WA",
        custom_data=_custom_data(builder.rng, store, index) if rich else [],
    )
    if plan.cost_objects:
        report.cost_objects = [
            SandboxCostObject("Development", COAPPROVER_ID),
            SandboxCostObject("Marketing", MANAGER_ID),
        ]
    for n, kind in enumerate(plan.kinds):
        day = start + timedelta(days=min(n // 2, (end - start).days))
        entry = builder.entry(kind, place, day, owner=owner, index=index + n, rich=rich)
        if report.cost_objects:
            entry.cost_object = report.cost_objects[n % len(report.cost_objects)].name
        add_entry(report, entry)
    _drive(engine, report, plan.target, owner)
    _fix_dates(report, datetime.combine(start, time(16, 30), UTC))
    return report


POLICY_ID: Final = "EE095F66AEF52B4A9CE62952601E5CB1"
POLICY_NAME: Final = "US Expense Policy"


def _scale_plans(rng: random.Random, count: int) -> Sequence[ReportPlan]:
    owners = (TRAVELER_ID, TRAVELER2_ID)
    cities = ("Seattle", "Boston", "Chicago", "London", "Berlin")
    plans = []
    for n in range(count):
        size = rng.randrange(1, 5)
        plans.append(
            ReportPlan(
                owners[n % 2],
                f"Generated Report {n + 1:05d}",
                "Generated for load",
                cities[n % len(cities)],
                SCALE_TARGETS[n % len(SCALE_TARGETS)],
                tuple(SCALE_KINDS[rng.randrange(len(SCALE_KINDS))] for _ in range(size)),
                90 + n % 300,
            )
        )
    return plans


def seed_store(store: Store, engine: Engine, *, scale: int = 0) -> None:
    """Fill an empty (or just cleared) store with the demo company and ``scale`` extra reports."""
    rng = random.Random(store.seed)  # noqa: S311 - demo content, not secrets
    builder = _Builder(store, rng)
    with store.muted():
        _company(store)
        for index, plan in enumerate(PLANS):
            _plan_report(engine, builder, plan, index, engine.add_entry, rich=True)

        def append(report: SandboxReport, entry: SandboxEntry) -> None:
            report.entries.append(entry)  # load data: skip per-entry versions

        for index, plan in enumerate(_scale_plans(rng, scale)):
            _plan_report(engine, builder, plan, index, append, rich=False)


__all__ = [
    "ADMIN_ID",
    "ADMIN_LOGIN",
    "ANCHOR",
    "APP_ID",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "COAPPROVER_ID",
    "COAPPROVER_LOGIN",
    "COMPANY_ADMIN_ID",
    "COMPANY_ADMIN_LOGIN",
    "COMPANY_AUTH_TOKEN",
    "COMPANY_ID",
    "COMPANY_NAME",
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "EXPENSE_TYPES",
    "MANAGER_ID",
    "MANAGER_LOGIN",
    "PLANS",
    "POLICY_ID",
    "POLICY_NAME",
    "PROCESSOR_ID",
    "PROCESSOR_LOGIN",
    "SEND_BACK_COMMENT",
    "TRAVELER2_ID",
    "TRAVELER2_LOGIN",
    "TRAVELER_ID",
    "TRAVELER_LOGIN",
    "DemoUser",
    "ReportPlan",
    "seed_store",
]
