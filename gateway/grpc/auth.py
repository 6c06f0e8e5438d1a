"""Who is calling: the ``authorization`` metadata, checked as HTTP checks its header.

The same rule (``Bearer <token>``, ``gateway.view.bearer_token``) and the same check
(``ConcurClient.verify_token``: Concur's signing keys, cached, and no token Concur has
refused since) give the same principal on both faces. Unlike GraphQL, which answers ``me``
to anonymous callers, every RPC acts as someone, so a call without a token is refused
before anything runs.
"""

from __future__ import annotations

from typing import Final

from adapters.client import ConcurClient, Credentials
from gateway.grpc.metadata import Metadata, metadata_value
from gateway.view import bearer_token
from resolvers.operations.loaders import missing_credentials

AUTHORIZATION: Final = "authorization"
"""gRPC metadata keys are lower case on the wire."""


async def authenticate(metadata: Metadata | None, client: ConcurClient) -> Credentials:
    """The caller's verified credentials; ``Unauthenticated`` when missing or refused."""
    token = bearer_token(metadata_value(metadata, AUTHORIZATION))
    if token is None:
        raise missing_credentials()
    return await client.verify_token(token)


__all__ = ["AUTHORIZATION", "authenticate"]
