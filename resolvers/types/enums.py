"""GraphQL enums, declared over the canonical enums so values pass through unconverted.

``strawberry.enum`` registers the GraphQL definition on the canonical class itself; the
classes re-exported here are the ones in ``adapters.models``.
"""

from __future__ import annotations

import strawberry

from adapters.models import (
    Allocation,
    Protocol,
    ReportContext,
    ReportView,
    TokenKind,
    WorkflowActionKind,
)

strawberry.enum(
    ReportContext,
    description="Whose view of a report to read: Concur shows different fields per context.",
)
strawberry.enum(ReportView, description="A Concur report list.")
strawberry.enum(WorkflowActionKind, description="A workflow action the caller can take now.")
strawberry.enum(
    Protocol,
    description=(
        "Which Concur API carries a workflow action: V4 (JSON, checks the expected step) "
        "or XML (v1.1 workflow action URL)."
    ),
)
strawberry.enum(Allocation, description="Whether an entry's amount is split across cost objects.")
strawberry.enum(TokenKind, description="What a Concur access token stands for.")

__all__ = [
    "Allocation",
    "Protocol",
    "ReportContext",
    "ReportView",
    "TokenKind",
    "WorkflowActionKind",
]
