"""Error mapping: stable codes, correlation ids, and nothing unexpected shown to clients."""

from __future__ import annotations

import logging

import pytest
import strawberry
from graphql import GraphQLError

from adapters.correlation import CORRELATION_ID
from adapters.errors import RateLimited
from gateway.error_mapping import MASKED_MESSAGE, MapErrors, Phase, map_error
from gateway.extensions import build_extensions
from gateway.settings import LimitSettings, ServerSettings
from tests.support.gateway import TRAVELER, GatewayHarness, errors_of


async def test_a_syntax_error_is_parse_failed(gateway: GatewayHarness) -> None:
    status, body = await gateway.gql("{ me { id }", headers={"concur-correlationid": "cid-1"})
    assert status == 200
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "GRAPHQL_PARSE_FAILED", "correlationId": "cid-1"}
    assert error["message"].startswith("Syntax Error")


async def test_an_unknown_field_is_validation_failed(gateway: GatewayHarness) -> None:
    status, body = await gateway.gql("{ me { id password } }")
    assert status == 200
    assert errors_of(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert body["data"] is None


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("query($v: ReportView!) { reports(view: $v) { id } }", {"v": "SOMEDAY"}),
        ("query($v: ReportView!) { reports(view: $v) { id } }", {}),
        (
            'mutation($e: [EntryInput!]!) { addEntries(reportId: "R", entries: $e) { results { index } } }',  # noqa: E501
            {
                "e": [
                    {
                        "currencyCode": "USD",
                        "expenseTypeKey": "TAXIX",
                        "transactionDate": "2025-02-30",
                        "transactionAmount": "twelve",
                    }
                ]
            },
        ),
    ],
)
async def test_invalid_variables_are_bad_user_input(
    gateway: GatewayHarness, query: str, variables: dict[str, object]
) -> None:
    token = await gateway.token(TRAVELER)
    status, body = await gateway.gql(query, variables, token)
    assert status == 200
    assert set(errors_of(body)) == {"BAD_USER_INPUT"}
    assert await gateway.upstream_calls() == {}


@strawberry.type
class Query:
    @strawberry.field
    def broken(self) -> str:
        raise RuntimeError("connect to http://10.0.0.1/secret failed for token abc")

    @strawberry.field
    def throttled(self) -> str:
        raise RateLimited("Concur is throttling requests: wait 2 s.", retry_after=2.0)


def test_unexpected_errors_are_masked_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    schema = strawberry.Schema(query=Query, extensions=[MapErrors])
    token = CORRELATION_ID.set("cid-2")
    try:
        with caplog.at_level(logging.ERROR, logger="gateway.error_mapping"):
            result = schema.execute_sync("{ broken }")
    finally:
        CORRELATION_ID.reset(token)
    assert result.errors is not None
    (error,) = result.errors
    assert error.message == MASKED_MESSAGE
    assert error.extensions == {"code": "INTERNAL", "correlationId": "cid-2"}
    assert error.path == ["broken"]
    assert any(r.exc_info and "secret" in str(r.exc_info[1]) for r in caplog.records)


def test_gateway_errors_keep_their_message_and_code() -> None:
    schema = strawberry.Schema(query=Query, extensions=[MapErrors])
    result = schema.execute_sync("{ throttled }")
    assert result.errors is not None
    (error,) = result.errors
    assert error.message == "Concur is throttling requests: wait 2 s."
    assert error.extensions is not None
    assert error.extensions["code"] == "RATE_LIMITED"
    assert error.extensions["retryAfter"] == 2.0


def test_mapping_is_idempotent() -> None:
    mapped = map_error(GraphQLError("x", extensions={"code": "NOT_FOUND"}), Phase.EXECUTE)
    assert mapped.extensions == {"code": "NOT_FOUND"}


def test_extensions_are_factories_never_instances() -> None:
    from strawberry.extensions import SchemaExtension

    extensions = build_extensions(LimitSettings(), ServerSettings())
    assert not any(isinstance(ext, SchemaExtension) for ext in extensions)
    built = [ext() for ext in extensions]
    assert all(isinstance(ext, SchemaExtension) for ext in built)
    again = [ext() for ext in extensions]
    assert all(a is not b for a, b in zip(built, again, strict=True))
    assert not any(type(ext)._implements_resolve() for ext in built)  # no per-field hooks
