"""A report with the costly parts its ``ReportInclude`` asks for.

GraphQL's executor resolves a report's ``entries``, ``costObjects``, ``workflow`` and
``availableActions`` fields concurrently through the request's loaders; this does the same
for a gRPC call, with the same read operations. ``wants`` lets the list reads start the
details and cost-object reads together with the headers (``prefetch``), exactly as the
GraphQL selection does, so a listed report costs one round trip per level either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from adapters import models
from adapters.errors import GatewayError
from gateway.grpc import convert
from gateway.grpc.gen.concur_gateway.v1 import report_service_pb2 as service_pb2
from gateway.grpc.gen.concur_gateway.v1 import types_pb2 as pb
from resolvers.operations import reads
from resolvers.operations.prefetch import Wants

if TYPE_CHECKING:
    from resolvers.context import Context


def wants(include: service_pb2.ReportInclude) -> Wants:
    """The reads to start with the header (entries, workflow and actions share one)."""
    return Wants(
        details=include.entries or include.workflow or include.available_actions,
        cost_objects=include.cost_objects,
    )


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Part(Generic[T]):
    """One part's outcome: its value, or the error that cost it."""

    value: T
    error: pb.PartError | None = None


async def _part(name: str, read: Awaitable[T] | None, empty: T) -> Part[T]:
    """Read one part; a ``GatewayError`` costs this part only (anything else is a bug and
    fails the call, as it would be masked in the graph)."""
    if read is None:
        return Part(empty)
    try:
        return Part(await read)
    except GatewayError as exc:
        return Part(empty, pb.PartError(part=name, code=exc.code, message=exc.message))


async def expanded(
    ctx: Context, report: models.Report, include: service_pb2.ReportInclude
) -> pb.Report:
    """The report as a message, its included parts read concurrently; a part that fails is
    left empty with a ``PartError`` (the graph's null field with its error)."""
    if not wants(include).anything:
        return convert.report(report)
    no_entries: list[models.Entry] = []
    no_cost_objects: list[models.CostObject] = []
    no_actions: list[models.WorkflowActionKind] = []
    entries, cost_objects, workflow, actions = await asyncio.gather(
        _part("entries", reads.entries(ctx, report.id) if include.entries else None, no_entries),
        _part(
            "cost_objects",
            reads.cost_objects(ctx, report.id) if include.cost_objects else None,
            no_cost_objects,
        ),
        _part("workflow", reads.workflow_step(ctx, report) if include.workflow else None, None),
        _part(
            "available_actions",
            reads.available_actions(ctx, report) if include.available_actions else None,
            no_actions,
        ),
    )
    message = convert.report(
        report,
        entries=entries.value,
        cost_objects=cost_objects.value,
        workflow=workflow.value,
        available_actions=actions.value,
    )
    message.part_errors.extend(
        part.error for part in (entries, cost_objects, workflow, actions) if part.error
    )
    return message


async def expanded_all(
    ctx: Context, found: Sequence[models.Report], include: service_pb2.ReportInclude
) -> list[pb.Report]:
    """Every listed report, in list order; a failing part costs that report's part only."""
    if not wants(include).anything:
        return [convert.report(r) for r in found]
    return list(await asyncio.gather(*(expanded(ctx, r, include) for r in found)))


__all__ = ["expanded", "expanded_all", "wants"]
