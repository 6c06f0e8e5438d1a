"""Start the reads a query will need as soon as the report ids are known.

A report's header (v4), its XML details (entries, workflow) and its cost objects are
independent upstream calls. Started only when the header's resolver has returned, the
details would wait a whole round trip for nothing; started together, the request's critical
path is one call per level of the graph, not one per field. The loaders dedupe, so a field
resolver that asks again later just awaits the same future.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from resolvers.context import Context


@dataclass(frozen=True, slots=True)
class Wants:
    """Which per-report reads the caller's selection will need beyond the header."""

    details: bool = False
    cost_objects: bool = False

    @property
    def anything(self) -> bool:
        return self.details or self.cost_objects


NOTHING = Wants()


def _observe(future: asyncio.Future[Any]) -> None:
    """Mark a prefetch's failure as seen: a field that never asks must not log it as lost."""
    if not future.cancelled():
        future.exception()


def prefetch(ctx: Context, report_ids: Iterable[str], wants: Wants) -> None:
    """Schedule the wanted reads for these reports without waiting for them."""
    if not wants.anything or ctx.credentials is None:
        return
    for report_id in report_ids:
        if wants.details:
            asyncio.ensure_future(ctx.loaders.details.load(report_id)).add_done_callback(_observe)
        if wants.cost_objects:
            asyncio.ensure_future(ctx.loaders.cost_objects.load(report_id)).add_done_callback(
                _observe
            )


__all__ = ["NOTHING", "Wants", "prefetch"]
