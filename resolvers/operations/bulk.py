"""Bulk workflow actions: many reports, each exactly as if acted on alone.

Every item goes through ``actions.perform`` — the audit trail, the guard read, the
idempotency key, the outcome rules — so a bulk action adds no rule of its own beyond these:
the batch is checked up front (size, duplicate report ids, keys) and refused whole with
``BAD_USER_INPUT`` before anything is sent; at most ``Operations.bulk_concurrency`` items
are in flight at once; one item's failure never stops another. An item's key derives from
the batch key and its report id (``item_key``), so a repeated batch replays or settles each
item instead of acting twice. Items carry no report: each costs Concur its guard read and
its action and nothing more, and the report is read only when a caller selects it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from adapters.errors import BadUserInput, Unauthenticated
from resolvers.operations import actions
from resolvers.operations.audit import AuditOutcome
from resolvers.operations.idempotency import check_key
from resolvers.operations.outcome import Outcome, Problem
from resolvers.operations.requests import ActionRequest
from resolvers.operations.trail import classify

if TYPE_CHECKING:
    from resolvers.context import Context

logger = logging.getLogger(__name__)

FAILED_ITEM = Problem(
    code="ACTION_OUTCOME_UNKNOWN",
    message="The gateway failed while acting on this report; re-read it before trying again.",
)


@dataclass(frozen=True, slots=True)
class ItemResult:
    """How one item of a batch ended (its position in the batch is ``index``)."""

    index: int
    request: ActionRequest
    verdict: AuditOutcome
    outcome: Outcome


def item_key(batch_key: str | None, report_id: str) -> str | None:
    """The idempotency key of one item: the batch's key and the report it acts on."""
    return None if batch_key is None else f"{batch_key}:{report_id}"


def prepare(
    ctx: Context, items: Sequence[ActionRequest], batch_key: str | None
) -> list[ActionRequest]:
    """The items as they will be performed, or ``BadUserInput`` for the whole batch.

    An item's own idempotency key wins; without one, it derives from ``batch_key``.
    """
    limit = ctx.operations.bulk_max_items
    if not 0 < len(items) <= limit:
        raise BadUserInput(f"A batch holds 1 to {limit} items.", field="items")
    repeated = sorted(rid for rid, n in Counter(i.report_id for i in items).items() if n > 1)
    if repeated:
        raise BadUserInput(
            f"Each report may appear once in a batch; repeated: {', '.join(repeated)}.",
            field="items",
        )
    check_key(batch_key)
    prepared = [
        item
        if item.idempotency_key
        else replace(item, idempotency_key=item_key(batch_key, item.report_id))
        for item in items
    ]
    for item in prepared:
        try:
            check_key(item.idempotency_key)
        except BadUserInput as exc:
            raise BadUserInput(exc.message, field="batchKey") from exc
    return prepared


async def results(ctx: Context, items: Sequence[ActionRequest]) -> AsyncIterator[ItemResult]:
    """Perform prepared items, at most ``bulk_concurrency`` at a time, yielding each result
    as it completes. ``Unauthenticated`` ends the batch (no item could succeed)."""
    gate = asyncio.Semaphore(ctx.operations.bulk_concurrency)

    async def one(index: int, request: ActionRequest) -> ItemResult:
        async with gate:
            try:
                outcome = await actions.perform(ctx, request, reread=False)
            except Unauthenticated:
                raise
            except Exception:  # one item's fault must not stop the others
                logger.exception("bulk item failed", extra={"action": request.kind.value})
                outcome = Outcome(problems=[FAILED_ITEM])
        return ItemResult(index, request, classify(outcome), outcome)

    tasks = [asyncio.ensure_future(one(i, item)) for i, item in enumerate(items)]
    try:
        for finished in asyncio.as_completed(tasks):
            yield await finished
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def perform_all(ctx: Context, items: Sequence[ActionRequest]) -> list[ItemResult]:
    """Every item's result, in the batch's order."""
    done = [result async for result in results(ctx, items)]
    return sorted(done, key=lambda result: result.index)


__all__ = ["ItemResult", "item_key", "perform_all", "prepare", "results"]
