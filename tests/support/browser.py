"""What the browser tests share: Debian's Chromium and its flags, the served gateway and
the page's log; fixtures in ``tests/browser/conftest.py``."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page, WebSocket


CHROMIUM = Path("/usr/bin/chromium")


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


SCRIPT = Path(sys.executable).parent / "concur-gateway"


READY_TIMEOUT_S = 30.0


INSTALL_TIMEOUT_S = 900.0


@dataclass
class PageLog:
    """What a page asked for and complained about."""

    urls: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    frames_sent: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, page: Page) -> PageLog:
        log = cls()
        page.on("request", lambda request: log.urls.append(request.url))
        page.on("websocket", log._websocket)
        page.on("console", log._console)
        page.on("pageerror", lambda error: log.errors.append(f"page error: {error}"))
        return log

    def _websocket(self, websocket: WebSocket) -> None:
        self.urls.append(websocket.url)
        websocket.on("framesent", lambda payload: self.frames_sent.append(str(payload)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")

    def foreign(self, origin: str) -> list[str]:
        """Requested URLs outside ``origin`` (http and ws of the same host and port)."""
        host = origin.split("://", 1)[1]
        own = (f"http://{host}/", f"ws://{host}/")
        return [url for url in self.urls if not url.startswith(own)]


@dataclass(frozen=True)
class Served:
    """A running ``concur-gateway serve``: its GraphiQL URL and origin."""

    graphiql_url: str

    @property
    def origin(self) -> str:
        match = re.match(r"^(https?://[^/]+)", self.graphiql_url)
        assert match is not None
        return match.group(1)


def _read_banner(process: subprocess.Popen[str]) -> str:
    """The GraphiQL URL from the banner (lines are read on a thread, waited on a queue)."""
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    seen: list[str] = []
    url = None
    while True:
        try:
            line = lines.get(timeout=READY_TIMEOUT_S)
        except queue.Empty:
            pytest.fail(f"concur-gateway serve printed no banner in {READY_TIMEOUT_S}s: {seen}")
        if line is None:
            pytest.fail(f"concur-gateway serve exited before its banner: {seen}")
        seen.append(line.rstrip("\n"))
        found = re.match(r"GraphiQL: (http://\S+)", line)
        url = found.group(1) if found else url
        if line.startswith("curl ") and url is not None:
            return url


__all__ = [
    "CHROMIUM",
    "CHROMIUM_FLAGS",
    "INSTALL_TIMEOUT_S",
    "READY_TIMEOUT_S",
    "SCRIPT",
    "PageLog",
    "Served",
]
