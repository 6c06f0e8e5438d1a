"""Where a report is in its workflow."""

from __future__ import annotations

from datetime import datetime

import strawberry

from adapters import models
from resolvers.types.status import Status


@strawberry.type(
    description=(
        "Where a report is in its workflow. `stepCode`, `roleCode`, `processId`, `assignees` "
        "and `lastTransitionAt` come from Concur's events and are null until one is received; "
        "`hasActionUrl` says whether Concur gives the caller an action at this step."
    )
)
class WorkflowStep:
    approval_status: Status
    step_code: str | None
    role_code: str | None
    process_id: str | None
    sequence: int | None
    assignees: list[strawberry.ID]
    has_action_url: bool
    last_transition_at: datetime | None

    @classmethod
    def from_model(cls, model: models.WorkflowStep) -> WorkflowStep:
        return cls(
            approval_status=Status.from_model(model.approval_status),
            step_code=model.step_code,
            role_code=model.role_code,
            process_id=model.process_id,
            sequence=model.sequence,
            assignees=[strawberry.ID(a) for a in model.assignees],
            has_action_url=model.has_action_url,
            last_transition_at=model.last_transition_at,
        )


__all__ = ["WorkflowStep"]
