"""The GraphQL endpoint: Strawberry's aiohttp view with our context, codec and auth.

Before Strawberry runs, the caller's bearer token becomes ``Credentials`` (checked against
Concur's signing keys, no upstream call per request once the keys are cached): no token
means an anonymous context; a token Concur would refuse is answered with one
``UNAUTHENTICATED`` GraphQL error (HTTP 401) before anything runs, WebSocket upgrades
included. Each HTTP request runs under the upstream deadline.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

import orjson
from aiohttp import web
from cross_web import AiohttpHTTPRequestAdapter, AsyncHTTPRequestAdapter
from strawberry.aiohttp.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage
from strawberry.types import ExecutionResult

from adapters.client import Credentials
from adapters.correlation import CORRELATION_ID
from adapters.deadline import deadline_after
from adapters.errors import GatewayError, RateLimited, Unauthenticated, UpstreamError
from gateway.apq import PERSISTED_QUERIES, PersistedQueryError, resolve_documents
from gateway.cache.response import answer
from gateway.error_mapping import Phase, map_error
from gateway.graphiql.page import GraphiQLPage
from gateway.resources import OPERATIONS
from gateway.shutdown import track_websocket
from gateway.upstream import CLIENT
from resolvers.context import Context

logger = logging.getLogger(__name__)

AUTH_SCHEME = "bearer"
CREDENTIALS = web.RequestKey("credentials", Credentials)
"""The caller's verified credentials, set before Strawberry runs (absent when anonymous)."""


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
    Without one, the upgrade request's token (or none) stands.
    """

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        payload = message.get("payload")
        header = (
            payload.get("Authorization", payload.get("authorization"))
            if isinstance(payload, dict)
            else None
        )
        if isinstance(header, str) and not self.connection_init_received:
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
                return
        await super().handle_connection_init(message)


class GatewayView(GraphQLView[Context, None]):
    """Thin: Strawberry does the HTTP work, the schema's extensions do limits and errors."""

    graphql_transport_ws_handler_class = TokenInitHandler

    def __init__(
        self,
        schema: BaseSchema,
        *,
        graphiql: GraphiQLPage | None,
        deadline_s: float,
        subscription_protocols: Sequence[str] = (GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection: int | None = 10,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql is not None else None,
            allow_queries_via_get=True,
            subscription_protocols=subscription_protocols,
            connection_init_wait_timeout=timedelta(seconds=10),
            max_subscriptions_per_connection=max_subscriptions_per_connection,
        )
        self.deadline_s = deadline_s
        self.graphiql = graphiql

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._serve(request)  # a connection has no single deadline
        with deadline_after(self.deadline_s):
            return await self._serve(request)

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        try:  # before anything else, a WebSocket upgrade included
            credentials = await self.authenticate(request)
        except GatewayError as exc:
            return self.error_response(exc)
        if credentials is not None:
            request[CREDENTIALS] = credentials
        return await answer(request, credentials, lambda: self._execute(request))

    async def _execute(self, request: web.Request) -> web.StreamResponse:
        try:
            return await super().__call__(request)
        except PersistedQueryError as exc:  # raised while parsing, before execution
            return self.error_response(exc, status=exc.http_status)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """Strawberry's parsing, then APQ: a persisted query's hash becomes its document."""
        data = await super().parse_http_body(request)
        if isinstance(request, AiohttpHTTPRequestAdapter):
            await resolve_documents(request.request.app.get(PERSISTED_QUERIES), data)
        return data

    def should_render_graphql_ide(self, request: BaseRequestProtocol) -> bool:
        """A GET with a persisted query's hash and no document is a query, not a browser."""
        return super().should_render_graphql_ide(request) and (
            "extensions" not in request.query_params
        )

    async def render_graphql_ide(self, request: web.Request) -> web.Response:
        """Our GraphiQL page (bundled assets, strict CSP), never Strawberry's CDN one."""
        if self.graphiql is None:
            raise web.HTTPNotFound()
        return self.graphiql.render(request)

    async def create_websocket_response(
        self, request: web.Request, subprotocol: str | None
    ) -> web.WebSocketResponse:
        ws = await super().create_websocket_response(request, subprotocol)
        track_websocket(request.app, ws)  # closed with "going away" on shutdown
        return ws

    async def authenticate(self, request: web.Request) -> Credentials | None:
        token = bearer_token(request.headers.get("Authorization"))
        if token is None:
            return None
        return await request.app[CLIENT].verify_token(token)

    async def get_context(
        self, request: web.Request, response: web.Response | web.WebSocketResponse
    ) -> Context:
        del response
        credentials = request.get(CREDENTIALS)
        return Context.build(request.app[OPERATIONS], credentials, CORRELATION_ID.get())

    def error_response(self, error: GatewayError, *, status: int | None = None) -> web.Response:
        """A GraphQL error document for a request refused before execution."""
        status = status or (
            401
            if isinstance(error, Unauthenticated)
            else 429
            if isinstance(error, RateLimited)
            else 503
        )
        if isinstance(error, UpstreamError):
            logger.warning("token check failed upstream", extra={"code": error.code})
        body = {
            "data": None,
            "errors": [
                {
                    "message": error.message,
                    "extensions": {
                        "code": error.code,
                        "correlationId": error.correlation_id or CORRELATION_ID.get(),
                    },
                }
            ],
        }
        headers = {"WWW-Authenticate": 'Bearer realm="concur-gateway"'} if status == 401 else None
        return web.Response(
            body=orjson.dumps(body),
            status=status,
            content_type="application/json",
            headers=headers,
        )

    async def process_result(
        self, request: web.Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        """Map any error the schema's extension did not see (raised around the operation)."""
        del request
        if result.errors:
            result.errors = [map_error(error, Phase.EXECUTE) for error in result.errors]
        return process_result(result)

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> str:
        # str, not bytes: the WebSocket adapter sends bytes as binary frames, which
        # graphql-transport-ws clients refuse. HTTP responses skip this (create_response).
        return orjson.dumps(data).decode()

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: web.Response,
    ) -> web.Response:
        sub_response.body = orjson.dumps(response_data)
        sub_response.content_type = "application/json"
        return sub_response


__all__ = ["CREDENTIALS", "GatewayView", "TokenInitHandler", "bearer_token"]
