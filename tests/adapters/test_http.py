"""The transport against a real HTTP peer: retries and their budget, deadlines, the breaker
per endpoint, error mapping, and what an action's unreadable answer means."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from yarl import URL

from adapters.breaker import BreakerRegistry, BreakerState
from adapters.config import UpstreamSettings
from adapters.correlation import CORRELATION_ID
from adapters.deadline import DEADLINE
from adapters.errors import (
    ActionOutcomeUnknown,
    BadUserInput,
    CircuitOpen,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthenticated,
    UnsupportedWorkflowStep,
    UpstreamBadResponse,
    UpstreamTimeout,
    UpstreamUnavailable,
    UpstreamValidationError,
    WorkflowActionFailed,
    WorkflowStepMismatch,
)
from adapters.http import (
    Family,
    Operation,
    Transport,
    UpstreamCallEvent,
    UpstreamRequest,
    open_sessions,
    parse_retry_after,
)
from tests.adapters.peer import Peer, drop, hang, reply, stream, truncated

PATH = "/expensereports/v4/users/u-1/reports/R1"
ROUTE = "/expensereports/v4/users/{userId}/reports/{reportId}"
OTHER_PATH = "/expensereports/v4/users/u-1/reports/R1/costObjectsForApprover"
OTHER_ROUTE = "/expensereports/v4/users/{userId}/reports/{reportId}/costObjectsForApprover"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def transport_for(
    peer: Peer,
    *,
    clock: Callable[[], float] | None = None,
    events: list[UpstreamCallEvent] | None = None,
    **overrides: Any,
) -> AsyncIterator[Transport]:
    settings = UpstreamSettings(
        base_url=peer.base_url,
        backoff_initial_s=0.001,
        backoff_max_s=0.005,
        **overrides,
    )
    async with open_sessions(settings) as sessions:
        yield Transport(
            sessions=sessions,
            settings=settings,
            breakers=BreakerRegistry(
                failure_threshold=settings.breaker_failure_threshold,
                reset_s=settings.breaker_reset_s,
                half_open_trials=settings.breaker_half_open_trials,
                clock=clock or asyncio.get_running_loop().time,
            ),
            on_upstream_call=events.append if events is not None else None,
        )


def request(
    base_url: str,
    path: str = PATH,
    *,
    family: Family = Family.V4,
    method: str = "GET",
    operation: Operation = Operation.READ,
    body: bytes | None = None,
    expected_step: bool = False,
    route: str = ROUTE,
) -> UpstreamRequest:
    return UpstreamRequest(
        family=family,
        method=method,
        url=URL(base_url + path),
        route=route,
        operation=operation,
        token="secret-token",
        body=body,
        content_type="application/json" if body is not None else None,
        expected_step=expected_step,
    )


def v4_error(status: str, message: str, **extra: Any) -> bytes:
    return json.dumps(
        {
            "timestamp": "2024-01-01T00:00:00.000Z",
            "httpStatus": status,
            "errorMessage": message,
            "errorId": "E-1",
            "path": PATH,
            **extra,
        }
    ).encode()


# -- reads retry, writes never ---------------------------------------------------------


async def test_read_is_retried_after_a_5xx(peer: Peer) -> None:
    peer.script("GET", PATH, reply(500), reply(200, b'{"ok": true}'))
    events: list[UpstreamCallEvent] = []
    async with transport_for(peer, events=events) as transport:
        response = await transport.send(request(peer.base_url))
    assert response.status == 200
    assert response.body == b'{"ok": true}'
    assert peer.count("GET", PATH) == 2
    assert [(e.attempt, e.status, e.outcome) for e in events] == [
        (1, 500, "UPSTREAM_UNAVAILABLE"),
        (2, 200, "ok"),
    ]


async def test_read_retries_are_bounded(peer: Peer) -> None:
    peer.script("GET", PATH, reply(503))
    async with transport_for(peer, read_retries=2) as transport:
        with pytest.raises(UpstreamUnavailable) as caught:
            await transport.send(request(peer.base_url))
    assert peer.count("GET", PATH) == 3
    assert "503" in caught.value.message


async def test_read_is_retried_after_a_dropped_connection(peer: Peer) -> None:
    peer.script("GET", PATH, drop(), reply(200, b"{}"))
    async with transport_for(peer) as transport:
        response = await transport.send(request(peer.base_url))
    assert response.status == 200
    assert peer.count("GET", PATH) == 2


async def test_a_dropped_connection_costs_exactly_the_attempts_we_count(peer: Peer) -> None:
    """aiohttp's silent re-send of idempotent requests is off: every request Concur sees
    is an attempt of ours, logged and reported."""
    peer.script("GET", PATH, reply(200, b"{}"), drop())
    events: list[UpstreamCallEvent] = []
    async with transport_for(peer, events=events, read_retries=2) as transport:
        await transport.send(request(peer.base_url))  # a kept-alive connection to reuse
        with pytest.raises(UpstreamUnavailable):
            await transport.send(request(peer.base_url))
    assert peer.count("GET", PATH) == 1 + 3
    assert [(e.attempt, e.outcome) for e in events[1:]] == [
        (1, "UPSTREAM_UNAVAILABLE"),
        (2, "UPSTREAM_UNAVAILABLE"),
        (3, "UPSTREAM_UNAVAILABLE"),
    ]


@pytest.mark.parametrize("status", [500, 502, 503, 504])
@pytest.mark.parametrize("operation", [Operation.WRITE, Operation.WORKFLOW])
async def test_a_5xx_on_an_action_leaves_its_outcome_unknown(
    peer: Peer, operation: Operation, status: int
) -> None:
    """Concur may have applied the action before failing: never a plain "unavailable",
    which would invite the caller to send it again; and never re-sent by us."""
    peer.script("PATCH", PATH, reply(status), reply(204))
    async with transport_for(peer) as transport:
        with pytest.raises(ActionOutcomeUnknown) as caught:
            await transport.send(
                request(peer.base_url, method="PATCH", operation=operation, body=b"{}")
            )
    assert caught.value.code == "ACTION_OUTCOME_UNKNOWN"
    assert peer.count("PATCH", PATH) == 1


@pytest.mark.parametrize("operation", [Operation.WRITE, Operation.WORKFLOW])
async def test_dropped_action_has_an_unknown_outcome(peer: Peer, operation: Operation) -> None:
    peer.script("PATCH", PATH, drop(), reply(204))
    async with transport_for(peer) as transport:
        with pytest.raises(ActionOutcomeUnknown):
            await transport.send(
                request(peer.base_url, method="PATCH", operation=operation, body=b"{}")
            )
    assert peer.count("PATCH", PATH) == 1


async def test_action_timing_out_after_sending_has_an_unknown_outcome(peer: Peer) -> None:
    peer.script("PATCH", PATH, hang(peer.release))
    async with transport_for(peer, deadline_s=0.2) as transport:
        with pytest.raises(ActionOutcomeUnknown):
            await transport.send(
                request(peer.base_url, method="PATCH", operation=Operation.WORKFLOW, body=b"{}")
            )
    assert peer.count("PATCH", PATH) == 1


async def test_refused_connection_on_an_action_is_plainly_unavailable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    settings = UpstreamSettings(base_url=base_url)
    async with open_sessions(settings) as sessions:
        transport = Transport(
            sessions=sessions,
            settings=settings,
            breakers=BreakerRegistry(failure_threshold=5, reset_s=30, clock=Clock()),
        )
        with pytest.raises(UpstreamUnavailable) as caught:
            await transport.send(
                request(base_url, method="PATCH", operation=Operation.WORKFLOW, body=b"{}")
            )
    assert not isinstance(caught.value, ActionOutcomeUnknown)


async def test_read_timing_out_is_an_upstream_timeout_within_the_deadline(peer: Peer) -> None:
    peer.script("GET", PATH, hang(peer.release))
    async with transport_for(peer, deadline_s=0.2, read_retries=5) as transport:
        with pytest.raises(UpstreamTimeout):
            await transport.send(request(peer.base_url))
    # The deadline covers every attempt: no retry can start once it is spent.
    assert 1 <= peer.count("GET", PATH) <= 6


async def test_request_deadline_already_passed_sends_nothing(peer: Peer) -> None:
    peer.script("GET", PATH, reply(200))
    async with transport_for(peer) as transport:
        token = DEADLINE.set(asyncio.get_running_loop().time() - 1)
        try:
            with pytest.raises(UpstreamTimeout):
                await transport.send(request(peer.base_url))
        finally:
            DEADLINE.reset(token)
    assert peer.seen == []


# -- 429 and Retry-After ---------------------------------------------------------------


async def test_rate_limited_read_honours_retry_after_then_succeeds(peer: Peer) -> None:
    peer.script("GET", PATH, reply(429, headers={"Retry-After": "0"}), reply(200, b"[]"))
    async with transport_for(peer) as transport:
        response = await transport.send(request(peer.base_url))
    assert response.body == b"[]"
    assert peer.count("GET", PATH) == 2


async def test_retry_after_beyond_the_deadline_gives_up_at_once(peer: Peer) -> None:
    body = (
        b'{"timestamp": "t", "httpStatus": "429 - Too Many Requests", "error": '
        b'{"id": "security.rate.limit.reached", "message": "Too many requests"}, "path": "/p"}'
    )
    peer.script("GET", PATH, reply(429, body, headers={"Retry-After": "120"}))
    async with transport_for(peer, deadline_s=5) as transport:
        with pytest.raises(RateLimited) as caught:
            await transport.send(request(peer.base_url))
    assert caught.value.retry_after == 120
    assert peer.count("GET", PATH) == 1


def test_retry_after_forms() -> None:
    assert parse_retry_after("3") == 3
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after("-1") == 0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0


# -- circuit breaker -------------------------------------------------------------------


async def test_breaker_opens_fails_fast_and_closes_after_a_good_trial(peer: Peer) -> None:
    clock = Clock()
    peer.script("GET", PATH, reply(500), reply(500), reply(200, b"{}"))
    async with transport_for(
        peer, clock=clock, read_retries=0, breaker_failure_threshold=2, breaker_reset_s=30
    ) as transport:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await transport.send(request(peer.base_url))
        with pytest.raises(CircuitOpen):
            await transport.send(request(peer.base_url))
        assert peer.count("GET", PATH) == 2  # the open circuit sent nothing
        clock.now += 30
        assert (await transport.send(request(peer.base_url))).status == 200
        assert (await transport.send(request(peer.base_url))).status == 200
    assert peer.count("GET", PATH) == 4


async def test_open_circuit_is_not_retried(peer: Peer) -> None:
    clock = Clock()
    peer.script("GET", PATH, reply(502))
    async with transport_for(
        peer, clock=clock, read_retries=5, breaker_failure_threshold=2
    ) as transport:
        with pytest.raises(CircuitOpen):
            await transport.send(request(peer.base_url))
    assert peer.count("GET", PATH) == 2


async def test_client_errors_do_not_trip_the_breaker(peer: Peer) -> None:
    peer.script("GET", PATH, reply(404, v4_error("404 - Not Found", "no report")))
    async with transport_for(peer, breaker_failure_threshold=1) as transport:
        for _ in range(3):
            with pytest.raises(NotFound):
                await transport.send(request(peer.base_url))


async def test_one_failing_endpoint_opens_only_its_own_breaker(peer: Peer) -> None:
    """Other routes' successes neither hide its failures nor share its fate."""
    clock = Clock()
    peer.script("GET", PATH, reply(500))
    peer.script("GET", OTHER_PATH, reply(200, b"[]"))
    failing = request(peer.base_url)
    healthy = request(peer.base_url, OTHER_PATH, route=OTHER_ROUTE)
    async with transport_for(
        peer, clock=clock, read_retries=0, breaker_failure_threshold=3
    ) as transport:
        for _ in range(3):
            with pytest.raises(UpstreamUnavailable):
                await transport.send(failing)
            assert (await transport.send(healthy)).status == 200
        with pytest.raises(CircuitOpen):
            await transport.send(failing)
        assert (await transport.send(healthy)).status == 200
        states = transport.breaker_states()
    assert peer.count("GET", PATH) == 3
    assert states == {
        f"GET {peer.base_url}{ROUTE}": BreakerState.OPEN,
        f"GET {peer.base_url}{OTHER_ROUTE}": BreakerState.CLOSED,
    }


