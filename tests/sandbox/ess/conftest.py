"""ESS fixtures: a sandbox whose retries take milliseconds, and a real webhook receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from tests.sandbox.ess.ess_receiver import Receiver
from tests.sandbox.ess.ess_support import Ess, Reports
from tests.support.sandbox import ADMIN_TOKEN, SandboxHarness

# Four attempts, 10/20/40 ms apart; a held endpoint times out after one second.
FAST_ESS = SandboxConfig(
    admin_token=ADMIN_TOKEN,
    ess_retry_initial_s=0.01,
    ess_retry_max_s=0.04,
    ess_max_attempts=4,
    ess_timeout_s=1.0,
)


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHarness]:
    """The shared sandbox fixture, with ESS retries and timeouts short enough for tests."""
    async with (
        running_sandbox(FAST_ESS.model_copy()) as running,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield SandboxHarness(
            base_url=running.base_url,
            store=running.store,
            engine=running.engine,
            admin_token=ADMIN_TOKEN,
            session=session,
        )


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A webhook receiver on its own ephemeral port; endpoints are ``receiver.url(name)``."""
    receiver = Receiver()
    runner = web.AppRunner(receiver.app(), access_log=None, shutdown_timeout=0.5)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    receiver.base_url = f"http://{host}:{port}"
    yield receiver
    receiver.release_all()
    await runner.cleanup()


@pytest.fixture
async def ess(sandbox: SandboxHarness) -> Ess:
    return Ess(sandbox, await sandbox.app_token())


@pytest.fixture
def reports(sandbox: SandboxHarness) -> Reports:
    return Reports(sandbox)
