"""One fuzz campaign against a running gateway: the schema, the callers and one call judged.

The schema is read from the gateway itself (introspection over HTTP), so the fuzzer sees
exactly what a caller sees. Arguments that name Concur objects are drawn half the time from
the sandbox's real ids (report ids, entry ids, status codes, expense types), so cases get
past ``NOT_FOUND`` into the resolvers, the workflow guard and the upstream calls; the other
half stays arbitrary. Each case is sent as the traveler or the manager, picked from the
case's own text, so a replay sends it as the same caller.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import graphql
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.specs.graphql.schemas import GraphQLSchema

from tests.fuzz.causes import cause_of
from tests.fuzz.gateway_process import REPO, GatewayProcess
from tests.fuzz.raw import RawRequest, send_raw
from tests.fuzz.scalars import register_scalars
from tests.fuzz.verdict import Verdict, judge

AnyCase = schemathesis.Case[Any]
"""A generated case, whichever operation it is for."""
CALLERS = ("traveler@example.com", "manager@example.com")
SUBSTITUTION = 0.5
"""How often an argument that names a Concur object gets a real one."""
STATUS_CODES = ("A_NOTF", "A_PEND", "A_APPR", "A_RESU", "A_PECO", "A_EXTV", "A_PBDG", "")
EXPENSE_TYPES = ("AIRFR", "LODNG", "BUSML", "TAXIX", "BRKFT", "DINNR", "CARRT", "NOSUCH")
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "XXX", "usd")
TIMEOUT_S = 30.0
"""Longer than the gateway's own request deadline: a slow answer is the gateway's to give."""

FUZZ_SETTINGS = settings(
    database=None,  # the cases are fixed by the seed, not by what earlier runs found
    deadline=None,  # the gateway's pace is not under test here
    suppress_health_check=list(HealthCheck),  # slow, filtered draws are expected over HTTP
)
"""Hypothesis settings for every fuzz run; callers add the number of cases and the seed."""
FAST_PHASES = (Phase.explicit, Phase.generate)
"""No shrinking: over HTTP it can cost hundreds of calls, and the failing request is shown
whole anyway (``Outcome.describe``)."""
ROOTS = ("Query", "Mutation")
"""Subscriptions go over WebSockets, which schemathesis does not speak; the soak covers them."""

REPORTS = "{ reports(view: RECENT) { id entries { id } } }"
TO_APPROVE = "{ reportsToApprove { id entries { id } } }"


@dataclass(frozen=True)
class Outcome:
    """One case sent: what went out, what came back, and the verdict on it."""

    request: str
    status: int
    body: bytes
    verdict: Verdict

    def describe(self, limit: int = 600) -> str:
        body = self.body.decode("utf-8", "replace")
        return (
            f"{self.verdict.describe()}\n  request: {self.request[:limit]}\n"
            f"  response: HTTP {self.status} {body[:limit]}"
        )


def _gql(gateway: GatewayProcess, token: str, query: str) -> Any:
    response = requests.post(
        gateway.graphql_url,
        json={"query": query},
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT_S,
    )
    response.raise_for_status()
    return response.json()["data"]


def _real_ids(gateway: GatewayProcess, tokens: dict[str, str]) -> tuple[list[str], list[str]]:
    """(report ids, entry ids) the callers can read, as the gateway lists them."""
    reports = _gql(gateway, tokens[CALLERS[0]], REPORTS)["reports"]
    reports += _gql(gateway, tokens[CALLERS[1]], TO_APPROVE)["reportsToApprove"]
    report_ids = sorted({r["id"] for r in reports})
    entry_ids = sorted({e["id"] for r in reports for e in r["entries"]})
    return report_ids, entry_ids


def _bind(dictionary: str, *keys: str) -> dict[str, Any]:
    return {key: {"dictionary": dictionary, "probability": SUBSTITUTION} for key in keys}


def fuzz_config(report_ids: list[str], entry_ids: list[str]) -> schemathesis.Config:
    """Schemathesis settings: real ids in the arguments that name Concur objects."""
    return schemathesis.Config.from_dict(
        {
            "dictionaries": {
                "report-ids": {"values": report_ids},
                "entry-ids": {"values": entry_ids or ["none"]},
                "status-codes": {"values": list(STATUS_CODES)},
                "expense-types": {"values": list(EXPENSE_TYPES)},
                "currencies": {"values": list(CURRENCIES)},
            },
            "parameters": {
                **_bind("report-ids", "*.*.reportId", "*.*.input.reportId", "Query.report.id"),
                **_bind("entry-ids", "Query.entry.id"),
                **_bind("status-codes", "*.*.input.expectedStatus"),
                **_bind("expense-types", "*.*.entries.expenseTypeKey"),
                **_bind("currencies", "*.*.entries.currencyCode"),
            },
        }
    )


def field_labels() -> list[str]:
    """``Query.report``, ``Mutation.approveReport``...: every root field in ``schema.graphql``
    (the SDL the code exports; a test fails when they drift)."""
    sdl = graphql.build_schema((REPO / "schema.graphql").read_text(encoding="utf-8"))
    return [
        f"{root}.{name}" for root in ROOTS for name in getattr(sdl.get_type(root), "fields", {})
    ]


@dataclass(frozen=True)
class Campaign:
    """The loaded schema and the callers' tokens for one running gateway."""

    gateway: GatewayProcess
    schema: GraphQLSchema
    tokens: tuple[str, ...]

    @classmethod
    def start(cls, gateway: GatewayProcess) -> Campaign:
        register_scalars()
        tokens = {login: gateway.user_token(login) for login in CALLERS}
        config = fuzz_config(*_real_ids(gateway, tokens))
        schema = schemathesis.graphql.from_url(
            gateway.graphql_url,
            config=config,
            headers={"Authorization": f"Bearer {tokens[CALLERS[0]]}"},
            timeout=TIMEOUT_S,
        )
        return cls(gateway, schema, tuple(tokens.values()))

    def cases(self, label: str) -> st.SearchStrategy[AnyCase]:
        """Cases for one root field: valid documents, and ones with invalid arguments."""
        operation = self.schema.find_operation_by_label(label)
        if operation is None:
            raise LookupError(f"the gateway does not serve {label}")
        return st.one_of(
            operation.as_strategy(schemathesis.GenerationMode.POSITIVE),
            operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        )

    def send_raw(self, request: RawRequest, session: requests.Session) -> Outcome:
        """Send a raw HTTP request as one of the callers and judge the answer."""
        description = request.describe()
        token = self.token_for(description)
        status, body, content_type = send_raw(self.gateway.graphql_url, token, request, session)
        return Outcome(description, status, body, judge(status, content_type, body))

    def explain(self, outcome: Outcome) -> str:
        """The failure, with the cause the gateway logged for it when there is one."""
        cause = cause_of(outcome.body, self.gateway.log_path)
        logged = f"\n  gateway logged: {cause}" if cause else ""
        return f"{outcome.describe()}{logged}\n  gateway log: {self.gateway.log_path}"

    def token_for(self, body: str) -> str:
        """The caller of a case, from its text: stable across runs and replays."""
        return self.tokens[zlib.crc32(body.encode("utf-8", "surrogatepass")) % len(self.tokens)]

    def send(self, case: AnyCase, session: requests.Session | None = None) -> Outcome:
        """Send the case over HTTP as one of the callers and judge the answer."""
        body = str(case.body)
        token = self.token_for(body)
        response = case.call(
            session=session, headers={"Authorization": f"Bearer {token}"}, timeout=TIMEOUT_S
        )
        content_type = next(
            (v[0] for k, v in response.headers.items() if k.lower() == "content-type" and v), ""
        )
        verdict = judge(response.status_code, content_type, response.content)
        return Outcome(body, response.status_code, response.content, verdict)


__all__ = [
    "CALLERS",
    "FAST_PHASES",
    "FUZZ_SETTINGS",
    "AnyCase",
    "Campaign",
    "Outcome",
    "field_labels",
    "fuzz_config",
]
