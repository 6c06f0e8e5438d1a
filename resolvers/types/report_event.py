"""A change to a report, as Concur's Event Subscription Service announced it."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from adapters import models
from adapters.errors import Forbidden, NotFound
from resolvers.context import Context
from resolvers.fields import field
from resolvers.operations import reads
from resolvers.types.enums import ReportContext
from resolvers.types.report import Report
from resolvers.types.user import User


@strawberry.enum(description="What happened to a report (Concur's ESS event types).")
class ReportEventType(Enum):
    REPORT_CREATED = "reportCreated"
    REPORT_UPDATED = "reportUpdated"
    REPORT_DELETED = "reportDeleted"
    STATUS_CHANGED = "statusChanged"


@strawberry.type(
    description=(
        "A change to a report. Concur delivers events at least once and in no particular "
        "order: compare `occurredAt`, or read `report` for the state now. The workflow "
        "fields are set for STATUS_CHANGED only."
    )
)
class ReportEvent:
    id: strawberry.ID = strawberry.field(description="Concur's event id (unique per event).")
    event_type: ReportEventType
    report_id: strawberry.ID
    occurred_at: datetime = strawberry.field(description="When Concur issued the event.")
    owner: User | None
    correlation_id: str | None
    approval_status: str | None = strawberry.field(
        description="The approval status code the report entered (A_PEND, A_APPR...)."
    )
    payment_status: str | None = strawberry.field(
        description="The payment status code after the change (P_NOTP, P_PAID...)."
    )
    step_code: str | None
    role_code: str | None
    process_id: str | None
    assignees: list[strawberry.ID] = strawberry.field(
        description="Users assigned at the step the report entered."
    )
    model: strawberry.Private[models.ReportEvent]

    @classmethod
    def from_model(cls, model: models.ReportEvent) -> ReportEvent:
        facts = model.facts
        return cls(
            id=strawberry.ID(model.id),
            event_type=ReportEventType(model.event_type),
            report_id=strawberry.ID(model.report_id),
            occurred_at=model.occurred_at,
            owner=User.owner(model.owner_id),
            correlation_id=model.correlation_id,
            approval_status=facts.current_approval_status if facts else None,
            payment_status=facts.current_payment_status if facts else None,
            step_code=facts.step_code if facts else None,
            role_code=facts.role_code if facts else None,
            process_id=facts.process_id if facts else None,
            assignees=[
                strawberry.ID(i.assigned_user_id)
                for i in (facts.step_instances if facts else [])
                if i.assigned_user_id
            ],
            model=model,
        )

    @field(
        "The report as Concur has it now, read with the subscriber's token in the given "
        "context; null when the caller can no longer read it (deleted, or out of sight)."
    )
    async def report(
        self,
        info: strawberry.Info[Context, None],
        context: ReportContext = models.ReportContext.TRAVELER,
    ) -> Report | None:
        try:
            found = await reads.report(info.context, self.model.report_id, context)
        except (NotFound, Forbidden):
            return None
        return Report.from_model(found)


__all__ = ["ReportEvent", "ReportEventType"]
