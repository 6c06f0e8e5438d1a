"""The gateway's meters, exposed at ``/metrics`` and to any configured metric exporter.

Requests are counted by their latency histograms (``..._count``), as OpenTelemetry's HTTP
conventions do: a separate counter would double the cost of every request for the same
number. Each recording validates and hashes its labels, which is most of what metrics cost.

Every label is bounded: routes are templates (never URLs with ids), statuses are numbers,
outcomes are error codes, and operation names — which clients choose — get a label of
their own only for the first ``max_operation_names`` distinct names (the rest count as
``other``), so a client inventing names cannot grow the series without bound.

Parts that are optional in a deployment (the cache, ESS, subscriptions) are observed
through ``MetricSources`` callables that answer ``None`` when the part is absent; nothing
is emitted for them then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from opentelemetry import metrics
from opentelemetry.metrics import CallbackOptions, Observation

if TYPE_CHECKING:
    from adapters.upstream import UpstreamCallEvent

METER_NAME: Final = "concur_gateway"
LATENCY_BUCKETS_S: Final = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0
)  # fmt: skip
OTHER: Final = "other"
ANONYMOUS: Final = "anonymous"
_NAME: Final = re.compile(r"[_A-Za-z][_0-9A-Za-z]{0,63}")
BREAKER_STATES: Final = ("closed", "half_open", "open")
CACHE_COUNTERS: Final = ("hits", "misses", "evictions", "errors", "response_hits")


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class MetricSources:
    """Where observable metrics are read at collection time; ``None`` means "not here"."""

    breaker_states: Callable[[], Mapping[str, str] | None] = _nothing
    cache_stats: Callable[[], Mapping[str, int] | None] = _nothing
    ess_events: Callable[[], Mapping[tuple[str, str], int] | None] = _nothing
    dropped_events: Callable[[], int | None] = _nothing
    active_subscriptions: Callable[[], int | None] = _nothing


class OperationNames:
    """Bounds the operation-name label (see the module docstring)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._seen: set[str] = set()

    def label(self, name: str | None) -> str:
        if not name:
            return ANONYMOUS
        if name in self._seen:
            return name
        if len(self._seen) >= self._limit or not _NAME.fullmatch(name):
            return OTHER
        self._seen.add(name)
        return name


class GatewayMetrics:
    """Counters and histograms recorded by the request path, and the observed ones."""

    def __init__(
        self, meter: metrics.Meter, sources: MetricSources, *, max_operation_names: int = 100
    ) -> None:
        self._sources = sources
        self._names = OperationNames(max_operation_names)
        self.operation_duration = meter.create_histogram(
            "gateway.graphql.request.duration",
            unit="s",
            description="GraphQL operations and their latency, by name, type, outcome",
            explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_S,
        )
        self.http_duration = meter.create_histogram(
            "gateway.http.request.duration",
            unit="s",
            description="HTTP requests served (refused ones included), by method, route, status",
            explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_S,
        )
        self.upstream_duration = meter.create_histogram(
            "gateway.upstream.request.duration",
            unit="s",
            description="Upstream attempts and their latency, by route template, method, status, "
            "protocol, outcome",
            explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_S,
        )
        self.rpc_duration = meter.create_histogram(
            "gateway.grpc.request.duration",
            unit="s",
            description="gRPC calls and their latency, by method and status code",
            explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_S,
        )
        self.upstream_retries = meter.create_counter(
            "gateway.upstream.retries",
            description="Upstream read attempts after the first, by route template",
        )
        meter.create_observable_gauge(
            "gateway.upstream.circuit_breaker.state",
            [self._observe_breakers],
            description="1 for the state each upstream endpoint's circuit is in",
        )
        for counter in CACHE_COUNTERS:
            meter.create_observable_counter(
                f"gateway.cache.{counter}",
                [self._cache_observer(counter)],
                description=f"Cache {counter.replace('_', ' ')}",
            )
        meter.create_observable_counter(
            "gateway.ess.events",
            [self._observe_ess],
            description="ESS event deliveries received, by event type and outcome",
        )
        meter.create_observable_counter(
            "gateway.subscriptions.dropped_events",
            [self._observe_dropped],
            description="Report events slow subscribers lost or were disconnected for",
        )
        meter.create_observable_up_down_counter(
            "gateway.subscriptions.active",
            [self._observe_subscriptions],
            description="Open report-event subscriptions",
        )

    # -- recorded on the request path --------------------------------------------------

    def record_operation(
        self, name: str | None, operation_type: str, outcome: str, duration_s: float
    ) -> None:
        labels = {
            "operation": self._names.label(name),
            "type": operation_type,
            "outcome": outcome,
        }
        self.operation_duration.record(duration_s, labels)

    def record_rpc(self, method: str, code: str, duration_s: float) -> None:
        """One gRPC call (``method`` of the one service; ``code`` a gRPC status name)."""
        self.rpc_duration.record(duration_s, {"method": method, "code": code})

    def record_http(self, method: str, route: str, status: int, duration_s: float) -> None:
        self.http_duration.record(
            duration_s, {"method": method, "route": route, "status": str(status)}
        )

    def record_upstream(self, event: UpstreamCallEvent) -> None:
        """The adapters' ``on_upstream_call`` hook: one call per attempt."""
        labels = {
            "route": event.route,
            "method": event.method,
            "protocol": event.family.value,
            "status": str(event.status) if event.status is not None else "none",
            "outcome": event.outcome,
        }
        self.upstream_duration.record(event.duration_s, labels)
        if event.attempt > 1:
            self.upstream_retries.add(
                1, {"route": event.route, "method": event.method, "protocol": labels["protocol"]}
            )

    # -- observed at collection --------------------------------------------------------

    def _observe_breakers(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        states = self._sources.breaker_states() or {}
        return [
            Observation(1 if current == state else 0, {"breaker": name, "state": state})
            for name, current in states.items()
            for state in BREAKER_STATES
        ]

    def _cache_observer(self, counter: str) -> Callable[[CallbackOptions], Iterable[Observation]]:
        def observe(options: CallbackOptions) -> Iterable[Observation]:
            del options
            stats = self._sources.cache_stats()
            if stats is None or counter not in stats:
                return []
            return [Observation(stats[counter])]

        return observe

    def _observe_ess(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        counts = self._sources.ess_events() or {}
        return [
            Observation(count, {"event_type": event_type, "outcome": outcome})
            for (event_type, outcome), count in counts.items()
        ]

    def _observe_dropped(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        dropped = self._sources.dropped_events()
        return [] if dropped is None else [Observation(dropped)]

    def _observe_subscriptions(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        active = self._sources.active_subscriptions()
        return [] if active is None else [Observation(active)]


__all__ = [
    "CACHE_COUNTERS",
    "LATENCY_BUCKETS_S",
    "METER_NAME",
    "GatewayMetrics",
    "MetricSources",
    "OperationNames",
]
