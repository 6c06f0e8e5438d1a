"""Hostile documents are refused before execution (no resolver runs, no upstream call), and
the parser and validation caches are bounded and actually hit."""

from __future__ import annotations

import pytest
from strawberry.extensions.parser_cache import _get_parse_cache

from gateway.extensions import shared_validator
from tests.support.gateway import (
    TRAVELER,
    GatewayHarness,
    errors_of,
    gateway_settings,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness


async def test_too_deep_is_refused(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(sandbox.base_url, limits={"max_depth": 3})
    async with running_gateway(sandbox, settings) as gateway:
        token = await gateway.token(TRAVELER)
        status, body = await gateway.gql(
            '{ report(id: "X") { entries { itemizations { expenseType { key } } } } }', token=token
        )
        assert status == 200
        assert errors_of(body) == ["GRAPHQL_VALIDATION_FAILED"]
        assert "depth" in body["errors"][0]["message"]
        assert await gateway.upstream_calls() == {}


async def test_too_many_aliases_are_refused(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    aliases = " ".join(f'r{i}: report(id: "{i}") {{ id }}' for i in range(31))
    status, body = await gateway.gql(f"{{ {aliases} }}", token=token)
    assert status == 200
    assert errors_of(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert "aliases" in body["errors"][0]["message"]
    assert await gateway.upstream_calls() == {}


async def test_too_many_tokens_are_refused(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    fields = " ".join(["id"] * 2100)
    status, body = await gateway.gql(f"{{ reports {{ {fields} }} }}", token=token)
    assert status == 200
    assert errors_of(body) == ["GRAPHQL_PARSE_FAILED"]
    assert "tokens" in body["errors"][0]["message"]
    assert await gateway.upstream_calls() == {}


async def test_an_oversized_body_is_refused(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    padding = "#" + "x" * 300_000  # a comment: harmless, but too big to read
    status, _ = await gateway.gql(f"{{ me {{ id }} }}\n{padding}", token=token)
    assert status == 413
    assert await gateway.upstream_calls() == {}


@pytest.mark.parametrize("enabled", [True, False])
async def test_introspection_follows_the_setting(sandbox: SandboxHarness, enabled: bool) -> None:
    settings = gateway_settings(sandbox.base_url, server={"introspection": enabled})
    async with running_gateway(sandbox, settings) as gateway:
        status, body = await gateway.gql("{ __schema { queryType { name } } }")
        assert status == 200
        if enabled:
            assert body["data"] == {"__schema": {"queryType": {"name": "Query"}}}
            assert "errors" not in body
        else:
            assert set(errors_of(body)) == {"GRAPHQL_VALIDATION_FAILED"}
        status, body = await gateway.gql("{ __typename }")
        assert status == 200
        assert body == {
            "data": {"__typename": "Query"},
            "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
        }


async def test_parser_and_validation_caches_are_bounded_and_hit(
    sandbox: SandboxHarness,
) -> None:
    settings = gateway_settings(
        sandbox.base_url, limits={"parser_cache_size": 77, "validation_cache_size": 78}
    )
    parse_cache = _get_parse_cache(77)
    validate_cache = shared_validator(78)
    async with running_gateway(sandbox, settings) as gateway:
        query = "{ me { id kind } }"
        await gateway.gql(query)
        parsed, validated = parse_cache.cache_info(), validate_cache.hits
        await gateway.gql(query)
        # one cache, read twice: the view selects the operation, then Strawberry parses
        assert parse_cache.cache_info().hits == parsed.hits + 2
        assert parse_cache.cache_info().misses == parsed.misses
        assert validate_cache.hits == validated + 1
        assert parse_cache.cache_info().maxsize == 77
        assert validate_cache.maxsize == 78
