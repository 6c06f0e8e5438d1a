"""Gateway latency over the critical path, with the sandbox injecting a fixed latency per call.

Every upstream call costs ``LATENCY_MS`` plus the sandbox's own work. The baseline for each
query shape is the same upstream calls made directly, in the same run, with the least waiting
their dependencies allow: independent calls together, a list before the reads of its items.
So the printed ratio is

    median gateway latency / median direct critical-path latency

and the goal is <= 1.1: the gateway adds little beyond what Concur itself takes.

    .venv/bin/python bench/latency.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Stack, stack, uncached

from sandbox import seed

LATENCY_MS = 40
ROUNDS = 15
V4 = "/expensereports/v4"
XML = "/api/expense/expensereport"

REPORT = """query($id: ID!) { report(id: $id, context: MANAGER) {
  id name total { value } entries { id vendor } costObjects { name } workflow { hasActionUrl }
} }"""
TO_APPROVE = """{ reportsToApprove { id name entries { id } } }"""


async def get(s: Stack, path: str, token: str, scheme: str = "Bearer") -> bytes:
    url = f"{s.sandbox_url}{path}"
    async with s.session.get(url, headers={"Authorization": f"{scheme} {token}"}) as r:
        return await r.read()


def direct_report(s: Stack, token: str, report_id: str) -> Callable[[], Awaitable[object]]:
    """Header, details and cost objects: independent, so all at once."""
    user = seed.MANAGER_ID

    def run() -> Awaitable[object]:
        return asyncio.gather(
            get(s, f"{V4}/users/{user}/context/MANAGER/reports/{report_id}", token),
            get(s, f"{XML}/v2.0/report/{report_id}", token, "OAuth"),
            get(s, f"{V4}/users/{user}/reports/{report_id}/costObjectsForApprover", token),
        )

    return run


def direct_to_approve(s: Stack, token: str, ids: list[str]) -> Callable[[], Awaitable[object]]:
    """The list, then every listed report's header and details at once."""
    user = seed.MANAGER_ID

    async def run() -> object:
        await get(s, f"{V4}/users/{user}/context/MANAGER/reportsToApprove", token)
        return await asyncio.gather(
            *(get(s, f"{V4}/users/{user}/context/MANAGER/reports/{i}", token) for i in ids),
            *(get(s, f"{XML}/v2.0/report/{i}", token, "OAuth") for i in ids),
        )

    return run


async def median_seconds(run: Callable[[], Awaitable[object]]) -> float:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        await run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


async def main() -> None:
    async with stack(settings=uncached) as s:
        manager = await s.token("manager@example.com")
        listed = await s.gql("{ reportsToApprove { id } }", manager)
        ids = [r["id"] for r in listed["reportsToApprove"]]
        await s.gql(REPORT, manager, {"id": ids[0]})  # warm the JWKS and parser caches
        await s.gql(TO_APPROVE, manager)
        fault = {"method": "*", "path": f"^({V4}|{XML})/", "kind": "latency"}
        await s.admin("POST", "/_sandbox/faults", {**fault, "latency_ms": LATENCY_MS})
        print(f"injected latency per upstream call: {LATENCY_MS} ms")
        shapes = [
            (
                "report + entries + costObjects + workflow",
                REPORT,
                {"id": ids[0]},
                direct_report(s, manager, ids[0]),
            ),
            (
                f"reportsToApprove ({len(ids)}) + entries",
                TO_APPROVE,
                None,
                direct_to_approve(s, manager, ids),
            ),
        ]
        for label, query, variables, direct in shapes:
            base = await median_seconds(direct)

            async def via_gateway(q: str = query, v: dict[str, str] | None = variables) -> object:
                return await s.gql(q, manager, v)

            took = await median_seconds(via_gateway)
            print(
                f"{label:<44} gateway {took * 1000:6.1f} ms  direct {base * 1000:6.1f} ms  "
                f"ratio={took / base:5.2f}  (goal <= 1.10)"
            )
        await s.admin("DELETE", "/_sandbox/faults")


if __name__ == "__main__":
    asyncio.run(main())
