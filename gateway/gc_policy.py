"""How the cyclic garbage collector runs in a serving process.

Once the app has started, almost every object alive (modules, classes, the Strawberry and
graphql-core schemas, pydantic validators: over a hundred thousand) lives as long as the
process. Left alone, every full collection walks all of them again, and with CPython's
default thresholds a young collection runs every 700 net allocations, i.e. several times
per request: under load the collector took about a fifth of the gateway's busy CPU.

``settle_after_startup`` collects once, moves every survivor to the permanent generation
(``gc.freeze``: never scanned again) and raises the young-generation threshold, so
collections run a few times a second rather than several times per request. A request's
own cycles are still collected; they just wait a little longer.
"""

from __future__ import annotations

import gc
from typing import Final

YOUNG_THRESHOLD: Final = 50_000
"""Net allocations between young collections (CPython's default is 700)."""
OLDER_THRESHOLDS: Final = (20, 10)
"""Young collections per middle one, middle collections per full one."""


def settle_after_startup() -> None:
    """Freeze what start-up built and collect the rest less often (call once, when serving)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *OLDER_THRESHOLDS)


__all__ = ["OLDER_THRESHOLDS", "YOUNG_THRESHOLD", "settle_after_startup"]
