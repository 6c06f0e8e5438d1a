from __future__ import annotations

from adapters.v4.errors import parse_v4_error


def test_error_message_with_validation_errors() -> None:
    body = (
        b'{"timestamp": "2023-04-12T15:22:44.248Z", "httpStatus": "400 - Bad Request",'
        b' "errorMessage": "Validation failed for /expensereports/v4/users/'
        b'32c2fcc3-b2e8-4907-9672-5b3f49b1c643/context/TRAVELER/reports/ABC",'
        b' "errorId": "E1", "path": "/x", "validationErrors": [{"id": "reportSource",'
        b' "source": "reportSource", "message": "reportSource is required"}],'
        b' "customResponseData": null}'
    )
    error = parse_v4_error(body)
    assert error is not None
    assert error.error_id == "E1"
    assert error.message is not None
    assert "32c2fcc3" not in error.message
    assert "/expensereports" not in error.message
    assert [(i.id, i.source, i.message) for i in error.issues] == [
        ("reportSource", "reportSource", "reportSource is required")
    ]


def test_rate_limit_body_shape() -> None:
    body = (
        b'{"timestamp": "t", "httpStatus": "429 - Too Many Requests",'
        b' "error": {"id": "security.rate.limit.reached", "message": "Too many requests"},'
        b' "path": "/p"}'
    )
    error = parse_v4_error(body)
    assert error is not None
    assert error.message == "Too many requests"


def test_unreadable_bodies_give_nothing() -> None:
    assert parse_v4_error(b"") is None
    assert parse_v4_error(b"<html/>") is None
    assert parse_v4_error(b"[1, 2]") is None
    assert parse_v4_error(b"[" * 5000 + b"]" * 5000) is None
    assert parse_v4_error(b'{"errorMessage": "x", "customResponseData": ' + b"[" * 900) is None
