"""The v4 JSON reader: exact amounts, and every hostile document a typed error."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.errors import UpstreamBadResponse
from adapters.v4.wire import MAX_JSON_DEPTH, decode_json


def test_amounts_stay_exact_decimals() -> None:
    document = decode_json(
        b'{"a": 525.00000000, "b": 0E-8, "c": 1234567890.12345678, "d": [12, -12.5]}'
    )
    assert [str(document[k]) for k in "abc"] == ["525.00000000", "0E-8", "1234567890.12345678"]
    assert document["d"] == [12, Decimal("-12.5")]


def test_documents_without_fractions_are_read_as_they_are() -> None:
    assert decode_json(b'{"uri": "https://x/reports/R1", "n": 123456789012345}') == {
        "uri": "https://x/reports/R1",
        "n": 123456789012345,
    }


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # past orjson's own limit
        b"[" * 1000 + b"]" * 1000,  # within orjson's, past Python's recursion limit
        b'{"a":' * (MAX_JSON_DEPTH + 1) + b"1.5" + b"}" * (MAX_JSON_DEPTH + 1),
    ],
    ids=["100000", "1000", "limit+1"],
)
def test_deep_nesting_is_a_bad_response_not_a_recursion_error(body: bytes) -> None:
    with pytest.raises(UpstreamBadResponse, match=r"nested|malformed"):
        decode_json(body, correlation_id="c-1")


@pytest.mark.parametrize(
    "body",
    [b"", b'{"reportId": "R1", "na', b"NaN", b'{"a": Infinity}', b"\xff\xfe{}", b"<html/>"],
)
def test_malformed_json_is_a_bad_response(body: bytes) -> None:
    with pytest.raises(UpstreamBadResponse) as caught:
        decode_json(body, correlation_id="c-1")
    assert caught.value.correlation_id == "c-1"


def test_nesting_up_to_the_limit_is_read() -> None:
    body = b"[" * MAX_JSON_DEPTH + b"1.25" + b"]" * MAX_JSON_DEPTH
    document = decode_json(body)
    for _ in range(MAX_JSON_DEPTH):
        (document,) = document
    assert document == Decimal("1.25")
