"""Fixtures: the gateway on a ``TestServer`` in front of the test's sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conftest import SandboxHarness
from tests.gateway.harness import GatewayHarness, running_gateway


@pytest.fixture
async def gateway(sandbox: SandboxHarness) -> AsyncIterator[GatewayHarness]:
    """A gateway with default settings; ``await gateway.gql(query, variables, token=...)``."""
    async with running_gateway(sandbox) as running:
        yield running
