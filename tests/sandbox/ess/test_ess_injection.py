"""Sandbox-only ESS controls: duplicates, reordering, delay, redelivery, emit, admin guard."""

from __future__ import annotations

import pytest

from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from tests.sandbox.ess.ess_receiver import Receiver
from tests.sandbox.ess.ess_support import ESS_ADMIN, Ess, Reports
from tests.support.sandbox import SandboxHarness


async def test_duplicates(ess: Ess, receiver: Receiver, reports: Reports) -> None:
    await ess.subscribe("dupes", receiver.url("dupes"))
    state = await ess.admin("POST", "/inject", {"duplicate": 2})
    assert state == {"duplicate": 2, "reorder": False, "delay_ms": 0, "held": 0}
    reports.create()
    received = await receiver.wait_for("dupes", 3)
    await ess.drain()
    assert len(receiver.at("dupes")) == 3
    assert len({r.body for r in received}) == 1  # the same event, byte for byte
    assert len({r.headers["Concur-Correlationid"] for r in received}) == 1

    await ess.admin("DELETE", "/inject")
    reports.create("Single")
    await ess.drain()
    assert len(receiver.at("dupes")) == 4


async def test_reorder_delivers_the_held_batch_newest_first(
    ess: Ess, receiver: Receiver, reports: Reports, sandbox: SandboxHarness
) -> None:
    await ess.subscribe("shuffled", receiver.url("shuffled"))
    await ess.admin("POST", "/inject", {"reorder": True})
    report = reports.create()
    sandbox.engine.update_report(report, reports.owner, name="Renamed")
    state = await ess.drain()  # held events are not pending
    assert state["held"] == 2
    assert receiver.at("shuffled") == []

    flushed = await ess.admin("POST", "/flush")
    assert flushed["released"] == 2
    received = await receiver.wait_for("shuffled", 2)
    assert [r.envelope["eventType"] for r in received] == ["reportUpdated", "reportCreated"]
    newer, older = (r.envelope for r in received)
    assert older["timeStamp"] <= newer["timeStamp"]
    assert [e["id"] for e in await ess.events()] == [older["id"], newer["id"]]


async def test_stopping_injection_releases_held_events(
    ess: Ess, receiver: Receiver, reports: Reports
) -> None:
    await ess.subscribe("held", receiver.url("held"))
    await ess.admin("POST", "/inject", {"reorder": True, "duplicate": 1})
    reports.create()
    assert (await ess.drain())["held"] == 2
    stopped = await ess.admin("DELETE", "/inject")
    assert stopped == {"duplicate": 0, "reorder": False, "delay_ms": 0, "held": 0, "released": 2}
    received = await receiver.wait_for("held", 2)
    assert received[0].body == received[1].body


async def test_delay_holds_deliveries_until_it_elapses_or_is_lifted(
    ess: Ess, receiver: Receiver, reports: Reports
) -> None:
    await ess.subscribe("late", receiver.url("late"))
    await ess.admin("POST", "/inject", {"delay_ms": 600_000})
    reports.create()
    state = await ess.admin("POST", "/drain", {"timeout_ms": 0})
    assert state == {"drained": False, "pending": 1, "held": 0}
    assert receiver.arrivals == []
    await ess.admin("DELETE", "/inject")  # cuts the delay short
    await receiver.wait_for("late", 1)
    await ess.drain()


async def test_drain_answers_at_once_when_idle(sandbox: SandboxHarness) -> None:
    status, state = await sandbox.admin("POST", f"{ESS_ADMIN}/drain", {"timeout_ms": 0})
    assert (status, state) == (200, {"drained": True, "pending": 0, "held": 0})


async def test_small_delay_still_delivers(ess: Ess, receiver: Receiver, reports: Reports) -> None:
    await ess.subscribe("late", receiver.url("late"))
    await ess.admin("POST", "/inject", {"delay_ms": 20})
    reports.create()
    await receiver.wait_for("late", 1)


