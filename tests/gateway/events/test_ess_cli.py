"""``concur-gateway ess subscribe|list|delete`` against the sandbox's ESS."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import orjson
import pytest

from gateway.cli import main
from tests.support.sandbox import DEMO, SandboxHarness

CLI = Path(sys.executable).with_name("concur-gateway")


@pytest.fixture
def configured(sandbox: SandboxHarness, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "CONCUR_GATEWAY_UPSTREAM__BASE_URL": sandbox.base_url,
        "CONCUR_GATEWAY_COMPANY_AUTH__CLIENT_ID": DEMO.client_id,
        "CONCUR_GATEWAY_COMPANY_AUTH__CLIENT_SECRET": DEMO.client_secret,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


async def run(*argv: str) -> int:
    """``main(argv)`` in a thread: it runs its own event loop, as from a shell."""
    return await asyncio.to_thread(main, list(argv))


async def test_subscribe_list_and_delete(
    sandbox: SandboxHarness, configured: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    del configured
    endpoint = "https://gateway.example.com/events/ess"
    assert await run("ess", "subscribe", "--endpoint", endpoint, "--id", "cli-test") == 0
    assert "Subscription 'cli-test' saved successfully" in capsys.readouterr().out

    update = ["--endpoint", endpoint, "--id", "cli-test", "--filter", "statusChanged"]
    assert await run("ess", "subscribe", *update) == 0
    capsys.readouterr()
    assert await run("ess", "list") == 0
    (listed,) = orjson.loads(capsys.readouterr().out)
    assert listed["id"] == "cli-test"
    assert listed["endpoint"] == endpoint
    assert listed["filter"] == "statusChanged"
    assert listed["topic"] == "public.concur.expense.report"
    assert listed["application_id"] == DEMO.app_id

    assert await run("ess", "delete", "cli-test") == 0
    assert "marked for deletion" in capsys.readouterr().out
    assert await run("ess", "list") == 0
    assert orjson.loads(capsys.readouterr().out) == []


async def test_refusals_are_reported_with_their_code(
    configured: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    del configured
    assert await run("ess", "delete", "no-such-subscription") == 1
    refusal = capsys.readouterr().err
    assert "NOT_FOUND" in refusal
    assert "No subscription 'no-such-subscription'" in refusal
    assert "report" not in refusal
    bad_id = ["--endpoint", "https://x.example.com/hook", "--id", "Upper_Case"]
    assert await run("ess", "subscribe", *bad_id) == 1
    assert "BAD_USER_INPUT" in capsys.readouterr().err


async def test_the_console_script(configured: dict[str, str]) -> None:
    process = await asyncio.create_subprocess_exec(
        str(CLI),
        "ess",
        "list",
        env={**os.environ, **configured},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert orjson.loads(out) == []


async def test_without_an_upstream_nothing_is_called(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CONCUR_GATEWAY_UPSTREAM__BASE_URL", raising=False)
    monkeypatch.delenv("CONCUR_GATEWAY_ESS__BASE_URL", raising=False)
    assert await run("ess", "list") == 2
    assert "CONCUR_GATEWAY_UPSTREAM__BASE_URL" in capsys.readouterr().err
