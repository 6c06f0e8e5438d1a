"""Raw HTTP requests to ``/graphql`` that no GraphQL client would send.

Schemathesis sends well-formed GraphQL over well-formed JSON; a caller can send anything:
bodies that are not JSON or not objects, invalid UTF-8, fields of the wrong type, odd
content types, huge nesting, bodies past the size limit. The gateway must still
answer each with a JSON GraphQL error (``tests.fuzz.verdict``), never a 5xx.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from hypothesis import strategies as st

VALID_QUERY = "query($id: ID!) { report(id: $id) { id name } }"
CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/json; charset=utf-16",
    "application/graphql",
    "application/graphql-response+json",
    "text/plain",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "",
)
METHODS = ("POST", "POST", "POST", "GET")
"""The methods GraphQL over HTTP defines for the endpoint; others are the router's business."""
LIMIT_BYTES = 262_144
"""The gateway's default ``limits.max_body_bytes``: one past it must be refused cleanly."""


@dataclass(frozen=True)
class RawRequest:
    method: str
    content_type: str
    body: bytes
    params: tuple[tuple[str, str], ...] = ()

    def describe(self, limit: int = 300) -> str:
        return (
            f"{self.method} Content-Type={self.content_type!r} params={self.params!r} "
            f"body={self.body[:limit]!r}{'...' if len(self.body) > limit else ''}"
        )


def _json(value: Any) -> bytes:
    return json.dumps(value).encode()


_ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
_PERSISTED = st.fixed_dictionaries({"version": _ANY_JSON}, optional={"sha256Hash": _ANY_JSON})
_PAYLOAD_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "query": st.one_of(st.just(VALID_QUERY), _ANY_JSON),
        "variables": st.one_of(st.fixed_dictionaries({"id": _ANY_JSON}), _ANY_JSON),
        "operationName": _ANY_JSON,
        "extensions": st.one_of(
            st.fixed_dictionaries({"persistedQuery": _ANY_JSON}),
            st.fixed_dictionaries(
                {
                    "persistedQuery": st.fixed_dictionaries(
                        {"version": _ANY_JSON}, optional={"sha256Hash": _ANY_JSON}
                    )
                }
            ),
            _ANY_JSON,
        ),
    },
)


def _bodies() -> st.SearchStrategy[bytes]:
    valid = _json({"query": VALID_QUERY, "variables": {"id": "x"}})
    return st.one_of(
        _PAYLOAD_FIELDS.map(_json),
        _ANY_JSON.map(_json),
        st.binary(max_size=512),
        st.text(max_size=512).map(lambda text: text.encode("utf-8", "surrogatepass")),
        st.integers(min_value=0, max_value=len(valid) - 1).map(lambda cut: valid[:cut]),
        st.sampled_from(
            [
                b"",
                b'{"query": "\xff\xfe"}',
                b"[" * 100_000,
                b'{"a":' * 50_000,
                _json([{"query": VALID_QUERY}] * 3),
                b"x" * (LIMIT_BYTES + 1),
                _json({"query": "{" * 5_000}),
                _json({"query": "{ me { id } }", "variables": {"deep": [[[[[[[[[[1]]]]]]]]]]}}),
            ]
        ),
    )


def _params() -> st.SearchStrategy[tuple[tuple[str, str], ...]]:
    names = st.sampled_from(("query", "variables", "operationName", "extensions", "x"))
    return st.lists(st.tuples(names, st.text(max_size=64)), max_size=3).map(tuple)


def raw_requests() -> st.SearchStrategy[RawRequest]:
    return st.builds(
        RawRequest,
        method=st.sampled_from(METHODS),
        content_type=st.sampled_from(CONTENT_TYPES),
        body=_bodies(),
        params=_params(),
    )


def send_raw(
    url: str, token: str, request: RawRequest, session: requests.Session
) -> tuple[int, bytes, str]:
    """Send it as is; (status, body, content type of the answer)."""
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if request.content_type:
        headers["Content-Type"] = request.content_type
    response = session.request(
        request.method,
        url,
        params=list(request.params),
        data=request.body,
        headers=headers,
        timeout=30,
    )
    return response.status_code, response.content, response.headers.get("Content-Type", "")


__all__ = ["RawRequest", "raw_requests", "send_raw"]
