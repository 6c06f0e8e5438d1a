"""The invalidation rules (``resolvers.operations.invalidation``) over a real read cache."""

from __future__ import annotations

from datetime import UTC, datetime

from adapters.models import ReportContext, ReportEvent
from gateway.upstream import CLIENT
from resolvers.context import Context
from resolvers.operations import invalidation
from resolvers.operations.loaders import Loaders
from tests.conftest import SandboxHarness
from tests.gateway.cache.conftest import backend_of, operations_of, upstream_total
from tests.gateway.harness import TRAVELER, GatewayHarness, pick_report


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
