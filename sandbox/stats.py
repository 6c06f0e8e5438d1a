"""What the sandbox was asked: counts per route template and a bounded log of recent calls.

Tests and benchmarks read these to prove how many upstream calls the gateway made (batching,
caching, retries). Keys are ``"METHOD /route/{template}"`` from aiohttp's canonical resource
so calls with different ids count together. Admin routes (``/_sandbox``) are not counted.
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import web

from sandbox.v4.errors import Handler

ADMIN_PREFIX = "/_sandbox"
UNMATCHED = "(unmatched)"


@dataclass(frozen=True)
class RequestRecord:
    """One served request; only the Authorization *scheme* is kept, never a token."""

    method: str
    path: str
    route: str
    status: int | None
    correlation_id: str | None
    traceparent: str | None
    auth_scheme: str | None


class RequestStats:
    """Counters for one sandbox app."""

    def __init__(self, *, recent: int = 500) -> None:
        self.counts: Counter[str] = Counter()
        self.total = 0
        self.recent: deque[RequestRecord] = deque(maxlen=recent)

    def record(self, record: RequestRecord) -> None:
        self.total += 1
        self.counts[f"{record.method} {record.route}"] += 1
        self.recent.append(record)

    def reset(self) -> None:
        self.counts.clear()
        self.total = 0
        self.recent.clear()

    def snapshot(self) -> dict[str, Any]:
        return {"total": self.total, "requests": dict(sorted(self.counts.items()))}

    def recent_requests(self) -> list[dict[str, Any]]:
        return [asdict(r) for r in self.recent]


STATS = web.AppKey("sandbox_stats", RequestStats)


def route_template(request: web.Request) -> str:
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else UNMATCHED


@web.middleware
async def stats_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Counts after the answer is known; a dropped connection is logged with no status."""
    if request.path.startswith(ADMIN_PREFIX):
        return await handler(request)
    status: int | None = None
    try:
        response = await handler(request)
        status = (
            None
            if request.transport is None or request.transport.is_closing()
            else (response.status)
        )
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    except Exception:
        status = 500
        raise
    finally:
        authorization = request.headers.get("Authorization", "").strip()
        request.app[STATS].record(
            RequestRecord(
                method=request.method,
                path=request.path,
                route=route_template(request),
                status=status,
                correlation_id=request.headers.get("concur-correlationid"),
                traceparent=request.headers.get("traceparent"),
                auth_scheme=authorization.split(" ", 1)[0] if authorization else None,
            )
        )


__all__ = [
    "ADMIN_PREFIX",
    "STATS",
    "RequestRecord",
    "RequestStats",
    "route_template",
    "stats_middleware",
]
