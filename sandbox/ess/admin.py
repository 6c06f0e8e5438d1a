"""Sandbox-only ESS controls under ``/_sandbox/ess``: keys, logs, fault injection, draining.

The public keys are served to anyone, as Concur publishes its own in the documentation;
every other route needs the admin token (and does not exist without one). Tests wait with
``drain`` instead of sleeping: it answers once no delivery is queued or in flight.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from sandbox.admin_guard import admin_only, json_object
from sandbox.ess.delivery import DISPATCHER
from sandbox.ess.injection import Injection, InjectionRejected
from sandbox.ess.publisher import PUBLISHER
from sandbox.ess.signing import SIGNING_KEYS, generate_key
from sandbox.keys import CONFIG, ENGINE, STORE

PREFIX = "/_sandbox/ess"
PEM_TYPE = "application/x-pem-file"
DRAIN_DEFAULT_MS = 10_000
DRAIN_MAX_MS = 60_000
EMITTABLE = frozenset({"reportCreated", "reportUpdated", "reportDeleted"})


# keys (public) -------------------------------------------------------------------------
async def public_key(request: web.Request) -> web.Response:
    return web.Response(body=request.app[SIGNING_KEYS].public_pem(), content_type=PEM_TYPE)


async def previous_public_key(request: web.Request) -> web.Response:
    pem = request.app[SIGNING_KEYS].previous_public_pem()
    if pem is None:
        raise web.HTTPNotFound(reason="The signing key has not been rotated yet.")
    return web.Response(body=pem, content_type=PEM_TYPE)


# admin ---------------------------------------------------------------------------------
@admin_only
async def rotate_key(request: web.Request) -> web.Response:
    keys = request.app[SIGNING_KEYS]
    keys.rotate(await asyncio.to_thread(generate_key))
    return web.json_response(
        {
            "publicKey": keys.public_pem().decode("ascii"),
            "previousPublicKey": (keys.previous_public_pem() or b"").decode("ascii"),
        }
    )


@admin_only
async def delivery_log(request: web.Request) -> web.Response:
    """Every attempt, oldest first; ``?eventId=`` and ``?subscriptionId=`` narrow it."""
    event_id = request.query.get("eventId")
    sub_id = request.query.get("subscriptionId")
    return web.json_response(
        [
            a.to_wire()
            for a in request.app[DISPATCHER].attempts
            if (event_id is None or a.event_id == event_id)
            and (sub_id is None or a.subscription_id == sub_id)
        ]
    )


@admin_only
async def published_events(request: web.Request) -> web.Response:
    """Published envelopes, most recent last; ``?eventType=`` narrows them."""
    event_type = request.query.get("eventType")
    return web.json_response(
        [
            e.envelope
            for e in request.app[PUBLISHER].events
            if event_type is None or e.event_type == event_type
        ]
    )


def _injection_state(request: web.Request) -> dict[str, Any]:
    publisher = request.app[PUBLISHER]
    return {**publisher.injection.to_wire(), "held": publisher.held}


@admin_only
async def inject(request: web.Request) -> web.Response:
    try:
        injection = Injection.parse(await json_object(request))
    except InjectionRejected as exc:
        raise web.HTTPBadRequest(reason=str(exc)) from exc
    request.app[PUBLISHER].inject(injection)
    return web.json_response(_injection_state(request))


@admin_only
async def stop_injecting(request: web.Request) -> web.Response:
    """Back to normal; anything held is released (newest first) and delays are cut short."""
    released = request.app[PUBLISHER].reset()
    return web.json_response({**_injection_state(request), "released": released})


@admin_only
async def flush(request: web.Request) -> web.Response:
    released = request.app[PUBLISHER].flush()
    return web.json_response({**_injection_state(request), "released": released})


@admin_only
async def redeliver(request: web.Request) -> web.Response:
    """Queue a published envelope again, byte for byte, to its matching subscriptions."""
    body = await json_object(request)
    event_id = body.get("eventId")
    sub_id = body.get("subscriptionId")
    if not isinstance(event_id, str) or (sub_id is not None and not isinstance(sub_id, str)):
        raise web.HTTPBadRequest(reason="'eventId' (and optional 'subscriptionId') are strings.")
    publisher = request.app[PUBLISHER]
    published = publisher.event(event_id)
    if published is None:
        raise web.HTTPNotFound(reason=f"No published event '{event_id}'.")
    queued = publisher.redeliver(published, sub_id)
    return web.json_response({"eventId": event_id, "queued": queued}, status=202)


@admin_only
async def emit(request: web.Request) -> web.Response:
    """Publish a report event without changing the report (e.g. an extra ``reportUpdated``)."""
    body = await json_object(request)
    event_type = body.get("eventType")
    report_id = body.get("reportId")
    if event_type not in EMITTABLE or not isinstance(report_id, str):
        raise web.HTTPBadRequest(
            reason=f"'eventType' must be one of {', '.join(sorted(EMITTABLE))}; "
            "'reportId' is required (statusChanged comes from workflow actions)."
        )
    report = request.app[STORE].report(report_id)
    if report is None:
        raise web.HTTPNotFound(reason=f"No report '{report_id}'.")
    publisher = request.app[PUBLISHER]
    before = len(publisher.events)
    # the engine builds the documented facts; reuse them rather than restate them here
    request.app[ENGINE].emit_report_event(event_type, report, None)
    events = publisher.events
    if len(events) == before:
        raise web.HTTPConflict(reason="Events are muted; nothing was published.")
    return web.json_response(events[-1].envelope, status=201)


@admin_only
async def drain(request: web.Request) -> web.Response:
    """Answer once nothing is queued or in flight (held events do not count), or after
    ``timeout_ms`` (default 10 s, at most 60 s) with ``drained: false``."""
    body = await json_object(request)
    timeout_ms = body.get("timeout_ms", DRAIN_DEFAULT_MS)
    if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int) or timeout_ms < 0:
        raise web.HTTPBadRequest(reason="'timeout_ms' must be a non-negative integer.")
    dispatcher = request.app[DISPATCHER]
    drained = await dispatcher.drain(min(timeout_ms, DRAIN_MAX_MS) / 1000)
    return web.json_response(
        {"drained": drained, "pending": dispatcher.pending, "held": request.app[PUBLISHER].held}
    )


def add_admin_routes(app: web.Application) -> None:
    """The public keys always; the controls only when an admin token is configured (without
    one they are 404, like every other ``/_sandbox`` route)."""
    app.router.add_get(f"{PREFIX}/public-key.pem", public_key)
    app.router.add_get(f"{PREFIX}/previous-public-key.pem", previous_public_key)
    if not app[CONFIG].admin_token:
        return
    app.router.add_post(f"{PREFIX}/rotate-key", rotate_key)
    app.router.add_get(f"{PREFIX}/log", delivery_log)
    app.router.add_get(f"{PREFIX}/events", published_events)
    app.router.add_post(f"{PREFIX}/inject", inject)
    app.router.add_delete(f"{PREFIX}/inject", stop_injecting)
    app.router.add_post(f"{PREFIX}/flush", flush)
    app.router.add_post(f"{PREFIX}/redeliver", redeliver)
    app.router.add_post(f"{PREFIX}/emit", emit)
    app.router.add_post(f"{PREFIX}/drain", drain)


__all__ = ["PREFIX", "add_admin_routes"]
