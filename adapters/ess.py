"""Concur's Event Subscription Service (ESS v4): the webhook envelope and subscription management.

Two wire formats live here, and nowhere above ``adapters/``:

- The **event envelope** ESS posts to a webhook (``id``, ``correlationId``, ``eventType``,
  ``topic``, ``timeStamp``, ``subtopic``, ``facts``), read into the canonical
  ``ReportEvent``. Unknown fields are ignored (Concur adds fields without notice); an envelope
  we cannot use is ``BadUserInput``, which the receiver answers with 400 so ESS does not
  retry it. The report's owner is read from ``facts.href`` (``/users/{owner}/context/...``):
  in ``statusChanged`` the ``userId`` is the focus user (the approver who acted), not the
  owner.
- **Subscription management** (``/events/v4/subscriptions``), called with an *app* token
  (``client_credentials``; user and company tokens get 403). ``GET .../{id}`` answers a
  one-element array. Calls go through the adapters' ``Transport``, so they share its
  timeouts, breaker, correlation ids and error mapping (v4 ``ErrorMessage`` bodies).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Final

import orjson
from pydantic import Field, TypeAdapter, ValidationError
from yarl import URL

from adapters.breaker import BreakerRegistry
from adapters.config import UpstreamSettings
from adapters.errors import BadUserInput, NotFound
from adapters.http import Family, Operation, Transport, UpstreamRequest, open_sessions
from adapters.models import Canonical, ReportEvent, StepInstance, WorkflowFacts
from adapters.paths import build_url, segment_after
from adapters.v4.copy import from_wire
from adapters.v4.wire import Wire, parse_wire

TOPIC: Final = "public.concur.expense.report"
"""The topic of expense report events (scope ``expense.report.read``)."""
TOPICS: Final = frozenset({TOPIC, "concur.expense.report"})
"""Accepted topics: the docs' ``reportUpdated``/``reportDeleted`` samples drop ``public.``."""
EVENT_TYPES: Final = frozenset({"reportCreated", "reportUpdated", "reportDeleted", "statusChanged"})
STATUS_CHANGED: Final = "statusChanged"

SUBSCRIPTIONS_ROUTE: Final = "/events/v4/subscriptions"
SUBSCRIPTION_ROUTE: Final = "/events/v4/subscriptions/{subscriptionId}"
WEBHOOK_ROUTE: Final = "/events/v4/subscriptions/webhook"

SUBSCRIPTION_ID: Final = re.compile(r"[a-z0-9.-]{1,128}")
"""Concur's rule for subscription ids: lower-case letters, digits, ``.`` and ``-``."""
_EVENT_ID: Final = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_REPORT_ID: Final = re.compile(r"[A-Za-z0-9._$-]{1,64}")
_JSON: Final = "application/json"


# -- the webhook envelope -------------------------------------------------------------------


class WireStepInstance(Wire):
    id: str
    assigned_user_id: str | None = None


class WireStartingStep(Wire):
    role_code: str | None = None
    step_instances: list[WireStepInstance] = Field(default_factory=list)


class WireFacts(Wire):
    """The facts of any expense report event (the union of the documented schemas)."""

    report_id: str | None = None
    user_id: str | None = None
    href: str | None = None
    last_modified_date: datetime | None = None
    step_code: str | None = None
    process_id: str | None = None
    current_approval_status: str | None = None
    current_payment_status: str | None = None
    starting_step: WireStartingStep | None = None


class WireEnvelope(Wire):
    id: str
    correlation_id: str | None = None
    event_type: str
    topic: str
    time_stamp: datetime
    subtopic: str | None = None
    facts: WireFacts


_ENVELOPE = TypeAdapter(WireEnvelope)


