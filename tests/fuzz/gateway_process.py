"""The gateway as ``make run`` starts it: its own process, the embedded sandbox, real HTTP.

The fuzzer's HTTP client is synchronous (requests, through schemathesis), so the gateway
cannot share the test's event loop; a separate process is also what a caller meets. The
process gets a clean environment (nothing of the person running the tests leaks in) and a
private admin token for the sandbox's ``/_sandbox`` routes; its logs go to a file, so an
``INTERNAL`` can be traced to its stack.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from sandbox import seed

REPO = Path(__file__).resolve().parents[2]
BANNER_LINES = 64
"""The banner is a dozen lines; a process that printed this many without one is broken."""
SERVE = "import sys; from gateway.cli import main; sys.exit(main(sys.argv[1:]))"
"""``concur-gateway`` with this interpreter and this checkout's code (not an installed copy)."""
REPEATABLE = {"CONCUR_GATEWAY_UPSTREAM__BREAKER_FAILURE_THRESHOLD": "1000000"}
"""Settings for fuzzing: no circuit breaker. Cases that make the sandbox fail in a row would
open it for a while, and what the next cases meet would then depend on the clock, not on
the seed. The fuzzer checks what inputs do; the breaker has its own tests."""
_URL = r"(https?://[0-9.]+:[0-9]+\S*)"


@dataclass(frozen=True)
class GatewayProcess:
    """A running ``concur-gateway serve`` on the embedded sandbox."""

    pid: int
    graphql_url: str
    sandbox_url: str
    admin_token: str
    log_path: Path

    def user_token(self, login: str) -> str:
        """A user access token from the sandbox's token endpoint (password grant)."""
        form = {
            "grant_type": "password",
            "username": login,
            "password": seed.DEMO_PASSWORD,
            "client_id": seed.CLIENT_ID,
            "client_secret": seed.CLIENT_SECRET,
        }
        response = requests.post(f"{self.sandbox_url}/oauth2/v0/token", data=form, timeout=10)
        response.raise_for_status()
        return str(response.json()["access_token"])


def gateway_environment(admin_token: str, **extra: str) -> dict[str, str]:
    """This environment without the application's own settings, plus what the run needs."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "REDIS_URL" and not name.startswith(("CONCUR_", "OTEL_"))
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["CONCUR_GATEWAY_SANDBOX__ADMIN_TOKEN"] = admin_token
    env["CONCUR_GATEWAY_LOG_LEVEL"] = "WARNING"
    env.update(extra)
    return env


def parse_banner(lines: list[str]) -> tuple[str, str] | None:
    """(GraphQL URL, sandbox URL) once both banner lines have been printed."""
    text = "\n".join(lines)
    graphql = re.search(rf"^GraphiQL: {_URL}", text, re.MULTILINE)
    sandbox = re.search(rf"^Sandbox: {_URL}", text, re.MULTILINE)
    if graphql is None or sandbox is None:
        return None
    return graphql.group(1), sandbox.group(1)


def _read_banner(proc: subprocess.Popen[str]) -> tuple[str, str]:
    assert proc.stdout is not None
    lines: list[str] = []
    for _ in range(BANNER_LINES):
        line = proc.stdout.readline()  # blocks until the next line, or "" when it exits
        if not line:
            break
        lines.append(line.rstrip("\n"))
        urls = parse_banner(lines)
        if urls is not None:
            return urls
    raise RuntimeError(f"the gateway did not start (exit {proc.poll()}): {lines}")


@contextmanager
def gateway_process(log_path: Path, **settings: str) -> Iterator[GatewayProcess]:
    """``concur-gateway serve`` on 127.0.0.1 and a free port; stopped with SIGTERM.

    ``settings`` are extra ``CONCUR_GATEWAY_*`` variables (e.g. a Redis URL for the soak).
    """
    admin_token = secrets.token_urlsafe(16)
    argv = [sys.executable, "-c", SERVE, "serve", "--host", "127.0.0.1", "--port", "0"]
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(  # noqa: S603 - a fixed argv
            argv,
            cwd=REPO,
            env=gateway_environment(admin_token, **settings),
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            graphql_url, sandbox_url = _read_banner(proc)
            yield GatewayProcess(proc.pid, graphql_url, sandbox_url, admin_token, log_path)
        finally:
            proc.terminate()
            proc.communicate(timeout=30)


__all__ = ["REPEATABLE", "GatewayProcess", "gateway_environment", "gateway_process", "parse_banner"]
