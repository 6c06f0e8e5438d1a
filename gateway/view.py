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
from strawberry.aiohttp.views import GraphQLView
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema import BaseSchema
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from adapters.client import Credentials
from adapters.correlation import CORRELATION_ID
from adapters.deadline import deadline_after
from adapters.errors import GatewayError, RateLimited, Unauthenticated, UpstreamError
from gateway.error_mapping import Phase, map_error
from gateway.resources import CLIENT, OPERATIONS
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


class GatewayView(GraphQLView[Context, None]):
    """Thin: Strawberry does the HTTP work, the schema's extensions do limits and errors."""

    def __init__(
        self,
        schema: BaseSchema,
        *,
        graphiql: bool,
        deadline_s: float,
        subscription_protocols: Sequence[str] = (GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    ) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if graphiql else None,
            allow_queries_via_get=True,
            subscription_protocols=subscription_protocols,
            connection_init_wait_timeout=timedelta(seconds=10),
        )
        self.deadline_s = deadline_s

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
        return await super().__call__(request)

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

    def error_response(self, error: GatewayError) -> web.Response:
        """A GraphQL error document for a request refused before execution."""
        status = (
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


__all__ = ["CREDENTIALS", "GatewayView", "bearer_token"]