async def test_after_recovery_a_whole_fan_out_gets_through(peer: Peer) -> None:
    """Half-open admits several trials at once, so the first query after a recovery (here
    eight parallel reads of one route) succeeds instead of failing fast."""
    clock = Clock()
    peer.script("GET", PATH, reply(503), reply(503), reply(200, b"{}"))
    async with transport_for(
        peer, clock=clock, read_retries=0, breaker_failure_threshold=2, breaker_half_open_trials=8
    ) as transport:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await transport.send(request(peer.base_url))
        clock.now += 30
        answers = await asyncio.gather(*(transport.send(request(peer.base_url)) for _ in range(8)))
        assert transport.breaker_states()[f"GET {peer.base_url}{ROUTE}"] is BreakerState.CLOSED
    assert [a.status for a in answers] == [200] * 8


async def test_a_callers_bad_data_opens_no_breaker_for_anyone(peer: Peer) -> None:
    body = v4_error("400 - Bad Request", "Validation failed")
    peer.script("PATCH", PATH, reply(400, body))
    peer.script("GET", PATH, reply(200, b"{}"))
    async with transport_for(peer, breaker_failure_threshold=1) as transport:
        for _ in range(5):
            with pytest.raises(BadUserInput):
                await transport.send(
                    request(peer.base_url, method="PATCH", operation=Operation.WRITE, body=b"{}")
                )
        assert (await transport.send(request(peer.base_url))).status == 200
        assert set(transport.breaker_states().values()) == {BreakerState.CLOSED}


