"""``concur-gateway serve`` in a real subprocess: embedded sandbox, demo tokens, SIGTERM."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from gateway.cli import banner, build_parser

SCRIPT = Path(sys.executable).parent / "concur-gateway"
READY_TIMEOUT_S = 30


def test_the_cli_offers_its_commands() -> None:
    parser = build_parser()
    for argv in (["serve", "--port", "0"], ["export-schema"], ["sandbox"]):
        assert parser.parse_args(argv).func is not None


async def test_serve_answers_with_a_demo_token_then_stops_on_sigterm() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_GATEWAY_")}
    env["CONCUR_GATEWAY_LOG_LEVEL"] = "WARNING"
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
        token = lines[lines.index("Token for traveler@example.com:") + 1]
        assert "Token for manager@example.com:" in banner
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
