"""A report with the costly parts its ``ReportInclude`` asks for.

GraphQL's executor resolves a report's ``entries``, ``costObjects``, ``workflow`` and
``availableActions`` fields concurrently through the request's loaders; this does the same
for a gRPC call, with the same read operations. ``wants`` lets the list reads start the
details and cost-object reads together with the headers (``prefetch``), exactly as the
GraphQL selection does, so a listed report costs one round trip per level either way.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from adapters import models
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


async def _none() -> None:
    return None


async def _nothing() -> list[models.Entry]:
    return []


async def _no_cost_objects() -> list[models.CostObject]:
    return []


async def _no_actions() -> list[models.WorkflowActionKind]:
    return []


async def expanded(
    ctx: Context, report: models.Report, include: service_pb2.ReportInclude
) -> pb.Report:
    """The report as a message, its included parts read concurrently."""
    if not wants(include).anything:
        return convert.report(report)
    entries, cost_objects, workflow, actions = await asyncio.gather(
        reads.entries(ctx, report.id) if include.entries else _nothing(),
        reads.cost_objects(ctx, report.id) if include.cost_objects else _no_cost_objects(),
        reads.workflow_step(ctx, report) if include.workflow else _none(),
        reads.available_actions(ctx, report) if include.available_actions else _no_actions(),
    )
    return convert.report(
        report,
        entries=entries,
        cost_objects=cost_objects,
        workflow=workflow,
        available_actions=actions,
    )


async def expanded_all(
    ctx: Context, found: Sequence[models.Report], include: service_pb2.ReportInclude
) -> list[pb.Report]:
    """Every listed report, in list order; one failing part fails the list (as in the graph,
    where a list of non-null reports cannot hold a hole)."""
    if not wants(include).anything:
        return [convert.report(r) for r in found]
    return list(await asyncio.gather(*(expanded(ctx, r, include) for r in found)))


__all__ = ["expanded", "expanded_all", "wants"]
