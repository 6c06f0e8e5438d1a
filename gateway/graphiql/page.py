"""The GraphiQL page: static markup, configuration in ``data-`` attributes, a strict CSP.

The page holds no inline script or style, so its Content-Security-Policy can allow only
the gateway's own origin: a script injected into a response cannot run, and nothing the
page loads (fonts included, embedded in the stylesheet as ``data:`` URLs) comes from
elsewhere. WebSocket sources are named with the request's own host, because ``'self'``
does not cover ``ws:``/``wss:`` in every browser.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Final

from aiohttp import web

TEMPLATE_PATH: Final = Path(__file__).parent / "templates" / "page.html"
SAFE_HOST: Final = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
"""A Host header fit to name in the CSP (anything else is left out of ``connect-src``)."""


def content_security_policy(host: str | None) -> str:
    """Only this origin: scripts and styles from files, the API over HTTP and WebSocket."""
    connect = ["'self'"]
    if host and SAFE_HOST.match(host):
        connect += [f"ws://{host}", f"wss://{host}"]
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            f"connect-src {' '.join(connect)}",
            "worker-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        ]
    )


@dataclass(frozen=True)
class GraphiQLPage:
    """Renders the page for a GraphQL endpoint; ``session_path`` only in sandbox mode."""

    assets_path: str
    endpoint: str
    session_path: str | None
    template: Template

    @classmethod
    def build(cls, *, assets_path: str, endpoint: str, session_path: str | None) -> GraphiQLPage:
        template = Template(TEMPLATE_PATH.read_text(encoding="utf-8"))
        return cls(assets_path, endpoint, session_path, template)

    def markup(self) -> str:
        return self.template.substitute(
            assets=html.escape(self.assets_path),
            endpoint=html.escape(self.endpoint),
            session=html.escape(self.session_path or ""),
        )

    def render(self, request: web.Request) -> web.Response:
        return web.Response(
            text=self.markup(),
            content_type="text/html",
            charset="utf-8",
            headers={
                "Content-Security-Policy": content_security_policy(request.host),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "X-Frame-Options": "DENY",
                "Referrer-Policy": "no-referrer",
                "Cross-Origin-Opener-Policy": "same-origin",
            },
        )


__all__ = ["GraphiQLPage", "content_security_policy"]
