"""``concur-gateway``: its parser stays light; ``serve`` in a real subprocess (embedded
sandbox, demo tokens, SIGTERM)."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp

from adapters import ess
from gateway.announce import banner
from gateway.cli import build_parser
from gateway.events import cli as ess_cli

SCRIPT = Path(sys.executable).parent / "concur-gateway"
READY_TIMEOUT_S = 30
HEAVY = ("strawberry", "aiohttp", "redis", "grpc", "lxml", "pydantic", "gateway.app")
LOADED_BY_THE_PARSER = f"""
import sys
from gateway.cli import build_parser
build_parser()
heavy = {HEAVY!r}
print(sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy))
"""


def test_the_cli_offers_its_commands() -> None:
    parser = build_parser()
    for argv in (["serve", "--port", "0"], ["export-schema"], ["sandbox"]):
        assert parser.parse_args(argv).func is not None


def test_building_the_parser_imports_nothing_heavy() -> None:
    """``--help`` of any command answers without the app, Strawberry, aiohttp, Redis, gRPC,
    lxml or pydantic (hyperfine: 0.07 s instead of 1.7 s; the test asserts the cause)."""
    shown = subprocess.run(  # noqa: S603 - a fixed argv
        [sys.executable, "-c", LOADED_BY_THE_PARSER],
        capture_output=True,
        text=True,
        check=True,
        timeout=READY_TIMEOUT_S,
    )
    assert shown.stdout.strip() == "[]", shown.stdout


def test_help_is_printed_for_every_command() -> None:
    for argv in ([], ["serve"], ["ess", "list"], ["sandbox"]):
        shown = subprocess.run(  # noqa: S603 - a fixed argv
            [str(SCRIPT), *argv, "--help"],
            capture_output=True,
            text=True,
            check=True,
            timeout=READY_TIMEOUT_S,
        )
        assert shown.stdout.startswith("usage: concur-gateway"), shown


def test_the_ess_topic_default_is_the_adapters_topic() -> None:
    assert ess_cli.TOPIC == ess.TOPIC


async def test_serve_answers_with_a_demo_token_then_stops_on_sigterm() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_GATEWAY_")}
    env["CONCUR_GATEWAY_LOG_LEVEL"] = "WARNING"
    env["CONCUR_GATEWAY_GRPC_PORT"] = "0"
    process = await asyncio.create_subprocess_exec(
        str(SCRIPT),
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []

        async def read_banner() -> None:
            while True:
                line = (await process.stdout.readline()).decode()  # type: ignore[union-attr]
                assert line, "serve exited before printing its banner"
                lines.append(line.rstrip("\n"))
                if line.startswith("curl "):
                    return

        await asyncio.wait_for(read_banner(), READY_TIMEOUT_S)
        banner = "\n".join(lines)
        url_match = re.search(r"GraphiQL: (http://\S+)", banner)
        assert url_match is not None, banner
        assert re.search(r"^gRPC: 127\.0\.0\.1:[1-9]\d* ", banner, re.MULTILINE), banner
        token = lines[lines.index("Token for traveler@example.com:") + 1]
        assert "Token for manager@example.com:" in banner
        assert "traveler@example.com is the traveler (owns reports)." in banner
        assert "manager@example.com is the manager (approves)." in banner
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.post(
                url_match.group(1),
                json={"query": "{ me { kind } }"},
                headers={"Authorization": f"Bearer {token}"},
            ) as response,
        ):
            assert response.status == 200
            assert await response.json() == {
                "data": {"me": {"kind": "USER"}},
                "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
            }
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), READY_TIMEOUT_S) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_the_banner_explains_how_to_get_a_token_when_it_has_none() -> None:
    text = banner("http://127.0.0.1:8080/graphql", {})
    assert "GraphiQL: http://127.0.0.1:8080/graphql" in text
    assert "/oauth2/v0/token" in text
    assert "curl -s http://127.0.0.1:8080/graphql" in text


def test_the_banner_names_the_grpc_address_and_who_each_token_is() -> None:
    tokens = {"traveler@example.com": "t-token", "manager@example.com": "m-token"}
    text = banner("http://127.0.0.1:8080/graphql", tokens, grpc_target="127.0.0.1:50051")
    lines = text.splitlines()
    assert "gRPC: 127.0.0.1:50051 (plaintext; reflection lists the services)" in lines
    traveler = lines.index("Token for traveler@example.com:")
    manager = lines.index("Token for manager@example.com:")
    assert lines[traveler - 1] == "traveler@example.com is the traveler (owns reports)."
    assert lines[manager - 1] == "manager@example.com is the manager (approves)."
    assert (lines[traveler + 1], lines[manager + 1]) == ("t-token", "m-token")
    assert "-H 'Authorization: Bearer t-token'" in text


def test_the_banner_leaves_grpc_out_when_it_is_off() -> None:
    assert "gRPC" not in banner("http://127.0.0.1:8080/graphql", {})
