"""GraphiQL served by the gateway itself: the page, its assets, the sandbox demo session."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import AsyncIterator
from fnmatch import fnmatch
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import pytest
from aiohttp.test_utils import TestServer
from graphql import OperationDefinitionNode, OperationType, parse, validate

from gateway.app import create_app
from gateway.graphiql.assets import CACHE_FOREVER, STATIC_DIR, VENDOR_MANIFEST, Assets
from gateway.graphiql.examples import EXAMPLES, REPORT_PLACEHOLDER
from gateway.graphiql.page import TEMPLATE_PATH, content_security_policy
from gateway.graphiql.session import SESSION_PATH
from gateway.settings import Settings
from resolvers.schema import build_schema
from sandbox import seed
from tests.support.gateway import GatewayHarness, gateway_settings, running_gateway
from tests.support.sandbox import SandboxHarness

ROOT = Path(__file__).resolve().parents[2]
HTML = {"Accept": "text/html"}
LICENSES = STATIC_DIR.parent / "licenses"


class PageParser(HTMLParser):
    """Everything in the page that could load or run something."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts: list[str] = []
        self.style_elements = 0
        self.style_attributes = 0
        self.handlers: list[str] = []
        self.data: dict[str, str] = {}
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.urls += [values[name] for name in ("src", "href") if name in values]
        self.handlers += [name for name in values if name.startswith("on")]
        self.style_attributes += "style" in values
        self.style_elements += tag == "style"
        self.data.update({k: v for k, v in values.items() if k.startswith("data-")})
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


async def get_page(gateway: GatewayHarness) -> tuple[aiohttp.ClientResponse, PageParser]:
    async with gateway.session.get(gateway.url, headers=HTML) as response:
        parser = PageParser()
        parser.feed(await response.text())
    return response, parser


async def test_the_page_loads_only_the_gateways_own_files_under_a_strict_csp(
    gateway: GatewayHarness,
) -> None:
    response, page = await get_page(gateway)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe" not in csp
    assert "*" not in csp
    assert (page.inline_scripts, page.style_elements, page.style_attributes) == ([], 0, 0)
    assert page.handlers == []
    version = Assets.load().version
    assert page.urls
    assert all(url.startswith(f"/graphiql/{version}/") for url in page.urls), page.urls
    assert page.data["data-endpoint"] == "/graphql"
    assert page.data["data-session"] == ""  # a configured upstream: nothing pre-filled

    for url in [*page.urls, page.data["data-examples"]]:
        async with gateway.session.get(gateway.server.make_url(url)) as asset:
            assert asset.status == 200, url
            assert asset.headers["Cache-Control"] == CACHE_FOREVER
            assert asset.headers["X-Content-Type-Options"] == "nosniff"
            suffix = url.rsplit(".", 1)[-1]
            expected = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}
            assert asset.content_type == expected.get(suffix, "application/json")
            await asset.read()


def test_the_csp_names_websockets_of_the_same_host_only() -> None:
    csp = content_security_policy("gw.example.com:8443")
    assert "connect-src 'self' ws://gw.example.com:8443 wss://gw.example.com:8443;" in csp
    for hostile in ("evil.com; script-src *", "a b", "x'y"):
        assert "ws:" not in content_security_policy(hostile)


async def test_files_of_another_release_or_outside_the_list_are_not_served(
    gateway: GatewayHarness,
) -> None:
    version = Assets.load().version
    for path in (
        "/graphiql/0.0.0-000000000000/graphiql.min.js",
        f"/graphiql/{version}/vendor.json",
        f"/graphiql/{version}/page.html",
        f"/graphiql/{version}/missing.js",
        f"/graphiql/{version}/%2e%2e%2fvendor.json",
    ):
        async with gateway.session.get(gateway.server.make_url(path)) as response:
            assert response.status == 404, path


def test_the_release_is_named_by_its_content() -> None:
    first, second = Assets.load(), Assets.load()
    assert first.version == second.version
    assert re.fullmatch(r"\d+\.\d+\.\d+-[0-9a-f]{12}", first.version)
    assert set(first.files) >= {
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "react-dom.production.min.js",
        "bootstrap.js",
        "page.css",
        "favicon.svg",
    }


def test_vendored_files_are_the_ones_npm_published() -> None:
    """``scripts/refresh-graphiql.sh`` checked the tarballs; nothing changed them since."""
    manifest: dict[str, Any] = orjson.loads(VENDOR_MANIFEST.read_bytes())
    assert int(manifest["graphiql"]["version"].split(".")[0]) >= 3
    for package in manifest.values():
        assert package["integrity"].startswith("sha512-")
        for name, digest in package["files"].items():
            assert hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest() == digest, name
    for licence in ("graphiql", "react", "react-dom", "roboto", "fira-code"):
        assert (LICENSES / f"{licence}.LICENSE").stat().st_size > 0
    assert "graphql-ws@" in (LICENSES / "THIRD_PARTY_LICENSES.txt").read_text(encoding="utf-8")


def test_every_file_the_page_needs_ships_in_the_wheel() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    globs = pyproject["tool"]["setuptools"]["package-data"]["gateway.graphiql"]
    package = STATIC_DIR.parent
    data = [
        path.relative_to(package)
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc")
    ]
    assert data
    for path in data:
        assert any(fnmatch(str(path), glob) for glob in globs), path


