"""Fault injection: make the next matching requests slow, failing, throttled, hostile or cut.

Rules are matched before the route handler runs, so by default a faulted request is *not*
applied (an approve answered with a 503 fault did not approve), except ``latency``, which
delays and then serves normally. With ``after_apply`` the route runs first (the approve IS
applied) and the fault's answer then replaces the real one: the lost-answer case. Together
they are exactly the ambiguity a gateway has to live with: the client cannot tell a refused
action from a lost answer, so actions are never blindly retried.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson
import pydantic
from aiohttp import web

from sandbox.fault_answers import (
    MALFORMED_JSON,
    NESTED_JSON,
    canned_answer,
    dropped,
    json_answer,
    real_body,
    truncated,
)
from sandbox.middleware import family_error
from sandbox.stats import ADMIN_PREFIX
from sandbox.v4.errors import Handler, iso_millis

FaultKind = Literal[
    "latency",
    "status",
    "rate_limit",
    "malformed_xml",
    "xxe_xml",
    "bomb_xml",
    "drop",
    "truncate",
    "malformed_json",
    "nested_json",
]

# Deliberately hostile documents: constants, since no XML builder will emit them.
MALFORMED_XML = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<ReportDetails xmlns="http://www.concursolutions.com/api/expense/expensereport/2012/07">'
    b"<ReportName>Truncated</ReportName><ReportTotal>12.5"
)
XXE_XML = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    b'<ReportDetails xmlns="http://www.concursolutions.com/api/expense/expensereport/2012/07">'
    b"<ReportName>&x;</ReportName></ReportDetails>"
)
BOMB_XML = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b"<!DOCTYPE lolz [\n"
    b' <!ENTITY lol "lol">\n'
    b' <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    b' <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">\n'
    b' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n'
    b' <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">\n'
    b' <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">\n'
    b' <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">\n'
    b' <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">\n'
    b' <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">\n'
    b' <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">\n'
    b"]>\n"
    b'<ReportDetails xmlns="http://www.concursolutions.com/api/expense/expensereport/2012/07">'
    b"<ReportName>&lol9;</ReportName></ReportDetails>"
)
_XML_BODIES: dict[str, bytes] = {
    "malformed_xml": MALFORMED_XML,
    "xxe_xml": XXE_XML,
    "bomb_xml": BOMB_XML,
}


_JSON_BODIES: dict[str, bytes] = {"malformed_json": MALFORMED_JSON, "nested_json": NESTED_JSON}


class FaultRule(pydantic.BaseModel):
    """One rule as posted to ``/_sandbox/faults``."""

    model_config = pydantic.ConfigDict(extra="forbid")

    method: str = "*"
    path: str
    kind: FaultKind
    latency_ms: int = pydantic.Field(default=0, ge=0, le=600_000)
    status: int = pydantic.Field(default=503, ge=400, le=599)
    retry_after: int = pydantic.Field(default=1, ge=0)
    times: int | None = pydantic.Field(default=None, ge=1)
    every: int = pydantic.Field(default=1, ge=1)
    after_apply: bool = False

    @pydantic.model_validator(mode="after")
    def _after_apply_replaces_an_answer(self) -> FaultRule:
        if self.after_apply and self.kind == "latency":
            raise ValueError("after_apply needs a kind that replaces the answer, not latency")
        return self

    @pydantic.field_validator("path")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"path is not a valid regular expression: {exc}") from exc
        return value

    @pydantic.field_validator("method")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


@dataclass
class ActiveFault:
    id: int
    rule: FaultRule
    pattern: re.Pattern[str] = field(repr=False)
    matched: int = 0
    applied: int = 0

    def describe(self) -> dict[str, Any]:
        remaining = None if self.rule.times is None else self.rule.times - self.applied
        return {
            "id": self.id,
            **self.rule.model_dump(),
            "matched": self.matched,
            "applied": self.applied,
            "remaining": remaining,
        }


class FaultBook:
    """The active rules of one sandbox app, first match wins."""

    def __init__(self) -> None:
        self._rules: dict[int, ActiveFault] = {}
        self._ids = itertools.count(1)

    def add(self, rule: FaultRule) -> int:
        fault_id = next(self._ids)
        self._rules[fault_id] = ActiveFault(fault_id, rule, re.compile(rule.path))
        return fault_id

    def list(self) -> list[dict[str, Any]]:
        return [f.describe() for f in self._rules.values()]

    def clear(self) -> None:
        self._rules.clear()

    def remove(self, fault_id: int) -> bool:
        return self._rules.pop(fault_id, None) is not None

    def pick(self, method: str, path: str) -> FaultRule | None:
        """The rule to apply to this request, if any; counts matches and expires rules."""
        for fault in list(self._rules.values()):
            rule = fault.rule
            if rule.method not in ("*", method) or not fault.pattern.search(path):
                continue
            fault.matched += 1
            if fault.matched % rule.every:
                continue
            fault.applied += 1
            if rule.times is not None and fault.applied >= rule.times:
                del self._rules[fault.id]
            return rule
        return None


FAULTS = web.AppKey("sandbox_faults", FaultBook)


def rate_limited(request: web.Request, retry_after: int) -> web.Response:
    """The only documented 429 on the wire (List v4): note ``error`` is an object here."""
    body = {
        "timestamp": iso_millis(request),
        "httpStatus": "429 - Too Many Requests",
        "error": {"id": "security.rate.limit.reached", "message": "Too many requests"},
        "path": request.path,
    }
    return web.Response(
        status=429,
        body=orjson.dumps(body),
        content_type="application/json",
        headers={"Retry-After": str(retry_after)},
    )


async def apply_fault(
    request: web.Request, rule: FaultRule, real: web.StreamResponse | None = None
) -> web.StreamResponse:
    """The fault's answer; ``real`` is the route's own answer when it already ran."""
    if rule.kind == "status":
        return family_error(request, rule.status, "Fault injected by the sandbox.")
    if rule.kind == "rate_limit":
        return rate_limited(request, rule.retry_after)
    if rule.kind == "drop":
        return dropped(request)
    if rule.kind == "truncate":
        found = real_body(real) if real is not None else None
        body, content_type = found or canned_answer(request)
        return await truncated(request, body, content_type, real.status if found and real else 200)
    if rule.kind in _JSON_BODIES:
        return json_answer(_JSON_BODIES[rule.kind])
    return web.Response(
        status=200,
        body=_XML_BODIES[rule.kind],
        content_type="application/xml",
        charset="utf-8",
    )


async def _run_route(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The route's own answer; an HTTP exception it raises is its answer too."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        return exc


@web.middleware
async def faults_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(ADMIN_PREFIX):
        return await handler(request)
    rule = request.app[FAULTS].pick(request.method, request.path)
    if rule is None:
        return await handler(request)
    if rule.kind == "latency":
        await asyncio.sleep(rule.latency_ms / 1000)  # the injected slowness itself
        return await handler(request)
    if rule.after_apply:
        real = await _run_route(request, handler)
        return await apply_fault(request, rule, real)
    return await apply_fault(request, rule)


__all__ = [
    "BOMB_XML",
    "FAULTS",
    "MALFORMED_JSON",
    "MALFORMED_XML",
    "NESTED_JSON",
    "XXE_XML",
    "ActiveFault",
    "FaultBook",
    "FaultKind",
    "FaultRule",
    "apply_fault",
    "faults_middleware",
    "rate_limited",
]
