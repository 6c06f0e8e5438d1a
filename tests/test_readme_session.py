"""The README's "A first session" runs as written against a fresh ``concur-gateway serve``.

The shell block is taken from the README's own text and pasted, as a newcomer would, into
``bash`` — with only ``GW`` and ``SANDBOX`` pointed at this test's gateway (the block reads
them from the environment, defaulting to ``make run``'s ports). Every answer must be a
GraphQL answer without errors, and the approval in the last step must go through.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
from pathlib import Path
from typing import Any

import pytest

from tests.support.processes import deployment_environment, serving

README = Path(__file__).resolve().parents[1] / "README.md"


def session_block() -> str:
    text = README.read_text()
    section = text.split("## A first session", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match is not None, "the first session has no ```sh block"
    return match.group(1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(output: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


@pytest.mark.timeout(180)
async def test_the_first_session_runs_as_written() -> None:
    sandbox_port = _free_port()
    env = deployment_environment(
        CONCUR_GATEWAY_SANDBOX__PORT=str(sandbox_port), CONCUR_GATEWAY_LOG_LEVEL="WARNING"
    )
    async with serving(env) as gateway:
        shell = await asyncio.create_subprocess_exec(
            "bash",
            "-e",
            "-o",
            "pipefail",
            "-c",
            session_block(),
            env={**env, "GW": gateway.url, "SANDBOX": f"http://127.0.0.1:{sandbox_port}"},
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(shell.communicate(), 120)
    assert shell.returncode == 0, err.decode()
    answers = _answers(out.decode())
    assert len(answers) == 3, out.decode()  # steps 1, 3 and 4 print; step 2 keeps an id
    for answer in answers:
        assert "errors" not in answer, answer
    me_and_reports, report, approval = (a["data"] for a in answers)
    assert me_and_reports["me"]["kind"] == "USER"
    assert me_and_reports["reports"], "the traveler has active reports"
    assert report["report"]["entries"], "the approver sees the entries"
    assert "APPROVE" in report["report"]["availableActions"]
    assert approval["approveReport"]["userErrors"] == []
    assert approval["approveReport"]["report"]["approvalStatus"]["code"] != "A_PEND"