def test_nothing_the_page_loads_names_another_origin() -> None:
    """Fonts and icons are embedded in GraphiQL's stylesheet; our own files name no host."""
    css = (STATIC_DIR / "graphiql.min.css").read_text(encoding="utf-8")
    assert "@import" not in css
    assert re.findall(r"url\(\s*(?!['\"]?data:)", css) == []
    for own in (STATIC_DIR / "bootstrap.js", STATIC_DIR / "page.css", TEMPLATE_PATH):
        assert re.findall(r"https?://", own.read_text(encoding="utf-8")) == [], own


@pytest.mark.parametrize("switch", ["server", "alias"])
async def test_with_graphiql_off_a_browser_gets_no_ide(
    sandbox: SandboxHarness, switch: str
) -> None:
    settings = (
        gateway_settings(sandbox.base_url, server={"graphiql": False})
        if switch == "server"
        else gateway_settings(sandbox.base_url, graphiql=False)
    )
    version = Assets.load().version
    async with running_gateway(sandbox, settings) as gateway:
        for path in ("/graphql", f"/graphiql/{version}/bootstrap.js", SESSION_PATH):
            async with gateway.session.get(gateway.server.make_url(path), headers=HTML) as r:
                assert r.status == 404, path
                assert "graphiql" not in (await r.text()).lower()
        status, body = await gateway.gql("{ __typename }")
        assert (status, body) == (
            200,
            {
                "data": {"__typename": "Query"},
                "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
            },
        )


def test_the_documented_short_name_turns_graphiql_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCUR_GATEWAY_GRAPHIQL", "false")
    assert Settings().server.graphiql is False
    monkeypatch.setenv("CONCUR_GATEWAY_GRAPHIQL", "true")
    monkeypatch.setenv("CONCUR_GATEWAY_SERVER__GRAPHIQL", "false")
    assert Settings().server.graphiql is False
    monkeypatch.delenv("CONCUR_GATEWAY_GRAPHIQL")
    monkeypatch.delenv("CONCUR_GATEWAY_SERVER__GRAPHIQL")
    assert Settings().server.graphiql is True


async def test_no_demo_session_in_front_of_a_configured_upstream(gateway: GatewayHarness) -> None:
    async with gateway.session.get(gateway.server.make_url(SESSION_PATH)) as response:
        assert response.status == 404


@pytest.fixture
async def embedded() -> AsyncIterator[GatewayHarness]:
    """The gateway on its embedded sandbox (no upstream configured), as ``serve`` runs it."""
    app = create_app(gateway_settings(""))
    async with (
        TestServer(app) as server,
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        yield GatewayHarness(server=server, session=session, sandbox=None)  # type: ignore[arg-type]


async def test_the_sandbox_session_signs_in_the_traveler_and_names_a_report_for_the_manager(
    embedded: GatewayHarness,
) -> None:
    _, page = await get_page(embedded)
    assert page.data["data-session"] == SESSION_PATH
    async with embedded.session.get(embedded.server.make_url(SESSION_PATH)) as response:
        assert response.status == 200
        assert response.headers["Cache-Control"] == "no-store"
        session = await response.json()
    assert [user["login"] for user in session["users"]] == [
        "traveler@example.com",
        "manager@example.com",
    ]
    traveler, manager = (user["headers"] for user in session["users"])
    report_id = session["variables"]["reportId"]
    assert session["variables"]["expectedStatus"] == "A_PEND"

    query = "query($id: ID!) { report(id: $id) { owner { id } approvalStatus { code } } }"
    status, body = await embedded.gql(query, {"id": report_id}, headers=traveler)
    assert status == 200, body
    assert body["data"]["report"] == {
        "owner": {"id": seed.TRAVELER_ID},
        "approvalStatus": {"code": "A_PEND"},
    }
    status, body = await embedded.gql("{ reportsToApprove { id } }", headers=manager)
    assert status == 200, body
    assert {"id": report_id} in body["data"]["reportsToApprove"]


def test_the_examples_are_valid_against_the_schema() -> None:
    schema = build_schema()._schema
    names: list[str | None] = []
    for example in EXAMPLES:
        document = parse(example.query)
        (operation,) = document.definitions
        assert isinstance(operation, OperationDefinitionNode)
        names.append(operation.name.value if operation.name else None)
        if operation.operation is OperationType.SUBSCRIPTION and schema.subscription_type is None:
            continue  # the graph has no subscriptions yet
        assert validate(schema, document) == [], example.query
        assert set(example.variables) <= {"reportId", "expectedStatus"}
        assert example.variables["reportId"] == REPORT_PLACEHOLDER
    assert names == ["Report", "ApproveReport", "BulkApprove", "ReportEvents"]


async def test_once_every_report_is_approved_the_session_still_names_one(
    embedded: GatewayHarness,
) -> None:
    approve = (
        "mutation($id: ID!) { approveReport(input: {reportId: $id, expectedStatus: "
        '"A_PEND"}) { userErrors { code } } }'
    )
    approved: list[str] = []
    for _ in range(10):  # the demo company has a few reports waiting for the manager
        async with embedded.session.get(embedded.server.make_url(SESSION_PATH)) as response:
            session = await response.json()
        variables = session["variables"]
        if variables["expectedStatus"] != "A_PEND":
            break
        manager = session["users"][1]["headers"]
        status, body = await embedded.gql(approve, {"id": variables["reportId"]}, headers=manager)
        assert status == 200, body
        assert body["data"]["approveReport"]["userErrors"] == []
        approved.append(variables["reportId"])
    assert approved
    assert len(set(approved)) == len(approved)  # never the same report twice
    assert variables["reportId"]
    assert variables["expectedStatus"] != "A_PEND"
