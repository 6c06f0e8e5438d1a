"""A gateway serving gRPC beside HTTP, and a real ``grpc.aio`` client for it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2_grpc as service_grpc
from gateway.grpc.server import GRPC_SERVER
from gateway.settings import GrpcSettings, Settings
from tests.support.gateway import GatewayHarness, gateway_settings, running_gateway
from tests.support.sandbox import SandboxHarness

DETAILS_KEY = "grpc-status-details-bin"


class GrpcGateway:
    """The running gateway: ``gw.stub`` (an async ReportService stub), ``gw.http`` (the
    GraphQL harness), ``await gw.token(login)``, ``gw.auth(token)`` metadata."""

    def __init__(self, http: GatewayHarness, channel: grpc.aio.Channel, target: str) -> None:
        self.http = http
        self.channel = channel
        self.target = target
        self.stub = service_grpc.ReportServiceStub(channel)
        self.sandbox = http.sandbox

    async def token(self, login: str) -> str:
        return await self.http.token(login)

    async def upstream_calls(self) -> dict[str, int]:
        return await self.http.upstream_calls()

    @property
    def running(self) -> Any:
        return self.http.server.app[GRPC_SERVER]


def auth(token: str, **extra: str) -> tuple[tuple[str, str], ...]:
    """Call metadata with the bearer token."""
    return (("authorization", f"Bearer {token}"), *extra.items())


def grpc_settings(sandbox: SandboxHarness, **grpc_fields: Any) -> Settings:
    return gateway_settings(sandbox.base_url, grpc=GrpcSettings(port=0, **grpc_fields))


@asynccontextmanager
async def running_grpc_gateway(
    sandbox: SandboxHarness, settings: Settings | None = None
) -> AsyncIterator[GrpcGateway]:
    async with running_gateway(sandbox, settings or grpc_settings(sandbox)) as http:
        target = http.server.app[GRPC_SERVER].target
        async with grpc.aio.insecure_channel(target) as channel:
            yield GrpcGateway(http, channel, target)


@dataclass(frozen=True)
class Rich:
    """A failed call's status, unpacked: the code, the ErrorInfo and the other details."""

    code: grpc.StatusCode
    message: str
    reason: str
    domain: str
    metadata: dict[str, str]
    details: list[Message]

    def detail(self, kind: type[Any]) -> Any:
        found = [d for d in self.details if isinstance(d, kind)]
        assert len(found) == 1, self.details
        return found[0]


DETAIL_TYPES: tuple[type[Message], ...] = (
    error_details_pb2.ErrorInfo,
    error_details_pb2.BadRequest,
    error_details_pb2.RetryInfo,
    service_pb2.ActionRefusal,
)


def rich(error: grpc.aio.AioRpcError) -> Rich:
    """Unpack the ``google.rpc.Status`` a failed call carries in its trailers."""
    raw = next(v for k, v in error.trailing_metadata() or () if k == DETAILS_KEY)
    assert isinstance(raw, bytes)
    status = status_pb2.Status.FromString(raw)
    assert status.code == error.code().value[0]
    assert status.message == error.details()
    details: list[Message] = []
    for packed in status.details:
        kind = next(t for t in DETAIL_TYPES if packed.TypeName() == t.DESCRIPTOR.full_name)
        message = kind()
        packed.Unpack(message)
        details.append(message)
    info = details[0]
    assert isinstance(info, error_details_pb2.ErrorInfo), "ErrorInfo comes first"
    return Rich(
        code=error.code(),
        message=error.details() or "",
        reason=info.reason,
        domain=info.domain,
        metadata=dict(info.metadata),
        details=details,
    )


__all__ = ["GrpcGateway", "Rich", "auth", "grpc_settings", "rich", "running_grpc_gateway"]
