"""The upstream ``ClientSession``s: per API family one for reads and one for actions, each with
its own bounded pool.

aiohttp silently sends an idempotent request a second time when a kept-alive connection
turns out to be dead (RFC 9112 §9.3.1.1). That re-send is invisible to our logs, metrics,
spans and retry policy, so a dropped connection would cost two requests per attempt. Every
attempt must be ours to count, so the switch aiohttp keeps for it (``_retry_connection``,
set in ``ClientSession.__init__`` and read in ``_request``; no public argument exists in
3.14) is turned off, and the read retry policy decides alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

import aiohttp

from adapters.config import UpstreamSettings
from adapters.transport_errors import sent_tracking_trace
from adapters.upstream import Family, UpstreamRequest


def without_silent_resends(session: aiohttp.ClientSession) -> aiohttp.ClientSession:
    """``session`` with aiohttp's hidden re-send of idempotent requests turned off."""
    if not hasattr(session, "_retry_connection"):
        raise RuntimeError(
            "aiohttp no longer has ClientSession._retry_connection: find its replacement "
            "so dropped connections are not re-sent behind the retry policy's back"
        )
    session._retry_connection = False  # see the module docstring
    return session


@dataclass(frozen=True, slots=True)
class Sessions:
    """A session per family for reads, and another for actions. Only an action needs to
    know whether its request left us (``sent_tracking_trace``: an action that may have been
    applied is never sent again unseen); aiohttp builds a trace for every request on a
    session that has one, so reads go without."""

    reads: Mapping[Family, aiohttp.ClientSession]
    actions: Mapping[Family, aiohttp.ClientSession]

    def for_request(self, request: UpstreamRequest) -> aiohttp.ClientSession:
        family = request.family
        return self.actions[family] if request.is_action else self.reads[family]


def _session(
    settings: UpstreamSettings, trace_configs: Sequence[aiohttp.TraceConfig]
) -> aiohttp.ClientSession:
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
        trace_configs=list(trace_configs) or None,
        raise_for_status=False,
    )
    return without_silent_resends(session)


@asynccontextmanager
async def open_sessions(
    settings: UpstreamSettings,
    *,
    trace_configs: Sequence[aiohttp.TraceConfig] = (),
) -> AsyncIterator[Sessions]:
    """Read and action sessions per family (v4 JSON, XML, OAuth), each with its own bounded
    pool and explicit connect/read timeouts; all closed on exit."""
    async with AsyncExitStack() as stack:
        reads: dict[Family, aiohttp.ClientSession] = {}
        actions: dict[Family, aiohttp.ClientSession] = {}
        for family in Family:
            reads[family] = await stack.enter_async_context(_session(settings, trace_configs))
            actions[family] = await stack.enter_async_context(
                _session(settings, [sent_tracking_trace(), *trace_configs])
            )
        yield Sessions(reads=reads, actions=actions)


__all__ = ["Sessions", "open_sessions", "without_silent_resends"]
