"""Hostile and malformed requests, from outside: each is a 4xx GraphQL response (JSON,
``errors[].extensions.code`` and ``correlationId``), logged with its own outcome, never a
500, never Strawberry's plain text, and never a call to Concur."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from sandbox import seed
from tests.conftest import SandboxHarness
from tests.gateway.harness import (
    TRAVELER,
    TRAVELER2,
    GatewayHarness,
    errors_of,
    pick_report,
)

ME = "query Me { me { id } }"
MUTATION = 'mutation Submit { submitReport(input: {reportId: "R", expectedStatus: "A_NOTF"}) { userErrors { code } } }'  # noqa: E501


def nested(depth: int, opening: bytes = b'{"v":', closing: bytes = b"}") -> bytes:
    """A request whose variable ``x`` is ``depth`` levels deep (raw: encoders refuse it)."""
    inner = opening * depth + b'"leaf"' + closing * depth
    return b'{"query": "query Me { me { id } }", "variables": {"x": ' + inner + b"}}"


@dataclass(frozen=True)
class Hostile:
    """One request: a raw body (or a query string for GET) and what it must get back."""

    name: str
    status: int
    code: str
    body: bytes | None = None
    params: Mapping[str, str] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "POST"


def _json(value: object) -> bytes:
    return orjson.dumps(value)


HOSTILE = [
    Hostile("unknown operation name", 400, "GRAPHQL_VALIDATION_FAILED",
            _json({"query": ME, "operationName": "Report"})),
    Hostile("two anonymous operations", 400, "GRAPHQL_VALIDATION_FAILED",
            _json({"query": "query A { me { id } } query B { me { kind } }"})),
    Hostile("no operation at all", 400, "GRAPHQL_VALIDATION_FAILED",
            _json({"query": "fragment F on User { id }"})),
    Hostile("missing query", 400, "BAD_REQUEST", _json({"variables": {}})),
    Hostile("empty query", 400, "BAD_REQUEST", _json({"query": ""})),
    Hostile("GET mutation", 405, "BAD_REQUEST", params={"query": MUTATION}, method="GET"),
    Hostile("subscription over HTTP", 400, "BAD_REQUEST",
            _json({"query": "subscription S { reportEvents { reportId } }"})),
    Hostile("PUT", 405, "BAD_REQUEST", _json({"query": ME}), method="PUT"),
    Hostile("GET bad variables", 400, "BAD_REQUEST", params={"query": ME, "variables": "{"},
            method="GET"),
    Hostile("unsupported content type", 415, "BAD_REQUEST", b"{ me { id } }",
            headers={"Content-Type": "application/graphql"}),
    Hostile("bad JSON", 400, "BAD_REQUEST", b'{"query": '),
    Hostile("null body", 400, "BAD_REQUEST", b"null"),
    Hostile("number body", 400, "BAD_REQUEST", b"42"),
    Hostile("string body", 400, "BAD_REQUEST", b'"{ me { id } }"'),
    Hostile("array body", 400, "BAD_REQUEST", _json([{"query": ME}])),
    Hostile("empty body", 400, "BAD_REQUEST", b""),
    Hostile("operationName object", 400, "BAD_REQUEST",
            _json({"query": ME, "operationName": {"a": 1}})),
    Hostile("query number", 400, "BAD_REQUEST", _json({"query": 7})),
    Hostile("variables string", 400, "BAD_REQUEST", _json({"query": ME, "variables": "{}"})),
    Hostile("extensions list", 400, "BAD_REQUEST", _json({"query": ME, "extensions": []})),
    Hostile("variables 1,000 deep", 400, "BAD_USER_INPUT",
            nested(1000)),
    Hostile("variables 20,000 values", 400, "BAD_USER_INPUT",
            _json({"query": ME, "variables": {"x": list(range(20_000))}})),
    Hostile("variables deeper than JSON allows", 400, "BAD_REQUEST",
            nested(3000, b"[", b"]")),
    Hostile("fake gzip", 400, "BAD_REQUEST", _json({"query": ME}),
            headers={"Content-Encoding": "gzip"}),
    Hostile("oversized body", 413, "BAD_REQUEST",
            _json({"query": ME + "\n#" + "x" * 300_000})),
]  # fmt: skip


async def send(gateway: GatewayHarness, hostile: Hostile, token: str) -> tuple[int, str, Any]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    headers |= hostile.headers
    async with gateway.session.request(
        hostile.method,
        gateway.url,
        data=hostile.body,
        params=hostile.params,
        headers=headers,
        skip_auto_headers=("Content-Type",),
    ) as response:
        return response.status, response.content_type, await response.read()


def outcomes(caplog: pytest.LogCaptureFixture) -> list[str | None]:
    return [
        getattr(record, "outcome", None)
        for record in caplog.records
        if record.name == "gateway.telemetry.middleware"
    ]


@pytest.mark.parametrize("hostile", HOSTILE, ids=[h.name for h in HOSTILE])
async def test_a_hostile_request_is_a_graphql_4xx(
    gateway: GatewayHarness, hostile: Hostile, caplog: pytest.LogCaptureFixture
) -> None:
    token = await gateway.token(TRAVELER)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="gateway.telemetry.middleware"):
        status, content_type, raw = await send(gateway, hostile, token)
    assert (status, content_type) == (hostile.status, "application/json"), raw[:300]
    body = orjson.loads(raw)
    assert errors_of(body) == [hostile.code], body
    (error,) = body["errors"]
    assert error["extensions"]["correlationId"]
    assert "data" not in body  # a request error, not a GraphQL execution
    assert outcomes(caplog) == [hostile.code]
    assert await gateway.upstream_calls() == {}


def add_entries(amount: object) -> dict[str, Any]:
    return {
        "query": """mutation Add($r: ID!, $e: [EntryInput!]!) {
            addEntries(reportId: $r, entries: $e) { results { index } userErrors { code } }
        }""",
        "variables": {
            "r": "R",
            "e": [
                {
                    "currencyCode": "USD",
                    "expenseTypeKey": "TAXIX",
                    "transactionDate": "2025-02-03",
                    "transactionAmount": amount,
                }
            ],
        },
    }


HUGE_AMOUNTS = ["1e999999999", "NaN", "-Infinity", "Infinity", "sNaN", "1" * 10_000, "1e-99"]


@pytest.mark.parametrize("amount", HUGE_AMOUNTS, ids=lambda a: str(a)[:16])
async def test_an_unbounded_amount_is_refused_while_others_are_answered(
    gateway: GatewayHarness, sandbox: SandboxHarness, amount: str
) -> None:
    token = await gateway.token(TRAVELER)
    other = await gateway.sandbox.user_token(TRAVELER2)
    refused, answered = await asyncio.gather(
        gateway.post(add_entries(amount), token=token),
        gateway.gql(ME, token=other),
    )
    assert answered[0] == 200
    assert answered[1]["data"]["me"]["id"]
    status, body = refused
    assert status == 200
    assert errors_of(body) == ["BAD_USER_INPUT"], body
    assert "Decimal" in body["errors"][0]["message"]
    calls = await gateway.upstream_calls()
    assert not [route for route in calls if "entry" in route.lower()], calls
    del sandbox


async def test_an_unbounded_inline_amount_is_bad_user_input(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    status, body = await gateway.gql(
        'mutation { addEntries(reportId: "R", entries: [{currencyCode: "USD", '
        'expenseTypeKey: "TAXIX", transactionDate: "2025-02-03", '
        'transactionAmount: "1e999999999"}]) { results { index } } }',
        token=token,
    )
    assert status == 200
    assert errors_of(body) == ["BAD_USER_INPUT"], body
    assert await gateway.upstream_calls() == {}


async def test_a_bounded_amount_still_reaches_concur(
    gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    token = await gateway.token(TRAVELER)
    report_id = pick_report(sandbox, "A_NOTF", owner=seed.TRAVELER_ID)
    payload = add_entries("12345678901234.125")
    payload["variables"]["r"] = report_id
    status, body = await gateway.post(payload, token=token)
    assert status == 200
    assert "errors" not in body, body
    assert [r["index"] for r in body["data"]["addEntries"]["results"]] == [1]


@pytest.mark.parametrize(
    ("mutation", "variables"),
    [
        (
            "mutation($i: CreateReportInput!) { createReport(input: $i) { userErrors { code } } }",
            {"i": {"name": "Trip\x07 to Oslo"}},
        ),
        (
            "mutation($i: CreateReportInput!) { createReport(input: $i) { userErrors { code } } }",
            {"i": {"name": "x" * 41}},
        ),
        (
            "mutation($i: CreateReportInput!) { createReport(input: $i) { userErrors { code } } }",
            {"i": {"name": "Oslo", "customData": [{"name": "Custom1", "value": "v" * 49}]}},
        ),
        (add_entries("1")["query"], {**add_entries("1")["variables"]}),
    ],
    ids=["control character in a report name", "long name", "long custom value", "entry"],
)
async def test_text_beyond_concur_is_bad_user_input(
    gateway: GatewayHarness, mutation: str, variables: dict[str, Any]
) -> None:
    if "e" in variables:  # the entry case: a DEL in its vendor
        variables["e"] = [{**variables["e"][0], "vendor": "Taxi\x7f Co"}]
    token = await gateway.token(TRAVELER)
    status, body = await gateway.gql(mutation, variables, token=token)
    assert status == 200
    assert errors_of(body) == ["BAD_USER_INPUT"], body
    assert await gateway.upstream_calls() == {}


async def test_tab_and_newlines_are_text(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    status, body = await gateway.gql(
        "mutation($i: CreateReportInput!) { createReport(input: $i) { report { name } } }",
        {"i": {"name": "Oslo\ttrip", "comment": "first line\r\nsecond"}},
        token=token,
    )
    assert status == 200
    assert "errors" not in body, body
    assert body["data"]["createReport"]["report"]["name"] == "Oslo\ttrip"
