"""The app keys of the event services (read with ``app.get(KEY)`` by telemetry: they are
absent until the ``event_services`` context has started)."""

from __future__ import annotations

from aiohttp import web

from gateway.events.broker import EventBroker
from gateway.events.facts import FactsStore
from gateway.events.keyring import EssKeyring
from gateway.events.receiver import EssReceiver
from gateway.events.stats import EssStats

EVENT_BROKER = web.AppKey("event_broker", EventBroker)
ESS_KEYS = web.AppKey("ess_keys", EssKeyring)
ESS_STATS = web.AppKey("ess_stats", EssStats)
ESS_RECEIVER = web.AppKey("ess_receiver", EssReceiver)
FACTS_STORE: web.AppKey[FactsStore] = web.AppKey("workflow_facts_store")

__all__ = ["ESS_KEYS", "ESS_RECEIVER", "ESS_STATS", "EVENT_BROKER", "FACTS_STORE"]
