"""Webhook subscriptions: who wants which event types delivered where.

Concur's rules: subscription ids are globally unique (lower-case letters, digits, ``.``, ``-``),
an application owns at most five, ``filter`` is a regular expression over ``eventType``
(``.*`` = everything), and a PUT with an existing id of the same application updates it.
Each subscription is visible only to the application that owns it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from sandbox.ess.envelope import TOPIC
from sandbox.v4.errors import V4Error, validation_error

ID_PATTERN = re.compile(r"[a-z0-9.-]+")
MAX_PER_APP = 5


def _invalid(field: str, message: str) -> V4Error:
    return V4Error(400, message, [validation_error(field, message)])


@dataclass(frozen=True)
class Subscription:
    id: str
    topic: str
    filter: str
    endpoint: str
    application_id: str
    pattern: re.Pattern[str]

    def matches(self, event_type: str) -> bool:
        """The whole eventType must match, so ``report`` does not select ``reportCreated``."""
        return self.pattern.fullmatch(event_type) is not None

    def to_wire(self, company_id: str) -> dict[str, Any]:
        """As ``GET /events/v4/subscriptions`` shows it; ``scope`` and ``groups`` are the
        read-only access-control fields Concur leaves empty for webhook subscriptions."""
        return {
            "id": self.id,
            "topic": self.topic,
            "filter": self.filter,
            "webHookConfig": {"endpoint": self.endpoint},
            "applicationId": self.application_id,
            "scope": "",
            "groups": [],
            "companyIds": [company_id],
        }


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise _invalid(name, f"'{name}' is required and must be a string.")
    return value


def parse_subscription(body: Any, application_id: str) -> Subscription:
    """Validate a PUT body into a ``Subscription`` owned by ``application_id``.

    Endpoints may be plain ``http`` (Concur demands public HTTPS; the sandbox delivers to
    local receivers on ephemeral ports).
    """
    if not isinstance(body, dict):
        raise V4Error(400, "The request body must be a JSON object.")
    sub_id = _text("id", body.get("id"))
    if not ID_PATTERN.fullmatch(sub_id):
        raise _invalid(
            "id",
            f"Subscription id '{sub_id}' is invalid: use lower-case letters, digits, '.' and '-'.",
        )
    topic = _text("topic", body.get("topic"))
    if topic != TOPIC:
        raise _invalid("topic", f"Unknown topic '{topic}'.")
    filter_ = _text("filter", body.get("filter"))
    try:
        pattern = re.compile(filter_)
    except re.error as exc:
        raise _invalid("filter", f"'filter' is not a valid regular expression: {exc}.") from exc
    config = body.get("webHookConfig")
    endpoint = _text(
        "webHookConfig.endpoint", config.get("endpoint") if isinstance(config, dict) else None
    )
    if not _is_http_url(endpoint):
        raise _invalid(
            "webHookConfig.endpoint", "'webHookConfig.endpoint' must be an absolute URL."
        )
    return Subscription(
        id=sub_id,
        topic=topic,
        filter=filter_,
        endpoint=endpoint,
        application_id=application_id,
        pattern=pattern,
    )


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class SubscriptionRegistry:
    """Every subscription of one sandbox, keyed by its globally unique id."""

    def __init__(self) -> None:
        self._subscriptions: dict[str, Subscription] = {}

    def save(self, subscription: Subscription) -> None:
        """Create or update; another app's id is taken (409), a sixth one is refused (400)."""
        existing = self._subscriptions.get(subscription.id)
        if existing is not None and existing.application_id != subscription.application_id:
            raise V4Error(409, f"Subscription id '{subscription.id}' is already in use.")
        if existing is None and len(self.for_app(subscription.application_id)) >= MAX_PER_APP:
            raise V4Error(400, f"An application can have at most {MAX_PER_APP} subscriptions.")
        self._subscriptions[subscription.id] = subscription

    def for_app(self, application_id: str) -> list[Subscription]:
        return [s for s in self._subscriptions.values() if s.application_id == application_id]

    def get(self, sub_id: str, application_id: str | None = None) -> Subscription | None:
        """The subscription, or None; with ``application_id``, only if that app owns it."""
        found = self._subscriptions.get(sub_id)
        if found is None or (application_id is not None and found.application_id != application_id):
            return None
        return found

    def delete(self, sub_id: str) -> None:
        self._subscriptions.pop(sub_id, None)

    def matching(self, event_type: str) -> list[Subscription]:
        return [s for s in self._subscriptions.values() if s.matches(event_type)]


SUBSCRIPTIONS = web.AppKey("sandbox_ess_subscriptions", SubscriptionRegistry)

__all__ = [
    "ID_PATTERN",
    "MAX_PER_APP",
    "SUBSCRIPTIONS",
    "Subscription",
    "SubscriptionRegistry",
    "parse_subscription",
]
