"""The gRPC server, in the same process and on the same operations as the HTTP app.

``grpc_server`` is a ``cleanup_ctx`` that runs after ``operations``: it serves the
ReportService over the app's ``Operations`` (so both faces share the Concur client, the
cache, the guard and the idempotency store), the standard health service and server
reflection. It starts before the app takes HTTP traffic and, being later in the cleanup
order, stops before anything it uses is closed: health turns NOT_SERVING, event streams end
with UNAVAILABLE, in-flight calls get ``grace_s`` to finish, then the rest are cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Final

import grpc
from aiohttp import web
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from opentelemetry import trace

from gateway.budget.install import COST_GATE
from gateway.grpc.charge import RpcCharge
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2_grpc as service_grpc
from gateway.grpc.interceptor import (
    SERVICE,
    CallInterceptor,
    Charge,
    MetricsSource,
    TracerSource,
)
from gateway.grpc.servicer import ReportServicer
from gateway.resources import OPERATIONS
from gateway.settings import SETTINGS, Settings
from gateway.telemetry.instruments import INSTRUMENTS
from gateway.telemetry.metrics import GatewayMetrics
from resolvers.operations.services import Operations

logger = logging.getLogger(__name__)

OVERALL: Final = ""
"""The health service's name for the server as a whole."""


class RunningGrpc:
    """The started server and where it listens (``port`` is the bound one, never 0)."""

    __slots__ = ("_stopping", "grace_s", "health", "host", "port", "server", "servicer")

    def __init__(
        self,
        *,
        server: grpc.aio.Server,
        servicer: ReportServicer,
        health: health.aio.HealthServicer,
        host: str,
        port: int,
        grace_s: float,
    ) -> None:
        self.server = server
        self.servicer = servicer
        self.health = health
        self.host = host
        self.port = port
        self.grace_s = grace_s
        self._stopping: asyncio.Future[None] | None = None

    @property
    def target(self) -> str:
        """The address a client dials (``grpc.aio.insecure_channel(target)``)."""
        return f"{_host(self.host)}:{self.port}"

    def stop(self) -> asyncio.Future[None]:
        """Begin stopping (once): NOT_SERVING, streams ended, no new calls, in-flight calls
        drained for ``grace_s``. Returns the stop in progress, to await."""
        if self._stopping is None:
            self._stopping = asyncio.ensure_future(self._stop())
        return self._stopping

    async def _stop(self) -> None:
        await self.health.enter_graceful_shutdown()
        self.servicer.begin_shutdown()
        await self.server.stop(self.grace_s)
        logger.info("grpc stopped", extra={"grpc_target": self.target})


GRPC_SERVER = web.AppKey("grpc_server", RunningGrpc)


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def build_server(
    operations: Operations,
    settings: Settings,
    tracer: TracerSource,
    metrics: MetricsSource = lambda: None,
    charge: Charge | None = None,
) -> tuple[grpc.aio.Server, ReportServicer, health.aio.HealthServicer]:
    """A server with every service added, not yet bound or started."""
    interceptor = CallInterceptor(
        tracer=tracer, metrics=metrics, deadline_s=settings.upstream.deadline_s, charge=charge
    )
    server = grpc.aio.server(interceptors=[interceptor])
    servicer = ReportServicer(operations)
    service_grpc.add_ReportServiceServicer_to_server(servicer, server)
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    if settings.grpc.reflection:
        reflection.enable_server_reflection(
            (SERVICE, health.SERVICE_NAME, reflection.SERVICE_NAME), server
        )
    return server, servicer, health_servicer


async def grpc_server(app: web.Application) -> AsyncIterator[None]:
    """Serve gRPC for the app's lifetime when ``settings.grpc.port`` is set."""
    settings = app[SETTINGS]
    config = settings.grpc
    if config.port is None:
        yield
        return
    fallback = trace.get_tracer(__name__)

    def tracer() -> trace.Tracer:
        instruments = app.get(INSTRUMENTS)
        return fallback if instruments is None else instruments.tracer

    def metrics() -> GatewayMetrics | None:
        instruments = app.get(INSTRUMENTS)
        return None if instruments is None else instruments.metrics

    charge = RpcCharge(app[COST_GATE], app[OPERATIONS].client)
    server, servicer, health_servicer = build_server(
        app[OPERATIONS], settings, tracer, metrics, charge
    )
    port = server.add_insecure_port(f"{_host(config.host)}:{config.port}")
    await server.start()
    for name in (OVERALL, SERVICE):
        await health_servicer.set(name, health_pb2.HealthCheckResponse.SERVING)
    running = RunningGrpc(
        server=server,
        servicer=servicer,
        health=health_servicer,
        host=config.host,
        port=port,
        grace_s=config.grace_s,
    )
    app[GRPC_SERVER] = running
    logger.info("grpc serving", extra={"grpc_target": running.target})
    try:
        yield
    finally:
        await running.stop()


async def drain_grpc(app: web.Application) -> None:
    """``on_shutdown``: stop taking calls when HTTP does, and drain both faces together (the
    stop goes on while HTTP's in-flight requests finish; cleanup awaits it)."""
    running = app.get(GRPC_SERVER)
    if running is not None:
        running.stop()


def install_grpc(app: web.Application) -> None:
    """Wire the gRPC face into ``app`` (a no-op at runtime unless ``grpc.port`` is set).

    Call after the ``operations`` context is added: its cleanup must run first."""
    app.cleanup_ctx.append(grpc_server)
    app.on_shutdown.append(drain_grpc)


__all__ = [
    "GRPC_SERVER",
    "RunningGrpc",
    "build_server",
    "drain_grpc",
    "grpc_server",
    "install_grpc",
]
