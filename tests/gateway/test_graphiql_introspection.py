"""Introspection off: one clear error, which GraphiQL's page recognises by its reason."""

from __future__ import annotations

import pytest
from graphql import get_introspection_query

from gateway.graphiql.assets import STATIC_DIR
from gateway.introspection import INTROSPECTION_DISABLED
from tests.support.gateway import gateway_settings, running_gateway
from tests.support.sandbox import SandboxHarness


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (get_introspection_query(input_value_deprecation=True), "__schema"),
        ('{ __type(name: "Report") { name fields { name } } }', "__type"),
        ("{ __typename ok: __schema { queryType { name } } }", "__schema"),
    ],
)
async def test_an_introspection_query_gets_one_clear_error(
    sandbox: SandboxHarness, query: str, field: str
) -> None:
    settings = gateway_settings(sandbox.base_url, server={"introspection": False})
    async with running_gateway(sandbox, settings) as gateway:
        status, body = await gateway.gql(query)
        assert status == 200
        assert body["data"] is None
        (error,) = body["errors"]
        assert error["extensions"] == {
            "code": "GRAPHQL_VALIDATION_FAILED",
            "reason": INTROSPECTION_DISABLED,
        }
        assert error["message"].startswith("Introspection is disabled on this gateway")
        assert f"'{field}'" in error["message"]
        status, body = await gateway.gql("{ __typename }")
        assert (status, body) == (
            200,
            {
                "data": {"__typename": "Query"},
                "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
            },
        )


def test_the_page_looks_for_that_reason() -> None:
    bootstrap = (STATIC_DIR / "bootstrap.js").read_text(encoding="utf-8")
    assert f"'{INTROSPECTION_DISABLED}'" in bootstrap
    assert "Introspection is disabled on this gateway" in bootstrap


NEAR_MISSES = [
    ('{ reprt(id: "R") { id } }', None),  # a field
    ('{ report(idd: "R") { id } }', None),  # an argument
    ("query($v: ReportVeiw!) { reports(view: $v) { id } }", {"v": "RECENT"}),  # a type
    ("{ reports(view: RECNT) { id } }", None),  # an enum value, inline
    ("query($v: ReportView!) { reports(view: $v) { id } }", {"v": "RECNT"}),  # as a variable
    (
        "mutation($i: CreateReportInput!) { createReport(input: $i) { report { id } } }",
        {"i": {"name": "Oslo", "nmae": "x"}},  # an input field, as a variable
    ),
]


@pytest.mark.parametrize(("query", "variables"), NEAR_MISSES)
@pytest.mark.parametrize("introspection", [True, False])
async def test_errors_suggest_names_only_while_introspection_is_on(
    sandbox: SandboxHarness,
    query: str,
    variables: dict[str, object] | None,
    introspection: bool,
) -> None:
    settings = gateway_settings(sandbox.base_url, server={"introspection": introspection})
    async with running_gateway(sandbox, settings) as gateway:
        token = await gateway.token("traveler@example.com")
        status, body = await gateway.gql(query, variables, token=token)
    assert status == 200
    messages = " ".join(error["message"] for error in body["errors"])
    assert ("Did you mean" in messages) is introspection, messages
