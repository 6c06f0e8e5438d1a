"""The invalidation rules (``resolvers.operations.invalidation``) over a real read cache."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.models import ReportContext, ReportEvent, StepInstance, WorkflowFacts
from gateway.upstream import CLIENT
from resolvers.context import Context
from resolvers.operations import invalidation
from resolvers.operations.loaders import Loaders
from resolvers.operations.resources import UserList, list_scope
from tests.support.cache import backend_of, operations_of, upstream_total
from tests.support.gateway import TRAVELER, GatewayHarness, pick_report
from tests.support.sandbox import SandboxHarness


async def traveler_context(gw: GatewayHarness) -> Context:
    token = await gw.token(TRAVELER)
    credentials = await gw.server.app[CLIENT].verify_token(token)
    return Context.build(operations_of(gw), credentials)


async def read_header(loaders: Loaders, report_id: str) -> None:
    await loaders.report.load((report_id, ReportContext.TRAVELER))


async def test_a_mutation_makes_every_copy_of_its_report_read_afresh(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    gw = cached_gateway
    ctx = await traveler_context(gw)
    report_id = pick_report(sandbox, "A_PEND")
    await read_header(ctx.loaders, report_id)
    generation = await backend_of(gw).generation(report_id)

    await invalidation.after_mutation(ctx, report_id)

    assert await backend_of(gw).generation(report_id) != generation
    await sandbox.reset_stats()
    await read_header(ctx.loaders, report_id)  # neither the loader nor the cache answers
    assert upstream_total(await gw.upstream_calls()) == 1


async def test_an_event_invalidates_its_report_only(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    gw = cached_gateway
    ctx = await traveler_context(gw)
    changed, other = pick_report(sandbox, "A_PEND"), pick_report(sandbox, "A_NOTF")
    before = await backend_of(gw).generations([changed, other])
    event = ReportEvent(
        id="event-1",
        event_type="reportUpdated",
        report_id=changed,
        occurred_at=datetime.now(UTC),
    )

    await invalidation.after_event(ctx.operations.cache, event)

    after = await backend_of(gw).generations([changed, other])
    assert after[0] != before[0]
    assert after[1] == before[1]


async def test_a_status_change_moves_the_queues_it_enters_and_leaves(
    cached_gateway: GatewayHarness, sandbox: SandboxHarness
) -> None:
    """The report leaves the queue of the approver the last recorded step named and enters
    the queue of the one its new step names; the owner's lists move too; nobody else's."""
    gw = cached_gateway
    ctx = await traveler_context(gw)
    report_id = pick_report(sandbox, "A_PEND")
    scopes = [
        list_scope("Left", UserList.TO_APPROVE),
        list_scope("entered", UserList.TO_APPROVE),
        list_scope("owner", UserList.OWNED),
        list_scope("bystander", UserList.TO_APPROVE),
        list_scope("owner", UserList.TO_APPROVE),
    ]
    before = await backend_of(gw).generations(scopes)
    step = WorkflowFacts(
        report_id=report_id, step_instances=[StepInstance(id="2", assigned_user_id="entered")]
    )
    previous = WorkflowFacts(
        report_id=report_id, step_instances=[StepInstance(id="1", assigned_user_id="left")]
    )
    event = ReportEvent(
        id="event-2",
        event_type="statusChanged",
        report_id=report_id,
        occurred_at=datetime.now(UTC),
        owner_id="OWNER",
        facts=step,
    )

    await invalidation.after_event(ctx.operations.cache, event, previous)

    after = await backend_of(gw).generations(scopes)
    moved = [b != a for b, a in zip(before, after, strict=True)]
    assert moved == [True, True, True, False, False]
