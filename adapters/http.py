"""Sessions, request execution and error mapping for every upstream call.

One ``Transport`` sends every request to Concur, whatever the protocol: it adds the
family's auth scheme (v4 ``Bearer``, XML ``OAuth``) and our correlation id, runs the call
under ``min(per-call deadline, DEADLINE)`` through the host's circuit breaker, reads the
body within its size bound, logs one structured line per attempt, and translates every
failure into the gateway's exception hierarchy in one place (``upstream_errors`` for
transport failures, ``status_error`` for HTTP statuses), most specific class first,
chained ``from`` the cause and carrying Concur's correlation id.

Reads go through the retry policy; writes and workflow actions are sent once. A write that
may have reached Concur without an answer coming back is ``ActionOutcomeUnknown``: whether
anything was sent is tracked with an aiohttp trace (headers written), so a refused
connection is plainly ``UpstreamUnavailable``.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from types import SimpleNamespace
from typing import Final

import aiohttp
from yarl import URL

from adapters.breaker import BreakerRegistry, BreakerState, CircuitBreaker
from adapters.config import UpstreamSettings
from adapters.correlation import CORRELATION_HEADER, current_correlation_id
from adapters.deadline import call_deadline
from adapters.errors import (
    ActionOutcomeUnknown,
    BadUserInput,
    Conflict,
    Forbidden,
    GatewayError,
    NotFound,
    RateLimited,
    Unauthenticated,
    UnsupportedWorkflowStep,
    UpstreamBadResponse,
    UpstreamError,
    UpstreamTimeout,
    UpstreamUnavailable,
    UpstreamValidationError,
    ValidationIssue,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
from adapters.messages import upstream_text
from adapters.retry import retry_read
from adapters.tracing import UpstreamTracer, end_upstream_span
from adapters.v4.errors import parse_v4_error
from adapters.v11.errors import parse_legacy_error

logger = logging.getLogger(__name__)

_CHUNK_BYTES: Final = 65_536
_PROCESSOR_MARKER: Final = "not supported for the processor role"
_STEP_MARKERS: Final = ("step", "expected")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class Family(StrEnum):
    """An upstream API family: each has its own session, auth scheme and body format."""

    V4 = "v4"
    XML = "XML"
    OAUTH = "oauth"


class Operation(StrEnum):
    """What a call does, which decides retries and how errors read."""

    READ = "read"  # idempotent: retried
    WRITE = "write"  # create/update/submit/add entries: sent once; 409 → Conflict
    WORKFLOW = "workflow"  # approve/send back/recall: sent once; 409 → step mismatch
    AUTH = "auth"  # token grants: sent once, never "outcome unknown"


_SENT_ONCE_AMBIGUOUS: Final = frozenset({Operation.WRITE, Operation.WORKFLOW})
_AUTH_SCHEMES: Final = {Family.V4: "Bearer", Family.XML: "OAuth", Family.OAUTH: "Bearer"}
_ACCEPT: Final = {
    Family.V4: "application/json",
    Family.XML: "application/xml",
    Family.OAUTH: "application/json",
}


@dataclass(frozen=True, slots=True)
class UpstreamRequest:
    family: Family
    method: str
    url: URL = field(repr=False)
    route: str
    operation: Operation = Operation.READ
    token: str | None = field(default=None, repr=False)
    body: bytes | None = field(default=None, repr=False)
    content_type: str | None = None
    expected_step: bool = False


@dataclass(frozen=True, slots=True)
class UpstreamResponse:
    status: int
    body: bytes = field(repr=False)
    correlation_id: str | None


@dataclass(frozen=True, slots=True)
class UpstreamCallEvent:
    """One attempt of one upstream call, for telemetry hooks (no ids, no tokens)."""

    family: Family
    method: str
    route: str
    operation: Operation
    attempt: int
    status: int | None
    duration_s: float
    outcome: str
    correlation_id: str
    upstream_correlation_id: str | None


UpstreamCallHook = Callable[[UpstreamCallEvent], None]


@dataclass(slots=True)
class _AttemptState:
    """Per-attempt facts the error mapping needs. ``sent`` is None when no trace ran."""

    sent: bool | None = None
    recorded: bool = False
    status: int | None = None
    upstream_correlation_id: str | None = None


async def _on_request_start(
    session: aiohttp.ClientSession,
    ctx: SimpleNamespace,
    params: aiohttp.TraceRequestStartParams,
) -> None:
    state = ctx.trace_request_ctx
    if isinstance(state, _AttemptState):
        state.sent = False


async def _on_headers_sent(
    session: aiohttp.ClientSession,
    ctx: SimpleNamespace,
    params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    state = ctx.trace_request_ctx
    if isinstance(state, _AttemptState):
        state.sent = True


def sent_tracking_trace() -> aiohttp.TraceConfig:
    """The trace every upstream session carries so a write knows whether it left us."""
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_on_request_start)
    trace.on_request_headers_sent.append(_on_headers_sent)
    return trace


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _snake(name: str | None) -> str | None:
    return _CAMEL.sub("_", name).lower() if name else None


def _with_detail(message: str, detail: str | None) -> str:
    return f"{message} Concur said: {detail}" if detail else message


@dataclass(frozen=True, slots=True)
class _Answer:
    """A non-2xx answer, with what could be read of its body."""

    request: UpstreamRequest
    status: int
    detail: str | None
    issues: list[ValidationIssue]
    retry_after: float | None
    correlation_id: str | None


def _unauthenticated(answer: _Answer) -> GatewayError:
    if answer.request.family is Family.OAUTH:
        return Unauthenticated(
            "Concur refused the configured company or app credentials: check client id, "
            "secret, company id and auth or refresh token.",
            correlation_id=answer.correlation_id,
        )
    return Unauthenticated(
        _with_detail(
            "Concur rejected the access token (missing, expired or invalid): obtain a fresh "
            "token and try again.",
            answer.detail,
        ),
        correlation_id=answer.correlation_id,
    )


def _forbidden(answer: _Answer) -> GatewayError:
    if answer.request.family is Family.OAUTH:
        return _unauthenticated(answer)
    return Forbidden(
        _with_detail(
            "Concur does not allow this caller to do that: use the owner's or the assigned "
            "approver's token, or a company token for system steps.",
            answer.detail,
        ),
        correlation_id=answer.correlation_id,
    )


def _not_found(answer: _Answer) -> GatewayError:
    return NotFound(
        _with_detail(
            "Concur has no such report or entry for this caller: check the id and the context.",
            answer.detail,
        ),
        correlation_id=answer.correlation_id,
    )


def _conflict(answer: _Answer) -> GatewayError:
    if answer.request.operation is not Operation.WORKFLOW:
        return Conflict(
            _with_detail(
                "Concur refused because the report is not in a state that allows this: "
                "re-read the report.",
                answer.detail,
            ),
            correlation_id=answer.correlation_id,
        )
    lowered = (answer.detail or "").lower()
    if answer.request.expected_step or any(marker in lowered for marker in _STEP_MARKERS):
        return WorkflowStepMismatch(
            _with_detail(
                "The report is no longer at the workflow step you expected: re-read it and "
                "decide again.",
                answer.detail,
            ),
            correlation_id=answer.correlation_id,
        )
    return WorkflowActionFailed(
        _with_detail(
            "Concur refused the workflow action at the report's current step: re-read the "
            "report before trying again.",
            answer.detail,
        ),
        correlation_id=answer.correlation_id,
    )


def _rate_limited(answer: _Answer) -> GatewayError:
    wait = f"wait {answer.retry_after:g} s" if answer.retry_after is not None else "wait"
    return RateLimited(
        f"Concur is throttling requests: {wait} and try again.",
        retry_after=answer.retry_after,
        correlation_id=answer.correlation_id,
    )


def _bad_request(answer: _Answer) -> GatewayError:
    if answer.request.family is Family.OAUTH:
        return _unauthenticated(answer)
    if answer.detail and _PROCESSOR_MARKER in answer.detail.lower():
        return UnsupportedWorkflowStep(
            _with_detail(
                "The report waits on the Processor step, which Concur's workflow APIs do not "
                "support: the processor must act in Concur itself.",
                answer.detail,
            ),
            correlation_id=answer.correlation_id,
        )
    if answer.issues:
        first = answer.issues[0]
        listed = "; ".join(
            f"{issue.id or issue.source or 'request'}: {issue.message}" for issue in answer.issues
        )
        return UpstreamValidationError(
            f"Concur refused the request: {listed}. Fix the named fields.",
            issues=answer.issues,
            correlation_id=answer.correlation_id,
            field=_snake(first.id or first.source),
        )
    return BadUserInput(
        _with_detail("Concur refused the request as invalid.", answer.detail),
        correlation_id=answer.correlation_id,
    )


_BY_STATUS: Final[Mapping[int, Callable[[_Answer], GatewayError]]] = {
    400: _bad_request,
    401: _unauthenticated,
    403: _forbidden,
    404: _not_found,
    409: _conflict,
    422: _bad_request,
    429: _rate_limited,
}


def status_error(
    request: UpstreamRequest,
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    correlation_id: str | None,
) -> GatewayError:
    """The gateway error for a non-2xx answer: the one table of status → error."""
    detail: str | None = None
    issues: list[ValidationIssue] = []
    if request.family is Family.XML:
        legacy = parse_legacy_error(body)
        detail = upstream_text(legacy.message) if legacy else None
    elif request.family is Family.V4:
        v4 = parse_v4_error(body)
        if v4 is not None:
            detail, issues = v4.message, v4.issues
    answer = _Answer(
        request=request,
        status=status,
        detail=detail,
        issues=issues,
        retry_after=parse_retry_after(headers.get("Retry-After")),
        correlation_id=correlation_id,
    )
    handler = _BY_STATUS.get(status)
    if handler is not None:
        return handler(answer)
    if status >= 500:
        return UpstreamUnavailable(
            f"Concur failed to answer (HTTP {status}): try again later.",
            correlation_id=correlation_id,
        )
    return UpstreamError(
        _with_detail(f"Concur refused the request (HTTP {status}).", detail),
        correlation_id=correlation_id,
    )


@asynccontextmanager
async def upstream_errors(
    request: UpstreamRequest,
    state: _AttemptState,
    breaker: CircuitBreaker,
    correlation_id: str,
) -> AsyncIterator[None]:
    """Map transport failures of one attempt to gateway errors and feed the breaker.

    Gateway errors raised inside (status mapping, unreadable bodies) pass through; a
    connection refused before anything left is ``UpstreamUnavailable``; once a write may
    have been sent, a timeout or a dropped connection is ``ActionOutcomeUnknown``.
    """
    try:
        yield
    except GatewayError:
        if not state.recorded:
            breaker.release()
        raise
    except asyncio.CancelledError:
        breaker.release()
        raise
    except (aiohttp.ClientError, TimeoutError) as exc:
        breaker.record_failure()
        state.recorded = True
        cid = state.upstream_correlation_id or correlation_id
        never_sent = state.sent is False or isinstance(
            exc, aiohttp.ClientConnectorError | aiohttp.ConnectionTimeoutError
        )
        if request.operation in _SENT_ONCE_AMBIGUOUS and not never_sent:
            raise ActionOutcomeUnknown(
                "The request was sent to Concur but no answer came back, so it may or may not "
                "have been applied: re-read the report before deciding to retry.",
                correlation_id=cid,
            ) from exc
        if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
            raise UpstreamTimeout(
                "Concur did not answer in time: try again later.", correlation_id=cid
            ) from exc
        raise UpstreamUnavailable(
            "Could not reach Concur (connection failed or dropped): try again later.",
            correlation_id=cid,
        ) from exc


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


class Transport:
    """Sends upstream requests; owns no sessions (``open_sessions`` does)."""

    def __init__(
        self,
        *,
        sessions: Mapping[Family, aiohttp.ClientSession],
        settings: UpstreamSettings,
        breakers: BreakerRegistry,
        on_upstream_call: UpstreamCallHook | None = None,
        tracer: UpstreamTracer | None = None,
    ) -> None:
        self._sessions = sessions
        self._settings = settings
        self._breakers = breakers
        self._on_upstream_call = on_upstream_call
        self._tracer = tracer

    def breaker_states(self, urls: Sequence[URL]) -> dict[str, BreakerState]:
        """The circuit state of each host among ``urls`` (for metrics)."""
        return {breaker.name: breaker.state for breaker in map(self._breakers.for_url, urls)}

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
        )

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

    async def _attempt(
        self, request: UpstreamRequest, deadline: float, correlation_id: str, attempt: int
    ) -> UpstreamResponse:
        loop = asyncio.get_running_loop()
        started = loop.time()
        state = _AttemptState()
        outcome = "ok"
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
            breaker = self._breakers.for_url(request.url)
            breaker.acquire()
            session = self._sessions[request.family]
            async with (
                upstream_errors(request, state, breaker, correlation_id),
                session.request(
                    request.method,
                    request.url,
                    data=request.body,
                    headers=headers,
                    timeout=self._timeout(left),
                    allow_redirects=False,
                    trace_request_ctx=state,
                ) as response,
            ):
                state.status = response.status
                state.upstream_correlation_id = response.headers.get(CORRELATION_HEADER)
                cid = state.upstream_correlation_id or correlation_id
                body = await read_limited(response, self._limit(request.family), cid)
                if response.status >= 500:
                    breaker.record_failure()
                else:
                    breaker.record_success()
                state.recorded = True
                if response.status >= 400:
                    raise status_error(request, response.status, body, response.headers, cid)
                return UpstreamResponse(status=response.status, body=body, correlation_id=cid)
        except GatewayError as exc:
            outcome = exc.code
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

    def _report(self, event: UpstreamCallEvent) -> None:
        """One log line per attempt (route template, never the URL; never tokens)."""
        logger.info(
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
        if self._on_upstream_call is not None:
            self._on_upstream_call(event)


@asynccontextmanager
async def open_sessions(
    settings: UpstreamSettings,
    *,
    trace_configs: Sequence[aiohttp.TraceConfig] = (),
) -> AsyncIterator[dict[Family, aiohttp.ClientSession]]:
    """One session per family (v4 JSON, XML, OAuth), each with its own bounded pool and
    explicit connect/read timeouts; all closed on exit."""
    async with AsyncExitStack() as stack:
        sessions: dict[Family, aiohttp.ClientSession] = {}
        for family in Family:
            connector = aiohttp.TCPConnector(
                limit=settings.pool_limit,
                limit_per_host=settings.pool_limit_per_host,
                keepalive_timeout=settings.keepalive_s,
            )
            session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    connect=settings.connect_timeout_s,
                    sock_read=settings.read_timeout_s,
                ),
                trace_configs=[sent_tracking_trace(), *trace_configs],
                raise_for_status=False,
            )
            sessions[family] = await stack.enter_async_context(session)
        yield sessions


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
    "sent_tracking_trace",
    "status_error",
    "upstream_errors",
]
