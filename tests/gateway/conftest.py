"""Fixtures: the gateway on a ``TestServer`` in front of the test's sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.gateway import GatewayHarness, running_gateway
from tests.support.sandbox import SandboxHarness


@pytest.fixture
async def gateway(sandbox: SandboxHarness) -> AsyncIterator[GatewayHarness]:
    """A gateway with default settings; ``await gateway.gql(query, variables, token=...)``."""
    async with running_gateway(sandbox) as running:
        yield running
