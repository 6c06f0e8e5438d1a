"""The root Query type: thin resolvers over ``resolvers.operations.reads``."""

from __future__ import annotations

import strawberry

from adapters import models
from resolvers.context import Context
from resolvers.fields import field
from resolvers.operations import audit_reads, reads
from resolvers.operations.audit import AuditFilter
from resolvers.operations.cache import note_unvouched_read
from resolvers.operations.cost import REQUEST_COST
from resolvers.selection import report_wants
from resolvers.types.audit import AuditTrail, AuditTrailFilter
from resolvers.types.entry import Entry
from resolvers.types.enums import ReportContext, ReportView
from resolvers.types.rate_limit import RateLimit
from resolvers.types.report import Report
from resolvers.types.user import User


@strawberry.type
class Query:
    @field("One report, read in the given context.")
    async def report(
        self,
        info: strawberry.Info[Context, None],
        id: strawberry.ID,
        context: ReportContext = models.ReportContext.TRAVELER,
    ) -> Report | None:
        wants = report_wants(info)
        return Report.from_model(await reads.report(info.context, id, context, wants))

    @field("The reports waiting for the caller's approval.")
    async def reports_to_approve(self, info: strawberry.Info[Context, None]) -> list[Report]:
        found = await reads.reports_to_approve(info.context, report_wants(info))
        return [Report.from_model(r) for r in found]

    @field("The caller's reports in one of Concur's list views.")
    async def reports(
        self,
        info: strawberry.Info[Context, None],
        view: ReportView = models.ReportView.RECENT,
    ) -> list[Report]:
        found = await reads.reports(info.context, view, report_wants(info))
        return [Report.from_model(r) for r in found]

    @field("One expense entry of a report, in full.")
    async def entry(
        self, info: strawberry.Info[Context, None], report_id: strawberry.ID, id: strawberry.ID
    ) -> Entry | None:
        return Entry.from_model(await reads.entry(info.context, report_id, id))

    @field(
        "This query's price and the caller's share of Concur's rate limit; with dryRun, "
        "the query is priced and nothing else in it runs. Null when the budget is off "
        "(budget.enabled) or its store cannot be reached."
    )
    def rate_limit(self, dry_run: bool = False) -> RateLimit | None:
        del dry_run  # read by the pricing step before execution
        note_unvouched_read()  # the share changes with every request: never answer it again
        return RateLimit.from_cost(REQUEST_COST.get())

    @field("The caller, as its access token names it; null if anonymous.")
    def me(self, info: strawberry.Info[Context, None]) -> User | None:
        user = reads.me(info.context)
        return None if user is None else User.from_model(user)

    # --- the audit trail ------------------------------------------------------------------

    @field(
        "Audit records of workflow actions, oldest first; for Concur administrators only "
        "(FORBIDDEN otherwise). Page with `first` and `after` (a page's `endCursor`)."
    )
    async def audit_trail(
        self,
        info: strawberry.Info[Context, None],
        filter: AuditTrailFilter | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> AuditTrail:
        where = filter.to_model() if filter is not None else AuditFilter()
        return AuditTrail.from_page(await audit_reads.search(info.context, where, first, after))


__all__ = ["Query"]
