"""GraphiQL's browser files, served by the gateway itself under a versioned path.

No CDN: the page must work where the browser cannot reach the internet, and a strict
Content-Security-Policy (``'self'`` only) is possible only when every script, style and
font comes from the gateway. The path segment is GraphiQL's version plus a digest of every
file served, so a changed file always gets a new URL and the bytes behind a URL never
change: browsers may keep them for a year (``immutable``) and never mix two releases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import orjson
from aiohttp import web

from gateway.graphiql.examples import examples_json

PACKAGE_DIR: Final = Path(__file__).parent
STATIC_DIR: Final = PACKAGE_DIR / "static"
VENDOR_MANIFEST: Final = PACKAGE_DIR / "vendor.json"
ASSETS_PREFIX: Final = "/graphiql"
CACHE_FOREVER: Final = "public, max-age=31536000, immutable"
EXAMPLES_NAME: Final = "examples.json"
CONTENT_TYPES: Final[Mapping[str, str]] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
}


def graphiql_version() -> str:
    """The vendored GraphiQL's version (from ``vendor.json``, written by the refresh script)."""
    manifest = orjson.loads(VENDOR_MANIFEST.read_bytes())
    return str(manifest["graphiql"]["version"])


@dataclass(frozen=True)
class Assets:
    """The files of one GraphiQL release as served: ``{prefix}/{version}/{name}``."""

    version: str
    files: Mapping[str, Path]
    generated: Mapping[str, bytes]

    @classmethod
    def load(cls, directory: Path = STATIC_DIR) -> Assets:
        """Read the files once, at app build, to name the release by their content."""
        files = {
            path.name: path
            for path in sorted(directory.iterdir())
            if path.is_file() and path.suffix in CONTENT_TYPES
        }
        generated = {EXAMPLES_NAME: examples_json()}
        digest = hashlib.sha256()
        for name, path in files.items():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
        for name, body in sorted(generated.items()):
            digest.update(name.encode() + b"\0" + body + b"\0")
        return cls(
            version=f"{graphiql_version()}-{digest.hexdigest()[:12]}",
            files=files,
            generated=generated,
        )

    @property
    def base_path(self) -> str:
        """Where the page finds these files (no trailing slash)."""
        return f"{ASSETS_PREFIX}/{self.version}"

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get(ASSETS_PREFIX + "/{version}/{name}", self.serve)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """One file, cacheable forever; another version's URL is a 404, never stale bytes."""
        name = request.match_info["name"]
        if request.match_info["version"] != self.version:
            raise web.HTTPNotFound(text="Unknown GraphiQL release; reload the page.")
        content_type = CONTENT_TYPES.get(Path(name).suffix)
        headers = {
            "Cache-Control": CACHE_FOREVER,
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
        }
        if content_type is not None:
            headers["Content-Type"] = content_type
        if name in self.generated:
            return web.Response(body=self.generated[name], headers=headers)
        path = self.files.get(name)
        if path is None:
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers=headers)


__all__ = [
    "ASSETS_PREFIX",
    "CACHE_FOREVER",
    "STATIC_DIR",
    "VENDOR_MANIFEST",
    "Assets",
    "graphiql_version",
]
