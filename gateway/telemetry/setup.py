"""Wiring telemetry into an app: the middleware, ``/metrics``, the startup context and the
schema extensions, all decided in the app factory.

The telemetry context is the first ``cleanup_ctx``: it starts before the Concur client (which
is opened with its hooks) and stops after everything else, so the spans of the last
requests and of shutdown itself are still flushed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from functools import partial

from aiohttp import web
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from adapters.concur import HttpConcurClient
from adapters.tracing import UpstreamTracer
from gateway.cache.backend import BACKEND
from gateway.events.keys import ESS_STATS, EVENT_BROKER
from gateway.extensions import ExtensionFactory
from gateway.health import QUIET_PATHS
from gateway.settings import Settings
from gateway.telemetry.instruments import INSTRUMENTATION, INSTRUMENTS, TELEMETRY, Instruments
from gateway.telemetry.metrics import METER_NAME, GatewayMetrics, MetricSources
from gateway.telemetry.middleware import request_middleware
from gateway.telemetry.operation import OperationSpans, ResolverSpans
from gateway.telemetry.prometheus import metrics_endpoint
from gateway.telemetry.providers import Telemetry, open_providers
from gateway.upstream import CLIENT


def breaker_states(app: web.Application) -> Mapping[str, str] | None:
    client = app.get(CLIENT)
    if not isinstance(client, HttpConcurClient):
        return None
    return {host: state.value for host, state in client.breaker_states().items()}


def cache_stats(app: web.Application) -> Mapping[str, int] | None:
    backend = app.get(BACKEND)
    if backend is None:
        return None
    stats = backend.stats
    return {
        "hits": stats.hits,
        "misses": stats.misses,
        "evictions": stats.evictions,
        "errors": stats.errors,
        "response_hits": stats.response_hits,
    }


def ess_events(app: web.Application) -> Mapping[tuple[str, str], int] | None:
    stats = app.get(ESS_STATS)
    if stats is None:
        return None
    return {(event_type, str(outcome)): n for (event_type, outcome), n in stats.deliveries.items()}


def dropped_events(app: web.Application) -> int | None:
    stats = app.get(ESS_STATS)
    return None if stats is None else stats.dropped


def active_subscriptions(app: web.Application) -> int | None:
    broker = app.get(EVENT_BROKER)
    return None if broker is None else broker.subscriber_count


def metric_sources(app: web.Application) -> MetricSources:
    """Observed parts, each looked up on the app at collection time (any may be absent)."""
    return MetricSources(
        breaker_states=partial(breaker_states, app),
        cache_stats=partial(cache_stats, app),
        ess_events=partial(ess_events, app),
        dropped_events=partial(dropped_events, app),
        active_subscriptions=partial(active_subscriptions, app),
    )


async def telemetry_instruments(app: web.Application) -> AsyncIterator[None]:
    """Providers (built from ``OTEL_*`` unless injected) and the instruments over them."""
    async with open_providers(app[TELEMETRY]) as providers:
        app[INSTRUMENTS] = Instruments(
            providers=providers,
            tracer=providers.tracer_provider.get_tracer(INSTRUMENTATION),
            upstream=UpstreamTracer(providers.tracer_provider),
            metrics=GatewayMetrics(
                providers.meter_provider.get_meter(METER_NAME), metric_sources(app)
            ),
            propagator=TraceContextTextMapPropagator(),
        )
        yield


def install_telemetry(
    app: web.Application, settings: Settings, telemetry: Telemetry | None = None
) -> list[ExtensionFactory]:
    """Wire telemetry into ``app``; returns the extensions to put first in the schema
    (first, so the operation span sees the errors after they are mapped to codes)."""
    options = settings.telemetry
    quiet = {*QUIET_PATHS, options.metrics_path} - {""}
    app.middlewares.append(
        request_middleware(graphql_path=settings.server.graphql_path, quiet=quiet)
    )
    if not options.enabled:
        return []
    app[TELEMETRY] = telemetry or Telemetry()
    app.cleanup_ctx.insert(0, telemetry_instruments)
    if options.metrics_path:
        app.router.add_get(options.metrics_path, metrics_endpoint)
    extensions: list[ExtensionFactory] = [partial(OperationSpans, app=app)]
    if options.resolver_spans:
        extensions.append(partial(ResolverSpans, app=app))
    return extensions


__all__ = ["install_telemetry", "metric_sources", "telemetry_instruments"]
