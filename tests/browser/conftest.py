"""Browser fixtures: Debian's Chromium under Playwright, ``concur-gateway serve`` on a free port.

No browser is downloaded: Playwright drives the system's ``/usr/bin/chromium``, installed
with apt once per run when it is missing (as root; otherwise the tests skip and say why).
Chromium runs with the flags that keep it off the network it has no business with.
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Playwright
from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    INSTALL_TIMEOUT_S,
    READY_TIMEOUT_S,
    SCRIPT,
    Served,
    _read_banner,
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "browser: drives Debian's Chromium (select with -m browser, skip with -m 'not browser')",
    )


@pytest.fixture(scope="session")
def chromium() -> Path:
    """``/usr/bin/chromium``, installed from Debian's packages if it is missing (as root:
    ``apt-get install -y chromium``); ``CONCUR_GATEWAY_TEST_BROWSER=0`` skips instead."""
    if os.environ.get("CONCUR_GATEWAY_TEST_BROWSER") == "0":
        pytest.skip("CONCUR_GATEWAY_TEST_BROWSER=0: browser tests skipped")
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.skip(f"{CHROMIUM} is missing and only root may run 'apt-get install -y chromium'")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "chromium"]):
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv
                command,
                capture_output=True,
                text=True,
                env=env,
                timeout=INSTALL_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"could not run {' '.join(command)}: {exc}")
        if done.returncode != 0:
            pytest.skip(f"{' '.join(command)} failed: {done.stderr.strip()[-400:]}")
    if not CHROMIUM.exists():
        pytest.skip(f"apt-get installed chromium but {CHROMIUM} is still missing")
    return CHROMIUM


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as running:
        yield running


@pytest.fixture
def browser(playwright: Playwright, chromium: Path, tmp_path: Path) -> Iterator[BrowserContext]:
    """A fresh profile (no stored GraphiQL tabs), the system Chromium, no downloads."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"),
        executable_path=str(chromium),
        args=list(CHROMIUM_FLAGS),
        headless=True,
        viewport={"width": 1440, "height": 900},
    )
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """``serve(**env)``: start ``concur-gateway serve`` on the embedded sandbox, free port."""
    processes: list[subprocess.Popen[str]] = []

    def start(**overrides: str) -> Served:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONCUR_GATEWAY_")}
        env |= {"CONCUR_GATEWAY_LOG_LEVEL": "WARNING", **overrides}
        log = (tmp_path / f"serve-{len(processes)}.log").open("w")
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [str(SCRIPT), "serve", "--host", "127.0.0.1", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
        )
        log.close()
        processes.append(process)
        return Served(graphiql_url=_read_banner(process))

    try:
        yield start
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=READY_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
