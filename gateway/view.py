"""The GraphQL endpoint: Strawberry's aiohttp view with our context, codec and auth.

Before Strawberry runs, the caller's bearer token becomes ``Credentials`` (checked against
Concur's signing keys, no upstream call per request once the keys are cached): no token
means an anonymous context; a token Concur would refuse is answered with one
``UNAUTHENTICATED`` GraphQL error (HTTP 401) before anything runs, WebSocket upgrades
included. Each HTTP request runs under the upstream deadline.

Then, in this order and before Strawberry runs: the request is read once
(``graphql_request``: anything that is not a GraphQL request is a 4xx GraphQL error), its
persisted query resolved (``apq``: a hash is checked before any cached answer), its
operation selected (``selection``: unknown names and ambiguous documents are refused, GET
runs queries only), and only then may a query be answered from the response cache
(``reuse``). Strawberry's own plain-text refusals, should any remain, are answered as
GraphQL errors too. WebSockets are bounded in number, in all (here) and per caller
(``websocket_auth``, counted by ``connections``); one still without credentials at the init
timeout is closed (4401).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TypeGuard

import orjson
from aiohttp import web
from cross_web import AiohttpHTTPRequestAdapter, AsyncHTTPRequestAdapter, HTTPException
from graphql import OperationType
from strawberry.aiohttp.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData, process_result
from strawberry.http.base import BaseRequestProtocol
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from adapters.client import Credentials
from adapters.correlation import CORRELATION_ID
from adapters.deadline import deadline_after
from adapters.errors import GatewayError, RateLimited, Unauthenticated, UpstreamError
from gateway.apq import PERSISTED_QUERIES, PersistedQueryError
from gateway.auth import verified_caller
from gateway.connections import ConnectionCounts
from gateway.error_mapping import Phase, map_error
from gateway.graphiql.page import GraphiQLPage
from gateway.graphql_request import (
    GRAPHQL_REQUEST,
    GraphQLRequest,
    RequestBounds,
    read_graphql_request,
)
from gateway.refusals import (
    MalformedRequest,
    MethodNotAllowed,
    MutationViaGet,
    RequestRefused,
    SubscriptionViaHttp,
    TooManyConnections,
)
from gateway.resources import OPERATIONS
from gateway.reuse import answer
from gateway.selection import OperationSelector, SelectedOperation
from gateway.settings import LimitSettings, WebSocketSettings
from gateway.shutdown import track_websocket
from gateway.telemetry.middleware import REQUEST_FACTS
from gateway.upstream import CLIENT
from gateway.websocket_auth import TokenInitHandler
from resolvers.context import Context

logger = logging.getLogger(__name__)

CREDENTIALS = web.RequestKey("credentials", Credentials)
"""The caller's verified credentials, set before Strawberry runs (absent when anonymous)."""


