"""Delivery faults the sandbox can inject: duplicates, reordering and latency.

Concur promises at-least-once delivery with no ordering guarantee (its sender is
multithreaded); a receiver must dedupe on ``id`` and drop stale events. These settings make
those cases happen on demand instead of by luck.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_DUPLICATES = 10
MAX_DELAY_MS = 600_000


class InjectionRejected(ValueError):
    """An ``/_sandbox/ess/inject`` body the sandbox cannot apply."""


def _int(body: dict[str, Any], name: str, upper: int) -> int:
    value = body.get(name, 0)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= upper:
        raise InjectionRejected(f"'{name}' must be an integer from 0 to {upper}.")
    return value


@dataclass(frozen=True)
class Injection:
    """``duplicate``: extra copies of every delivery; ``reorder``: hold deliveries until a
    flush, then send the held batch newest first; ``delay_ms``: wait before each delivery."""

    duplicate: int = 0
    reorder: bool = False
    delay_ms: int = 0

    @classmethod
    def parse(cls, body: Any) -> Injection:
        if not isinstance(body, dict):
            raise InjectionRejected("The request body must be a JSON object.")
        unknown = set(body) - {"duplicate", "reorder", "delay_ms"}
        if unknown:
            raise InjectionRejected(f"Unknown fields: {', '.join(sorted(unknown))}.")
        reorder = body.get("reorder", False)
        if not isinstance(reorder, bool):
            raise InjectionRejected("'reorder' must be a boolean.")
        return cls(
            duplicate=_int(body, "duplicate", MAX_DUPLICATES),
            reorder=reorder,
            delay_ms=_int(body, "delay_ms", MAX_DELAY_MS),
        )

    @property
    def copies(self) -> int:
        return 1 + self.duplicate

    @property
    def delay_s(self) -> float:
        return self.delay_ms / 1000

    def to_wire(self) -> dict[str, Any]:
        return {"duplicate": self.duplicate, "reorder": self.reorder, "delay_ms": self.delay_ms}


NORMAL = Injection()

__all__ = ["MAX_DELAY_MS", "MAX_DUPLICATES", "NORMAL", "Injection", "InjectionRejected"]
