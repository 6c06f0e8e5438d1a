"""Upstream calls per query shape, against the minimum Concur's APIs allow.

Concur has no batch endpoints, so the minimum for a list is one list call plus, per listed
report, one header read (v4) and one details read (XML: entries and workflow come together).
A plain approver (no administrator) reads details only through v1.1 full details, by the
encrypted key a ReportsList hands them, so their first read of a report also costs the
TOAPPROVE list that names its key (once per caller: the key is then remembered). The
sandbox counts what it served; the ratio is calls / minimum (1.00 is the floor).

    .venv/bin/python bench/upstream_calls.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Stack, stack, uncached

REPORT = """query($id: ID!) { report(id: $id, context: MANAGER) {
  id name total { value currencyCode } approvalStatus { code name }
  entries { id expenseType { key name } postedAmount { value currencyCode } vendor }
  costObjects { name approvedAmount { value } expenses { id } }
  workflow { approvalStatus { code } hasActionUrl }
} }"""

SAME_REPORT_TWICE = """query($id: ID!) {
  a: report(id: $id, context: MANAGER) { id name entries { id } }
  b: report(id: $id, context: MANAGER) { id total { value } entries { vendor } }
}"""

TO_APPROVE = """{ reportsToApprove {
  id name total { value currencyCode }
  entries { id expenseType { key } postedAmount { value } }
} }"""

RECENT = """{ reports(view: RECENT) { id name approvalStatus { code } entries { id } } }"""

BULK_APPROVE = """mutation($items: [ApproveReportInput!]!) {
  approveReports(input: {items: $items, batchKey: "bench"}) {
    applied refused items { reportId outcome }
} }"""
"""Each item costs its guard read and its action; the report is not selected, so not read."""


async def measure(
    s: Stack, label: str, query: str, token: str, minimum: int, **variables: object
) -> None:
    await s.admin("DELETE", "/_sandbox/stats")
    await s.gql(query, token, variables or None)
    calls = await s.upstream_calls()
    total = sum(calls.values())
    print(f"{label:<48} calls={total:>4}  minimum={minimum:>4}  ratio={total / minimum:5.2f}")
    for route, n in sorted(calls.items()):
        print(f"    {n:>4}  {route}")


async def main() -> None:
    async with stack(settings=uncached) as s:
        manager = await s.token("manager@example.com")
        traveler = await s.token("traveler@example.com")
        # warm the JWKS cache so the first measurement counts only report traffic
        await s.gql("{ me { id } }", traveler)
        listing = await s.gql("{ reportsToApprove { id approvalStatus { code } } }", manager)
        ids = [r["id"] for r in listing["reportsToApprove"]]
        statuses = {r["id"]: r["approvalStatus"]["code"] for r in listing["reportsToApprove"]}
        recent = await s.gql("{ reports(view: RECENT) { id } }", traveler)
        n_recent = len(recent["reports"])
        pending = ids[0]
        # header + TOAPPROVE (names the key) + full details + cost objects
        await measure(
            s, "report + parts, first read (key looked up)", REPORT, manager, 4, id=pending
        )
        # header + full details + cost objects: the key is remembered
        await measure(s, "report + parts, again (key remembered)", REPORT, manager, 3, id=pending)
        await measure(s, "same report twice (aliases)", SAME_REPORT_TWICE, manager, 2, id=pending)
        await measure(
            s, f"reportsToApprove ({len(ids)}) + entries", TO_APPROVE, manager, 1 + 2 * len(ids)
        )
        await measure(
            s, f"reports(RECENT) ({n_recent}) + entries", RECENT, traveler, 1 + 2 * n_recent
        )
        items = [{"reportId": i, "expectedStatus": statuses[i]} for i in ids]
        await measure(
            s,
            f"approveReports ({len(ids)}), report not selected",
            BULK_APPROVE,
            manager,
            2 * len(ids),
            items=items,
        )


if __name__ == "__main__":
    asyncio.run(main())
