"""Settings: the documented short names reach the nested groups they stand for."""

from __future__ import annotations

import pytest

from gateway.settings import Settings


def test_the_short_grpc_port_name_turns_grpc_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCUR_GATEWAY_GRPC_PORT", "50051")
    assert Settings().grpc.port == 50051


def test_the_nested_grpc_port_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCUR_GATEWAY_GRPC_PORT", "50051")
    monkeypatch.setenv("CONCUR_GATEWAY_GRPC__PORT", "50052")
    assert Settings().grpc.port == 50052


def test_grpc_stays_off_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONCUR_GATEWAY_GRPC_PORT", raising=False)
    monkeypatch.delenv("CONCUR_GATEWAY_GRPC__PORT", raising=False)
    assert Settings().grpc.port is None


def test_the_short_graphiql_name_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCUR_GATEWAY_GRAPHIQL", "false")
    assert Settings().server.graphiql is False
