"""The gRPC face spends the same budget: each call priced by its method, refused with
``RESOURCE_EXHAUSTED`` and ``RetryInfo`` before it reaches Concur."""

from __future__ import annotations

import grpc
import pytest
from google.rpc import error_details_pb2

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.settings import GrpcSettings
from resolvers.operations.pricing import COST_OBJECTS, DETAILS, HEADER, rpc_price
from tests.support.gateway import TRAVELER, gateway_settings, pick_report
from tests.support.grpc import auth, rich, running_grpc_gateway
from tests.support.sandbox import SandboxHarness


def test_calls_are_priced_as_the_graph_prices_their_reads() -> None:
    assert rpc_price("GetReport", 25) == HEADER + DETAILS + COST_OBJECTS
    assert rpc_price("ListReports", 10) == 1 + 10 * (HEADER + DETAILS + COST_OBJECTS)
    assert rpc_price("ApproveReport", 25) > rpc_price("GetReport", 25)
    assert rpc_price("WatchReportEvents", 25) == 0


async def test_a_call_its_share_cannot_cover_is_resource_exhausted(
    sandbox: SandboxHarness,
) -> None:
    price = rpc_price("GetReport", 25)
    settings = gateway_settings(
        sandbox.base_url,
        grpc=GrpcSettings(port=0),
        budget={"calls_per_window": 2 * price, "caller_share": 0.5, "window_s": 3600},
    )
    async with running_grpc_gateway(sandbox, settings) as gw:
        token = await gw.token(TRAVELER)
        request = service_pb2.GetReportRequest(report_id=pick_report(sandbox, "A_PEND"))
        await gw.stub.GetReport(request, metadata=auth(token))
        served = sum((await gw.upstream_calls()).values())
        assert 0 < served <= price
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await gw.stub.GetReport(request, metadata=auth(token))
        status = rich(caught.value)
        assert (status.code, status.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "RATE_LIMITED")
        assert status.detail(error_details_pb2.RetryInfo).retry_delay.ToNanoseconds() > 0
        assert sum((await gw.upstream_calls()).values()) == served  # nothing reached Concur
