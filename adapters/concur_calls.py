"""The plumbing every ``HttpConcurClient`` call shares: one request as the caller.

A v4 call carries ``Bearer`` and JSON, an XML call ``OAuth`` and XML (see
``adapters.http``); a token Concur refuses is revoked before the error goes up.
"""

from __future__ import annotations

import time
from typing import Final

from yarl import URL

from adapters.breaker import BreakerState
from adapters.client import Credentials
from adapters.errors import Unauthenticated
from adapters.http import Family, Operation, Transport, UpstreamRequest, UpstreamResponse
from adapters.oauth import JwksVerifier, TokenProvider
from adapters.origins import UpstreamOrigins
from adapters.paths import build_url
from adapters.v11.keys import ReportKeyBook

_JSON: Final = "application/json"
_XML: Final = "application/xml; charset=utf-8"


class ConcurCalls:
    """One ``Transport`` and the caller's token: what the reads, actions and writes build on."""

    def __init__(
        self,
        *,
        transport: Transport,
        origins: UpstreamOrigins,
        tokens: TokenProvider,
        verifier: JwksVerifier,
        keys: ReportKeyBook | None = None,
    ) -> None:
        self._transport = transport
        self._origins = origins
        self._tokens = tokens
        self._verifier = verifier
        self._keys = keys if keys is not None else ReportKeyBook(clock=time.monotonic)

    async def _send(self, request: UpstreamRequest) -> UpstreamResponse:
        """Send as the caller; a token Concur refuses is revoked (``JwksVerifier.revoke``)."""
        try:
            return await self._transport.send(request)
        except Unauthenticated:
            if request.token is not None:
                await self._verifier.revoke(request.token)
            raise

    async def _v4(
        self,
        method: str,
        route: str,
        creds: Credentials,
        *,
        operation: Operation = Operation.READ,
        body: bytes | None = None,
        expected_step: bool = False,
        **ids: str,
    ) -> UpstreamResponse:
        return await self._send(
            UpstreamRequest(
                family=Family.V4,
                method=method,
                url=build_url(self._origins.v4, route, **ids),
                route=route,
                operation=operation,
                token=creds.token,
                body=body,
                content_type=_JSON if body is not None else None,
                expected_step=expected_step,
            )
        )

    async def _xml(
        self,
        method: str,
        route: str,
        creds: Credentials,
        *,
        url: URL | None = None,
        operation: Operation = Operation.READ,
        body: bytes | None = None,
        **ids: str,
    ) -> UpstreamResponse:
        return await self._send(
            UpstreamRequest(
                family=Family.XML,
                method=method,
                url=url if url is not None else build_url(self._origins.xml, route, **ids),
                route=route,
                operation=operation,
                token=creds.token,
                body=body,
                content_type=_XML if body is not None else None,
            )
        )

    def breaker_states(self) -> dict[str, BreakerState]:
        """The circuit state per endpoint called so far (``METHOD origin/route``), for
        metrics."""
        return self._transport.breaker_states()

    # -- tokens -----------------------------------------------------------------------

    async def app_token(self) -> str:
        return await self._tokens.app_token()

    async def company_token(self) -> str:
        return await self._tokens.company_token()

    async def verify_token(self, token: str) -> Credentials:
        return await self._verifier.verify(token)


__all__ = ["ConcurCalls"]
