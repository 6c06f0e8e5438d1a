"""``python -m sandbox``: a real process on a free port, stopped with SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from sandbox.cli import register

ROOT = Path(__file__).resolve().parents[2]


def test_register_adds_the_sandbox_command() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["sandbox", "--port", "0", "--scale", "3", "--seed", "9"])
    assert (args.host, args.port, args.scale, args.seed) == ("127.0.0.1", 0, 3, 9)
    assert args.admin_token is None
    assert callable(args.func)


async def test_cli_serves_until_sigterm() -> None:
    env = {**os.environ, "CONCUR_SANDBOX_ADMIN_TOKEN": "cli-admin"}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sandbox",
        "--port",
        "0",
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        first = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
        line = first.decode()
        assert line.startswith("Concur sandbox listening on http://127.0.0.1:")
        base_url = line.rsplit(" ", 1)[1].strip()
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base_url}/oauth2/v0/jwks") as resp:
                assert resp.status == 200
            async with session.get(
                f"{base_url}/_sandbox/stats", headers={"Authorization": "Bearer cli-admin"}
            ) as resp:
                assert resp.status == 200
                assert (await resp.json())["requests"] == {"GET /oauth2/v0/jwks": 1}
        proc.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
        assert proc.returncode == 0
        banner = rest.decode()
        assert "traveler@example.com" in banner
        assert "sandbox-company-auth-token" in banner
        assert "cli-admin" not in banner
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
