"""GraphiQL in a real browser, against ``concur-gateway serve`` on the embedded sandbox.

The first minute of a new user: the page opens signed in as the traveler with the example
tabs; the report query shows the report; one click acts as the manager, whose approval
moves the report on; a second window subscribed to the report sees the event arrive. All
of it without a single request leaving the gateway's origin or an error in the console.

``artifacts/graphiql.png`` is written on every run; with ``UPDATE_DOCS_SCREENSHOT=1`` the
same picture replaces ``docs/graphiql.png``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import PageLog, Served

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page, Response

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]  # the first run may install Chromium

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "artifacts" / "graphiql.png"
DOCS_SCREENSHOT = ROOT / "docs" / "graphiql.png"
WAIT_MS = 15_000

EDITORS = """() => {
  const value = element => (element && element.CodeMirror ? element.CodeMirror.getValue() : null);
  const tools = document.querySelectorAll('.graphiql-editor-tool .CodeMirror');
  return {
    query: value(document.querySelector('.graphiql-query-editor .CodeMirror')),
    variables: value(tools[0]),
    headers: value(tools[1]),
    result: value(document.querySelector('.result-window .CodeMirror')),
  };
}"""
RESULT_HAS = """needle => {
  const element = document.querySelector('.result-window .CodeMirror');
  return Boolean(element && element.CodeMirror && element.CodeMirror.getValue().includes(needle));
}"""
OPERATION_IS = """name => {
  const element = document.querySelector('.graphiql-query-editor .CodeMirror');
  return Boolean(element && element.CodeMirror && element.CodeMirror.operationName === name);
}"""


def editor_value(page: Page, editor: str) -> str:
    """The text of GraphiQL's ``query``, ``variables``, ``headers`` or ``result`` editor."""
    value = page.evaluate(EDITORS)[editor]
    assert isinstance(value, str), editor
    return value


def open_graphiql(page: Page, served: Served) -> None:
    page.goto(served.graphiql_url)
    page.locator(".graphiql-tab", has_text="ReportEvents").wait_for(timeout=WAIT_MS)


def open_tab(page: Page, operation: str) -> None:
    """Switch tabs and wait until GraphiQL knows which operation it will run."""
    page.locator(".graphiql-tab", has_text=operation).click()
    page.wait_for_function(OPERATION_IS, arg=operation, timeout=WAIT_MS, polling=50)


def run(page: Page, needle: str) -> dict[str, Any]:
    """Press ▶ and wait for a result containing ``needle``; the result as JSON."""
    page.locator(".graphiql-execute-button").click()
    page.wait_for_function(RESULT_HAS, arg=needle, timeout=WAIT_MS, polling=50)
    result: dict[str, Any] = json.loads(editor_value(page, "result"))
    return result


