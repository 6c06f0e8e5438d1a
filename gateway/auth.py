"""Who is calling, the same way on every face: HTTP, WebSocket ``connection_init`` and gRPC.

A caller names itself with ``Authorization: Bearer <token>`` (an HTTP header, a key of the
``connection_init`` payload, or gRPC metadata); the token is Concur's own access token and
is checked against Concur's signing keys (``ConcurClient.verify_token``, which also refuses
a token Concur has refused since). Without a header the caller is anonymous; a header in
any other form is ``Unauthenticated``, never silently ignored.
"""

from __future__ import annotations

from typing import Final

from adapters.client import ConcurClient, Credentials
from adapters.errors import Unauthenticated

AUTH_SCHEME: Final = "bearer"


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when there is none."""
    if header is None or not header.strip():
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != AUTH_SCHEME or not token.strip():
        raise Unauthenticated("Send the access token as 'Authorization: Bearer <token>'.")
    return token.strip()


async def verified_caller(header: str | None, client: ConcurClient) -> Credentials | None:
    """The caller's verified credentials, or None for a request without a token."""
    token = bearer_token(header)
    if token is None:
        return None
    return await client.verify_token(token)


__all__ = ["AUTH_SCHEME", "bearer_token", "verified_caller"]
