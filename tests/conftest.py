"""Shared fixtures: a real sandbox on 127.0.0.1 and an ephemeral port for every test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from tests.support.sandbox import (
    ADMIN_TOKEN,
    DEMO,
    TEST_REDIS_VARIABLE,
    TEST_VARIABLES,
    Demo,
    RedisServer,
    SandboxHarness,
    _free_port,
    _redis_answers,
    _redis_server_argv,
)


def pytest_configure(config: pytest.Config) -> None:
    """Nothing in the environment of the person running the tests changes what a test means:
    the application's own settings (``REDIS_URL``, ``CONCUR_GATEWAY_*``, ``OTEL_*``) are
    removed from this process before any test builds ``Settings``; only the suite's own
    ``CONCUR_GATEWAY_TEST_*`` switches stay. A test that wants a setting passes it explicitly."""
    import os

    del config
    for name in list(os.environ):
        if name.startswith(TEST_VARIABLES):
            continue
        if name == "REDIS_URL" or name.startswith(("CONCUR_GATEWAY_", "CONCUR_SANDBOX_", "OTEL_")):
            del os.environ[name]


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxHarness]:
    """A fresh seeded sandbox per test, served over real HTTP on 127.0.0.1:<ephemeral>.

    Attributes: ``base_url``, ``store``, ``engine``, ``admin_token`` ("test-admin"),
    ``session`` (an aiohttp ClientSession for the test's own calls).
    Helpers (all real HTTP): ``await sandbox.user_token("traveler@example.com")``
    (password grant, password "sandbox"), ``await sandbox.company_token()``,
    ``await sandbox.app_token()``, ``await sandbox.token_response(**form)`` -> (status, body),
    ``await sandbox.stats()`` (GET /_sandbox/stats), ``await sandbox.reset_stats()``,
    ``await sandbox.admin(method, path, json=None)`` -> (status, json or None),
    ``await sandbox.call(method, path, token=..., scheme="Bearer", json=..., data=...,
    headers=...)`` -> ``Reply`` (status, headers, body, ``.json()`` with Decimal numbers),
    ``sandbox.report_named("London Partner Summit")`` -> the seeded report.
    Demo ids live in ``sandbox.seed`` (and the ``demo`` fixture).
    """
    config = SandboxConfig(admin_token=ADMIN_TOKEN)
    async with (
        running_sandbox(config) as running,
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
def demo() -> Demo:
    """The demo company's fixed ids and credentials."""
    return DEMO


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A private ``redis-server`` on a free port for this run (or the Redis named by
    ``CONCUR_GATEWAY_TEST_REDIS_URL``); skips when neither can be had. Never the application's
    ``REDIS_URL`` nor whatever answers on 6379. Share it only through ``redis_prefix``."""
    import os
    import shutil
    import subprocess
    import time

    configured = os.environ.get(TEST_REDIS_VARIABLE)
    if configured:
        if not _redis_answers(configured):
            pytest.skip(f"{TEST_REDIS_VARIABLE}={configured} does not answer")
        yield configured
        return
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (or set CONCUR_GATEWAY_TEST_REDIS_URL)")
    port = _free_port()
    workdir = str(tmp_path_factory.mktemp("redis"))
    proc = subprocess.Popen(  # noqa: S603 - a fixed argv
        _redis_server_argv(port, workdir), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while not _redis_answers(url):  # polls a condition: the server accepting PING
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"a private redis-server did not start on port {port}")
            time.sleep(0.02)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def redis_prefix(redis_url: str) -> Any:
    """A key prefix unique to this test; every key under it is deleted afterwards.

    A plain (sync) fixture, so other fixtures may ask for it with ``getfixturevalue``."""
    import uuid

    import redis

    prefix = f"concur-gateway-test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture
async def redis_server(tmp_path: Any) -> AsyncIterator[RedisServer]:
    """A PRIVATE redis-server on a free port, for tests that stop and restart Redis:
    ``.url``, ``await .stop()``, ``await .start()``. Skips when redis-server is missing."""
    import shutil

    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(_free_port(), str(tmp_path))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
