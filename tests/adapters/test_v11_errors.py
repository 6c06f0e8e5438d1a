from __future__ import annotations

from adapters.v11.errors import LegacyError, parse_legacy_error


def test_legacy_error_xml() -> None:
    body = (
        b"<Error><Message>Invalid User:someone@example.com</Message>"
        b"<Server-Time>2017-09-27T15:46:57</Server-Time>"
        b"<Id>A55930EA-D39C-463B-A12A-356F4853F27C</Id></Error>"
    )
    assert parse_legacy_error(body) == LegacyError(
        message="Invalid User:someone@example.com",
        error_id="A55930EA-D39C-463B-A12A-356F4853F27C",
    )


def test_nested_message_text_is_joined() -> None:
    body = b"<Error><Message>Bad <b>view</b> name</Message><Id>X</Id></Error>"
    assert parse_legacy_error(body) == LegacyError(message="Bad view name", error_id="X")


def test_legacy_error_json() -> None:
    body = b'{"Error": {"Message": "Nope", "Server-Time": "2019-03-12T07:56:32", "Id": "G"}}'
    assert parse_legacy_error(body) == LegacyError(message="Nope", error_id="G")


def test_unreadable_bodies_give_nothing() -> None:
    assert parse_legacy_error(b"") is None
    assert parse_legacy_error(b"<html>oops</html>") is None
    assert parse_legacy_error(b"<!DOCTYPE x><Error/>") is None
    assert parse_legacy_error(b"{not json") is None
    assert parse_legacy_error(b"{" + b'"a":[' * 5000) is None
    assert parse_legacy_error(b'{"Error":' + b"[" * 5000 + b"]" * 5000 + b"}") is None