def test_the_first_minute_on_the_sandbox(
    serve: Callable[..., Served], browser: BrowserContext
) -> None:
    served = serve()
    page = browser.pages[0] if browser.pages else browser.new_page()
    log = PageLog.attach(page)
    open_graphiql(page, served)

    # signed in as the traveler, with a report that waits for the manager
    traveler = page.get_by_role("button", name="Traveler")
    manager = page.get_by_role("button", name="Manager")
    assert traveler.get_attribute("aria-pressed") == "true"
    assert manager.get_attribute("aria-pressed") == "false"
    assert json.loads(editor_value(page, "headers"))["Authorization"].startswith("Bearer ")
    report_id = json.loads(editor_value(page, "variables"))["reportId"]

    report = run(page, '"report"')["data"]["report"]
    assert report["id"] == report_id
    assert report["name"]
    assert report["approvalStatus"]["code"] == "A_PEND"
    assert report["entries"]
    assert report["workflow"]["approvalStatus"]["code"] == "A_PEND"
    ARTIFACT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACT))
    if os.environ.get("UPDATE_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(ARTIFACT, DOCS_SCREENSHOT)

    # a second window watches the report's events (as the traveler)
    watcher = browser.new_page()
    watcher_log = PageLog.attach(watcher)
    open_graphiql(watcher, served)
    open_tab(watcher, "ReportEvents")
    with watcher.expect_websocket() as opened:
        watcher.locator(".graphiql-execute-button").click()
    websocket = opened.value
    while not any('"subscribe"' in frame for frame in watcher_log.frames_sent):
        websocket.wait_for_event("framesent", timeout=WAIT_MS)
    assert websocket.url.startswith("ws://")

    # one click to act as the manager, who approves it, guarded by its status
    page.bring_to_front()
    open_tab(page, "ApproveReport")
    manager.click()
    assert manager.get_attribute("aria-pressed") == "true"
    approved = run(page, '"approveReport"')["data"]["approveReport"]
    assert approved["userErrors"] == []
    assert approved["report"]["id"] == report_id
    assert approved["report"]["approvalStatus"]["code"] not in ("A_PEND", "")

    watcher.wait_for_function(RESULT_HAS, arg="STATUS_CHANGED", timeout=WAIT_MS, polling=50)
    event = json.loads(editor_value(watcher, "result"))["data"]["reportEvents"]
    assert event["reportId"] == report_id
    assert event["approvalStatus"] == approved["report"]["approvalStatus"]["code"]

    # the guard: the same approval again is refused, the report has moved on
    again = run(page, "WORKFLOW_STEP_MISMATCH")["data"]["approveReport"]
    assert [error["code"] for error in again["userErrors"]] == ["WORKFLOW_STEP_MISMATCH"]

    for each in (log, watcher_log):
        assert each.urls
        assert each.foreign(served.origin) == []
        assert each.errors == []


def test_graphiql_says_when_introspection_is_disabled(
    serve: Callable[..., Served], browser: BrowserContext
) -> None:
    served = serve(CONCUR_GATEWAY_SERVER__INTROSPECTION="false")
    page = browser.pages[0] if browser.pages else browser.new_page()
    log = PageLog.attach(page)
    page.goto(served.graphiql_url)
    notice = page.locator("#cg-notice")
    notice.wait_for(state="visible", timeout=WAIT_MS)
    assert "Introspection is disabled on this gateway" in notice.inner_text()
    report = run(page, '"data"')  # queries still run, without a schema to check them against
    assert "errors" in report or "report" in report["data"]
    assert log.foreign(served.origin) == []
    assert log.errors == []


MINE = "query Mine { reports { id name } }"


def is_schema_request(response: Response) -> bool:
    return "IntrospectionQuery" in (response.request.post_data or "")


def replace_document(page: Page, document: str) -> None:
    """Select all of the query editor and type ``document`` on the keyboard."""
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(document)
    typed = " ".join(editor_value(page, "query").split())
    assert typed == document, typed


def run_mine(page: Page) -> list[dict[str, Any]]:
    result = run(page, '"reports"')
    assert "errors" not in result, result
    reports: list[dict[str, Any]] = result["data"]["reports"]
    assert reports
    assert all(report["id"] and report["name"] for report in reports)
    return reports


def test_a_document_typed_over_an_example_runs_as_itself(
    serve: Callable[..., Served], browser: BrowserContext
) -> None:
    served = serve()
    page = browser.pages[0] if browser.pages else browser.new_page()
    log = PageLog.attach(page)
    with page.expect_response(is_schema_request, timeout=WAIT_MS):
        open_graphiql(page, served)  # the schema is in: GraphiQL reads the editor as typed

    # over the first example tab, as a new user would
    replace_document(page, MINE)
    run_mine(page)

    # in a tab of one's own
    page.locator(".graphiql-tab-add").click()
    replace_document(page, MINE)
    run_mine(page)

    # over the ApproveReport example
    open_tab(page, "ApproveReport")
    replace_document(page, MINE)
    run_mine(page)

    assert log.foreign(served.origin) == []
    assert log.errors == []
