"""Who may read the whole audit trail: the callers Concur itself treats as administrators.

The gateway keeps no role list of its own. Concur's v2.0 Get List of Reports is served to
administrators only (a Company or Web Services Administrator, or a company token), so its
answer to the caller is the verdict (``ConcurClient.is_administrator``). A verdict is kept
briefly per caller (``ttl_s``), so paging through the trail does not ask Concur every time,
and a role Concur withdraws stops counting soon after. The question is asked in
``audit_reads``, the only place that needs the answer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from adapters.client import Credentials
from resolvers.operations.cache import principal_of

VERDICT_TTL_S: Final = 60.0
MAX_CALLERS: Final = 10_000


class AdminVerdicts:
    """Recent answers to "is this caller an administrator?", per caller, bounded."""

    def __init__(
        self,
        *,
        ttl_s: float = VERDICT_TTL_S,
        max_callers: int = MAX_CALLERS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._max_callers = max_callers
        self._clock = clock
        self._verdicts: OrderedDict[str, tuple[float, bool]] = OrderedDict()

    def get(self, creds: Credentials) -> bool | None:
        kept = self._verdicts.get(principal_of(creds))
        if kept is None or kept[0] <= self._clock():
            return None
        return kept[1]

    def keep(self, creds: Credentials, verdict: bool) -> None:
        key = principal_of(creds)
        self._verdicts[key] = (self._clock() + self._ttl_s, verdict)
        self._verdicts.move_to_end(key)
        while len(self._verdicts) > self._max_callers:
            self._verdicts.popitem(last=False)


__all__ = ["AdminVerdicts"]
