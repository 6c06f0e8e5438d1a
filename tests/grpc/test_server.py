"""The server around the service: health, reflection, settings, shutdown with HTTP."""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import pytest
from google.protobuf.descriptor_pool import DescriptorPool
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.server import GRPC_SERVER
from gateway.settings import Settings
from tests.support.gateway import TRAVELER, running_gateway
from tests.support.grpc import GrpcGateway, auth, grpc_settings, rich, running_grpc_gateway
from tests.support.sandbox import SandboxHarness

SERVICE = "concur_gateway.v1.ReportService"
METHODS = {
    "GetReport",
    "ListReports",
    "ListReportsToApprove",
    "GetEntry",
    "ListCostObjects",
    "ApproveReport",
    "SendBackReport",
    "RecallReport",
    "SubmitReport",
    "BulkAct",
    "GetReportAuditTrail",
    "ListAuditRecords",
    "WatchReportEvents",
}
WAIT_S = 10.0


async def test_health_answers_serving(gw: GrpcGateway) -> None:
    health: Any = health_pb2_grpc.HealthStub(gw.channel)  # its stubs name no methods
    for service in ("", SERVICE):
        response = await health.Check(health_pb2.HealthCheckRequest(service=service))
        assert response.status == health_pb2.HealthCheckResponse.SERVING
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await health.Check(health_pb2.HealthCheckRequest(service="no.Such"))
    assert caught.value.code() is grpc.StatusCode.NOT_FOUND


def discover(target: str) -> tuple[set[str], dict[str, tuple[str, str, bool]]]:
    """What grpcurl does: list services, then resolve one through reflection (blocking)."""
    with grpc.insecure_channel(target) as channel:
        database = ProtoReflectionDescriptorDatabase(channel)
        services = set(database.get_services())
        service = DescriptorPool(database).FindServiceByName(SERVICE)
        methods = {
            m.name: (m.input_type.full_name, m.output_type.full_name, m.server_streaming)
            for m in service.methods
        }
    return services, methods


async def test_reflection_lists_and_resolves_the_service(gw: GrpcGateway) -> None:
    services, methods = await asyncio.to_thread(discover, gw.target)
    assert {SERVICE, "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= (
        services
    )
    assert set(methods) == METHODS
    assert methods["GetReport"] == (
        "concur_gateway.v1.GetReportRequest",
        "concur_gateway.v1.Report",
        False,
    )
    assert methods["WatchReportEvents"][1:] == ("concur_gateway.v1.ReportEvent", True)
    assert methods["BulkAct"][1:] == ("concur_gateway.v1.BulkActItemResult", True)


async def test_reflection_can_be_turned_off(sandbox: SandboxHarness) -> None:
    async with running_grpc_gateway(sandbox, grpc_settings(sandbox, reflection=False)) as gw:
        with pytest.raises(grpc.RpcError):
            await asyncio.to_thread(discover, gw.target)


async def test_grpc_is_off_unless_a_port_is_set(sandbox: SandboxHarness) -> None:
    async with running_gateway(sandbox) as http:
        assert GRPC_SERVER not in http.server.app


def test_the_port_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCUR_GATEWAY_GRPC__PORT", "50051")
    monkeypatch.setenv("CONCUR_GATEWAY_GRPC__HOST", "::1")
    settings = Settings()
    assert (settings.grpc.port, settings.grpc.host) == (50051, "::1")
    assert Settings(_env_file=None).grpc.grace_s > 0


async def test_shutdown_ends_streams_and_turns_not_serving(sandbox: SandboxHarness) -> None:
    async with running_grpc_gateway(sandbox, grpc_settings(sandbox, grace_s=WAIT_S)) as gw:
        token = await gw.token(TRAVELER)
        watch = gw.stub.WatchReportEvents(
            service_pb2.WatchReportEventsRequest(), metadata=auth(token)
        )
        await asyncio.wait_for(watch.initial_metadata(), WAIT_S)
        stub: Any = health_pb2_grpc.HealthStub(gw.channel)
        health = stub.Watch(health_pb2.HealthCheckRequest(service=SERVICE))
        first = await asyncio.wait_for(health.read(), WAIT_S)
        assert first.status == health_pb2.HealthCheckResponse.SERVING

        closing = asyncio.create_task(gw.http.server.close())  # as on SIGTERM
        update = await asyncio.wait_for(health.read(), WAIT_S)
        assert update.status == health_pb2.HealthCheckResponse.NOT_SERVING
        health.cancel()  # a health watch, like any unary call, may run until the grace ends
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await asyncio.wait_for(watch.read(), WAIT_S)
        status = rich(caught.value)
        assert (status.code, status.reason) == (grpc.StatusCode.UNAVAILABLE, "SHUTTING_DOWN")
        await asyncio.wait_for(closing, WAIT_S)
