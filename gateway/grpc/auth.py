"""Who is calling: the ``authorization`` metadata, checked as HTTP checks its header.

The same rule and check as HTTP (``gateway.auth``: ``Bearer <token>``, verified against
Concur's signing keys, and no token Concur has refused since) give the same principal on
both faces. Unlike GraphQL, which answers ``me``
to anonymous callers, every RPC acts as someone, so a call without a token is refused
before anything runs.
"""

from __future__ import annotations

from typing import Final

from adapters.client import ConcurClient, Credentials
from adapters.errors import credentials_required
from gateway.auth import verified_caller
from gateway.grpc.metadata import Metadata, metadata_value

AUTHORIZATION: Final = "authorization"
"""gRPC metadata keys are lower case on the wire."""


async def authenticate(metadata: Metadata | None, client: ConcurClient) -> Credentials:
    """The caller's verified credentials; ``Unauthenticated`` when missing or refused."""
    credentials = await verified_caller(metadata_value(metadata, AUTHORIZATION), client)
    if credentials is None:
        raise credentials_required()
    return credentials


__all__ = ["AUTHORIZATION", "authenticate"]
