"""Who is on the other end of a GraphQL WebSocket, and how many of them there are.

``bearer_token`` reads ``Authorization: Bearer <token>`` (HTTP, gRPC metadata and the
``connection_init`` payload alike). ``TokenInitHandler`` is Strawberry's
graphql-transport-ws handler with the gateway's rules for a connection: the token may come
in ``connection_init`` (browsers cannot set headers on a WebSocket), each caller holds at
most ``websockets.max_per_principal`` connections, and a connection still anonymous at the
init timeout is closed.
"""

from __future__ import annotations

import asyncio
from typing import Protocol, cast

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from adapters.errors import GatewayError, Unauthenticated
from gateway.connections import ConnectionCounts
from resolvers.context import Context
from resolvers.operations.cache import principal_of


class CountsConnections(Protocol):
    """What this handler needs of the view that runs it (no import of the view itself)."""

    @property
    def connections(self) -> ConnectionCounts: ...

AUTH_SCHEME = "bearer"


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None when there is none."""
    if header is None or not header.strip():
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != AUTH_SCHEME or not token.strip():
        raise Unauthenticated("Send the access token as 'Authorization: Bearer <token>'.")
    return token.strip()


class TokenInitHandler(BaseGraphQLTransportWSHandler[Context, None]):
    """graphql-transport-ws that also takes the token from ``connection_init``.

    Browsers cannot set headers on a WebSocket, so ``{"Authorization": "Bearer <token>"}``
    in the init payload authenticates the connection (its context is rebuilt with those
    credentials before ``connection_ack``); a token Concur would refuse closes it with 4403.
    Without one, the upgrade request's token (or none) stands. Once the caller is known the
    connection counts against ``websockets.max_per_principal`` (4429 beyond it); one still
    anonymous when the init timeout has passed is closed with 4401.
    """

    _principal: str | None = None
    _anonymous_deadline: asyncio.Task[None] | None = None

    @property
    def _connections(self) -> ConnectionCounts:
        return cast("CountsConnections", self.view).connections

    async def handle(self) -> None:
        try:
            await super().handle()
        finally:
            if self._anonymous_deadline is not None:
                self._anonymous_deadline.cancel()
            if self._principal is not None:
                self._connections.release(self._principal)

    def on_request_accepted(self) -> None:
        super().on_request_accepted()
        self._anonymous_deadline = asyncio.create_task(self._close_if_anonymous())

    async def _close_if_anonymous(self) -> None:
        await asyncio.sleep(self.connection_init_wait_timeout.total_seconds())
        if self.context.credentials is None:
            await self.websocket.close(4401, "Unauthorized: send a token in connection_init")

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if not self.connection_init_received:
            if not await self._take_token(message):
                return
            credentials = self.context.credentials
            if credentials is not None and self._principal is None:
                principal = principal_of(credentials)
                if not self._connections.try_claim(principal):
                    await self.websocket.close(4429, "Too many connections for this caller")
                    return
                self._principal = principal
        await super().handle_connection_init(message)

    async def _take_token(self, message: ConnectionInitMessage) -> bool:
        """Rebuild the context from the payload's token; False when it closed the socket."""
        payload = message.get("payload")
        header = (
            payload.get("Authorization", payload.get("authorization"))
            if isinstance(payload, dict)
            else None
        )
        if not isinstance(header, str):
            return True
        try:
            token = bearer_token(header)
            if token is not None:
                credentials = await self.context.operations.client.verify_token(token)
                self.context = Context.build(
                    self.context.operations, credentials, self.context.correlation_id
                )
        except GatewayError as exc:
            refused = isinstance(exc, Unauthenticated)
            await self.websocket.close(
                code=4403 if refused else 4500,
                reason="Forbidden" if refused else "Token check failed",
            )
            return False
        return True


__all__ = ["AUTH_SCHEME", "TokenInitHandler", "bearer_token"]
