"""Legacy ``<Error>`` bodies and statuses of the XML face, and its correlation ids."""

from __future__ import annotations

import re

import pytest

from sandbox import seed
from tests.conftest import SandboxHarness
from tests.sandbox.xml_support import API, call, get, names, text

GUID = re.compile(r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}")
SERVER_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
LIST = f"{API}/v1.1/ReportsList/RECENT"


def _assert_legacy_error(root_tag: str, root_names: list[str]) -> None:
    assert root_tag == "Error"  # no namespace
    assert root_names == ["Message", "Server-Time", "Id"]


async def test_missing_wrong_scheme_and_bad_tokens_are_401(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    replies = [
        await get(sandbox, LIST, None),
        await get(sandbox, LIST, token, scheme="Bearer"),
        await get(sandbox, LIST, "not-a-jwt"),
        await get(sandbox, LIST, token[:-4] + "AAAA"),
    ]
    for reply in replies:
        assert reply.status == 401
        _assert_legacy_error(reply.root.tag, names(reply.root))
        assert text(reply.root, "Message")
        assert SERVER_TIME.fullmatch(text(reply.root, "Server-Time"))
        assert GUID.fullmatch(text(reply.root, "Id"))
        assert reply.headers["Content-Type"].startswith("application/xml")
        assert reply.headers["concur-correlationid"]


async def test_expired_token_is_401(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    status, _ = await sandbox.admin("POST", "/_sandbox/clock", {"advance_s": 3601})
    assert status == 200
    reply = await get(sandbox, LIST, token)
    assert reply.status == 401
    assert "expired" in text(reply.root, "Message")


async def test_app_token_is_403(sandbox: SandboxHarness) -> None:
    token = await sandbox.app_token()
    reply = await get(sandbox, LIST, token)
    assert reply.status == 403
    _assert_legacy_error(reply.root.tag, names(reply.root))


@pytest.mark.parametrize(
    "path",
    [
        f"{API}/v2.0/report/FFFFFFFFFFFFFFFFFFFF",
        f"{API}/v1.1/reportfulldetails/nUnknown$Key",
        f"{API}/v1.1/report/nUnknown$Key/entry/nUnknown$Entry",
    ],
)
async def test_unknown_ids_are_404(sandbox: SandboxHarness, path: str) -> None:
    token = await sandbox.company_token()
    reply = await get(sandbox, path, token)
    assert reply.status == 404
    _assert_legacy_error(reply.root.tag, names(reply.root))


async def test_correlation_id_is_echoed_or_made(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = next(r for r in sandbox.store.reports.values() if r.owner_id == seed.TRAVELER_ID)
    url = f"{sandbox.base_url}{API}/v1.1/reportfulldetails/{report.rpt_key}"
    headers = {"Authorization": f"OAuth {token}", "concur-correlationid": "abc-123"}
    async with sandbox.session.get(url, headers=headers) as response:
        assert response.status == 200
        assert response.headers["concur-correlationid"] == "abc-123"
        assert response.headers["Content-Type"] == "application/xml; charset=utf-8"
    reply = await call(sandbox, "GET", url, token)
    assert reply.status == 200
    assert reply.headers["concur-correlationid"] != "abc-123"
    assert reply.raw.startswith(b"<?xml")
