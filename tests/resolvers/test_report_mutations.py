"""createReport, updateReport and addEntries end to end."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox import seed
from tests.conftest import SandboxHarness
from tests.gateway.harness import TRAVELER, GatewayHarness, pick_report

HEADER = (
    "report { id name businessPurpose reportDate policyId approvalStatus { code } "
    "owner { id } customData { name value } total { value currencyCode } entries { id } } "
    "userErrors { code message field }"
)
CREATE = f"mutation($i: CreateReportInput!) {{ createReport(input: $i) {{ {HEADER} }} }}"
UPDATE = (
    "mutation($r: ID!, $p: ReportPatchInput!) "
    f"{{ updateReport(reportId: $r, patch: $p) {{ {HEADER} }} }}"
)
ADD = (
    "mutation($r: ID!, $e: [EntryInput!]!) { addEntries(reportId: $r, entries: $e) { "
    f"{HEADER} results {{ index success entryId message }} }} }}"
)


async def call(
    gateway: GatewayHarness, document: str, variables: dict[str, Any], token: str
) -> dict[str, Any]:
    status, body = await gateway.gql(document, variables, token)
    assert status == 200, body
    assert "errors" not in body, body
    (payload,) = body["data"].values()
    assert isinstance(payload, dict)
    return payload


@pytest.fixture
async def traveler(gateway: GatewayHarness) -> str:
    return await gateway.token(TRAVELER)


async def test_create_report(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    payload = await call(
        gateway,
        CREATE,
        {
            "i": {
                "name": "Lisbon Offsite",
                "businessPurpose": "Planning",
                "reportDate": "2025-06-10",
            }
        },
        traveler,
    )
    assert payload["userErrors"] == []
    report = payload["report"]
    assert report["name"] == "Lisbon Offsite"
    assert report["businessPurpose"] == "Planning"
    assert report["reportDate"] == "2025-06-10"
    assert report["approvalStatus"]["code"] == "A_NOTF"
    assert report["owner"]["id"] == seed.TRAVELER_ID
    assert sandbox.store.reports[report["id"]].name == "Lisbon Offsite"


async def test_create_with_an_idempotency_key_creates_once(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    before = len(sandbox.store.reports)
    variables = {"i": {"name": "Once", "idempotencyKey": "create-1"}}
    first = await call(gateway, CREATE, variables, traveler)
    second = await call(gateway, CREATE, variables, traveler)
    assert first == second
    assert len(sandbox.store.reports) == before + 1


async def test_create_without_a_name_is_refused_before_concur(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    payload = await call(gateway, CREATE, {"i": {"name": "  "}}, traveler)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("BAD_USER_INPUT", "name")]
    assert payload["report"] is None
    assert (await sandbox.stats())["total"] == 0


async def test_update_sends_only_the_given_fields_and_null_clears(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_NOTF")
    stored = sandbox.store.reports[report_id]
    original_name = stored.name
    payload = await call(
        gateway,
        UPDATE,
        {"r": report_id, "p": {"businessPurpose": "Client workshop", "reportDate": "2025-06-20"}},
        traveler,
    )
    assert payload["userErrors"] == []
    assert payload["report"]["businessPurpose"] == "Client workshop"
    assert payload["report"]["reportDate"] == "2025-06-20"
    assert payload["report"]["name"] == original_name  # not sent, not changed

    payload = await call(
        gateway, UPDATE, {"r": report_id, "p": {"businessPurpose": None}}, traveler
    )
    assert payload["userErrors"] == []
    assert payload["report"]["businessPurpose"] in (None, "")


@pytest.mark.parametrize(
    ("patch", "field"), [({}, "patch"), ({"name": None}, "name"), ({"name": ""}, "name")]
)
async def test_update_refuses_empty_patches_and_clearing_the_name(
    gateway: GatewayHarness,
    sandbox: SandboxHarness,
    traveler: str,
    patch: dict[str, Any],
    field: str,
) -> None:
    report_id = pick_report(sandbox, "A_NOTF")
    payload = await call(gateway, UPDATE, {"r": report_id, "p": patch}, traveler)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [("BAD_USER_INPUT", field)]
    assert (await sandbox.stats())["total"] == 0


async def test_updating_a_submitted_report_is_a_conflict(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND")
    payload = await call(gateway, UPDATE, {"r": report_id, "p": {"name": "Renamed"}}, traveler)
    assert [e["code"] for e in payload["userErrors"]] == ["CONFLICT"]
    assert payload["report"]["approvalStatus"]["code"] == "A_PEND"  # the current report
    assert sandbox.store.reports[report_id].name != "Renamed"


async def test_updating_an_unknown_report_is_not_found(
    gateway: GatewayHarness, traveler: str
) -> None:
    payload = await call(
        gateway, UPDATE, {"r": "00000000000000000000", "p": {"name": "X"}}, traveler
    )
    assert [e["code"] for e in payload["userErrors"]] == ["NOT_FOUND"]
    assert payload["report"] is None


async def test_add_entries_reports_each_entry(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_NOTF")
    before = len(sandbox.store.reports[report_id].entries)
    entries = [
        {
            "currencyCode": "USD",
            "expenseTypeKey": "TAXIX",
            "transactionDate": "2025-06-03",
            "transactionAmount": "23.45",
            "vendor": "Yellow Cab",
        },
        {
            "currencyCode": "USD",
            "expenseTypeKey": "",  # refused by Concur, without failing the other
            "transactionDate": "2025-06-03",
            "transactionAmount": "12.00",
        },
    ]
    payload = await call(gateway, ADD, {"r": report_id, "e": entries}, traveler)
    assert payload["userErrors"] == []
    results = payload["results"]
    assert [r["index"] for r in results] == [1, 2]
    assert results[0]["success"] is True
    assert results[0]["entryId"]
    assert results[1]["success"] is False
    assert results[1]["message"]
    assert len(sandbox.store.reports[report_id].entries) == before + sum(
        1 for r in results if r["success"]
    )
    assert len(payload["report"]["entries"]) == len(sandbox.store.reports[report_id].entries)


async def test_add_entries_to_a_submitted_report(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_PEND")
    entry = {
        "currencyCode": "USD",
        "expenseTypeKey": "TAXIX",
        "transactionDate": "2025-06-03",
        "transactionAmount": "10.00",
    }
    payload = await call(gateway, ADD, {"r": report_id, "e": [entry]}, traveler)
    assert payload["userErrors"] or not payload["results"][0]["success"]
    assert sandbox.store.reports[report_id].workflow.approval_status == "A_PEND"


async def test_add_no_entries_is_refused(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_NOTF")
    payload = await call(gateway, ADD, {"r": report_id, "e": []}, traveler)
    assert [(e["code"], e["field"]) for e in payload["userErrors"]] == [
        ("BAD_USER_INPUT", "entries")
    ]


async def test_an_update_whose_answer_was_lost_shows_the_report_as_it_is_now(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    """Concur applied the patch and then failed: the outcome is unknown, the cached copy is
    forgotten, and the payload shows the report read afresh (with the new name)."""
    report_id = pick_report(sandbox, "A_NOTF")
    status, body = await gateway.gql(
        "query($id: ID!) { report(id: $id) { name } }", {"id": report_id}, traveler
    )
    assert status == 200, body  # now cached
    rule = {"method": "PATCH", "path": f"/reports/{report_id}$", "kind": "status", "status": 502}
    status, body = await sandbox.admin(
        "POST", "/_sandbox/faults", json={**rule, "times": 1, "after_apply": True}
    )
    assert status in (200, 201), body
    payload = await call(gateway, UPDATE, {"r": report_id, "p": {"name": "Renamed"}}, traveler)
    assert [e["code"] for e in payload["userErrors"]] == ["ACTION_OUTCOME_UNKNOWN"]
    assert sandbox.store.reports[report_id].name == "Renamed"
    assert payload["report"]["name"] == "Renamed"


async def test_failed_entries_show_the_report(
    gateway: GatewayHarness, sandbox: SandboxHarness, traveler: str
) -> None:
    report_id = pick_report(sandbox, "A_NOTF")
    rule = {"method": "POST", "path": "/entry$", "kind": "status", "status": 503, "times": 1}
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body
    entry = {
        "currencyCode": "USD",
        "expenseTypeKey": "TAXIX",
        "transactionDate": "2025-06-03",
        "transactionAmount": "23.45",
    }
    payload = await call(gateway, ADD, {"r": report_id, "e": [entry]}, traveler)
    assert [e["code"] for e in payload["userErrors"]] == ["ACTION_OUTCOME_UNKNOWN"]
    assert payload["report"]["id"] == report_id  # read after the failure
