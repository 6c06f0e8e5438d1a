"""The ESS webhook: authenticate, dedupe, record, invalidate, publish — in that order.

Concur's ESS retries a delivery on 5xx, 401, 403, 429 and I/O errors (for 72 hours) and
drops it on any other 4xx, and wants an answer within seconds. So:

- **401** when the client certificate (if required) or ``Concur-Signature`` does not check
  out, before the body is even parsed: nothing is recorded, invalidated or published.
- **400** for a body that is not JSON or not an expense report envelope we know: a retry
  would not make it any better.
- **503** when the event cannot be recorded now (the backend is down, or the work ran past
  ``ess.deadline_s``), or when another delivery of the same event is still being applied:
  ESS comes back later, and an event is never marked applied without having been.
- **200** otherwise, with the outcome: ``applied``; ``stale`` (older than the facts held for
  the report, which are kept; the report is still invalidated and the event published);
  ``duplicate`` (applied before; nothing done).

Publishing hands the event to the broker without waiting on any subscriber.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Final

from aiohttp import web
from redis.exceptions import RedisError

from adapters.errors import BadUserInput, GatewayError
from adapters.ess import parse_event
from gateway.cache.backend import CacheUnavailable
from gateway.events.dedupe import Claim
from gateway.events.facts import order_key
from gateway.events.stats import UNKNOWN_EVENT_TYPE, Outcome
from gateway.events.tls import peer_common_names
from resolvers.operations import invalidation

if TYPE_CHECKING:
    from adapters.models import ReportEvent
    from gateway.events.broker import EventBroker
    from gateway.events.dedupe import EventLedger
    from gateway.events.facts import FactsStore
    from gateway.events.keyring import EssKeyring
    from gateway.events.stats import EssStats
    from gateway.settings.events import EssSettings
    from resolvers.operations.cache import ReadCache

logger = logging.getLogger(__name__)

SIGNATURE_HEADER: Final = "Concur-Signature"

BackendFailure = (CacheUnavailable, RedisError, OSError, GatewayError)
"""What "cannot record now" looks like: the backend saying Redis is down, or Redis refusing."""


class Unavailable(Exception):
    """The event cannot be applied right now (ESS will retry)."""


def _answer(status: int, **fields: str) -> web.Response:
    return web.json_response(fields, status=status)


class EssReceiver:
    """Applies ESS deliveries (see the module docstring); one per app."""

    def __init__(
        self,
        *,
        settings: EssSettings,
        keyring: EssKeyring,
        ledger: EventLedger,
        facts: FactsStore,
        broker: EventBroker,
        stats: EssStats,
        cache: ReadCache,
    ) -> None:
        self._settings = settings
        self._keyring = keyring
        self._ledger = ledger
        self._facts = facts
        self._broker = broker
        self._stats = stats
        self._cache = cache

    async def handle(self, request: web.Request) -> web.Response:
        """Answer one delivery within ``ess.deadline_s`` (key re-reads included)."""
        deadline = asyncio.get_running_loop().time() + self._settings.deadline_s
        body = await request.read()
        try:
            async with asyncio.timeout_at(deadline):
                refusal = await self._authenticate(request, body)
        except TimeoutError:
            self._stats.record(UNKNOWN_EVENT_TYPE, Outcome.UNAVAILABLE)
            logger.warning("ESS delivery not verified in time: signing keys unreachable")
            return _answer(503, error="Signing keys are not available; retry later.")
        if refusal is not None:
            return refusal
        try:
            event = parse_event(body)
        except BadUserInput as exc:
            self._stats.record(UNKNOWN_EVENT_TYPE, Outcome.MALFORMED)
            logger.warning("ESS delivery refused: %s", exc.message)
            return _answer(400, error=exc.message)
        try:
            async with asyncio.timeout_at(deadline):
                outcome = await self._apply(event)
        except (Unavailable, TimeoutError, *BackendFailure) as exc:
            self._stats.record(event.event_type, Outcome.UNAVAILABLE)
            logger.warning(
                "ESS delivery not applied now; ESS will retry",
                extra={"event_id": event.id, "error": repr(exc)},
            )
            return _answer(503, error="The event cannot be recorded now; retry later.")
        self._stats.record(event.event_type, outcome)
        logger.info(
            "ESS %s %s: %s",
            event.event_type,
            event.id,
            outcome.value,
            extra={"event_id": event.id, "report_id": event.report_id, "outcome": outcome.value},
        )
        return _answer(200, outcome=outcome.value)

    async def _authenticate(self, request: web.Request, body: bytes) -> web.Response | None:
        """None when the delivery is Concur's; else the refusal to send."""
        if self._settings.require_client_cert and (
            self._settings.client_cert_cn not in peer_common_names(request)
        ):
            return self._unauthorized("no client certificate for the ESS common name")
        if not self._keyring.loaded and self._keyring.sources:
            await self._keyring.refresh()
            if not self._keyring.loaded:
                self._stats.record(UNKNOWN_EVENT_TYPE, Outcome.UNAVAILABLE)
                logger.warning("ESS delivery not verified: no signing key could be loaded")
                return _answer(503, error="Signing keys are not available; retry later.")
        if not await self._keyring.verify(body, request.headers.get(SIGNATURE_HEADER)):
            return self._unauthorized("Concur-Signature missing or not verified")
        return None

    def _unauthorized(self, reason: str) -> web.Response:
        self._stats.record(UNKNOWN_EVENT_TYPE, Outcome.UNAUTHORIZED)
        logger.warning("ESS delivery refused: %s", reason)
        return _answer(401, error="The delivery is not authenticated as Concur's.")

    async def _apply(self, event: ReportEvent) -> Outcome:
        claim = await self._ledger.claim(event.id)
        if claim is Claim.DONE:
            return Outcome.DUPLICATE
        if claim is Claim.PENDING:
            raise Unavailable("another delivery of this event is being applied")
        try:
            kept = True
            previous = None
            if event.facts is not None:  # whose queue the report leaves: the last step's
                previous = await self._facts.facts(event.report_id)
                kept = await self._facts.record(event.facts, order_key(event))
            await invalidation.after_event(self._cache, event, previous)
            await self._ledger.complete(event.id)
        except BaseException:
            with contextlib.suppress(*BackendFailure):  # else the claim expires on its own
                await self._ledger.release(event.id)
            raise
        self._broker.publish(event)
        return Outcome.APPLIED if kept else Outcome.STALE


__all__ = ["SIGNATURE_HEADER", "EssReceiver", "Unavailable"]
