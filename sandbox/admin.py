"""Sandbox-only control routes under ``/_sandbox``: reset, workflow steps done in Concur's
UI, the clock, request stats and fault injection.

They exist only when an admin token is configured (otherwise every admin path is a 404,
as if the routes were never there) and require ``Authorization: Bearer <admin token>``.
"""

from __future__ import annotations

from typing import Any

import orjson
import pydantic
from aiohttp import web

from sandbox.admin_guard import admin_only, json_object
from sandbox.auth import TOKENS, USER_SCOPE
from sandbox.faults import FAULTS, FaultRule
from sandbox.keys import CONFIG, ENGINE, STORE
from sandbox.records import SandboxReport
from sandbox.seed import seed_store
from sandbox.stats import STATS
from sandbox.workflow_terms import WorkflowRefused


def _json(body: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(body), content_type="application/json")


@admin_only
async def reset(request: web.Request) -> web.Response:
    """Re-seed the same Store in place, so every holder of it stays valid."""
    store = request.app[STORE]
    config = request.app[CONFIG]
    store.clear(seed=config.seed)
    seed_store(store, request.app[ENGINE], scale=config.scale)
    request.app[STATS].reset()
    request.app[FAULTS].clear()
    return _json({"reports": len(store.reports)})


def _report_state(request: web.Request) -> SandboxReport:
    report = request.app[STORE].report(request.match_info["reportId"])
    if report is None:
        raise web.HTTPNotFound(reason="Unknown report.")
    return report


def _summary(report: SandboxReport) -> dict[str, Any]:
    wf = report.workflow
    return {
        "reportId": report.report_id,
        "approvalStatusId": wf.approval_status,
        "paymentStatusId": wf.payment_status,
        "stepCode": wf.step_code,
        "sequence": wf.sequence,
        "reportVersion": report.version,
    }


@admin_only
async def process(request: web.Request) -> web.Response:
    """The processor's approval, which Concur only offers in its UI."""
    report = _report_state(request)
    try:
        request.app[ENGINE].process(report)
    except WorkflowRefused as exc:
        return _json({"error": exc.message}, exc.status)
    return _json(_summary(report))


@admin_only
async def extract(request: web.Request) -> web.Response:
    """The nightly financial extract: every entry of the report becomes extracted."""
    report = _report_state(request)
    request.app[ENGINE].extract(report)
    return _json(_summary(report))


@admin_only
async def clock(request: web.Request) -> web.Response:
    body = await json_object(request)
    advance = body.get("advance_s") if isinstance(body, dict) else None
    if not isinstance(advance, int | float) or isinstance(advance, bool) or advance < 0:
        return _json({"error": "advance_s must be a non-negative number"}, 400)
    sandbox_clock = request.app[STORE].clock
    sandbox_clock.advance(float(advance))
    return _json(
        {"now": sandbox_clock().isoformat(), "offset_s": sandbox_clock.offset.total_seconds()}
    )


@admin_only
async def demo_tokens(request: web.Request) -> web.Response:
    """Fresh user tokens for every user: a sandbox convenience for GraphiQL sessions."""
    store = request.app[STORE]
    tokens = request.app[TOKENS]
    return _json(
        {
            user.login: tokens.access_token(
                subject=user.id,
                kind="user",
                company_id=store.company.id,
                scope=USER_SCOPE,
                issuer=store.base_url,
            )
            for user in store.users.values()
        }
    )


@admin_only
async def get_stats(request: web.Request) -> web.Response:
    return _json(request.app[STATS].snapshot())


@admin_only
async def delete_stats(request: web.Request) -> web.Response:
    request.app[STATS].reset()
    return web.Response(status=204)


@admin_only
async def recent_requests(request: web.Request) -> web.Response:
    return _json(request.app[STATS].recent_requests())


@admin_only
async def add_fault(request: web.Request) -> web.Response:
    try:
        rule = FaultRule.model_validate(await json_object(request))
    except pydantic.ValidationError as exc:
        details = exc.errors(include_url=False, include_context=False, include_input=False)
        return _json({"error": "invalid fault", "details": details}, 400)
    return _json({"id": request.app[FAULTS].add(rule)}, 201)


@admin_only
async def list_faults(request: web.Request) -> web.Response:
    return _json(request.app[FAULTS].list())


@admin_only
async def clear_faults(request: web.Request) -> web.Response:
    request.app[FAULTS].clear()
    return web.Response(status=204)


@admin_only
async def delete_fault(request: web.Request) -> web.Response:
    try:
        fault_id = int(request.match_info["faultId"])
    except ValueError:
        fault_id = -1
    if not request.app[FAULTS].remove(fault_id):
        return _json({"error": "Unknown fault."}, 404)
    return web.Response(status=204)


def add_admin_routes(app: web.Application) -> None:
    """Register the admin routes, only when an admin token is configured."""
    if not app[CONFIG].admin_token:
        return
    router = app.router
    router.add_post("/_sandbox/reset", reset)
    router.add_post("/_sandbox/reports/{reportId}/process", process)
    router.add_post("/_sandbox/reports/{reportId}/extract", extract)
    router.add_post("/_sandbox/clock", clock)
    router.add_get("/_sandbox/demo-tokens", demo_tokens)
    router.add_get("/_sandbox/stats", get_stats)
    router.add_delete("/_sandbox/stats", delete_stats)
    router.add_get("/_sandbox/requests", recent_requests)
    router.add_post("/_sandbox/faults", add_fault)
    router.add_get("/_sandbox/faults", list_faults)
    router.add_delete("/_sandbox/faults", clear_faults)
    router.add_delete("/_sandbox/faults/{faultId}", delete_fault)


__all__ = ["add_admin_routes"]
