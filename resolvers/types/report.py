"""An expense report: header fields are plain attributes; only I/O fields are resolvers.

Plain attributes cost nothing per field at execution; an async resolver costs tens of
microseconds each, so only the four fields that need another upstream read are async.
Those four are nullable: a failed sub-read (Concur refusing the details to this caller, a
malformed cost-object answer) nulls its own field with its error on that path, and the
header fields, read separately, stay.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from adapters import models
from resolvers.context import Context
from resolvers.fields import field
from resolvers.operations import audit_reads, reads
from resolvers.types.amount import Amount
from resolvers.types.audit import AuditTrail
from resolvers.types.copy import from_model
from resolvers.types.cost_object import CostObject
from resolvers.types.custom_field import CustomField
from resolvers.types.entry import Entry
from resolvers.types.enums import WorkflowActionKind
from resolvers.types.status import Status
from resolvers.types.user import User
from resolvers.types.workflow_step import WorkflowStep


@strawberry.type(description="An expense report (its header as Concur v4 shows it).")
class Report:
    id: strawberry.ID
    name: str | None
    business_purpose: str | None
    report_number: str | None
    report_date: date | None
    creation_date: datetime | None
    submit_date: datetime | None
    currency_code: str | None
    total: Amount | None
    claimed: Amount | None
    approved: Amount | None
    amount_due_employee: Amount | None
    amount_due_company_card: Amount | None
    personal: Amount | None
    approval_status: Status
    payment_status: Status
    owner: User | None
    policy: str | None
    policy_id: str | None
    custom_data: list[CustomField]
    can_recall: bool
    version: int | None
    model: strawberry.Private[models.Report]

    @classmethod
    def from_model(cls, model: models.Report) -> Report:
        return from_model(cls, model, owner=User.owner(model.owner_id), model=model)

    @classmethod
    def maybe(cls, model: models.Report | None) -> Report | None:
        return None if model is None else cls.from_model(model)

    @field("The report's expense entries; null (with an error) if Concur did not give them.")
    async def entries(self, info: strawberry.Info[Context, None]) -> list[Entry] | None:
        return [Entry.from_model(e) for e in await reads.entries(info.context, self.model.id)]

    @field(
        "Cost objects of this report that the caller can approve; null (with an error) if "
        "Concur did not give them."
    )
    async def cost_objects(self, info: strawberry.Info[Context, None]) -> list[CostObject] | None:
        found = await reads.cost_objects(info.context, self.model.id)
        return [CostObject.from_model(c) for c in found]

    @field("Where the report is in its workflow; null (with an error) if it could not be read.")
    async def workflow(self, info: strawberry.Info[Context, None]) -> WorkflowStep | None:
        return WorkflowStep.from_model(await reads.workflow_step(info.context, self.model))

    @field(
        "The workflow actions the caller can take now; null (with an error) if the report's "
        "details could not be read."
    )
    async def available_actions(
        self, info: strawberry.Info[Context, None]
    ) -> list[WorkflowActionKind] | None:
        return await reads.available_actions(info.context, self.model)

    @field(
        "The audit trail of workflow actions on this report, oldest first (null, with an "
        "error, if the trail cannot be read now)."
    )
    async def audit_trail(
        self, info: strawberry.Info[Context, None], first: int = 20, after: str | None = None
    ) -> AuditTrail | None:
        page = await audit_reads.report_trail(info.context, self.model.id, first, after)
        return AuditTrail.from_page(page)


__all__ = ["Report"]