def _utc(moment: datetime) -> datetime:
    """Concur stamps times in UTC with ``Z``; a stamp without a zone is read as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _malformed(reason: str) -> BadUserInput:
    return BadUserInput(f"Not a Concur expense report event: {reason}.", field="body")


def _owner_of(facts: WireFacts, event_type: str) -> str | None:
    """The owner: the ``/users/{id}/`` segment of ``href``; else, for the report events
    (not ``statusChanged``, whose ``userId`` is whoever acted), ``userId``."""
    if facts.href:
        owner = segment_after(facts.href, "users")
        if owner:
            return owner.lower()
    if event_type != STATUS_CHANGED and facts.user_id:
        return facts.user_id.lower()
    return None


def _workflow_facts(report_id: str, facts: WireFacts) -> WorkflowFacts:
    """Facts named alike are copied by name; the report id (the envelope's), the starting
    step's role and instances and the UTC stamp are given."""
    step = facts.starting_step or WireStartingStep()
    return from_wire(
        WorkflowFacts,
        facts,
        report_id=report_id,
        role_code=step.role_code,
        step_instances=[from_wire(StepInstance, i) for i in step.step_instances],
        last_modified=_utc(facts.last_modified_date) if facts.last_modified_date else None,
    )


def parse_event(body: bytes) -> ReportEvent:
    """The canonical event of one delivery; ``BadUserInput`` for anything we cannot use
    (not JSON, not an envelope, another topic, an event type we do not know)."""
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise _malformed("the body is not JSON") from exc
    if not isinstance(document, dict):
        raise _malformed("the body is not a JSON object")
    try:
        envelope = _ENVELOPE.validate_python(document)
    except ValidationError as exc:
        fields = ", ".join(sorted({".".join(map(str, e["loc"])) for e in exc.errors()}))
        raise _malformed(f"missing or invalid {fields}") from exc
    if envelope.topic not in TOPICS:
        raise _malformed(f"unknown topic {envelope.topic!r}")
    if envelope.event_type not in EVENT_TYPES:
        raise _malformed(f"unknown eventType {envelope.event_type!r}")
    if not _EVENT_ID.fullmatch(envelope.id):
        raise _malformed("the event id is not an identifier")
    report_id = envelope.facts.report_id or envelope.subtopic or ""
    if not _REPORT_ID.fullmatch(report_id):
        raise _malformed("facts.reportId is missing or not an identifier")
    facts = envelope.facts
    return ReportEvent(
        id=envelope.id,
        event_type=envelope.event_type,
        report_id=report_id,
        occurred_at=_utc(envelope.time_stamp),
        owner_id=_owner_of(facts, envelope.event_type),
        facts=_workflow_facts(report_id, facts) if envelope.event_type == STATUS_CHANGED else None,
        correlation_id=envelope.correlation_id,
    )


# -- subscription management ------------------------------------------------------------------


class Subscription(Canonical):
    """A webhook subscription as ESS reports it."""

    id: str
    topic: str
    filter: str
    endpoint: str | None = None
    application_id: str | None = None
    company_ids: list[str] = Field(default_factory=list)


class WireWebHookConfig(Wire):
    endpoint: str | None = None


class WireSubscription(Wire):
    id: str
    topic: str
    filter: str = ".*"
    web_hook_config: WireWebHookConfig | None = None
    application_id: str | None = None
    company_ids: list[str] | None = None

    def canonical(self) -> Subscription:
        config = self.web_hook_config
        return from_wire(Subscription, self, endpoint=config.endpoint if config else None)


class WireMessage(Wire):
    message: str | None = None


_SUBSCRIPTIONS = TypeAdapter(list[WireSubscription])
_MESSAGE = TypeAdapter(WireMessage)

AppToken = Callable[[], Awaitable[str]]
"""Where the app token comes from: ``ConcurClient.app_token`` (client credentials)."""


def check_subscription(subscription_id: str, endpoint: str, filter_: str) -> None:
    """Refuse before sending what ESS would refuse (bad id, relative endpoint, bad regex)."""
    if not SUBSCRIPTION_ID.fullmatch(subscription_id):
        raise BadUserInput(
            "A subscription id uses lower-case letters, digits, '.' and '-' only.", field="id"
        )
    target = URL(endpoint)
    if target.scheme not in ("http", "https") or not target.host:
        raise BadUserInput("The endpoint must be an absolute http(s) URL.", field="endpoint")
    try:
        re.compile(filter_)
    except re.error as exc:
        raise BadUserInput(
            f"The filter is not a regular expression: {exc}.", field="filter"
        ) from exc


class EssSubscriptions:
    """Create, list and delete webhook subscriptions (see the module docstring)."""

    def __init__(self, *, transport: Transport, base: URL, app_token: AppToken) -> None:
        self._transport = transport
        self._base = base
        self._app_token = app_token

    async def _call(
        self,
        method: str,
        route: str,
        *,
        operation: Operation,
        body: bytes | None = None,
        **ids: str,
    ) -> tuple[bytes, str | None]:
        response = await self._transport.send(
            UpstreamRequest(
                family=Family.V4,
                method=method,
                url=build_url(self._base, route, **ids),
                route=route,
                operation=operation,
                token=await self._app_token(),
                body=body,
                content_type=_JSON if body is not None else None,
            )
        )
        return response.body, response.correlation_id

    async def save(
        self, subscription_id: str, endpoint: str, *, filter_: str = ".*", topic: str = TOPIC
    ) -> str:
        """Create the subscription or update it (same id); Concur's message."""
        check_subscription(subscription_id, endpoint, filter_)
        body = orjson.dumps(
            {
                "id": subscription_id,
                "filter": filter_,
                "topic": topic,
                "webHookConfig": {"endpoint": endpoint},
            }
        )
        # PUT by id is idempotent, yet a create/update is still sent once: a lost answer
        # surfaces as ActionOutcomeUnknown and ``list_all`` tells what happened.
        answer, cid = await self._call("PUT", WEBHOOK_ROUTE, operation=Operation.WRITE, body=body)
        return parse_wire(answer, _MESSAGE, correlation_id=cid).message or "saved"

    async def list_all(self) -> list[Subscription]:
        """Every subscription of the application."""
        answer, cid = await self._call("GET", SUBSCRIPTIONS_ROUTE, operation=Operation.READ)
        return [s.canonical() for s in parse_wire(answer, _SUBSCRIPTIONS, correlation_id=cid)]

    async def get(self, subscription_id: str) -> Subscription:
        """One subscription (ESS answers a one-element array); ``NotFound`` if absent."""
        async with _subscription_named(subscription_id):
            answer, cid = await self._call(
                "GET", SUBSCRIPTION_ROUTE, operation=Operation.READ, subscriptionId=subscription_id
            )
        found = parse_wire(answer, _SUBSCRIPTIONS, correlation_id=cid)
        if not found:
            raise NotFound(f"No subscription '{subscription_id}'.", correlation_id=cid)
        return found[0].canonical()

    async def delete(self, subscription_id: str) -> str:
        """Delete the subscription; Concur's message (``marked for deletion``)."""
        async with _subscription_named(subscription_id):
            answer, cid = await self._call(
                "DELETE",
                SUBSCRIPTION_ROUTE,
                operation=Operation.WRITE,
                subscriptionId=subscription_id,
            )
        return parse_wire(answer, _MESSAGE, correlation_id=cid).message or "deleted"


@asynccontextmanager
async def _subscription_named(subscription_id: str) -> AsyncIterator[None]:
    """Say which subscription a 404 is about: the transport's generic words speak of
    reports and entries, which means nothing to someone managing webhooks."""
    try:
        yield
    except NotFound as exc:
        raise NotFound(
            f"No subscription '{subscription_id}' for this application: "
            "see `concur-gateway ess list`.",
            correlation_id=exc.correlation_id,
        ) from exc


@asynccontextmanager
async def open_ess_subscriptions(
    upstream: UpstreamSettings, app_token: AppToken, *, base_url: str = ""
) -> AsyncIterator[EssSubscriptions]:
    """An ``EssSubscriptions`` over its own sessions (closed on exit).

    ``base_url`` names the ESS host when it differs from the v4 origin (Concur's docs use
    ``www-us.api.concursolutions.com``); empty means ``upstream.base_url``.
    """
    base = base_url or upstream.base_url
    if not base:
        raise ValueError("no ESS base URL: configure the upstream or the ESS base URL")
    async with open_sessions(upstream) as sessions:
        transport = Transport(
            sessions=sessions,
            settings=upstream,
            breakers=BreakerRegistry(
                failure_threshold=upstream.breaker_failure_threshold,
                reset_s=upstream.breaker_reset_s,
                clock=asyncio.get_running_loop().time,
            ),
        )
        yield EssSubscriptions(transport=transport, base=URL(base), app_token=app_token)


__all__ = [
    "EVENT_TYPES",
    "STATUS_CHANGED",
    "SUBSCRIPTIONS_ROUTE",
    "SUBSCRIPTION_ID",
    "SUBSCRIPTION_ROUTE",
    "TOPIC",
    "TOPICS",
    "WEBHOOK_ROUTE",
    "AppToken",
    "EssSubscriptions",
    "Subscription",
    "check_subscription",
    "open_ess_subscriptions",
    "parse_event",
]
