"""Failures of one attempt below HTTP (aiohttp's exceptions) → the gateway's errors.

The one place lower-layer errors are translated, as ``map_httpcore_exceptions`` is in HTTPX:
most specific first, chained ``from`` the cause, carrying Concur's correlation id when an
answer had started. What a failure means depends on whether the request may have reached
Concur: a refused connection sent nothing, so it is plainly ``UpstreamUnavailable``; once a
write or workflow action may have left us, a timeout, a dropped connection or an answer that
cannot be read (cut short, malformed, hostile) is ``ActionOutcomeUnknown``, never a refusal.

Whether anything was sent is tracked with an aiohttp trace (request headers written), which
every upstream session carries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

import aiohttp

from adapters.errors import (
    ActionOutcomeUnknown,
    UpstreamBadResponse,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from adapters.upstream import Family, UpstreamRequest
from adapters.v4.wire import decode_json
from adapters.v11.xmlsafe import parse_xml

_UNKNOWN_OUTCOME = (
    "The request was sent to Concur but no usable answer came back, so it may or may not "
    "have been applied: re-read the report before deciding to retry."
)
_NEVER_SENT = (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError)
_UNREADABLE = (aiohttp.ClientPayloadError, aiohttp.ClientResponseError)


@dataclass(slots=True)
class AttemptState:
    """Per-attempt facts the error mapping needs. ``sent`` is None when no trace ran."""

    sent: bool | None = None
    status: int | None = None
    upstream_correlation_id: str | None = None


async def _on_request_start(
    session: aiohttp.ClientSession,
    ctx: SimpleNamespace,
    params: aiohttp.TraceRequestStartParams,
) -> None:
    state = ctx.trace_request_ctx
    if isinstance(state, AttemptState):
        state.sent = False


async def _on_headers_sent(
    session: aiohttp.ClientSession,
    ctx: SimpleNamespace,
    params: aiohttp.TraceRequestHeadersSentParams,
) -> None:
    state = ctx.trace_request_ctx
    if isinstance(state, AttemptState):
        state.sent = True


def sent_tracking_trace() -> aiohttp.TraceConfig:
    """The trace every upstream session carries so a write knows whether it left us."""
    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(_on_request_start)
    trace.on_request_headers_sent.append(_on_headers_sent)
    return trace


@contextmanager
def transport_errors(
    request: UpstreamRequest, state: AttemptState, correlation_id: str
) -> Iterator[None]:
    """Map aiohttp's failures inside the block to gateway errors (see the module docstring).
    Gateway errors raised inside pass through untouched."""
    try:
        yield
    except (TimeoutError, aiohttp.ClientError) as exc:
        cid = state.upstream_correlation_id or correlation_id
        never_sent = state.sent is False or isinstance(exc, _NEVER_SENT)
        if request.is_action and not never_sent:
            raise ActionOutcomeUnknown(_UNKNOWN_OUTCOME, correlation_id=cid) from exc
        if isinstance(exc, _UNREADABLE):
            raise UpstreamBadResponse(
                "Concur's answer was cut short or could not be read as HTTP.", correlation_id=cid
            ) from exc
        if isinstance(exc, TimeoutError | aiohttp.ServerTimeoutError):
            raise UpstreamTimeout(
                "Concur did not answer in time: try again later.", correlation_id=cid
            ) from exc
        raise UpstreamUnavailable(
            "Could not reach Concur (connection failed or dropped): try again later.",
            correlation_id=cid,
        ) from exc


@contextmanager
def unknown_outcome_if_unreadable(correlation_id: str | None) -> Iterator[None]:
    """Read an action's answer: if it cannot be read, the action may still have been applied,
    so ``UpstreamBadResponse`` becomes ``ActionOutcomeUnknown``. Refusals read from the body
    (a v1.1 ``FAILURE`` status) pass through."""
    try:
        yield
    except UpstreamBadResponse as exc:
        raise ActionOutcomeUnknown(_UNKNOWN_OUTCOME, correlation_id=correlation_id) from exc


def check_action_answer(request: UpstreamRequest, body: bytes, correlation_id: str) -> None:
    """A 2xx answer to an action must be empty or a well-formed document of its family;
    anything else (cut short, malformed, nested past the limits, hostile XML) leaves the
    outcome unknown. Whatever the caller parses out of it afterwards is read again there."""
    if not body.strip():
        return
    with unknown_outcome_if_unreadable(correlation_id):
        if request.family is Family.XML:
            parse_xml(body, correlation_id=correlation_id)
        else:
            decode_json(body, correlation_id=correlation_id)


__all__ = [
    "AttemptState",
    "check_action_answer",
    "sent_tracking_trace",
    "transport_errors",
    "unknown_outcome_if_unreadable",
]
