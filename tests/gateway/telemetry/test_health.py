"""``/healthz`` and ``/readyz`` against a real sandbox (faulted, gone) and a real Redis."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from gateway.health import CheckResult, Readiness
from tests.support.gateway import GatewayHarness, gateway_settings
from tests.support.sandbox import RedisServer, SandboxHarness
from tests.support.telemetry import traced_gateway

JWKS_PATH = "^/oauth2/v0/jwks$"
JWKS_ROUTE = "GET /oauth2/v0/jwks"
READY_WAIT_S = 15.0


async def probe(gw: GatewayHarness, path: str = "/readyz") -> tuple[int, Any]:
    async with gw.session.get(gw.server.make_url(path)) as response:
        return response.status, await response.json()


async def until_status(gw: GatewayHarness, wanted: int) -> Any:
    """Probe until ``/readyz`` answers ``wanted`` (the condition, not a timer, ends the wait)."""
    async with asyncio.timeout(READY_WAIT_S):
        while True:
            status, body = await probe(gw)
            if status == wanted:
                return body
            await asyncio.sleep(0.05)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_healthz_is_alive_without_asking_anyone(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    await sandbox.reset_stats()
    assert await probe(gateway, "/healthz") == (200, {"status": "ok"})
    assert (await sandbox.stats())["total"] == 0


async def test_readyz_names_each_check(gateway: GatewayHarness) -> None:
    status, body = await probe(gateway)
    assert status == 200, body
    assert body["status"] == "ready"
    assert body["checks"]["upstream"] == {"ok": True, "detail": "HTTP 200"}
    assert body["checks"]["accepting"]["ok"] is True
    assert "redis" not in body["checks"]  # no Redis configured
    assert "ess_keys" not in body["checks"]  # no ESS keys configured


async def test_readyz_fails_while_concur_fails_and_recovers(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    fault = {"method": "GET", "path": JWKS_PATH, "kind": "status", "status": 503}
    status, created = await sandbox.admin("POST", "/_sandbox/faults", fault)
    assert status == 201, created
    status, body = await probe(gateway)
    assert status == 503, body
    assert body["status"] == "not ready"
    assert body["checks"]["upstream"] == {"ok": False, "detail": "HTTP 503"}
    status, _ = await sandbox.admin("DELETE", f"/_sandbox/faults/{created['id']}")
    assert status == 204
    status, body = await probe(gateway)
    assert status == 200, body


async def test_readyz_fails_when_concur_is_unreachable(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(f"http://127.0.0.1:{free_port()}", health={"cache_s": 0})
    async with traced_gateway(sandbox, settings, None) as gw:
        status, body = await probe(gw)
        assert status == 503, body
        upstream = body["checks"]["upstream"]
        assert upstream["ok"] is False
        assert upstream["detail"].startswith("unreachable")
        assert await probe(gw, "/healthz") == (200, {"status": "ok"})


async def test_readiness_is_reused_for_a_while(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(sandbox.base_url, health={"cache_s": 3600})
    async with traced_gateway(sandbox, settings, None) as gw:
        await sandbox.reset_stats()
        results = await asyncio.gather(*(probe(gw) for _ in range(5)))
        assert {status for status, _ in results} == {200}
        fault = {"method": "GET", "path": JWKS_PATH, "kind": "status", "status": 503}
        status, _ = await sandbox.admin("POST", "/_sandbox/faults", fault)
        assert status == 201
        status, _ = await probe(gw)
        assert status == 200  # the last result still stands
        assert (await sandbox.stats())["requests"] == {JWKS_ROUTE: 1}


async def test_readiness_checks_run_at_most_once_per_period() -> None:
    now = [0.0]
    runs: list[int] = []

    async def check() -> CheckResult:
        runs.append(1)
        return CheckResult(ok=True, detail="")

    readiness = Readiness(lambda: {"x": check}, cache_s=5.0, clock=lambda: now[0])
    await asyncio.gather(*(readiness.results() for _ in range(3)))
    await readiness.results()
    assert len(runs) == 1
    now[0] = 5.0
    await readiness.results()
    assert len(runs) == 2


async def test_readyz_follows_redis(sandbox: SandboxHarness, redis_server: RedisServer) -> None:
    settings = gateway_settings(
        sandbox.base_url,
        redis_url=redis_server.url,
        health={"cache_s": 0},
        cache={"redis_retry_s": 0.05, "redis_retry_max_s": 0.2},
    )
    async with traced_gateway(sandbox, settings, None) as gw:
        status, body = await probe(gw)
        assert status == 200, body
        assert body["checks"]["redis"]["ok"] is True
        await redis_server.stop()
        status, body = await probe(gw)
        assert status == 503, body
        assert body["checks"]["redis"]["ok"] is False
        assert body["checks"]["upstream"]["ok"] is True
        await redis_server.start()
        body = await until_status(gw, 200)
        assert body["checks"]["redis"]["ok"] is True


async def test_readyz_reports_ess_keys_when_the_receiver_is_configured(
    sandbox: SandboxHarness,
) -> None:
    key_url = f"{sandbox.base_url}/_sandbox/ess/public-key.pem"
    settings = gateway_settings(sandbox.base_url, ess={"public_keys": [key_url]})
    async with traced_gateway(sandbox, settings, None) as gw:
        status, body = await probe(gw)
        assert status == 200, body
        assert body["checks"]["ess_keys"] == {"ok": True, "detail": "1 signing key loaded"}
    missing = f"{sandbox.base_url}/_sandbox/ess/no-such-key.pem"
    settings = gateway_settings(sandbox.base_url, ess={"public_keys": [missing]})
    async with traced_gateway(sandbox, settings, None) as gw:
        status, body = await probe(gw)
        assert status == 503, body
        assert body["checks"]["ess_keys"] == {"ok": False, "detail": "no signing key loaded"}
