"""Fixtures: the gateway with its gRPC face on, in front of the test's sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.grpc import GrpcGateway, running_grpc_gateway
from tests.support.sandbox import SandboxHarness


@pytest.fixture
async def gw(sandbox: SandboxHarness) -> AsyncIterator[GrpcGateway]:
    """``gw.stub.GetReport(request, metadata=auth(token))``; ``gw.http`` for GraphQL."""
    async with running_grpc_gateway(sandbox) as running:
        yield running
