"""Automatic persisted queries over real HTTP: Apollo's protocol, POST and GET, allow-list."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from gateway.apq import parse_manifest
from gateway.settings.cache import ApqSettings, CacheSettings
from tests.support.gateway import (
    TRAVELER,
    GatewayHarness,
    errors_of,
    gateway_settings,
    running_gateway,
)
from tests.support.sandbox import SandboxHarness

ME = "query Me { me { id kind } }"
OTHER = "query Other { me { id } }"
PROBE = "{ me { id } }"
"""What the harness sends to warm a token up."""


def digest(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def persisted(document: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest(document)}}


async def by_hash(gw: GatewayHarness, document: str, token: str) -> tuple[int, Any]:
    return await gw.post({"extensions": persisted(document)}, token=token)


async def by_get(gw: GatewayHarness, document: str, token: str) -> tuple[int, Any]:
    params = {"extensions": json.dumps(persisted(document)), "operationName": "Me"}
    headers = {"Authorization": f"Bearer {token}", "Accept": "*/*"}
    async with gw.session.get(gw.url, params=params, headers=headers) as response:
        assert response.content_type == "application/json"  # not GraphiQL
        return response.status, await response.json()


async def test_an_unknown_hash_asks_for_the_document(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    status, body = await by_hash(gateway, ME, token)
    assert status == 200
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["message"] == "PersistedQueryNotFound"
    assert error["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    status, body = await by_get(gateway, ME, token)
    assert errors_of(body) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_register_then_run_by_hash_over_post_and_get(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    status, registered = await gateway.post({"query": ME, "extensions": persisted(ME)}, token=token)
    assert status == 200
    assert "errors" not in registered, registered
    assert registered["data"]["me"]["kind"] == "USER"

    status, body = await by_hash(gateway, ME, token)
    assert status == 200
    assert body == registered
    status, body = await by_get(gateway, ME, token)
    assert status == 200
    assert body == registered


async def test_a_hash_that_does_not_match_is_refused(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    lying = {"persistedQuery": {"version": 1, "sha256Hash": digest(OTHER)}}
    status, body = await gateway.post({"query": ME, "extensions": lying}, token=token)
    assert status == 400
    assert errors_of(body) == ["BAD_USER_INPUT"]
    status, body = await by_hash(gateway, OTHER, token)  # nothing was registered
    assert errors_of(body) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_malformed_extensions_are_refused(gateway: GatewayHarness) -> None:
    token = await gateway.token(TRAVELER)
    for bad in (
        {"persistedQuery": {"version": 2, "sha256Hash": digest(ME)}},
        {"persistedQuery": {"version": 1, "sha256Hash": "not-a-hash"}},
        {"persistedQuery": "yes"},
    ):
        status, body = await gateway.post({"query": ME, "extensions": bad}, token=token)
        assert status == 400
        assert errors_of(body) == ["BAD_USER_INPUT"]


async def test_only_known_documents_run_when_the_operator_says_so(
    sandbox: SandboxHarness, tmp_path: Path
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": digest(ME), "name": "Me", "type": "query", "body": ME},
                    {"id": digest(PROBE), "name": None, "type": "query", "body": PROBE},
                ],
            }
        )
    )
    settings = gateway_settings(
        sandbox.base_url, apq=ApqSettings(only_known=True, manifest=manifest)
    )
    async with running_gateway(sandbox, settings) as gw:
        token = await gw.token(TRAVELER)
        status, body = await by_hash(gw, ME, token)
        assert status == 200
        assert body["data"]["me"]["kind"] == "USER"
        status, body = await gw.gql(ME, token=token)  # the registered text, sent in full
        assert "errors" not in body, body

        status, body = await gw.post({"query": OTHER, "extensions": persisted(OTHER)}, token=token)
        assert status == 400
        assert errors_of(body) == ["PERSISTED_QUERY_NOT_ALLOWED"]
        status, body = await gw.gql(OTHER, token=token)
        assert errors_of(body) == ["PERSISTED_QUERY_NOT_ALLOWED"]
        status, body = await by_hash(gw, OTHER, token)
        assert errors_of(body) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_documents_are_shared_by_replicas_through_redis(
    sandbox: SandboxHarness, redis_url: str, redis_prefix: str
) -> None:
    settings = gateway_settings(
        sandbox.base_url, redis_url=SecretStr(redis_url), cache=CacheSettings(prefix=redis_prefix)
    )
    async with running_gateway(sandbox, settings) as a, running_gateway(sandbox, settings) as b:
        token = await a.token(TRAVELER)
        status, registered = await a.post({"query": ME, "extensions": persisted(ME)}, token=token)
        assert "errors" not in registered, registered
        status, body = await by_hash(b, ME, token)
        assert status == 200
        assert body == registered


def test_a_manifest_that_lies_is_refused_at_startup() -> None:
    assert parse_manifest(json.dumps({digest(ME): ME}).encode()) == {digest(ME): ME}
    with pytest.raises(ValueError, match="does not match"):
        parse_manifest(json.dumps({digest(OTHER): ME}).encode())


async def test_switched_off_persisted_queries_are_not_supported(sandbox: SandboxHarness) -> None:
    settings = gateway_settings(sandbox.base_url, apq=ApqSettings(enabled=False))
    async with running_gateway(sandbox, settings) as gw:
        token = await gw.token(TRAVELER)
        status, body = await by_hash(gw, ME, token)
        assert status == 200
        assert errors_of(body) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
        status, body = await gw.gql(ME, token=token)  # full documents still run
        assert "errors" not in body, body
