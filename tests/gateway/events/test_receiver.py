"""The ESS webhook against real signed deliveries from the sandbox (in-process backend)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from gateway.cache.backend import BACKEND
from gateway.events.keys import ESS_KEYS, ESS_STATS, FACTS_STORE
from gateway.events.stats import Outcome
from sandbox.workflow_terms import Actor
from tests.support.events import (
    KEY_PATH,
    Capture,
    EssControl,
    ess_gateway_settings,
    graphql_ws,
    post_delivery,
    subscribed_gateway,
    wait_for_subscribers,
)
from tests.support.gateway import TRAVELER, GatewayHarness, pick_report
from tests.support.sandbox import DEMO, SandboxHarness

REPORT = """
query($id: ID!) {
  report(id: $id) {
    approvalStatus { code }
    workflow { approvalStatus { code } stepCode roleCode processId assignees }
  }
}
"""
EVENTS = """
subscription($id: ID) { reportEvents(reportId: $id) { id eventType reportId } }
"""
RECALL = """
mutation($id: ID!) {
  recallReport(input: {reportId: $id, expectedStatus: "A_PEND"}) { __typename }
}
"""
MANAGER = Actor(DEMO.manager, "user")
TRAVELER_ACTOR = Actor(DEMO.traveler, "user")


async def read(gateway: GatewayHarness, token: str, report_id: str) -> dict[str, Any]:
    status, body = await gateway.gql(REPORT, {"id": report_id}, token=token)
    assert status == 200, body
    assert "errors" not in body, body
    report: dict[str, Any] = body["data"]["report"]
    return report


def sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def write_public_key(key: rsa.RSAPrivateKey, path: Path) -> str:
    path.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return str(path)


async def test_a_signed_event_makes_the_next_read_fresh(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    report = sandbox.report_named("London Partner Summit")
    token = await gateway.token(TRAVELER)
    before = await read(gateway, token, report.report_id)
    assert before["approvalStatus"]["code"] == "A_PEND"
    assert before["workflow"]["stepCode"] is None  # no event recorded yet

    await ess.inject(reorder=True)  # hold the event: the gateway cannot know yet
    sandbox.engine.approve(report, MANAGER)
    stale = await read(gateway, token, report.report_id)
    assert stale["approvalStatus"]["code"] == "A_PEND"  # served from the cache

    assert await ess.flush() == 1
    await ess.drain()
    fresh = await read(gateway, token, report.report_id)
    assert fresh["approvalStatus"]["code"] == "A_ACCO"
    workflow = fresh["workflow"]
    assert (workflow["stepCode"], workflow["roleCode"]) == ("ACCTCLERK", "ACCT_CLERK")
    assert workflow["assignees"] == [DEMO.processor]
    assert workflow["processId"] == report.workflow.process_id
    stats = gateway.server.app[ESS_STATS]
    assert stats.count(Outcome.APPLIED, "statusChanged") == 1


async def test_the_gateways_own_mutation_invalidates_without_any_event(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    report = sandbox.report_named("London Partner Summit")
    token = await gateway.token(TRAVELER)
    assert (await read(gateway, token, report.report_id))["approvalStatus"]["code"] == "A_PEND"
    await ess.inject(reorder=True)  # no event reaches the gateway during this test
    status, body = await gateway.gql(
        RECALL,
        {"id": report.report_id},
        token=token,
    )
    assert status == 200, body
    assert "errors" not in body, body
    assert (await read(gateway, token, report.report_id))["approvalStatus"]["code"] == "A_RESU"
    assert gateway.server.app[ESS_STATS].count(Outcome.APPLIED) == 0


async def test_forged_unsigned_and_foreign_deliveries_are_refused_without_effect(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness, capture: Capture
) -> None:
    report = sandbox.report_named("London Partner Summit")
    app = gateway.server.app
    token = await gateway.token(TRAVELER)
    async with graphql_ws(gateway, token) as ws:
        await ws.subscribe("1", EVENTS, {"id": report.report_id})
        await wait_for_subscribers(gateway, 1)

        # a genuine delivery, recorded by the capture webhook (the gateway got it too)
        sandbox.engine.approve(report, MANAGER)
        await ess.drain()
        genuine, headers = await capture.next()
        first = await ws.next_event("1")
        assert first["eventType"] == "STATUS_CHANGED"
        facts_before = await app[FACTS_STORE].facts(report.report_id)
        generation_before = await app[BACKEND].generation(report.report_id)
        assert facts_before is not None

        envelope = orjson.loads(genuine)
        envelope["id"] = "forged-event-1"
        envelope["facts"]["stepCode"] = "FORGED"
        envelope["facts"]["lastModifiedDate"] = "2999-01-01T00:00:00.000Z"
        forged = orjson.dumps(envelope)
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        attempts = [
            (forged, {"Concur-Signature": headers["Concur-Signature"]}),  # tampered body
            (forged, {}),  # unsigned
            (forged, {"Concur-Signature": "not base64 at all!"}),
            (forged, {"Concur-Signature": sign(other_key, forged)}),  # re-signed, wrong key
        ]
        for body, sent in attempts:
            status, answer = await post_delivery(gateway, body, sent)
            assert status == 401, answer

        assert await app[FACTS_STORE].facts(report.report_id) == facts_before
        assert await app[BACKEND].generation(report.report_id) == generation_before
        assert app[ESS_STATS].count(Outcome.UNAUTHORIZED) == len(attempts)
        # nothing reached the subscriber: the next event it sees is a genuine probe
        probe = await ess.emit("reportUpdated", report.report_id)
        await ess.drain()
        assert (await ws.next_event("1"))["id"] == probe["id"]


async def test_a_duplicate_is_applied_once(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    report = sandbox.report_named("London Partner Summit")
    token = await gateway.token(TRAVELER)
    stats = gateway.server.app[ESS_STATS]
    async with graphql_ws(gateway, token) as ws:
        await ws.subscribe("1", EVENTS, {"id": report.report_id})
        await wait_for_subscribers(gateway, 1)
        await ess.inject(duplicate=2)  # every delivery sent three times
        sandbox.engine.approve(report, MANAGER)
        await ess.drain()
        await ess.normal()
        (event,) = await ess.events("statusChanged")
        log = await ess.log(event["id"])
        assert [a["status"] for a in log] == [200, 200, 200]
        assert stats.count(Outcome.APPLIED) == 1
        assert stats.count(Outcome.DUPLICATE) == 2
        await ess.redeliver(event["id"])  # byte for byte, later: still a duplicate
        await ess.drain()
        assert stats.count(Outcome.DUPLICATE) == 3
        assert stats.count(Outcome.APPLIED) == 1
        assert (await ws.next_event("1"))["id"] == event["id"]
        probe = await ess.emit("reportUpdated", report.report_id)
        await ess.drain()
        assert (await ws.next_event("1"))["id"] == probe["id"]  # one message per event


async def test_an_older_event_arriving_late_does_not_roll_back_the_facts(
    sandbox: SandboxHarness, ess: EssControl, gateway: GatewayHarness
) -> None:
    report_id = pick_report(sandbox, "A_NOTF")
    report = sandbox.store.reports[report_id]
    assert report.entries
    token = await gateway.token(TRAVELER)
    stats = gateway.server.app[ESS_STATS]
    await ess.inject(reorder=True)
    sandbox.engine.submit(report, TRAVELER_ACTOR)  # A_PEND at MANAGER
    await sandbox.admin("POST", "/_sandbox/clock", {"advance_s": 1})
    sandbox.engine.approve(report, MANAGER)  # then A_ACCO at ACCTCLERK
    assert await ess.flush() == 2  # released newest first
    await ess.drain()
    assert stats.count(Outcome.APPLIED) == 1
    assert stats.count(Outcome.STALE) == 1
    fresh = await read(gateway, token, report_id)
    assert fresh["approvalStatus"]["code"] == "A_ACCO"
    assert fresh["workflow"]["stepCode"] == "ACCTCLERK"
    facts = await gateway.server.app[FACTS_STORE].facts(report_id)
    assert facts is not None
    assert facts.step_code == "ACCTCLERK"


async def test_a_stale_event_keeps_the_facts_but_still_invalidates(
    sandbox: SandboxHarness, ess: EssControl, capture: Capture
) -> None:
    report_id = pick_report(sandbox, "A_NOTF")
    report = sandbox.store.reports[report_id]
    sandbox.engine.submit(report, TRAVELER_ACTOR)  # older: only the capture webhook sees it
    await ess.drain()
    older, older_headers = await capture.next()
    await sandbox.admin("POST", "/_sandbox/clock", {"advance_s": 1})
    async with subscribed_gateway(sandbox, ess, ess_gateway_settings(sandbox)) as gateway:
        sandbox.engine.approve(report, MANAGER)  # newer: applied by the gateway
        await ess.drain()
        token = await gateway.token(TRAVELER)
        assert (await read(gateway, token, report_id))["workflow"]["stepCode"] == "ACCTCLERK"
        backend = gateway.server.app[BACKEND]
        generation = await backend.generation(report_id)

        # the older event arrives late, genuinely signed: ESS guarantees no order
        status, answer = await post_delivery(
            gateway, older, {"Concur-Signature": older_headers["Concur-Signature"]}
        )
        assert (status, answer) == (200, {"outcome": "stale"})
        assert await backend.generation(report_id) != generation
        await sandbox.reset_stats()
        again = await read(gateway, token, report_id)
        assert again["workflow"]["stepCode"] == "ACCTCLERK"  # not rolled back to MANAGER
        assert await gateway.upstream_calls()  # the cached copy was dropped: read again


async def test_key_rotation_keeps_verifying(sandbox: SandboxHarness, ess: EssControl) -> None:
    previous = sandbox.base_url + "/_sandbox/ess/previous-public-key.pem"
    settings = ess_gateway_settings(sandbox, public_keys=[sandbox.base_url + KEY_PATH, previous])
    report = sandbox.report_named("London Partner Summit")
    async with subscribed_gateway(sandbox, ess, settings) as gateway:
        keys = gateway.server.app[ESS_KEYS]
        assert keys.key_count == 1  # no previous key before the first rotation
        await ess.emit("reportUpdated", report.report_id)
        await ess.drain()
        await ess.rotate_key()
        sandbox.engine.approve(report, MANAGER)
        await ess.drain()
        assert [a["status"] for a in await ess.log()] == [200, 200]  # never a 401
        assert keys.key_count == 2  # the new key and the one it replaced
        stats = gateway.server.app[ESS_STATS]
        assert stats.count(Outcome.APPLIED) == 2
        assert stats.count(Outcome.UNAUTHORIZED) == 0


async def test_malformed_and_unknown_envelopes_are_400(
    sandbox: SandboxHarness, ess: EssControl, tmp_path: Path
) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    settings = ess_gateway_settings(
        sandbox,
        public_keys=[sandbox.base_url + KEY_PATH, write_public_key(key, tmp_path / "next.pem")],
    )
    async with subscribed_gateway(sandbox, ess, settings) as gateway:
        envelope = {
            "id": "0490b3fb-04ad-4919-b299-afb9fa75e07c",
            "correlationId": "7e38939d-62f1-4bb4-9eef-5ea71fcbb1d8",
            "route": "stable",
            "eventType": "expenseCreated",
            "topic": "public.concur.expense.report",
            "timeStamp": "2021-03-18T23:11:51.034Z",
            "facts": {"reportId": "CB899F7D9F73420A8D8B"},
        }
        bodies = [
            b'{"id": "truncated',
            b"[]",
            orjson.dumps(envelope),  # an event type we do not know
            orjson.dumps({**envelope, "eventType": "reportUpdated", "topic": "public.test"}),
            orjson.dumps({**envelope, "eventType": "reportUpdated", "facts": {}}),
        ]
        for body in bodies:
            status, answer = await post_delivery(
                gateway, body, {"Concur-Signature": sign(key, body)}
            )
            assert status == 400, (body, answer)
        # a signed, well-formed delivery with the second key is accepted
        good = orjson.dumps({**envelope, "eventType": "reportUpdated"})
        status, answer = await post_delivery(gateway, good, {"Concur-Signature": sign(key, good)})
        assert (status, answer) == (200, {"outcome": "applied"})
        # an unsigned malformed body is refused as unauthenticated first
        status, _ = await post_delivery(gateway, b"{", {})
        assert status == 401
        stats = gateway.server.app[ESS_STATS]
        assert stats.count(Outcome.MALFORMED) == len(bodies)
