"""What the Concur client is opened with so its calls are traced and metered.

The client is opened after telemetry starts (``cleanup_ctx`` order), so the hooks exist by
then; with telemetry off both are ``None`` and upstream calls cost nothing extra.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from adapters.tracing import UpstreamTracer
from adapters.upstream import UpstreamCallHook
from gateway.telemetry.instruments import INSTRUMENTS


@dataclass(frozen=True, slots=True)
class UpstreamHooks:
    """Arguments for ``open_concur_client``: a span per attempt, metrics per attempt."""

    tracer: UpstreamTracer | None = None
    on_upstream_call: UpstreamCallHook | None = None


def upstream_hooks(app: web.Application) -> UpstreamHooks:
    instruments = app.get(INSTRUMENTS)
    if instruments is None:
        return UpstreamHooks()
    return UpstreamHooks(
        tracer=instruments.upstream, on_upstream_call=instruments.metrics.record_upstream
    )


__all__ = ["UpstreamHooks", "upstream_hooks"]