def _asks_upgrade(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


class GatewayView(GraphQLView[Context, None]):
    """Reads, checks and selects before Strawberry runs; the schema's extensions do the
    document limits and errors."""

    graphql_transport_ws_handler_class = TokenInitHandler

    def __init__(
        self,
        schema: BaseSchema,
        *,
        graphiql: GraphiQLPage | None,
        deadline_s: float,
        limits: LimitSettings | None = None,
        websockets: WebSocketSettings | None = None,
        subscription_protocols: Sequence[str] = (GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        max_subscriptions_per_connection: int | None = 10,
    ) -> None:
        limits = limits or LimitSettings()
        websockets = websockets or WebSocketSettings()
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql is not None else None,
            allow_queries_via_get=True,
            subscription_protocols=subscription_protocols,
            connection_init_wait_timeout=timedelta(seconds=websockets.init_timeout_s),
            max_subscriptions_per_connection=max_subscriptions_per_connection,
        )
        self.deadline_s = deadline_s
        self.graphiql = graphiql
        self.bounds = RequestBounds(
            max_body_bytes=limits.max_body_bytes,
            max_variable_depth=limits.max_variable_depth,
            max_variable_values=limits.max_variable_values,
        )
        self.selector = OperationSelector(
            parser_cache_size=limits.parser_cache_size, max_tokens=limits.max_tokens
        )
        self.connections = ConnectionCounts(websockets)

    def is_websocket_request(self, request: web.Request) -> TypeGuard[web.Request]:
        """The upgrade header first: aiohttp's full handshake check builds a response
        object, and only a request that asks for an upgrade can pass it."""
        return _asks_upgrade(request) and super().is_websocket_request(request)

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        if _asks_upgrade(request):
            return await self._serve_websocket(request)  # a connection has no single deadline
        with deadline_after(self.deadline_s):
            return await self._serve(request)

    async def _serve_websocket(self, request: web.Request) -> web.StreamResponse:
        try:  # before the upgrade: a refused caller gets no socket
            await self._authenticate(request)
        except GatewayError as exc:
            return self.error_response(exc)
        if not self.connections.try_open():
            return self.error_response(
                TooManyConnections("This gateway holds as many WebSockets as it may.")
            )
        try:
            return await self._run(request)
        finally:
            self.connections.close()

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        try:
            if request.method not in ("GET", "POST"):
                raise MethodNotAllowed(f"{request.method} is not a GraphQL method: use POST.")
            credentials = await self._authenticate(request)
            if self.should_render_graphql_ide(AiohttpHTTPRequestAdapter(request)):
                return await self._run(request)
            graphql = await self._read(request)
            operation = self._select(request, graphql)
        except GatewayError as exc:
            return self.error_response(exc)
        return await answer(request, credentials, graphql, operation, lambda: self._run(request))

    async def _authenticate(self, request: web.Request) -> Credentials | None:
        credentials = await self.authenticate(request)
        if credentials is not None:
            request[CREDENTIALS] = credentials
        return credentials

    async def _read(self, request: web.Request) -> GraphQLRequest:
        """The request, its persisted query resolved (or refused) before anything else."""
        graphql = await read_graphql_request(request, self.bounds)
        persisted = request.app.get(PERSISTED_QUERIES)
        if persisted is not None:
            document = await persisted.document_for(graphql.query, graphql.extensions)
            graphql = graphql.with_query(document)
        if graphql.query is None:
            raise MalformedRequest(
                "No GraphQL query found: send `query` (or a persisted query's hash).",
                field="query",
            )
        request[GRAPHQL_REQUEST] = graphql
        return graphql

    def _select(self, request: web.Request, graphql: GraphQLRequest) -> SelectedOperation | None:
        assert graphql.query is not None  # checked by _read
        operation = self.selector.select(graphql.query, graphql.operation_name)
        if operation is None:
            return None
        if operation.type is OperationType.SUBSCRIPTION:
            raise SubscriptionViaHttp(
                "Subscriptions run over a WebSocket (graphql-transport-ws) at this URL."
            )
        if request.method == "GET" and not operation.is_query:
            raise MutationViaGet("GET runs queries only: send this mutation with POST.")
        return operation

    async def _run(self, request: web.Request) -> web.StreamResponse:
        """Strawberry's run; any plain-text refusal it still makes becomes a GraphQL error."""
        try:
            return await self.run(request=request)
        except HTTPException as exc:
            refusal = MalformedRequest(str(exc.reason))
            return self.error_response(refusal, status=exc.status_code)

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The request the view already read and checked (Strawberry reads nothing again)."""
        if isinstance(request, AiohttpHTTPRequestAdapter):
            graphql = request.request.get(GRAPHQL_REQUEST)
            if isinstance(graphql, GraphQLRequest):
                return graphql.strawberry_data()
        return await super().parse_http_body(request)

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
        return await verified_caller(request.headers.get("Authorization"), request.app[CLIENT])

    async def get_context(
        self, request: web.Request, response: web.Response | web.WebSocketResponse
    ) -> Context:
        del response
        credentials = request.get(CREDENTIALS)
        return Context.build(request.app[OPERATIONS], credentials, CORRELATION_ID.get())

    def error_response(self, error: GatewayError, *, status: int | None = None) -> web.Response:
        """A GraphQL error document for a request refused before execution; the request log
        names the refusal by its code."""
        if status is None:
            status = (
                error.http_status
                if isinstance(error, RequestRefused | PersistedQueryError)
                else 401
                if isinstance(error, Unauthenticated)
                else 429
                if isinstance(error, RateLimited)
                else 503
            )
        if isinstance(error, UpstreamError):
            logger.warning("token check failed upstream", extra={"code": error.code})
        facts = REQUEST_FACTS.get()
        if facts is not None:
            facts.outcome = error.code
        extensions: dict[str, object] = {
            "code": error.code,
            "correlationId": error.correlation_id or CORRELATION_ID.get(),
        }
        if error.field is not None:
            extensions["field"] = error.field
        body: dict[str, object] = {"errors": [{"message": error.message, "extensions": extensions}]}
        if not isinstance(error, RequestRefused):  # a request error has no data at all
            body = {"data": None, **body}
        headers = {"WWW-Authenticate": 'Bearer realm="concur-gateway"'} if status == 401 else None
        if isinstance(error, MethodNotAllowed):
            headers = {"Allow": error.allow}
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


__all__ = ["CREDENTIALS", "GatewayView", "TokenInitHandler"]
