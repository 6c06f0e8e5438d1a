"""The token check at the edge: a JWKS Concur fails to serve is Concur's typed failure, and a
token Concur refuses (401) stops being accepted at once, on every replica."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, get_args

import pytest

from sandbox.faults import FaultKind
from tests.adapters.peer import Peer, reply
from tests.conftest import SandboxHarness
from tests.gateway.cache.conftest import cached_settings, upstream_total
from tests.gateway.harness import (
    TRAVELER,
    GatewayHarness,
    errors_of,
    gateway_settings,
    pick_report,
    running_gateway,
)
from tests.gateway.oauth_peer import running_peer

REPORT = "query($id: ID!) { report(id: $id) { id approvalStatus { code } } }"
JWKS_PATH = "/oauth2/v0/jwks"


async def fault(sandbox: SandboxHarness, **rule: Any) -> None:
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body


def two_reports(sandbox: SandboxHarness) -> tuple[str, str]:
    first = pick_report(sandbox, "A_PEND")
    second = next(
        r.report_id
        for r in sandbox.store.reports.values()
        if r.owner_id == sandbox.store.reports[first].owner_id and r.report_id != first
    )
    return first, second


async def read(gw: GatewayHarness, token: str, report_id: str) -> tuple[int, Any]:
    return await gw.gql(REPORT, {"id": report_id}, token)


async def concur_refuses_the_token(gw: GatewayHarness, token: str, report_id: str) -> None:
    """A read that reaches Concur, answered 401 (the token was revoked upstream)."""
    await fault(gw.sandbox, method="GET", path=f"/reports/{report_id}$", kind="status", status=401)
    _, body = await read(gw, token, report_id)
    assert errors_of(body) == ["UNAUTHENTICATED"], body


def refused_at_the_edge(status: int, body: Any) -> bool:
    return status == 401 and errors_of(body) == ["UNAUTHENTICATED"]


# -- JWKS -----------------------------------------------------------------------------


def sandbox_kind(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        name not in get_args(FaultKind), reason=f"this sandbox has no {name!r} fault"
    )


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        ({"kind": "status", "status": 500}, "UPSTREAM_UNAVAILABLE"),
        ({"kind": "drop"}, "UPSTREAM_UNAVAILABLE"),
        ({"kind": "malformed_xml"}, "UPSTREAM_BAD_RESPONSE"),
        pytest.param(
            {"kind": "malformed_json"},
            "UPSTREAM_BAD_RESPONSE",
            marks=sandbox_kind("malformed_json"),
        ),
        pytest.param({"kind": "truncate"}, "UPSTREAM_BAD_RESPONSE", marks=sandbox_kind("truncate")),
    ],
)
async def test_a_failing_jwks_is_a_typed_error(
    sandbox: SandboxHarness, rule: dict[str, Any], code: str
) -> None:
    token = await sandbox.user_token(TRAVELER)
    await fault(sandbox, method="GET", path=JWKS_PATH, **rule)
    async with running_gateway(sandbox) as gw:  # its signing keys are not fetched yet
        status, body = await gw.gql("{ me { id } }", token=token)
    assert status == 503
    assert isinstance(body, dict), body  # JSON, never a bare text/plain 500
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["correlationId"]


@pytest.fixture
async def jwks_peer() -> AsyncIterator[Peer]:
    async with running_peer() as peer:
        yield peer


@pytest.mark.parametrize(
    "document",
    [
        "[]",
        "null",
        '"keys"',
        '{"keys": "none"}',
        '{"keys": []}',
        '{"keys": [{"kty": "oct", "kid": "k1", "k": "c2VjcmV0"}]}',
        '{"keys": [{"kty": "RSA", "kid": "k1", "n": "!!", "e": "AQAB"}]}',
    ],
)
async def test_an_unreadable_jwks_is_a_bad_response(
    sandbox: SandboxHarness, jwks_peer: Peer, document: str
) -> None:
    jwks_peer.script("GET", JWKS_PATH, reply(body=document))
    settings = gateway_settings(sandbox.base_url, upstream={"oauth_base_url": jwks_peer.base_url})
    token = await sandbox.user_token(TRAVELER)
    async with running_gateway(sandbox, settings) as gw:
        status, body = await gw.gql("{ me { id } }", token=token)
    assert status == 503
    assert errors_of(body) == ["UPSTREAM_BAD_RESPONSE"], body
    assert jwks_peer.count("GET", JWKS_PATH) == 1


# -- tokens Concur refuses --------------------------------------------------------------


async def test_a_token_concur_refuses_reads_no_more_cached_answers(
    sandbox: SandboxHarness,
) -> None:
    settings = cached_settings(sandbox, response_ttl_s=60)
    async with running_gateway(sandbox, settings) as gw:
        token = await gw.token(TRAVELER)
        cached, other = two_reports(sandbox)
        assert errors_of((await read(gw, token, cached))[1]) == []
        await sandbox.reset_stats()
        status, body = await read(gw, token, cached)
        assert (status, errors_of(body)) == (200, [])
        assert upstream_total(await gw.upstream_calls()) == 0  # answered from the caches

        await concur_refuses_the_token(gw, token, other)
        await sandbox.reset_stats()
        assert refused_at_the_edge(*await read(gw, token, cached))
        assert upstream_total(await gw.upstream_calls()) == 0

        fresh = await sandbox.user_token(TRAVELER)  # a new token for the same caller is fine
        status, body = await read(gw, fresh, cached)
        assert (status, errors_of(body)) == (200, [])


async def test_a_revoked_token_is_refused_by_every_replica(
    sandbox: SandboxHarness, redis_url: str, redis_prefix: str
) -> None:
    settings = cached_settings(sandbox, redis_url=redis_url, prefix=redis_prefix)
    async with (
        running_gateway(sandbox, settings) as first,
        running_gateway(sandbox, settings) as second,
    ):
        await revoked_on_one_refused_on_the_other(first, second)


async def revoked_on_one_refused_on_the_other(
    first: GatewayHarness, second: GatewayHarness
) -> None:
    sandbox = first.sandbox
    token = await first.token(TRAVELER)
    cached, other = two_reports(sandbox)
    assert errors_of((await read(second, token, cached))[1]) == []  # verified and cached there

    await concur_refuses_the_token(first, token, other)
    await sandbox.reset_stats()
    assert refused_at_the_edge(*await read(second, token, cached))
    assert upstream_total(await second.upstream_calls()) == 0
