"""``make fuzz``: the fuzz checks of ``make test`` for a long run, with counts at the end.

    .venv/bin/python -m tests.fuzz.run --cases 10000

Starts its own gateway process on the embedded sandbox, spreads the cases over every query
and mutation field and raw HTTP requests (``tests.fuzz.raw``), a field whose inputs run out
handing its share on to the next, and never stops at a failure. At the end it prints how
many cases were sent and how many got a 5xx, an ``INTERNAL`` or a body that is not JSON
GraphQL; then each distinct failure (field, and the cause the gateway logged) with how often
it happened and one request and response.
Derandomized: the same number of cases sends the same cases. Exits non-zero when any case
failed.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests
from hypothesis import given, settings

from tests.fuzz.campaign import FAST_PHASES, FUZZ_SETTINGS, AnyCase, Campaign, Outcome, field_labels
from tests.fuzz.causes import correlation_ids, logged_causes
from tests.fuzz.gateway_process import REPEATABLE, gateway_process
from tests.fuzz.raw import RawRequest, raw_requests

DEFAULT_CASES = 10_000
RAW = "raw HTTP"
"""The label of the raw requests' share (``tests.fuzz.raw``), beside the graph's fields."""
KEPT_FAILURES = 2_000
"""Failing cases kept for the report (the counts go on past it)."""


class Tally:
    """Counts over the whole run, and the failing cases to explain at the end."""

    def __init__(self) -> None:
        self.cases = 0
        self.per_field: Counter[str] = Counter()
        self.server_errors = 0
        self.internal = 0
        self.not_graphql = 0
        self.failures: list[tuple[str, Outcome]] = []

    def add(self, label: str, outcome: Outcome) -> None:
        self.cases += 1
        self.per_field[label] += 1
        verdict = outcome.verdict
        self.server_errors += verdict.server_error
        self.internal += verdict.internal
        self.not_graphql += verdict.not_graphql is not None
        if not verdict.ok and len(self.failures) < KEPT_FAILURES:
            self.failures.append((label, outcome))

    def distinct(self, log_path: Path) -> dict[tuple[str, str], list[Outcome]]:
        """Failures grouped by field and cause (what the gateway logged, or the verdict)."""
        causes = logged_causes(log_path)
        groups: dict[tuple[str, str], list[Outcome]] = {}
        for label, outcome in self.failures:
            logged = sorted({causes[i] for i in correlation_ids(outcome.body) if i in causes})
            answer = outcome.body[:60].decode("utf-8", "replace")
            cause = (
                "; ".join(logged) or f"{outcome.verdict.describe()}: HTTP {outcome.status} {answer}"
            )
            groups.setdefault((label, cause), []).append(outcome)
        return groups

    def report(self, log_path: Path, seconds: float) -> str:
        lines = [f"{label:<28} {n:>6} cases" for label, n in self.per_field.items()]
        groups = self.distinct(log_path)
        for (label, cause), outcomes in groups.items():
            lines.append(f"FAILURE x{len(outcomes)} in {label}: {cause}")
            lines.append(f"  e.g. {outcomes[0].describe()}")
        lines.append(
            f"cases={self.cases} 5xx={self.server_errors} INTERNAL={self.internal} "
            f"non_json={self.not_graphql} distinct_failures={len(groups)} "
            f"seconds={seconds:.0f}"
        )
        return "\n".join(lines)


def fuzz_raw(campaign: Campaign, cases: int, tally: Tally) -> None:
    with requests.Session() as session:

        @given(request=raw_requests())
        @settings(FUZZ_SETTINGS, max_examples=cases, derandomize=True, phases=FAST_PHASES)
        def one_request(request: RawRequest) -> None:
            tally.add(RAW, campaign.send_raw(request, session))

        one_request()


def fuzz_field(campaign: Campaign, label: str, cases: int, tally: Tally) -> None:
    """Up to ``cases`` cases for one field; every one counted, none stops the run."""
    if label == RAW:
        fuzz_raw(campaign, cases, tally)
        return
    with requests.Session() as session:

        @given(case=campaign.cases(label))
        @settings(FUZZ_SETTINGS, max_examples=cases, derandomize=True, phases=FAST_PHASES)
        def one_case(case: AnyCase) -> None:
            tally.add(label, campaign.send(case, session))

        one_case()


def run(total: int, log_path: Path) -> Tally:
    tally = Tally()
    with gateway_process(log_path, **REPEATABLE) as gateway:
        campaign = Campaign.start(gateway)
        labels = [*field_labels(), RAW]
        for index, label in enumerate(labels):
            share = math.ceil(max(0, total - tally.cases) / (len(labels) - index))
            if share:
                fuzz_field(campaign, label, share, tally)
            print(f"{label}: {tally.per_field[label]} cases", file=sys.stderr, flush=True)
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=DEFAULT_CASES, help="cases in all")
    parser.add_argument("--log-dir", type=Path, help="where the gateway's log goes (kept)")
    args = parser.parse_args(argv)
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="concur-gateway-fuzz-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "gateway.log"
    started = time.monotonic()
    tally = run(args.cases, log_path)
    print(tally.report(log_path, time.monotonic() - started))
    print(f"gateway log: {log_path}")
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
