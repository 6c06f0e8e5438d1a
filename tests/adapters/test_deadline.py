from __future__ import annotations

import asyncio

from adapters.correlation import CORRELATION_ID, current_correlation_id, new_correlation_id
from adapters.deadline import DEADLINE, call_deadline, deadline_after, remaining


async def test_call_deadline_is_cut_short_by_the_request_deadline() -> None:
    now = asyncio.get_running_loop().time()
    assert call_deadline(10.0) >= now + 10.0
    token = DEADLINE.set(now + 1.0)
    try:
        assert call_deadline(10.0) == now + 1.0
    finally:
        DEADLINE.reset(token)


async def test_deadline_after_never_extends_an_outer_deadline() -> None:
    with deadline_after(1.0) as outer:
        with deadline_after(100.0) as inner:
            assert inner == outer
            assert DEADLINE.get() == outer
        assert 0.0 < remaining(outer) <= 1.0
    assert DEADLINE.get() is None


def test_correlation_ids() -> None:
    assert new_correlation_id() != new_correlation_id()
    token = CORRELATION_ID.set("inbound-id")
    try:
        assert current_correlation_id() == "inbound-id"
    finally:
        CORRELATION_ID.reset(token)
    assert current_correlation_id() != current_correlation_id()