# -- retry budget ----------------------------------------------------------------------


async def test_retries_under_a_persistent_failure_are_bounded_by_the_budget(
    peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    """Three tokens, three retries allowed per read: the first read spends them all and
    every later read fails at its first error, however many there are."""
    peer.script("GET", PATH, reply(503))
    caplog.set_level(logging.WARNING, logger="adapters.http")
    events: list[UpstreamCallEvent] = []
    async with transport_for(
        peer,
        events=events,
        read_retries=3,
        retry_budget_tokens=3,
        breaker_failure_threshold=1000,
    ) as transport:
        for _ in range(10):
            with pytest.raises(UpstreamUnavailable):
                await transport.send(request(peer.base_url))
    retries = [e for e in events if e.attempt > 1]
    assert len(retries) == 3
    assert peer.count("GET", PATH) == 10 + 3
    refused = [r for r in caplog.records if r.getMessage().startswith("retry budget spent")]
    assert len(refused) == 9
    assert {r.__dict__["upstream_route"] for r in refused} == {ROUTE}


async def test_answers_refill_the_budget(peer: Peer) -> None:
    peer.script("GET", PATH, reply(503), reply(200, b"{}"), reply(200, b"{}"), reply(503))
    async with transport_for(
        peer, read_retries=1, retry_budget_tokens=1, retry_budget_refill=0.5
    ) as transport:
        # 503 → retry (the one token) → 200 (+0.5); 200 (+0.5): one token again
        assert (await transport.send(request(peer.base_url))).status == 200
        assert (await transport.send(request(peer.base_url))).status == 200
        with pytest.raises(UpstreamUnavailable):
            await transport.send(request(peer.base_url))  # 503 → retry (spent) → 503
    assert peer.count("GET", PATH) == 5


async def test_budgets_are_kept_per_endpoint(peer: Peer) -> None:
    peer.script("GET", PATH, reply(503))
    peer.script("GET", OTHER_PATH, reply(503), reply(200, b"[]"))
    async with transport_for(
        peer, read_retries=1, retry_budget_tokens=1, retry_budget_refill=0
    ) as transport:
        for _ in range(2):
            with pytest.raises(UpstreamUnavailable):
                await transport.send(request(peer.base_url))
        other = await transport.send(request(peer.base_url, OTHER_PATH, route=OTHER_ROUTE))
    assert other.status == 200
    assert peer.count("GET", PATH) == 3


# -- answers that cannot be read -------------------------------------------------------


async def test_a_read_cut_short_is_a_bad_response(peer: Peer) -> None:
    peer.script("GET", PATH, truncated(b'{"reportId": "R1", "na', declared=400))
    async with transport_for(peer, read_retries=0) as transport:
        with pytest.raises(UpstreamBadResponse):
            await transport.send(request(peer.base_url))


@pytest.mark.parametrize(
    ("family", "handler"),
    [
        (Family.V4, truncated(b'{"uri": "https://x/rep', declared=400, status=201)),
        (Family.V4, reply(200, b'{"uri": "https://x/rep')),
        (Family.V4, reply(200, b"[" * 5000 + b"]" * 5000)),
        (Family.XML, reply(200, b"<ActionStatus><Status>SUCC", content_type="application/xml")),
        (
            Family.XML,
            reply(
                200,
                b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><ActionStatus>&x;'
                b"</ActionStatus>",
                content_type="application/xml",
            ),
        ),
    ],
    ids=["cut-short", "malformed-json", "nested-json", "malformed-xml", "hostile-xml"],
)
async def test_an_unreadable_answer_to_an_action_leaves_its_outcome_unknown(
    peer: Peer, family: Family, handler: Any
) -> None:
    peer.script("POST", PATH, handler)
    async with transport_for(peer) as transport:
        with pytest.raises(ActionOutcomeUnknown):
            await transport.send(
                request(
                    peer.base_url,
                    family=family,
                    method="POST",
                    operation=Operation.WORKFLOW,
                    body=b"{}",
                )
            )
    assert peer.count("POST", PATH) == 1


async def test_a_readable_refusal_of_an_action_stays_a_refusal(peer: Peer) -> None:
    peer.script("PATCH", PATH, reply(403, v4_error("403 - Forbidden", "not the approver")))
    async with transport_for(peer) as transport:
        with pytest.raises(Forbidden):
            await transport.send(
                request(peer.base_url, method="PATCH", operation=Operation.WORKFLOW, body=b"{}")
            )


# -- bodies ----------------------------------------------------------------------------


async def test_oversized_body_is_refused(peer: Peer) -> None:
    peer.script("GET", PATH, reply(200, b"x" * 2048, content_type="application/xml"))
    async with transport_for(peer, max_xml_bytes=1024, read_retries=0) as transport:
        with pytest.raises(UpstreamBadResponse, match="1024"):
            await transport.send(request(peer.base_url, family=Family.XML))


async def test_oversized_streamed_body_is_refused_while_reading(peer: Peer) -> None:
    peer.script("GET", PATH, stream(b"y" * 1000, 50))
    async with transport_for(peer, max_json_bytes=10_000, read_retries=0) as transport:
        with pytest.raises(UpstreamBadResponse):
            await transport.send(request(peer.base_url))


# -- headers, correlation, logging -----------------------------------------------------


async def test_auth_scheme_per_family_and_correlation_id(peer: Peer) -> None:
    peer.script("GET", PATH, reply(200, headers={"concur-correlationid": "concur-side"}))
    events: list[UpstreamCallEvent] = []
    token = CORRELATION_ID.set("our-request-id")
    try:
        async with transport_for(peer, events=events) as transport:
            v4 = await transport.send(request(peer.base_url))
            await transport.send(request(peer.base_url, family=Family.XML))
    finally:
        CORRELATION_ID.reset(token)
    first, second = peer.seen
    assert first.headers["Authorization"] == "Bearer secret-token"
    assert second.headers["Authorization"] == "OAuth secret-token"
    assert first.headers["concur-correlationid"] == "our-request-id"
    assert second.headers["Accept"] == "application/xml"
    assert v4.correlation_id == "concur-side"
    assert events[0].upstream_correlation_id == "concur-side"
    assert events[0].correlation_id == "our-request-id"


async def test_one_log_line_per_attempt_without_ids_or_tokens(
    peer: Peer, caplog: pytest.LogCaptureFixture
) -> None:
    peer.script("GET", PATH, reply(503), reply(200))
    caplog.set_level(logging.DEBUG, logger="adapters.http")
    async with transport_for(peer) as transport:
        await transport.send(request(peer.base_url))
    records = [r for r in caplog.records if r.name == "adapters.http"]
    assert [r.__dict__["attempt"] for r in records] == [1, 2]
    assert [r.__dict__["upstream_status"] for r in records] == [503, 200]
    assert [r.levelno for r in records] == [logging.INFO, logging.DEBUG], "a 2xx only at DEBUG"
    for record in records:
        assert record.__dict__["upstream_route"] == ROUTE
        assert record.__dict__["upstream_protocol"] == "v4"
        assert record.__dict__["duration_ms"] >= 0
        assert "secret-token" not in record.getMessage()
        assert "u-1" not in record.getMessage()


# -- status → error --------------------------------------------------------------------


async def test_upstream_correlation_id_is_kept_on_errors(peer: Peer) -> None:
    peer.script(
        "GET",
        PATH,
        reply(
            403,
            v4_error("403 - Forbidden", "no access"),
            headers={"concur-correlationid": "c-403"},
        ),
    )
    async with transport_for(peer) as transport:
        with pytest.raises(Forbidden) as caught:
            await transport.send(request(peer.base_url))
    assert caught.value.correlation_id == "c-403"
    assert "no access" in caught.value.message


@pytest.mark.parametrize(
    ("operation", "expected_step", "message", "error"),
    [
        (Operation.WRITE, False, "Report is not submittable", Conflict),
        (Operation.WORKFLOW, True, "Conflict", WorkflowStepMismatch),
        (Operation.WORKFLOW, False, "expectedStepSequence does not match", WorkflowStepMismatch),
        (Operation.WORKFLOW, False, "Report is in the wrong state", WorkflowActionFailed),
    ],
)
async def test_conflicts(
    peer: Peer, operation: Operation, expected_step: bool, message: str, error: type[Exception]
) -> None:
    peer.script("PATCH", PATH, reply(409, v4_error("409 - Conflict", message)))
    async with transport_for(peer) as transport:
        with pytest.raises(error):
            await transport.send(
                request(
                    peer.base_url,
                    method="PATCH",
                    operation=operation,
                    body=b"{}",
                    expected_step=expected_step,
                )
            )


async def test_validation_errors(peer: Peer) -> None:
    body = v4_error(
        "400 - Bad Request",
        "Validation failed",
        validationErrors=[
            {"id": "reportSource", "source": "reportSource", "message": "is required"}
        ],
    )
    peer.script("PATCH", PATH, reply(400, body))
    async with transport_for(peer) as transport:
        with pytest.raises(UpstreamValidationError) as caught:
            await transport.send(
                request(peer.base_url, method="PATCH", operation=Operation.WRITE, body=b"{}")
            )
    assert caught.value.field == "report_source"
    assert [(i.id, i.message) for i in caught.value.issues] == [("reportSource", "is required")]
    assert caught.value.code == "BAD_USER_INPUT"


async def test_processor_step_is_unsupported(peer: Peer) -> None:
    message = (
        "This API is not supported for the Processor role or expense reports pending the "
        "Processor workflow step."
    )
    peer.script("PATCH", PATH, reply(400, v4_error("400 - Bad Request", message)))
    async with transport_for(peer) as transport:
        with pytest.raises(UnsupportedWorkflowStep):
            await transport.send(
                request(peer.base_url, method="PATCH", operation=Operation.WORKFLOW, body=b"{}")
            )


async def test_plain_bad_request(peer: Peer) -> None:
    peer.script("GET", PATH, reply(400, b"<Error><Message>Bad view</Message></Error>"))
    async with transport_for(peer) as transport:
        with pytest.raises(BadUserInput) as caught:
            await transport.send(request(peer.base_url, family=Family.XML))
    assert "Bad view" in caught.value.message


async def test_unauthenticated_message_hides_urls_and_ids(peer: Peer) -> None:
    legacy = (
        b"<Error><Message>Token expired for user 32c2fcc3-b2e8-4907-9672-5b3f49b1c643 at "
        b"https://host/api/expense/expensereport/v1.1/ReportsList/ACTIVE</Message>"
        b"<Server-Time>2017-09-27T15:46:57</Server-Time><Id>X</Id></Error>"
    )
    peer.script("GET", PATH, reply(401, legacy, content_type="application/xml"))
    async with transport_for(peer) as transport:
        with pytest.raises(Unauthenticated) as caught:
            await transport.send(request(peer.base_url, family=Family.XML))
    assert "Token expired" in caught.value.message
    assert "32c2fcc3" not in caught.value.message
    assert "https://" not in caught.value.message
    assert "secret-token" not in caught.value.message