async def test_redeliver_is_byte_identical(
    ess: Ess, receiver: Receiver, reports: Reports, sandbox: SandboxHarness
) -> None:
    await ess.subscribe("again", receiver.url("again"))
    await ess.subscribe("other", receiver.url("other"), "reportUpdated")
    report = reports.create()
    [first] = await receiver.wait_for("again", 1)
    sandbox.engine.update_report(report, reports.owner, name="Newer")
    await receiver.wait_for("again", 2)

    event_id = first.envelope["id"]
    queued = await ess.admin("POST", "/redeliver", {"eventId": event_id})
    assert queued == {"eventId": event_id, "queued": 1}  # "other" does not match reportCreated
    received = await receiver.wait_for("again", 3)
    again = received[2]
    assert again.body == first.body
    assert again.headers["Concur-Signature"] == first.headers["Concur-Signature"]
    assert again.headers["Concur-Correlationid"] == first.headers["Concur-Correlationid"]
    # the stale reportCreated now arrives after the newer reportUpdated
    assert [r.envelope["eventType"] for r in received] == [
        "reportCreated",
        "reportUpdated",
        "reportCreated",
    ]

    status, body = await sandbox.admin("POST", f"{ESS_ADMIN}/redeliver", {"eventId": "nope"})
    assert status == 404
    assert body == {"error": "No published event 'nope'."}


async def test_emit_publishes_without_changing_the_report(
    ess: Ess, receiver: Receiver, reports: Reports, sandbox: SandboxHarness
) -> None:
    report = reports.create()
    version = report.version
    await ess.subscribe("emitted", receiver.url("emitted"))
    envelope = await ess.admin(
        "POST", "/emit", {"eventType": "reportUpdated", "reportId": report.report_id}
    )
    assert envelope["eventType"] == "reportUpdated"
    assert envelope["facts"]["reportId"] == report.report_id
    [request] = await receiver.wait_for("emitted", 1)
    assert request.envelope == envelope
    assert report.version == version

    status, _ = await sandbox.admin(
        "POST", f"{ESS_ADMIN}/emit", {"eventType": "statusChanged", "reportId": report.report_id}
    )
    assert status == 400
    status, _ = await sandbox.admin(
        "POST", f"{ESS_ADMIN}/emit", {"eventType": "reportUpdated", "reportId": "NOPE"}
    )
    assert status == 404


@pytest.mark.parametrize(
    "body",
    [{"duplicate": -1}, {"duplicate": "2"}, {"reorder": "yes"}, {"delay_ms": 1.5}, {"other": 1}],
)
async def test_invalid_injection(sandbox: SandboxHarness, body: dict[str, object]) -> None:
    status, error = await sandbox.admin("POST", f"{ESS_ADMIN}/inject", body)
    assert status == 400
    assert "error" in error


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/log"),
        ("GET", "/events"),
        ("POST", "/inject"),
        ("DELETE", "/inject"),
        ("POST", "/flush"),
        ("POST", "/redeliver"),
        ("POST", "/emit"),
        ("POST", "/drain"),
        ("POST", "/rotate-key"),
    ],
)
async def test_admin_routes_need_the_admin_token(
    sandbox: SandboxHarness, method: str, path: str
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}):
        async with sandbox.session.request(
            method, f"{sandbox.base_url}{ESS_ADMIN}{path}", headers=headers
        ) as resp:
            assert resp.status == 401
            assert "error" in await resp.json()


async def test_admin_routes_do_not_exist_without_an_admin_token(
    sandbox: SandboxHarness,
) -> None:
    async with running_sandbox(SandboxConfig()) as bare:
        for method, path in [("GET", "/log"), ("POST", "/drain"), ("POST", "/rotate-key")]:
            async with sandbox.session.request(
                method,
                f"{bare.base_url}{ESS_ADMIN}{path}",
                headers={"Authorization": "Bearer anything"},
            ) as resp:
                assert resp.status == 404
        async with sandbox.session.get(f"{bare.base_url}{ESS_ADMIN}/public-key.pem") as resp:
            assert resp.status == 200
