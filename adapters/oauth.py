"""Concur OAuth2: company/app tokens we hold, and verification of callers' tokens.

``TokenProvider`` obtains the tokens the gateway needs for itself: an *app* token
(``client_credentials``, for ESS subscription management) and a *company* token (password
grant with the company id and its auth token, ``credtype=authtoken``, or a refresh token),
used where a user token cannot act (system workflow steps). Tokens are cached until shortly
before ``expires_in`` and refreshed single-flight: concurrent callers share one grant,
which matters doubly because Concur rotates refresh tokens (the old one stops working).

``JwksVerifier`` checks a caller's token locally: RS256 against Concur's JWKS, keys cached
per ``kid``; an unknown ``kid`` (Concur rotated its key) triggers one shared refetch, and
refetches are spaced so that forged ``kid``s cannot make us hammer the JWKS endpoint. A
JWKS that cannot be fetched or read is Concur's failure (``UpstreamUnavailable``,
``UpstreamBadResponse``), never the caller's; only RSA keys are kept. A token Concur itself
refused (401) is revoked (``adapters.revocations``) and refused here too until its ``exp``.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import urlencode

import jwt
from pydantic import BaseModel, ConfigDict, TypeAdapter
from yarl import URL

from adapters.client import Credentials
from adapters.config import CompanyAuthSettings
from adapters.errors import Unauthenticated, UpstreamBadResponse
from adapters.http import Family, Operation, Transport, UpstreamRequest
from adapters.models import TokenKind
from adapters.revocations import LocalRevocations, TokenRevocations, token_digest
from adapters.singleflight import SingleFlight
from adapters.v4.wire import decode_json, parse_wire

logger = logging.getLogger(__name__)

TOKEN_ROUTE: Final = "/oauth2/v0/token"  # noqa: S105 - a path, not a secret
JWKS_ROUTE: Final = "/oauth2/v0/jwks"
_FORM: Final = "application/x-www-form-urlencoded"
_TYPE_CLAIM: Final = "concur.type"


class TokenResponse(BaseModel):
    """The token endpoint's answer; ``expires_in`` arrives as a string (``"3600"``)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    access_token: str
    expires_in: float = 3600.0
    refresh_token: str | None = None
    token_type: str | None = None


_TOKEN = TypeAdapter(TokenResponse)


@dataclass(frozen=True, slots=True)
class _Cached:
    token: str
    refresh_at: float


class TokenProvider:
    """App and company tokens from ``CompanyAuthSettings`` (see the module docstring)."""

    def __init__(
        self,
        transport: Transport,
        oauth_base: URL,
        auth: CompanyAuthSettings,
        *,
        clock: Callable[[], float],
        refresh_margin_s: float = 60.0,
    ) -> None:
        self._transport = transport
        self._token_url = oauth_base / TOKEN_ROUTE.lstrip("/")
        self._auth = auth
        self._clock = clock
        self._margin = refresh_margin_s
        self._refresh_token = auth.refresh_token.get_secret_value() or None
        self._app: _Cached | None = None
        self._company: _Cached | None = None
        self._app_flight: SingleFlight[_Cached] = SingleFlight()
        self._company_flight: SingleFlight[_Cached] = SingleFlight()

    def _fresh(self, cached: _Cached | None) -> str | None:
        return cached.token if cached is not None and self._clock() < cached.refresh_at else None

    async def app_token(self) -> str:
        """An app token (``client_credentials``), cached until shortly before it expires."""
        token = self._fresh(self._app)
        if token is not None:
            return token
        self._app = await self._app_flight.run(self._fetch_app)
        return self._app.token

    async def company_token(self) -> str:
        """A company token (refresh token or company auth token), cached likewise."""
        token = self._fresh(self._company)
        if token is not None:
            return token
        self._company = await self._company_flight.run(self._fetch_company)
        return self._company.token

    def invalidate(self) -> None:
        """Forget cached access tokens (after Concur rejected one before its expiry)."""
        self._app = None
        self._company = None

    def _client(self) -> dict[str, str]:
        if not self._auth.client_id:
            raise Unauthenticated(
                "No Concur client id is configured: set company_auth.client_id and "
                "company_auth.client_secret."
            )
        return {
            "client_id": self._auth.client_id,
            "client_secret": self._auth.client_secret.get_secret_value(),
        }

    async def _fetch_app(self) -> _Cached:
        return await self._grant({"grant_type": "client_credentials", **self._client()})

    async def _fetch_company(self) -> _Cached:
        company_id = self._auth.company_id
        auth_token = self._auth.company_auth_token.get_secret_value()
        if self._refresh_token is not None:
            try:
                return await self._grant(
                    {
                        "grant_type": "refresh_token",
                        "refresh_token": self._refresh_token,
                        **self._client(),
                    }
                )
            except Unauthenticated:
                if not (company_id and auth_token):
                    raise
                logger.warning("company refresh token refused; using the company auth token")
                self._refresh_token = None
        if company_id and auth_token:
            return await self._grant(
                {
                    "grant_type": "password",
                    "username": company_id,
                    "password": auth_token,
                    "credtype": "authtoken",
                    **self._client(),
                }
            )
        raise Unauthenticated(
            "No company credentials are configured: set company_auth.company_id and "
            "company_auth.company_auth_token, or company_auth.refresh_token."
        )

    async def _grant(self, form: Mapping[str, str]) -> _Cached:
        response = await self._transport.send(
            UpstreamRequest(
                family=Family.OAUTH,
                method="POST",
                url=self._token_url,
                route=TOKEN_ROUTE,
                operation=Operation.AUTH,
                body=urlencode(form).encode(),
                content_type=_FORM,
            )
        )
        token = parse_wire(response.body, _TOKEN, correlation_id=response.correlation_id)
        if token.refresh_token:
            self._refresh_token = token.refresh_token  # rotated: the old one is now dead
        lifetime = max(0.0, token.expires_in)
        margin = min(self._margin, lifetime / 10)
        return _Cached(token=token.access_token, refresh_at=self._clock() + lifetime - margin)


