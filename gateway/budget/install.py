"""The budget's place in the app: one ``CostGate`` per app, its extension for the schema.

The gate is usable at once (in process); ``gateway.resources.concur_client`` moves it onto
Redis once the upstream's namespace is settled, and hands its pauses to the transport.
"""

from __future__ import annotations

from functools import partial

from aiohttp import web

from gateway.budget.extension import DocumentPrices, PriceAndCharge
from gateway.budget.gate import CostGate
from gateway.extensions import ExtensionFactory
from gateway.settings.budget import BudgetSettings

COST_GATE = web.AppKey("cost_gate", CostGate)


def install_budget(app: web.Application, settings: BudgetSettings) -> list[ExtensionFactory]:
    """Put the app's gate on ``app`` and return the schema extension that uses it."""
    gate = CostGate(settings)
    app[COST_GATE] = gate
    return [partial(PriceAndCharge, gate=gate, prices=DocumentPrices(gate))]


__all__ = ["COST_GATE", "install_budget"]
