"""Report header mutations (create, update), sent through v4 with the caller's token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from adapters.errors import BadUserInput, GatewayError
from adapters.models import ReportContext
from resolvers.operations.freshness import Applied, conclude, refused
from resolvers.operations.idempotency import check_key, key_scope, run_once
from resolvers.operations.outcome import Outcome, problems_of
from resolvers.operations.requests import CreateReportRequest, ReportPatch

if TYPE_CHECKING:
    from adapters.client import Credentials
    from resolvers.context import Context

REQUIRED_FIELDS: Final = frozenset({"name"})
"""Header fields a merge patch may change but never clear."""
PATCHABLE_FIELDS: Final = frozenset(
    {
        "name",
        "business_purpose",
        "comment",
        "report_date",
        "start_date",
        "end_date",
        "policy_id",
        "country_code",
        "country_sub_division_code",
        "custom_data",
    }
)


async def create(ctx: Context, request: CreateReportRequest) -> Outcome:
    """Create a report for the caller; with an idempotency key, at most once per key.

    An unknown outcome is kept and replayed, never settled: a report that may exist has no
    id we could look for, so only the caller can tell (by listing its reports).
    """
    creds = ctx.require_credentials()
    try:
        if not request.report.name.strip():
            raise BadUserInput("A report needs a name.", field="name")
        check_key(request.idempotency_key)
    except BadUserInput as exc:
        return Outcome(problems=problems_of(exc))

    async def change() -> Applied:
        context = ReportContext.TRAVELER
        return Applied(await ctx.operations.client.create_report(creds, request.report, context))

    try:
        return await run_once(
            ctx.operations.idempotency,
            key_scope(creds, request.idempotency_key),
            f"CREATE:{request.report.name}",
            lambda: conclude(ctx, creds, None, ReportContext.TRAVELER, change),
        )
    except GatewayError as exc:  # IdempotencyConflict: nothing was sent
        return await refused(ctx, creds, exc, None, ReportContext.TRAVELER)


def check_patch(patch: ReportPatch) -> None:
    if not patch.fields:
        raise BadUserInput("The patch changes nothing: give at least one field.", field="patch")
    unknown = sorted(set(patch.fields) - PATCHABLE_FIELDS)
    if unknown:
        raise BadUserInput(f"Fields that cannot be patched: {', '.join(unknown)}.", field="patch")
    for name in REQUIRED_FIELDS & set(patch.fields):
        value = patch.fields[name]
        if value is None or (isinstance(value, str) and not value.strip()):
            raise BadUserInput(f"{name} cannot be cleared.", field=name)


async def update(ctx: Context, report_id: str, patch: ReportPatch) -> Outcome:
    """Merge-patch the header of an unsubmitted report (Concur refuses others with 409)."""
    creds: Credentials = ctx.require_credentials()
    try:
        check_patch(patch)
    except BadUserInput as exc:
        return Outcome(problems=problems_of(exc))

    async def change() -> Applied:
        fields: dict[str, object] = dict(patch.fields)
        await ctx.operations.client.update_report(creds, report_id, fields, ReportContext.TRAVELER)
        return Applied(report_id)

    return await conclude(ctx, creds, report_id, ReportContext.TRAVELER, change)


__all__ = ["PATCHABLE_FIELDS", "check_patch", "create", "update"]
