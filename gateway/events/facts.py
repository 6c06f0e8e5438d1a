"""The workflow facts of each report, as the newest ``statusChanged`` event applied said.

They feed ``Report.workflow`` (``operations.facts``): Concur's read APIs never name the step
code, role code, process id or step instances. ESS guarantees no order, so each record
carries its event's order key — ``facts.lastModifiedDate`` (else the envelope's
``timeStamp``), then ``timeStamp`` — and an older event never replaces newer facts. With
Redis the compare-and-set is one Lua script (replicas race on the same report); without it
an in-process map bounded to ``max_reports`` (least recently written forgotten first).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime
from typing import TYPE_CHECKING, Final, Protocol

from pydantic import ValidationError

from adapters.models import ReportEvent, WorkflowFacts
from gateway.cache.backend import CacheUnavailable

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from gateway.cache.backend import CacheBackend

logger = logging.getLogger(__name__)

OrderKey = tuple[int, int]
"""(lastModifiedDate or timeStamp, timeStamp) in microseconds since the epoch."""

_RECORD: Final = """
local seen1 = redis.call('HGET', KEYS[1], 'o1')
if seen1 then
  local seen2 = tonumber(redis.call('HGET', KEYS[1], 'o2'))
  local new1, new2 = tonumber(ARGV[1]), tonumber(ARGV[2])
  seen1 = tonumber(seen1)
  if new1 < seen1 or (new1 == seen1 and new2 < seen2) then
    return 0
  end
end
redis.call('HSET', KEYS[1], 'o1', ARGV[1], 'o2', ARGV[2], 'facts', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""


def _micros(moment: datetime) -> int:
    return round(moment.timestamp() * 1_000_000)


def order_key(event: ReportEvent) -> OrderKey:
    """Where ``event`` stands among the events of its report."""
    modified = event.facts.last_modified if event.facts is not None else None
    return (_micros(modified or event.occurred_at), _micros(event.occurred_at))


class FactsStore(Protocol):
    """A ``WorkflowFactsSource`` that events can also be recorded into."""

    async def facts(self, report_id: str) -> WorkflowFacts | None: ...

    async def record(self, facts: WorkflowFacts, order: OrderKey) -> bool:
        """Keep ``facts`` unless newer ones are held; whether they were kept."""
        ...


class InMemoryFactsStore:
    def __init__(self, *, max_reports: int) -> None:
        self._max_reports = max_reports
        self._facts: OrderedDict[str, tuple[OrderKey, WorkflowFacts]] = OrderedDict()

    async def facts(self, report_id: str) -> WorkflowFacts | None:
        held = self._facts.get(report_id)
        return held[1] if held is not None else None

    async def record(self, facts: WorkflowFacts, order: OrderKey) -> bool:
        held = self._facts.get(facts.report_id)
        if held is not None and order < held[0]:
            return False
        self._facts[facts.report_id] = (order, facts)
        self._facts.move_to_end(facts.report_id)
        while len(self._facts) > self._max_reports:
            self._facts.popitem(last=False)
        return True


class RedisFactsStore:
    """One hash per report, ``{prefix}ess:facts:{reportId}`` (order key + facts JSON);
    commands run through the cache backend's ``call`` (see ``gateway.events.dedupe``)."""

    def __init__(self, backend: CacheBackend, redis: Redis, *, ttl_s: int) -> None:
        self._backend = backend
        self._redis = redis
        self._ttl_s = ttl_s
        self._record = redis.register_script(_RECORD)

    def _key(self, report_id: str) -> str:
        return f"{self._backend.prefix}ess:facts:{report_id}"

    async def facts(self, report_id: str) -> WorkflowFacts | None:
        """The recorded facts; None when there are none or Redis cannot say (facts only
        enrich a workflow step, so a read never fails for want of them)."""
        key = self._key(report_id)
        try:
            raw = await self._backend.call(lambda: self._redis.hget(key, "facts"))
        except CacheUnavailable:
            return None
        if raw is None:
            return None
        try:
            return WorkflowFacts.model_validate_json(raw)
        except ValidationError:
            logger.warning("unreadable workflow facts ignored", extra={"report_id": report_id})
            return None

    async def record(self, facts: WorkflowFacts, order: OrderKey) -> bool:
        keys = [self._key(facts.report_id)]
        args: list[str | int] = [order[0], order[1], facts.model_dump_json(), self._ttl_s]
        kept = await self._backend.call(lambda: self._record(keys=keys, args=args))
        return bool(kept)


__all__ = ["FactsStore", "InMemoryFactsStore", "OrderKey", "RedisFactsStore", "order_key"]
