"""ESS v4 subscription management: ``/events/v4/...``, for application tokens only.

Concur's ESS authenticates the subscriber as an application (client_credentials grant,
``concur.type`` app, subject = application id); user and company tokens are refused (403).
Errors use the v4 ``ErrorMessage`` body, as elsewhere in the sandbox: Concur documents only
the 200 answers of these endpoints.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from sandbox.auth import AuthError, authenticate
from sandbox.ess.delivery import DISPATCHER
from sandbox.ess.envelope import TOPIC
from sandbox.ess.subscriptions import SUBSCRIPTIONS, Subscription, parse_subscription
from sandbox.keys import STORE
from sandbox.v4.errors import V4Error, v4_errors

PREFIX = "/events/v4"


def _application_id(request: web.Request) -> str:
    caller = authenticate(request, "Bearer")
    if caller.kind != "app":
        raise AuthError(403, "The Event Subscription Service requires an application token.")
    return caller.subject


def _owned(request: web.Request, application_id: str) -> Subscription:
    sub_id = request.match_info["id"]
    found = request.app[SUBSCRIPTIONS].get(sub_id, application_id)
    if found is None:
        raise V4Error(404, f"Subscription '{sub_id}' not found.")
    return found


def _wire(request: web.Request, subscriptions: list[Subscription]) -> list[dict[str, Any]]:
    company_id = request.app[STORE].company.id
    return [s.to_wire(company_id) for s in subscriptions]


@v4_errors
async def list_topics(request: web.Request) -> web.Response:
    _application_id(request)
    return web.json_response([TOPIC])


@v4_errors
async def put_webhook(request: web.Request) -> web.Response:
    application_id = _application_id(request)
    try:
        body = await request.json()
    except json.JSONDecodeError as exc:
        raise V4Error(400, "The request body is not valid JSON.") from exc
    subscription = parse_subscription(body, application_id)
    request.app[SUBSCRIPTIONS].save(subscription)
    return web.json_response({"message": f"Subscription '{subscription.id}' saved successfully"})


@v4_errors
async def list_subscriptions(request: web.Request) -> web.Response:
    application_id = _application_id(request)
    return web.json_response(_wire(request, request.app[SUBSCRIPTIONS].for_app(application_id)))


@v4_errors
async def get_subscription(request: web.Request) -> web.Response:
    """Concur answers a single subscription as a one-element array."""
    subscription = _owned(request, _application_id(request))
    return web.json_response(_wire(request, [subscription]))


@v4_errors
async def delete_subscription(request: web.Request) -> web.Response:
    """Deleted at once here; queued deliveries for it are dropped."""
    subscription = _owned(request, _application_id(request))
    request.app[SUBSCRIPTIONS].delete(subscription.id)
    request.app[DISPATCHER].drop_subscription(subscription.id)
    return web.json_response({"message": f"Subscription '{subscription.id}' marked for deletion"})


def add_management_routes(app: web.Application) -> None:
    app.router.add_get(f"{PREFIX}/topics", list_topics)
    app.router.add_put(f"{PREFIX}/subscriptions/webhook", put_webhook)
    app.router.add_get(f"{PREFIX}/subscriptions", list_subscriptions)
    app.router.add_get(f"{PREFIX}/subscriptions/{{id}}", get_subscription)
    app.router.add_delete(f"{PREFIX}/subscriptions/{{id}}", delete_subscription)


__all__ = ["PREFIX", "add_management_routes"]