class JwksVerifier:
    """Verifies callers' access tokens against Concur's JWKS (see the module docstring)."""

    def __init__(
        self,
        transport: Transport,
        oauth_base: URL,
        *,
        clock: Callable[[], float],
        min_refetch_s: float = 30.0,
        leeway_s: float = 0.0,
        verified_max: int = 10_000,
        revocations: TokenRevocations | None = None,
    ) -> None:
        self._transport = transport
        self._jwks_url = oauth_base / JWKS_ROUTE.lstrip("/")
        self._clock = clock
        self._min_refetch_s = min_refetch_s
        self._leeway_s = leeway_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._flight: SingleFlight[None] = SingleFlight()
        self._verified: OrderedDict[str, tuple[Credentials, float]] = OrderedDict()
        self._verified_max = verified_max
        self._revocations = revocations if revocations is not None else LocalRevocations()

    async def verify(self, token: str) -> Credentials:
        """``Credentials`` for a valid token; ``Unauthenticated`` for anything else.

        A token verified once is remembered until its ``exp`` (bounded LRU): verifying an
        RS256 signature costs more than executing a typical query, and a client sends the
        same token on every request. A revoked token is refused whatever we remember.
        """
        if await self._revocations.is_revoked(token_digest(token)):
            self._verified.pop(token, None)
            raise Unauthenticated(
                "Concur refused this access token before its expiry: obtain a fresh token "
                "and try again."
            )
        remembered = self._verified.get(token)
        if remembered is not None:
            credentials, expires_at = remembered
            if time.time() < expires_at:
                self._verified.move_to_end(token)
                return credentials
            del self._verified[token]
        credentials, expires_at = await self._verify(token)
        self._verified[token] = (credentials, expires_at)
        if len(self._verified) > self._verified_max:
            self._verified.popitem(last=False)
        return credentials

    async def revoke(self, token: str) -> None:
        """Stop accepting ``token`` (Concur refused it) for the rest of its lifetime."""
        remembered = self._verified.pop(token, None)
        expires_at = remembered[1] if remembered is not None else _claimed_expiry(token)
        left = expires_at - time.time() if expires_at is not None else 0.0
        if left > 0:
            await self._revocations.revoke(token_digest(token), left)
            logger.info("access token revoked after Concur refused it")

    async def _verify(self, token: str) -> tuple[Credentials, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(
                "The access token is not a Concur token (malformed JWT): obtain a token from "
                "Concur and try again."
            ) from exc
        kid = header.get("kid")
        if header.get("alg") != "RS256" or not isinstance(kid, str):
            raise Unauthenticated(
                "The access token is not signed the way Concur signs tokens: obtain a token "
                "from Concur and try again."
            )
        key = await self._key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=["RS256"],
                options={"require": ["exp", "sub"], "verify_aud": False},
                leeway=self._leeway_s,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated(
                "The access token has expired: obtain a fresh token and try again."
            ) from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthenticated(
                "The access token is invalid (bad signature or claims): obtain a fresh token "
                "and try again."
            ) from exc
        credentials = Credentials(token=token, user_id=str(claims["sub"]), kind=_kind(claims))
        return credentials, float(claims["exp"]) + self._leeway_s

    async def _key(self, kid: str) -> jwt.PyJWK:
        key = self._keys.get(kid)
        if key is not None:
            return key
        due = (
            self._fetched_at is None
            or self._flight.in_flight
            or self._clock() - self._fetched_at >= self._min_refetch_s
        )
        if due:
            await self._flight.run(self._fetch)
            key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated(
                "The access token was signed by a key Concur does not publish: obtain a fresh "
                "token and try again."
            )
        return key

    async def _fetch(self) -> None:
        response = await self._transport.send(
            UpstreamRequest(family=Family.OAUTH, method="GET", url=self._jwks_url, route=JWKS_ROUTE)
        )
        unreadable = UpstreamBadResponse(
            "Concur's signing keys (JWKS) could not be read: try again later.",
            correlation_id=response.correlation_id,
        )
        document = decode_json(response.body, correlation_id=response.correlation_id)
        if not isinstance(document, dict):
            raise unreadable
        try:
            keys = jwt.PyJWKSet.from_dict(document).keys
        except (jwt.PyJWTError, TypeError, KeyError, ValueError) as exc:
            raise unreadable from exc
        rsa = {key.key_id: key for key in keys if key.key_id and key.key_type == "RSA"}
        if not rsa:
            raise unreadable  # no key could ever verify a Concur token
        self._keys = rsa
        self._fetched_at = self._clock()
        logger.info("jwks refreshed", extra={"jwks_keys": len(self._keys)})


def _claimed_expiry(token: str) -> float | None:
    """A token's ``exp`` as it claims it (only to bound how long a revocation is kept)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    exp = claims.get("exp")
    return float(exp) if isinstance(exp, int | float) else None


def _kind(claims: Mapping[str, Any]) -> TokenKind:
    try:
        return TokenKind(str(claims.get(_TYPE_CLAIM, "")).lower())
    except ValueError as exc:
        raise Unauthenticated(
            "The access token does not say whether it is a user, company or app token: "
            "obtain a Concur access token."
        ) from exc


__all__ = ["JWKS_ROUTE", "TOKEN_ROUTE", "JwksVerifier", "TokenProvider", "TokenResponse"]
