"""Fixtures: the gateway on a ``TestServer`` in front of the test's sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from gateway.settings import Settings
from tests.support.cache import GatewayFactory
from tests.support.gateway import GatewayHarness, running_gateway
from tests.support.sandbox import SandboxHarness


@pytest.fixture
async def gateway(sandbox: SandboxHarness) -> AsyncIterator[GatewayHarness]:
    """A gateway with default settings; ``await gateway.gql(query, variables, token=...)``."""
    async with running_gateway(sandbox) as running:
        yield running


@pytest.fixture
async def make_gateway(sandbox: SandboxHarness) -> AsyncIterator[GatewayFactory]:
    """``await make_gateway(settings)``: more gateways in front of the same sandbox, each
    stopped at the end of the test (replicas sharing one Redis, say)."""
    async with AsyncExitStack() as stack:

        async def make(settings: Settings) -> GatewayHarness:
            return await stack.enter_async_context(running_gateway(sandbox, settings))

        yield make
