"""The transport against a real HTTP peer: retries, deadlines, the breaker, error mapping."""

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

from adapters.breaker import BreakerRegistry
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
from tests.adapters.peer import Peer, drop, hang, reply, stream

PATH = "/expensereports/v4/users/u-1/reports/R1"
ROUTE = "/expensereports/v4/users/{userId}/reports/{reportId}"


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
) -> UpstreamRequest:
    return UpstreamRequest(
        family=family,
        method=method,
        url=URL(base_url + path),
        route=ROUTE,
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


@pytest.mark.parametrize("operation", [Operation.WRITE, Operation.WORKFLOW])
async def test_action_is_not_retried_after_a_5xx(peer: Peer, operation: Operation) -> None:
    peer.script("PATCH", PATH, reply(500), reply(204))
    async with transport_for(peer) as transport:
        with pytest.raises(UpstreamUnavailable):
            await transport.send(
                request(peer.base_url, method="PATCH", operation=operation, body=b"{}")
            )
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
    caplog.set_level(logging.INFO, logger="adapters.http")
    async with transport_for(peer) as transport:
        await transport.send(request(peer.base_url))
    records = [r for r in caplog.records if r.name == "adapters.http"]
    assert [r.__dict__["attempt"] for r in records] == [1, 2]
    assert [r.__dict__["upstream_status"] for r in records] == [503, 200]
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
