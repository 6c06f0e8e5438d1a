"""ESS delivery over real HTTP to a real receiver: envelopes, filters, retries, isolation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.records import SandboxReport
from sandbox.workflow_terms import Actor
from tests.sandbox.ess.ess_receiver import DROP, Receiver
from tests.sandbox.ess.ess_support import (
    REPORT_FACTS,
    STATUS_FACTS,
    SUBSCRIPTIONS,
    TIMESTAMP,
    TOPIC,
    UUID,
    Ess,
    Reports,
)
from tests.support.sandbox import DEMO, SandboxHarness

ENVELOPE_KEYS = [
    "id",
    "correlationId",
    "route",
    "eventType",
    "topic",
    "timeStamp",
    "subtopic",
    "facts",
]


async def test_report_events_arrive_in_the_documented_envelope(
    ess: Ess, receiver: Receiver, reports: Reports, sandbox: SandboxHarness
) -> None:
    await ess.subscribe("all", receiver.url("all"))
    report = reports.create()
    sandbox.engine.update_report(report, reports.owner, name="Renamed")
    reports.add_entry(report)
    sandbox.engine.submit(report, reports.owner)
    doomed = reports.create("Doomed")
    sandbox.engine.delete_report(doomed, reports.owner)

    emitted = reports.emitted
    assert [e.event_type for e in emitted] == [
        "reportCreated",
        "reportUpdated",
        "reportUpdated",
        "statusChanged",
        "reportCreated",
        "reportDeleted",
    ]
    received = await receiver.wait_for("all", len(emitted))
    for event, request in zip(emitted, received, strict=True):
        envelope = request.envelope
        assert list(envelope) == ENVELOPE_KEYS
        assert UUID.fullmatch(envelope["id"])
        assert UUID.fullmatch(envelope["correlationId"])
        assert envelope["route"] == "stable"
        assert envelope["eventType"] == event.event_type
        assert envelope["topic"] == TOPIC
        assert TIMESTAMP.fullmatch(envelope["timeStamp"])
        assert envelope["subtopic"] == event.report_id
        assert envelope["facts"] == event.facts  # exactly as the engine emitted them
        expected = STATUS_FACTS if event.event_type == "statusChanged" else REPORT_FACTS
        if event.event_type == "reportDeleted":
            expected = REPORT_FACTS - {"href"}
        assert set(envelope["facts"]) == expected
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["Concur-Correlationid"] == envelope["correlationId"]
        assert request.headers["Concur-Signature"]
    assert len({r.envelope["id"] for r in received}) == len(received)

    created = received[0].envelope["facts"]
    assert created["companyId"] == DEMO.company_id
    assert created["userId"] == DEMO.traveler
    assert created["actingUserId"] is None
    assert created["reportId"] == report.report_id
    assert created["reportType"] == "Regular"
    assert TIMESTAMP.fullmatch(created["lastModifiedDate"])
    assert created["href"] == (
        f"{sandbox.base_url}/expensereports/v4/users/{DEMO.traveler}"
        f"/context/TRAVELER/reports/{report.report_id}"
    )
    submitted = received[3].envelope["facts"]
    assert submitted["previousApprovalStatus"] == "A_NOTF"
    assert submitted["currentApprovalStatus"] == "A_PEND"
    assert submitted["previousPaymentStatus"] == "P_NOTP"
    assert submitted["currentPaymentStatus"] == "P_NOTP"
    assert submitted["stepCode"] == "MANAGER"
    assert submitted["userId"] == DEMO.traveler
    assert submitted["processId"] == report.workflow.process_id
    assert submitted["startingStep"] == {
        "roleCode": "MANAGER",
        "stepInstances": [{"id": report.workflow.instances[0].id, "assignedUserId": DEMO.manager}],
    }
    published = await ess.events()
    assert [e["id"] for e in published] == [r.envelope["id"] for r in received]


def _send_back(reports: Reports, report: SandboxReport) -> None:
    reports.engine.send_back(report, reports.manager, comment="Receipt missing")


def _recall(reports: Reports, report: SandboxReport) -> None:
    reports.engine.recall(report, reports.owner)


def _approve(reports: Reports, report: SandboxReport) -> None:
    reports.engine.approve(report, reports.manager)


def _approve_as_company(reports: Reports, report: SandboxReport) -> None:
    reports.engine.approve(report, Actor(None, "company"))


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (
            _send_back,
            {"stepCode": "SENDBACK", "currentApprovalStatus": "A_RESU", "userId": DEMO.manager},
        ),
        (
            _recall,
            {"stepCode": "RECALL", "currentApprovalStatus": "A_RESU", "userId": DEMO.traveler},
        ),
        (
            _approve,
            {"stepCode": "ACCTCLERK", "currentApprovalStatus": "A_ACCO", "userId": DEMO.manager},
        ),
        (
            _approve_as_company,
            {"stepCode": "ACCTCLERK", "currentApprovalStatus": "A_ACCO", "userId": None},
        ),
    ],
    ids=["sendBack", "recall", "approve", "approve-as-company"],
)
async def test_workflow_actions_publish_status_changed(
    ess: Ess,
    receiver: Receiver,
    reports: Reports,
    action: Callable[[Reports, SandboxReport], None],
    expected: dict[str, Any],
) -> None:
    report = reports.submitted()
    await ess.subscribe("status", receiver.url("status"), "statusChanged")
    action(reports, report)
    [request] = await receiver.wait_for("status", 1)
    facts = request.envelope["facts"]
    assert facts == reports.emitted[-1].facts
    assert {k: facts[k] for k in expected} == expected
    assert facts["previousApprovalStatus"] == "A_PEND"
    assert facts["startingStep"]["roleCode"] == report.workflow.role_code
    assert facts["startingStep"]["stepInstances"] == [
        {"id": i.id, "assignedUserId": i.assigned_user_id} for i in report.workflow.instances
    ]


async def test_v4_api_actions_are_published(
    ess: Ess, receiver: Receiver, sandbox: SandboxHarness
) -> None:
    """The whole path: a v4 request changes the report, the subscriber hears of it."""
    await ess.subscribe("v4", receiver.url("v4"))
    token = await sandbox.user_token("traveler@example.com")
    async with sandbox.session.post(
        f"{sandbox.base_url}/expensereports/v4/users/{DEMO.traveler}/context/TRAVELER/reports",
        json={"name": "Published over v4"},
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:
        assert resp.status == 201
        uri = (await resp.json())["uri"]
    [request] = await receiver.wait_for("v4", 1)
    envelope = request.envelope
    assert envelope["eventType"] == "reportCreated"
    assert envelope["facts"]["href"] == uri
    assert uri.endswith(f"/reports/{envelope['subtopic']}")


async def test_filters_select_event_types(
    ess: Ess, receiver: Receiver, reports: Reports, sandbox: SandboxHarness
) -> None:
    await ess.subscribe("created", receiver.url("created"), "reportCreated")
    await ess.subscribe("workflow", receiver.url("workflow"), "statusChanged|reportDeleted")
    await ess.subscribe("partial", receiver.url("partial"), "report")  # whole-name match only
    await ess.subscribe("everything", receiver.url("everything"))
    reports.submitted()  # reportCreated, reportUpdated, statusChanged
    sandbox.engine.delete_report(reports.create("Doomed"), reports.owner)
    await ess.drain()

    def types(name: str) -> list[str]:
        return [r.envelope["eventType"] for r in receiver.at(name)]

    assert types("created") == ["reportCreated", "reportCreated"]
    assert types("workflow") == ["statusChanged", "reportDeleted"]
    assert types("partial") == []
    assert types("everything") == [e.event_type for e in reports.emitted]


@pytest.mark.parametrize("failure", [500, 503, 401, 403, 429, DROP], ids=str)
async def test_retries_until_delivered(
    ess: Ess, receiver: Receiver, reports: Reports, failure: int
) -> None:
    await ess.subscribe("flaky", receiver.url("flaky"))
    receiver.script("flaky", failure, failure)
    report = reports.create()
    [delivered] = await receiver.wait_for("flaky", 1)
    await ess.drain()
    attempts = receiver.at("flaky")
    assert [r.answered for r in attempts] == [failure, failure, 200]
    assert {r.body for r in attempts} == {delivered.body}
    assert delivered.envelope["subtopic"] == report.report_id

    log = await ess.log(eventId=delivered.envelope["id"])
    assert [(a["attempt"], a["willRetry"]) for a in log] == [(1, True), (2, True), (3, False)]
    assert {a["subscriptionId"] for a in log} == {"flaky"}
    assert {a["endpoint"] for a in log} == {receiver.url("flaky")}
    assert log[-1]["status"] == 200
    if failure == DROP:
        assert [a["status"] for a in log[:2]] == [None, None]
        assert all(a["error"] for a in log[:2])
    else:
        assert [a["status"] for a in log[:2]] == [failure, failure]


@pytest.mark.parametrize("refusal", [400, 404, 409, 422])
async def test_other_client_errors_are_not_retried(
    ess: Ess, receiver: Receiver, reports: Reports, refusal: int
) -> None:
    await ess.subscribe("strict", receiver.url("strict"))
    receiver.script("strict", refusal)
    reports.create()
    await ess.drain()
    reports.create("Next")  # the lane moves on to the next event
    await receiver.wait_for("strict", 1)
    await ess.drain()
    assert [r.answered for r in receiver.at("strict")] == [refusal, 200]
    log = await ess.log(subscriptionId="strict")
    assert [(a["status"], a["willRetry"]) for a in log] == [(refusal, False), (200, False)]


async def test_gives_up_after_max_attempts(ess: Ess, receiver: Receiver, reports: Reports) -> None:
    await ess.subscribe("down", receiver.url("down"))
    receiver.script("down", 500, 500, 500, 500)  # the fixture allows four attempts
    reports.create()
    await ess.drain()
    assert [r.answered for r in receiver.at("down")] == [500, 500, 500, 500]
    log = await ess.log(subscriptionId="down")
    assert [(a["attempt"], a["willRetry"]) for a in log] == [
        (1, True),
        (2, True),
        (3, True),
        (4, False),
    ]


async def test_a_timed_out_attempt_is_retried(
    ess: Ess, receiver: Receiver, reports: Reports
) -> None:
    await ess.subscribe("slow", receiver.url("slow"))
    gate = receiver.hold("slow")
    reports.create()
    await receiver.wait_for_arrivals("slow", 2)  # the first attempt timed out, a retry came
    gate.set()
    await ess.drain()
    log = await ess.log(subscriptionId="slow")
    assert log[0]["status"] is None
    assert "Timeout" in log[0]["error"]
    assert log[0]["willRetry"] is True
    assert log[-1]["status"] == 200


async def test_a_stuck_endpoint_does_not_hold_up_other_subscriptions(
    ess: Ess, receiver: Receiver, reports: Reports
) -> None:
    await ess.subscribe("stuck", receiver.url("stuck"))
    await ess.subscribe("healthy", receiver.url("healthy"))
    gate = receiver.hold("stuck")
    reports.create("One")
    reports.create("Two")
    await receiver.wait_for_arrivals("stuck", 1)
    healthy = await receiver.wait_for("healthy", 2)
    assert [r.envelope["eventType"] for r in healthy] == ["reportCreated"] * 2
    assert receiver.at("stuck") == []  # still parked at the gate
    gate.set()
    await ess.drain()
    delivered = {r.envelope["id"] for r in receiver.accepted("stuck")}
    assert delivered == {r.envelope["id"] for r in healthy}


async def test_deleted_subscription_gets_nothing_more(
    ess: Ess, receiver: Receiver, reports: Reports
) -> None:
    await ess.subscribe("gone", receiver.url("gone"))
    await ess.subscribe("kept", receiver.url("kept"))
    reports.create("Before")
    await ess.drain()
    status, _ = await ess.call("DELETE", f"{SUBSCRIPTIONS}/gone")
    assert status == 200
    reports.create("After")
    await ess.drain()
    assert len(receiver.at("gone")) == 1
    assert len(receiver.at("kept")) == 2


async def test_deleting_a_subscription_drops_its_queue(
    ess: Ess, receiver: Receiver, reports: Reports
) -> None:
    await ess.subscribe("busy", receiver.url("busy"))
    gate = receiver.hold("busy")
    reports.create("One")
    reports.create("Two")
    await receiver.wait_for_arrivals("busy", 1)
    status, _ = await ess.call("DELETE", f"{SUBSCRIPTIONS}/busy")
    assert status == 200
    state = await ess.drain()
    assert state["pending"] == 0
    gate.set()
    assert [a for a in await ess.log() if a["status"] == 200] == []
