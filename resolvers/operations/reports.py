"""Report header mutations (create, update), sent through v4 with the caller's token."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from adapters.errors import ActionOutcomeUnknown, BadUserInput, GatewayError
from adapters.models import ReportContext
from resolvers.operations.freshness import fresh_report, invalidate, refused
from resolvers.operations.guard import MAX_IDEMPOTENCY_KEY
from resolvers.operations.idempotency import run_once
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
    """Create a report for the caller; with an idempotency key, at most once per key."""
    creds = ctx.require_credentials()
    key = request.idempotency_key
    try:
        if not request.report.name.strip():
            raise BadUserInput("A report needs a name.", field="name")
        if key is not None and not 0 < len(key) <= MAX_IDEMPOTENCY_KEY:
            raise BadUserInput(
                f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters.",
                field="idempotencyKey",
            )
    except BadUserInput as exc:
        return Outcome(problems=problems_of(exc))

    async def attempt() -> Outcome:
        try:
            report_id = await ctx.operations.client.create_report(
                creds, request.report, ReportContext.TRAVELER
            )
        except GatewayError as exc:
            return await refused(ctx, creds, exc, None, ReportContext.TRAVELER)
        return Outcome(report=await fresh_report(ctx, creds, report_id, ReportContext.TRAVELER))

    scope = f"{creds.kind.value}:{creds.user_id.lower()}:{key}" if key is not None else None
    try:
        return await run_once(
            ctx.operations.idempotency, scope, f"CREATE:{request.report.name}", attempt
        )
    except GatewayError as exc:
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
    try:
        await ctx.operations.client.update_report(
            creds, report_id, dict(patch.fields), ReportContext.TRAVELER
        )
    except GatewayError as exc:
        if isinstance(exc, ActionOutcomeUnknown):  # it may have been applied
            await invalidate(ctx, report_id)
        return await refused(ctx, creds, exc, report_id, ReportContext.TRAVELER)
    await invalidate(ctx, report_id)
    return Outcome(report=await fresh_report(ctx, creds, report_id, ReportContext.TRAVELER))


__all__ = ["PATCHABLE_FIELDS", "check_patch", "create", "update"]
