"""``GET /graphiql/demo-session``: who GraphiQL acts as on the embedded sandbox.

Served only when the gateway runs the embedded sandbox, so a real deployment never
pre-fills a token. It asks the sandbox, over HTTP like any client, for fresh user tokens
(its admin-only ``/_sandbox/demo-tokens``), then picks, through the gateway's own Concur
client, a report of the traveler's that waits for the manager: the example tabs then run
as they read (the traveler looks at it, the manager approves it).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Final

import aiohttp
import orjson
from aiohttp import web

from adapters.client import ConcurClient
from adapters.deadline import deadline_after
from adapters.errors import GatewayError
from adapters.models import ReportContext, ReportView
from gateway.embedded import SANDBOX
from gateway.settings import SETTINGS
from gateway.upstream import CLIENT

logger = logging.getLogger(__name__)

SESSION_PATH: Final = "/graphiql/demo-session"
DEMO_USERS: Final = (("traveler@example.com", "Traveler"), ("manager@example.com", "Manager"))
"""The users GraphiQL can act as, in order: the first one is signed in when the page opens."""
AWAITING_MANAGER: Final = "A_PEND"
DEMO_HTTP = web.AppKey("graphiql_demo_http", aiohttp.ClientSession)


async def demo_http(app: web.Application) -> AsyncIterator[None]:
    """A small session of its own: the demo tokens must not queue behind Concur traffic."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
        app[DEMO_HTTP] = session
        yield


async def sandbox_tokens(
    session: aiohttp.ClientSession, base_url: str, admin: str
) -> dict[str, str]:
    async with session.get(
        f"{base_url}/_sandbox/demo-tokens", headers={"Authorization": f"Bearer {admin}"}
    ) as response:
        response.raise_for_status()
        body = await response.json()
    return {str(login): str(token) for login, token in body.items()}


async def demo_report(
    client: ConcurClient, traveler_token: str, manager_token: str
) -> tuple[str, str] | None:
    """A report for the example tabs, with its approval status.

    The first of the traveler's pending reports that sits in the manager's queue at
    ``A_PEND``; once the demo has approved them all, the traveler's latest report (the
    guard then explains why approving it is refused).
    """
    traveler = await client.verify_token(traveler_token)
    manager = await client.verify_token(manager_token)
    queue = {summary.id for summary in await client.reports_to_approve(manager)}
    for summary in await client.list_reports(traveler, ReportView.PENDING):
        if summary.id not in queue:
            continue
        report = await client.get_report(traveler, summary.id, ReportContext.TRAVELER)
        if report.approval_status.code == AWAITING_MANAGER:
            return report.id, AWAITING_MANAGER
    recent = await client.list_reports(traveler, ReportView.RECENT)
    if not recent:
        return None
    report = await client.get_report(traveler, recent[0].id, ReportContext.TRAVELER)
    return report.id, report.approval_status.code


def _json(body: object, status: int = 200) -> web.Response:
    return web.Response(
        body=orjson.dumps(body),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


async def demo_session(request: web.Request) -> web.Response:
    """``{users: [{login, label, headers}], variables: {reportId, expectedStatus}}``."""
    app = request.app
    running = app.get(SANDBOX)
    if running is None or not running.admin_token:
        return _json({"error": "Demo sessions need the sandbox admin token."}, 404)
    try:
        tokens = await sandbox_tokens(app[DEMO_HTTP], running.base_url, running.admin_token)
    except (aiohttp.ClientError, TimeoutError) as exc:
        logger.warning("demo tokens unavailable", extra={"error": repr(exc)})
        return _json({"error": "The sandbox did not give demo tokens."}, 503)
    users = [
        {"login": login, "label": label, "headers": {"Authorization": f"Bearer {tokens[login]}"}}
        for login, label in DEMO_USERS
        if login in tokens
    ]
    variables: dict[str, str] = {}
    if len(users) == len(DEMO_USERS):
        try:
            with deadline_after(app[SETTINGS].upstream.deadline_s):
                report = await demo_report(
                    app[CLIENT], tokens[DEMO_USERS[0][0]], tokens[DEMO_USERS[1][0]]
                )
        except GatewayError as exc:
            logger.warning("no demo report", extra={"code": exc.code})
            report = None
        if report is not None:
            variables = {"reportId": report[0], "expectedStatus": report[1]}
    return _json({"users": users, "variables": variables})


__all__ = [
    "DEMO_HTTP",
    "DEMO_USERS",
    "SESSION_PATH",
    "demo_http",
    "demo_report",
    "demo_session",
    "sandbox_tokens",
]
