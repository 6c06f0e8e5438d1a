"""``Transport``: how every request reaches Concur, whatever its protocol.

It adds the family's auth scheme (v4 ``Bearer``, XML ``OAuth``) and our correlation id,
runs each attempt under ``min(per-call deadline, DEADLINE)`` through its endpoint's circuit
breaker, reads the body within its size bound, logs and reports one event per attempt, and
leaves every translation to the modules that own it: ``statuses`` (HTTP status → error),
``transport_errors`` (aiohttp's exceptions → error). Reads go through the retry policy,
paid for from the endpoint's retry budget; writes and workflow actions are sent once, and
their answer must be readable or their outcome is unknown.

This module is also the transport's public face: the value types (``adapters.upstream``),
``open_sessions`` and ``status_error`` are re-exported here, as HTTPX's package does.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Final

import aiohttp

from adapters.breaker import BreakerRegistry, BreakerState, Verdict, verdict
from adapters.config import UpstreamSettings
from adapters.correlation import CORRELATION_HEADER, current_correlation_id
from adapters.deadline import call_deadline
from adapters.errors import GatewayError, RateLimited, UpstreamBadResponse, UpstreamTimeout
from adapters.pauses import RoutePaused, RoutePauses
from adapters.retry import RetryBudgets, retry_read
from adapters.sessions import Sessions, open_sessions
from adapters.statuses import parse_retry_after, status_error
from adapters.tracing import UpstreamTracer, end_upstream_span
from adapters.transport_errors import AttemptState, check_action_answer, transport_errors
from adapters.upstream import (
    OK_OUTCOME,
    Family,
    Operation,
    UpstreamCallEvent,
    UpstreamCallHook,
    UpstreamRequest,
    UpstreamResponse,
)

logger = logging.getLogger(__name__)

_CHUNK_BYTES: Final = 65_536
_AUTH_SCHEMES: Final = {Family.V4: "Bearer", Family.XML: "OAuth", Family.OAUTH: "Bearer"}
_ACCEPT: Final = {
    Family.V4: "application/json",
    Family.XML: "application/xml",
    Family.OAUTH: "application/json",
}


async def read_limited(response: aiohttp.ClientResponse, limit: int, correlation_id: str) -> bytes:
    """The body, refused as soon as it grows past ``limit`` bytes (decoded size)."""
    too_large = UpstreamBadResponse(
        f"Concur's answer exceeded the {limit}-byte limit and was refused.",
        correlation_id=correlation_id,
    )
    if response.content_length is not None and response.content_length > limit:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _budget_spent(request: UpstreamRequest, correlation_id: str) -> None:
    logger.warning(
        "retry budget spent: upstream %s %s not retried",
        request.method,
        request.route,
        extra={
            "upstream_method": request.method,
            "upstream_route": request.route,
            "upstream_protocol": request.family.value,
            "correlation_id": correlation_id,
        },
    )


class Transport:
    """Sends upstream requests; owns no sessions (``open_sessions`` does)."""

    def __init__(
        self,
        *,
        sessions: Sessions,
        settings: UpstreamSettings,
        breakers: BreakerRegistry,
        on_upstream_call: UpstreamCallHook | None = None,
        tracer: UpstreamTracer | None = None,
        pauses: RoutePauses | None = None,
    ) -> None:
        self._sessions = sessions
        self._pauses = pauses
        self._settings = settings
        self._breakers = breakers
        self._budgets = RetryBudgets(
            tokens=settings.retry_budget_tokens, refill=settings.retry_budget_refill
        )
        self._on_upstream_call = on_upstream_call
        self._tracer = tracer

    def breaker_states(self) -> dict[str, BreakerState]:
        """The circuit state of every endpoint called so far (for metrics)."""
        return self._breakers.states()

    async def send(self, request: UpstreamRequest) -> UpstreamResponse:
        """Send ``request`` (retrying reads) and return its 2xx response, or raise."""
        deadline = call_deadline(self._settings.deadline_s)
        correlation_id = current_correlation_id()
        if request.operation is not Operation.READ:
            return await self._attempt(request, deadline, correlation_id, 1)
        loop = asyncio.get_running_loop()
        return await retry_read(
            lambda attempt: self._attempt(request, deadline, correlation_id, attempt),
            retries=self._settings.read_retries,
            backoff_initial_s=self._settings.backoff_initial_s,
            backoff_max_s=self._settings.backoff_max_s,
            deadline=deadline,
            clock=loop.time,
            budget=self._budgets.get(request.endpoint),
            on_budget_spent=partial(_budget_spent, request, correlation_id),
        )

    async def _attempt(
        self, request: UpstreamRequest, deadline: float, correlation_id: str, attempt: int
    ) -> UpstreamResponse:
        """One attempt, reported once however it ends (log line, hook, span); an attempt
        at a paused route is refused before it starts, so it is no upstream call."""
        await self._check_pause(request, correlation_id)
        loop = asyncio.get_running_loop()
        started = loop.time()
        state = AttemptState()
        outcome = OK_OUTCOME
        headers = self._headers(request, correlation_id)
        span = self._tracer.start(request, attempt, headers) if self._tracer else None
        try:
            left = deadline - started
            if left <= 0:
                raise UpstreamTimeout(
                    "The request's deadline passed before Concur could be asked: try again "
                    "with more time.",
                    correlation_id=correlation_id,
                )
            with self._guarded(request):
                return await self._exchange(request, headers, left, state, correlation_id)
        except GatewayError as exc:
            outcome = exc.code
            await self._learn_pause(request, exc)
            raise
        except asyncio.CancelledError:
            outcome = "CANCELLED"
            raise
        finally:
            event = UpstreamCallEvent(
                family=request.family,
                method=request.method,
                route=request.route,
                operation=request.operation,
                attempt=attempt,
                status=state.status,
                duration_s=loop.time() - started,
                outcome=outcome,
                correlation_id=correlation_id,
                upstream_correlation_id=state.upstream_correlation_id,
            )
            if span is not None:
                end_upstream_span(span, event)
            self._report(event)

    async def _check_pause(self, request: UpstreamRequest, correlation_id: str) -> None:
        """Fail fast on a route Concur throttled: nothing is sent until its pause ends."""
        left = await self._pauses.paused_for(request.endpoint) if self._pauses else None
        if left is not None:
            raise RoutePaused(
                "Concur is throttling this route: nothing was sent, try again after "
                "`retryAfter` seconds.",
                retry_after=round(left, 3),
                correlation_id=correlation_id,
            )

    async def _learn_pause(self, request: UpstreamRequest, exc: GatewayError) -> None:
        """Concur's own 429 pauses the route for every caller for its ``Retry-After``."""
        if self._pauses is None or isinstance(exc, RoutePaused):
            return
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            await self._pauses.pause(request.endpoint, exc.retry_after)

    @contextmanager
    def _guarded(self, request: UpstreamRequest) -> Iterator[None]:
        """The endpoint's breaker admits the attempt and learns its outcome; an answered
        attempt refills the endpoint's retry budget."""
        budget = self._budgets.get(request.endpoint)
        try:
            with self._breakers.get(request.endpoint).attempt():
                yield
        except BaseException as exc:
            if verdict(exc) is Verdict.SUCCESS:
                budget.refill()
            raise
        budget.refill()

    async def _exchange(
        self,
        request: UpstreamRequest,
        headers: dict[str, str],
        left: float,
        state: AttemptState,
        correlation_id: str,
    ) -> UpstreamResponse:
        """Send once and read the whole answer; non-2xx and unreadable answers raise."""
        session = self._sessions.for_request(request)
        with transport_errors(request, state, correlation_id):
            async with session.request(
                request.method,
                request.url,
                data=request.body,
                headers=headers,
                timeout=self._timeout(left),
                allow_redirects=False,
                trace_request_ctx=state,
            ) as response:
                state.status = response.status
                state.upstream_correlation_id = response.headers.get(CORRELATION_HEADER)
                cid = state.upstream_correlation_id or correlation_id
                body = await read_limited(response, self._limit(request.family), cid)
        if response.status >= 400:
            raise status_error(request, response.status, body, response.headers, cid)
        if request.is_action:
            check_action_answer(request, body, cid)
        return UpstreamResponse(status=response.status, body=body, correlation_id=cid)

    def _headers(self, request: UpstreamRequest, correlation_id: str) -> dict[str, str]:
        headers = {CORRELATION_HEADER: correlation_id, "Accept": _ACCEPT[request.family]}
        if request.token is not None:
            headers["Authorization"] = f"{_AUTH_SCHEMES[request.family]} {request.token}"
        if request.content_type is not None:
            headers["Content-Type"] = request.content_type
        return headers

    def _timeout(self, left: float) -> aiohttp.ClientTimeout:
        return aiohttp.ClientTimeout(
            total=left,
            connect=min(self._settings.connect_timeout_s, left),
            sock_connect=min(self._settings.connect_timeout_s, left),
            sock_read=min(self._settings.read_timeout_s, left),
        )

    def _limit(self, family: Family) -> int:
        if family is Family.XML:
            return self._settings.max_xml_bytes
        return self._settings.max_json_bytes

    def _report(self, event: UpstreamCallEvent) -> None:
        """One log line per attempt (route template, never the URL; never tokens): at
        DEBUG when Concur answered 2xx (the request's own line counts those calls), at INFO
        otherwise."""
        level = logging.DEBUG if event.outcome == OK_OUTCOME else logging.INFO
        if logger.isEnabledFor(level):
            self._log(level, event)
        if self._on_upstream_call is not None:
            self._on_upstream_call(event)

    @staticmethod
    def _log(level: int, event: UpstreamCallEvent) -> None:
        logger.log(
            level,
            "upstream %s %s -> %s",
            event.method,
            event.route,
            event.status if event.status is not None else event.outcome,
            extra={
                "upstream_method": event.method,
                "upstream_route": event.route,
                "upstream_status": event.status,
                "upstream_protocol": event.family.value,
                "upstream_operation": event.operation.value,
                "upstream_outcome": event.outcome,
                "duration_ms": round(event.duration_s * 1000, 1),
                "attempt": event.attempt,
                "correlation_id": event.correlation_id,
                "upstream_correlation_id": event.upstream_correlation_id,
            },
        )


__all__ = [
    "Family",
    "Operation",
    "Transport",
    "UpstreamCallEvent",
    "UpstreamCallHook",
    "UpstreamRequest",
    "UpstreamResponse",
    "open_sessions",
    "parse_retry_after",
    "read_limited",
    "status_error",
]
