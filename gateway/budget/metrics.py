"""The budget on ``/metrics``: what the app's window has left, each caller's share, and the
routes Concur paused (as this replica last saw them).

Callers are labelled by a short hash of their principal, never their user id; the gate
tracks at most the last 1,000 callers it charged, so the label set stays bounded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from aiohttp import web
from opentelemetry.metrics import CallbackOptions, Observation

from gateway.budget.gate import CostGate
from gateway.telemetry.instruments import INSTRUMENTS
from gateway.telemetry.metrics import METER_NAME


def caller_label(principal: str) -> str:
    return hashlib.sha256(principal.encode()).hexdigest()[:12]


class BudgetObservers:
    """Observable gauges reading the gate's last known figures (no Redis call per scrape)."""

    def __init__(self, gate: CostGate) -> None:
        self._gate = gate

    def app_remaining(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        yield Observation(self._gate.app_remaining)

    def caller_remaining(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        for principal, remaining in list(self._gate.caller_remaining.items()):
            yield Observation(remaining, {"caller": caller_label(principal)})

    def paused(self, options: CallbackOptions) -> Iterable[Observation]:
        del options
        for route, left in self._gate.pauses.seconds_left().items():
            yield Observation(left, {"route": route})


def observe_budget(app: web.Application, gate: CostGate) -> None:
    """Register the gauges when telemetry runs (a no-op otherwise)."""
    instruments = app.get(INSTRUMENTS)
    if instruments is None:
        return
    meter = instruments.providers.meter_provider.get_meter(METER_NAME)
    observers = BudgetObservers(gate)
    meter.create_observable_gauge(
        "gateway.budget.remaining",
        [observers.app_remaining],
        description="Upstream calls the company app's window has left (all replicas)",
    )
    meter.create_observable_gauge(
        "gateway.budget.caller_remaining",
        [observers.caller_remaining],
        description="Upstream calls each caller's share has left, by hashed caller",
    )
    meter.create_observable_gauge(
        "gateway.upstream.paused_seconds",
        [observers.paused],
        description="Seconds left of each route's pause after Concur's 429 (0: not paused)",
    )


__all__ = ["BudgetObservers", "caller_label", "observe_budget"]
