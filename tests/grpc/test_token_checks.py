"""The token check on the gRPC face: a failing JWKS is Concur's typed failure, and a token
Concur refused on either face is refused on this one at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import pytest

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.settings import GrpcSettings
from tests.adapters.peer import Peer, reply
from tests.conftest import SandboxHarness
from tests.gateway.harness import TRAVELER, errors_of, gateway_settings, pick_report
from tests.gateway.oauth_peer import running_peer
from tests.grpc.harness import GrpcGateway, auth, rich, running_grpc_gateway


async def fault(sandbox: SandboxHarness, **rule: object) -> None:
    status, body = await sandbox.admin("POST", "/_sandbox/faults", json=rule)
    assert status in (200, 201), body


@pytest.mark.parametrize(
    ("rule", "status", "reason"),
    [
        ({"kind": "status", "status": 502}, grpc.StatusCode.UNAVAILABLE, "UPSTREAM_UNAVAILABLE"),
        ({"kind": "malformed_xml"}, grpc.StatusCode.INTERNAL, "UPSTREAM_BAD_RESPONSE"),
    ],
)
async def test_a_failing_jwks_is_a_typed_status(
    sandbox: SandboxHarness, rule: dict[str, object], status: grpc.StatusCode, reason: str
) -> None:
    token = await sandbox.user_token(TRAVELER)
    report_id = pick_report(sandbox, "A_PEND")
    await fault(sandbox, method="GET", path="/oauth2/v0/jwks", **rule)
    async with running_grpc_gateway(sandbox) as gw:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await gw.stub.GetReport(
                service_pb2.GetReportRequest(report_id=report_id), metadata=auth(token)
            )
    error = rich(caught.value)
    assert (error.code, error.reason) == (status, reason)


@pytest.fixture
async def jwks_peer() -> AsyncIterator[Peer]:
    async with running_peer() as peer:
        yield peer


async def test_an_unreadable_jwks_is_a_bad_response_not_internal(
    sandbox: SandboxHarness, jwks_peer: Peer
) -> None:
    jwks_peer.script("GET", "/oauth2/v0/jwks", reply(body=b"[]"))
    settings = gateway_settings(
        sandbox.base_url,
        upstream={"oauth_base_url": jwks_peer.base_url},
        grpc=GrpcSettings(port=0),
    )
    token = await sandbox.user_token(TRAVELER)
    async with running_grpc_gateway(sandbox, settings) as gw:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await gw.stub.GetReport(
                service_pb2.GetReportRequest(report_id=pick_report(sandbox, "A_PEND")),
                metadata=auth(token),
            )
    assert rich(caught.value).reason == "UPSTREAM_BAD_RESPONSE"


async def test_a_token_concur_refused_is_refused_over_grpc(gw: GrpcGateway) -> None:
    token = await gw.token(TRAVELER)
    report_id = pick_report(gw.sandbox, "A_PEND")
    request = service_pb2.GetReportRequest(report_id=report_id)
    assert (await gw.stub.GetReport(request, metadata=auth(token))).id == report_id

    other = next(r for r in gw.sandbox.store.reports if r != report_id)  # not cached yet
    await fault(gw.sandbox, method="GET", path=f"/reports/{other}$", kind="status", status=401)
    _, body = await gw.http.gql("query($id: ID!) { report(id: $id) { id } }", {"id": other}, token)
    assert errors_of(body) == ["UNAUTHENTICATED"]

    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await gw.stub.GetReport(request, metadata=auth(token))
    assert rich(caught.value).reason == "UNAUTHENTICATED"
