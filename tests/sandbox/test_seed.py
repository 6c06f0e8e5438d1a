"""The demo company: deterministic, every status reached through the engine, rich entries."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sandbox import roles, seed
from sandbox.engine import Engine
from sandbox.records import SandboxEvent, SandboxReport
from sandbox.state import Store


def build(seed_value: int = 7, scale: int = 0) -> Store:
    store = Store(seed=seed_value)
    seed.seed_store(store, Engine(store), scale=scale)
    return store


def fingerprint(store: Store) -> list[tuple[object, ...]]:
    return [
        (
            r.report_id,
            r.report_key,
            r.name,
            r.owner_id,
            r.total,
            r.version,
            r.workflow.approval_status,
            r.workflow.payment_status,
            r.workflow.sequence,
            r.workflow.step_key,
            tuple((e.expense_id, e.transaction_amount, e.vendor) for e in r.entries),
        )
        for r in store.reports.values()
    ]


def named(store: Store, name: str) -> SandboxReport:
    return next(r for r in store.reports.values() if r.name == name)


def test_same_seed_same_company() -> None:
    assert fingerprint(build(7)) == fingerprint(build(7))
    assert fingerprint(build(7)) != fingerprint(build(8))


def test_users_company_and_app() -> None:
    store = build()
    assert store.company.id == seed.COMPANY_ID
    assert store.company.auth_token == "sandbox-company-auth-token"
    assert {u.login: u.id for u in store.users.values()} == {
        "traveler@example.com": "0a6f1c2e-3b4d-4e5f-9a1b-2c3d4e5f6a7b",
        "traveler2@example.com": "5fbe6d7c-8a9b-4c0d-9e1f-2a3b4c5d6e7f",
        "manager@example.com": "1b7a2d3f-4c5e-4f6a-8b2c-3d4e5f6a7b8c",
        "coapprover@example.com": "2c8b3e4a-5d6f-4a7b-9c3d-4e5f6a7b8c9d",
        "processor@example.com": "3d9c4f5b-6e7a-4b8c-8d4e-5f6a7b8c9d0e",
        "admin@example.com": "4eab5c6d-7f8a-4b9c-9d0e-1f2a3b4c5d6e",
        "companyadmin@example.com": "5fbc6d7e-8a9b-4cad-8e1f-2a3b4c5d6e7f",
    }
    assert all(u.password == "sandbox" for u in store.users.values())
    assert store.users[seed.TRAVELER_ID].manager_id == seed.MANAGER_ID
    assert store.users[seed.TRAVELER2_ID].manager_id == seed.MANAGER_ID
    assert "PROCESSOR" in store.users[seed.PROCESSOR_ID].roles
    app = store.apps["sandbox-client"]
    assert (app.client_secret, app.app_id) == ("sandbox-secret", seed.APP_ID)


def test_every_status_is_present() -> None:
    store = build()
    assert len(store.reports) == 20
    counts = Counter(
        (r.workflow.approval_status, r.workflow.payment_status) for r in store.reports.values()
    )
    assert counts[("A_NOTF", "P_NOTP")] >= 3
    assert counts[("A_PEND", "P_NOTP")] >= 3
    for key in [
        ("A_RESU", "P_NOTP"),
        ("A_PECO", "P_NOTP"),
        ("A_ACCO", "P_NOTP"),
        ("A_APPR", "P_PROC"),
        ("A_APPR", "P_PAID"),
    ]:
        assert counts[key] >= 1, key
    names = {r.workflow.approval_status_name for r in store.reports.values()}
    assert {"Sent Back to Employee", "Recalled by Employee"} <= names


def test_states_were_reached_through_the_engine() -> None:
    store = build()
    for report in store.reports.values():
        if report.workflow.approval_status != "A_NOTF":
            assert report.workflow.sequence > 0
            assert report.workflow.process_id
            assert store.report_by_step_key(report.workflow.step_key) is report
    for report in store.reports.values():
        if report.workflow.approval_status == "A_PEND":
            assert [i.assigned_user_id for i in report.workflow.instances] == [seed.MANAGER_ID]
    berlin = named(store, "Product Launch Berlin")
    assert {i.assigned_user_id for i in berlin.workflow.instances} == {
        seed.COAPPROVER_ID,
        seed.MANAGER_ID,
    }
    assert named(store, "Q2 Sales Conference").ever_sent_back is True
    processing = [r for r in store.reports.values() if r.workflow.payment_status == "P_PROC"]
    extracted = [all(e.extracted for e in r.entries) for r in processing]
    assert sorted(extracted) == [False, True]


def test_entries_are_rich() -> None:
    store = build()
    entries = [e for r in store.reports.values() for e in r.entries]
    sizes = [len(r.entries) for r in store.reports.values() if r.name != "New Report"]
    assert min(sizes) >= 1
    assert max(sizes) <= 10
    assert {"AIRFR", "LODNG", "BRKFT", "BUSML", "CARRT", "TAXIX", "PARKG", "MILEG"} <= {
        e.expense_type_key for e in entries
    }
    assert {"EUR", "GBP", "USD"} <= {e.transaction_currency for e in entries}
    foreign = next(e for e in entries if e.transaction_currency == "EUR")
    assert foreign.exchange_rate == Decimal("1.08")
    assert foreign.posted_amount == (foreign.transaction_amount * Decimal("1.08")).quantize(
        Decimal("0.01")
    )
    for e in entries:
        assert e.posted_amount.as_tuple().exponent == -8
        assert e.transaction_amount.as_tuple().exponent == -8
    assert any(e.is_personal for e in entries)
    assert any(e.is_credit_card_charge for e in entries)
    assert any(len(e.itemizations) >= 2 for e in entries)
    assert any(len(e.attendees) >= 2 for e in entries)
    assert {"P", "F", "N"} <= {e.allocation_flag for e in entries}
    assert any(c.code for e in entries for c in e.custom.values())
    assert any(e.org_units for e in entries)
    assert any(e.cost_object for e in entries)
    hotel = next(e for e in entries if e.itemizations)
    assert hotel.transaction_amount == sum(
        (i.transaction_amount for i in hotel.itemizations), Decimal(0)
    )


def test_seeding_emits_nothing() -> None:
    store = Store(seed=7)
    events: list[SandboxEvent] = []
    store.listeners.append(events.append)
    seed.seed_store(store, Engine(store), scale=5)
    assert events == []


def test_scale_adds_reports() -> None:
    store = build(scale=10_000)
    assert len(store.reports) == 10_020
    statuses = Counter(r.workflow.approval_status for r in store.reports.values())
    assert statuses["A_NOTF"] > statuses["A_PEND"] > 0
    assert statuses["A_APPR"] > 0


def test_roles_of_the_demo_users() -> None:
    """Admins are who the v2.0 and workflow documents name; manager and traveler stay plain."""
    users = build().users
    assert users[seed.ADMIN_ID].login == seed.ADMIN_LOGIN
    assert users[seed.COMPANY_ADMIN_ID].login == seed.COMPANY_ADMIN_LOGIN
    assert roles.is_web_services_admin(users[seed.ADMIN_ID])
    assert roles.is_admin(users[seed.COMPANY_ADMIN_ID])
    assert not roles.is_web_services_admin(users[seed.COMPANY_ADMIN_ID])
    for plain in (seed.MANAGER_ID, seed.TRAVELER_ID, seed.PROCESSOR_ID, seed.COAPPROVER_ID):
        assert not roles.is_admin(users[plain])
    assert users[seed.MANAGER_ID].roles == {roles.TRAVELER, roles.MANAGER, roles.CO_APPROVER}
    assert users[seed.TRAVELER_ID].roles == {roles.TRAVELER}
    assert all(u.roles <= roles.ALL_ROLES for u in users.values())


def test_keys_are_encrypted_and_ids_are_plain() -> None:
    store = build()
    report_keys = {r.report_key for r in store.reports.values()}
    assert len(report_keys) == len(store.reports)
    for report in store.reports.values():
        assert report.report_key.isdigit()
        assert report.rpt_key.startswith("n")
        assert "$" in report.rpt_key
        assert report.rpt_key not in (report.report_id, report.report_key)
        for entry in report.entries:
            assert entry.rpe_key not in (entry.expense_id, report.rpt_key)
