"""Liveness and readiness probes.

``GET /healthz`` says the process serves HTTP. It calls nothing: a Concur outage must not
get healthy replicas restarted.

``GET /readyz`` says whether this replica can serve now, naming each check in its JSON body
and answering 503 when any fails:

- ``upstream``: Concur answers its JWKS (public, cheap, and what token checks need) within
  ``health.upstream_timeout_s``;
- ``redis``: the cache's Redis answers a ping, when Redis is configured;
- ``ess_keys``: the ESS signing keys are loaded, when the ESS receiver is configured;
- ``accepting``: the app is not draining for shutdown.

Results are reused for ``health.cache_s`` and concurrent probes share one run, so probes
from every replica and every load balancer do not turn into load on Concur. The probe has
its own small session and deadline: it must not queue behind, retry with, or trip the
breaker of real traffic.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Final

import aiohttp
from aiohttp import web

from adapters.concur import UpstreamOrigins
from adapters.oauth import JWKS_ROUTE
from adapters.singleflight import SingleFlight
from gateway.cache.backend import BACKEND, CacheBackend
from gateway.events.keyring import EssKeyring
from gateway.events.keys import ESS_KEYS
from gateway.settings import SETTINGS, HealthSettings
from gateway.shutdown import LIFECYCLE
from gateway.upstream import UPSTREAM

HEALTHZ: Final = "/healthz"
READYZ: Final = "/readyz"
QUIET_PATHS: Final = (HEALTHZ, READYZ)
PROBE_POOL: Final = 4


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    detail: str

    def as_json(self) -> dict[str, object]:
        return {"ok": self.ok, "detail": self.detail}


Check = Callable[[], Awaitable[CheckResult]]


async def upstream_check(session: aiohttp.ClientSession, jwks_url: str) -> CheckResult:
    """Concur's JWKS answers 2xx within the session's timeout."""
    try:
        async with session.get(jwks_url, allow_redirects=False) as response:
            await response.read()
            status = response.status
    except TimeoutError:
        return CheckResult(ok=False, detail="timed out")
    except aiohttp.ClientError as exc:
        return CheckResult(ok=False, detail=f"unreachable ({type(exc).__name__})")
    return CheckResult(ok=200 <= status < 300, detail=f"HTTP {status}")


async def redis_check(backend: CacheBackend, timeout_s: float) -> CheckResult:
    """The cache's Redis answers a ping (a degraded backend is not ready)."""
    try:
        async with asyncio.timeout(timeout_s):
            answered = await backend.ping()
    except TimeoutError:
        return CheckResult(ok=False, detail="timed out")
    if not answered or backend.degraded:
        return CheckResult(ok=False, detail="degraded: serving uncached")
    return CheckResult(ok=True, detail="")


async def ess_keys_check(keyring: EssKeyring) -> CheckResult:
    """Some ESS signing key is held (without one every delivery is refused)."""
    if keyring.loaded:
        return CheckResult(ok=True, detail=f"{keyring.key_count} keys")
    return CheckResult(ok=False, detail="no signing key loaded")


class Readiness:
    """Runs the named checks together, at most once per ``cache_s`` (see the module
    docstring); the clock is injected so tests need not wait."""

    def __init__(
        self,
        checks: Callable[[], dict[str, Check]],
        *,
        cache_s: float,
        clock: Callable[[], float],
    ) -> None:
        self._checks = checks
        self._cache_s = cache_s
        self._clock = clock
        self._last: tuple[float, dict[str, CheckResult]] | None = None
        self._flight: SingleFlight[dict[str, CheckResult]] = SingleFlight()

    async def results(self) -> dict[str, CheckResult]:
        last = self._last
        if last is not None and self._clock() - last[0] < self._cache_s:
            return last[1]
        return await self._flight.run(self._run)

    async def _run(self) -> dict[str, CheckResult]:
        checks = self._checks()  # asked each time: optional parts may start after us
        names = list(checks)
        outcomes = await asyncio.gather(*(checks[name]() for name in names))
        results = dict(zip(names, outcomes, strict=True))
        self._last = (self._clock(), results)
        return results


READINESS = web.AppKey("readiness", Readiness)


def readiness_checks(app: web.Application, session: aiohttp.ClientSession) -> dict[str, Check]:
    """The checks that apply to this app: upstream always, the others when configured."""
    jwks_url = str(
        UpstreamOrigins.from_settings(app[UPSTREAM].settings).oauth / JWKS_ROUTE.lstrip("/")
    )
    checks: dict[str, Check] = {"upstream": partial(upstream_check, session, jwks_url)}
    backend = app.get(BACKEND)
    if backend is not None and backend.redis is not None:
        timeout_s = app[SETTINGS].health.upstream_timeout_s
        checks["redis"] = partial(redis_check, backend, timeout_s)
    keyring = app.get(ESS_KEYS)
    if keyring is not None and keyring.sources:
        checks["ess_keys"] = partial(ess_keys_check, keyring)
    return checks


async def readiness(app: web.Application) -> AsyncIterator[None]:
    """The probe's own session (short timeout, tiny pool) for the app's lifetime."""
    settings: HealthSettings = app[SETTINGS].health
    timeout = aiohttp.ClientTimeout(total=settings.upstream_timeout_s)
    connector = aiohttp.TCPConnector(limit=PROBE_POOL)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        app[READINESS] = Readiness(
            partial(readiness_checks, app, session),
            cache_s=settings.cache_s,
            clock=time.monotonic,
        )
        yield


async def healthz(request: web.Request) -> web.Response:
    del request
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    checks: dict[str, CheckResult] = {}
    probe = request.app.get(READINESS)
    if probe is None:
        checks["started"] = CheckResult(ok=False, detail="starting")
    else:
        checks.update(await probe.results())
    lifecycle = request.app.get(LIFECYCLE)
    if lifecycle is not None:
        draining = lifecycle.draining
        checks["accepting"] = CheckResult(ok=not draining, detail="draining" if draining else "")
    ready = all(check.ok for check in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {name: check.as_json() for name, check in checks.items()},
    }
    return web.json_response(body, status=200 if ready else 503)


def add_health_routes(app: web.Application) -> None:
    """``/healthz``, ``/readyz`` and the readiness context (after the upstream is settled)."""
    app.router.add_get(HEALTHZ, healthz)
    app.router.add_get(READYZ, readyz)
    app.cleanup_ctx.append(readiness)


__all__ = [
    "HEALTHZ",
    "QUIET_PATHS",
    "READINESS",
    "READYZ",
    "CheckResult",
    "Readiness",
    "add_health_routes",
    "ess_keys_check",
    "healthz",
    "readiness",
    "readiness_checks",
    "readyz",
    "redis_check",
    "upstream_check",
]
