"""``HttpConcurClient``: the ``ConcurClient`` that talks to Concur (or the sandbox) over HTTP.

Which call serves what:

- ``get_report`` → v4 report header; ``reports_to_approve`` → v4 ``reportsToApprove``;
  ``cost_objects`` → v4 ``costObjectsForApprover``
- ``get_report_details`` → the details this caller may see. With the encrypted v1.1 key
  (``RptKey``) Concur handed this caller → v1.1 Report Full Details; the key comes from the
  client's ``ReportKeyBook`` (filled from every ReportsList answer, and on a miss looked up
  through the caller's lists: TOAPPROVE, then the owner's views). With no key → v2.0 details
  by plain id, which Concur serves to Company / Web Services Administrators (and company
  tokens) only: anyone else gets its 403. v2.0's unencrypted ``ReportKey`` is never used
  as a v1.1 key.
- ``list_reports`` → v1.1 ``ReportsList`` (its keys go into the book); ``get_entry`` /
  ``add_entries`` → v1.1, by the encrypted keys (``RptKey``, ``RpeKey``)
- ``approve`` / ``send_back`` → v4 (short URL with a company token, long URL with a user
  token) or v1.1 ``WorkflowAction`` at the report's ``WorkflowActionURL``
- ``recall`` / ``submit`` / ``create_report`` / ``update_report`` → v4
- ``verify_token`` → local RS256 check against Concur's JWKS

The caller's token is passed through (``Bearer`` on v4, ``OAuth`` on XML). A
``WorkflowActionURL`` is only ever followed to the configured XML origin (or a Concur
host over https) and to a workflow-action path, since the caller's token goes with it; any
other URL is Concur's fault (``UpstreamBadResponse``) and nothing is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import aiohttp

from adapters.breaker import BreakerRegistry
from adapters.client import ConcurClient
from adapters.concur_actions import WorkflowActions
from adapters.concur_reads import ReportReads
from adapters.concur_writes import ReportWrites
from adapters.config import CompanyAuthSettings, UpstreamSettings
from adapters.http import Transport, UpstreamCallHook, open_sessions
from adapters.oauth import JwksVerifier, TokenProvider
from adapters.origins import UpstreamOrigins
from adapters.pauses import LocalPauses, RoutePauses
from adapters.revocations import TokenRevocations
from adapters.tracing import UpstreamTracer


class HttpConcurClient(ReportReads, WorkflowActions, ReportWrites, ConcurClient):
    """Every ``ConcurClient`` method over one ``Transport``; see the module docstring."""


@asynccontextmanager
async def open_concur_client(
    upstream: UpstreamSettings,
    company: CompanyAuthSettings,
    *,
    on_upstream_call: UpstreamCallHook | None = None,
    trace_configs: Sequence[aiohttp.TraceConfig] = (),
    tracer: UpstreamTracer | None = None,
    clock: Callable[[], float] | None = None,
    revocations: TokenRevocations | None = None,
    pauses: RoutePauses | None = None,
) -> AsyncIterator[HttpConcurClient]:
    """A ready client with one session per upstream family, all closed on exit.

    ``on_upstream_call`` receives one ``UpstreamCallEvent`` per attempt; ``trace_configs``
    are added to every session; ``tracer`` makes a client span per attempt and sends its
    ``traceparent`` upstream; ``clock`` (the loop's by default) times breakers and token
    expiry, so tests can move it; ``revocations`` shares revoked tokens (default: this
    process); ``pauses`` shares the routes Concur throttled (default: this process).
    """
    origins = UpstreamOrigins.from_settings(upstream)
    clock = clock or asyncio.get_running_loop().time
    async with open_sessions(upstream, trace_configs=trace_configs) as sessions:
        transport = Transport(
            sessions=sessions,
            settings=upstream,
            breakers=BreakerRegistry(
                failure_threshold=upstream.breaker_failure_threshold,
                reset_s=upstream.breaker_reset_s,
                half_open_trials=upstream.breaker_half_open_trials,
                clock=clock,
            ),
            on_upstream_call=on_upstream_call,
            tracer=tracer,
            pauses=pauses if pauses is not None else LocalPauses(clock),
        )
        yield HttpConcurClient(
            transport=transport,
            origins=origins,
            tokens=TokenProvider(transport, origins.oauth, company, clock=clock),
            verifier=JwksVerifier(transport, origins.oauth, clock=clock, revocations=revocations),
        )


__all__ = ["HttpConcurClient", "UpstreamOrigins", "open_concur_client"]
