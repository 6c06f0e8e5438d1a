"""Tokens of the sandbox: RS256 JWTs it signs itself, and the check every route family runs.

Concur issues three kinds of access token (user, company, app) from one endpoint; each
route family accepts only its own ``Authorization`` scheme (``Bearer`` for v4 and ESS,
``OAuth`` for the legacy XML APIs), so a client that sends the wrong style fails loudly.
Expiry is judged against the sandbox clock, which admin can advance. Tokens are stamped
``iat``/``nbf`` with wall-clock time and ``exp`` with sandbox time: after the clock moves
on, earlier tokens are expired *here*, while fresh ones are never "from the future" for a
verifier (the gateway) that checks them against its own wall clock.
"""

from __future__ import annotations

import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal, cast

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.keys import STORE
from sandbox.records import SandboxClock, SandboxUser

TokenKind = Literal["user", "company", "app"]
Scheme = Literal["Bearer", "OAuth"]
REFRESH_TTL_S = 180 * 24 * 3600  # Concur refresh tokens live six months
USER_SCOPE = (
    "openid user.read expense.report.read expense.report.readwrite "
    "expense.report.workflowstatus.write"
)
COMPANY_SCOPE = USER_SCOPE + " identity.user.ids.read"
APP_SCOPE = "events.topic.read events.subscription.write expense.report.read"
_KINDS: frozenset[str] = frozenset({"user", "company", "app"})


@dataclass(frozen=True)
class Caller:
    """Who sent a request: ``subject`` is a user id, the company id or the app id."""

    subject: str
    kind: TokenKind
    company_id: str
    user: SandboxUser | None

    @property
    def user_id(self) -> str | None:
        return self.user.id if self.user is not None else None


class AuthError(Exception):
    """Authentication (401) or authorization (403) failure; each route family renders it."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class RefreshGrant:
    """What a refresh token stands for; redeemed once (rotation), then forgotten."""

    subject: str
    kind: TokenKind
    company_id: str
    scope: str
    expires_at: int


class TokenService:
    """Signs and verifies the sandbox's tokens; one per app, key made at app creation."""

    def __init__(self, *, ttl_s: int, clock: SandboxClock) -> None:
        self.ttl_s = ttl_s
        self.clock = clock
        self.kid = uuid.uuid4().hex
        self._private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._public_key = self._private_key.public_key()
        self._refresh: dict[str, RefreshGrant] = {}

    # issuing ---------------------------------------------------------------------------
    def expiry(self) -> int:
        return int(self.clock.timestamp()) + self.ttl_s

    def _sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self._private_key, algorithm="RS256", headers={"kid": self.kid})

    def access_token(
        self, *, subject: str, kind: TokenKind, company_id: str, scope: str, issuer: str
    ) -> str:
        issued = int(time.time())
        return self._sign(
            {
                "sub": subject,
                "concur.type": kind,
                "concur.company": company_id,
                "concur.version": 3,
                "iss": issuer,
                "aud": "*",
                "iat": issued,
                "nbf": issued,
                "exp": self.expiry(),
                "scope": scope,
                "jti": uuid.uuid4().hex,
            }
        )

    def id_token(self, *, subject: str, kind: TokenKind, issuer: str, profile: str) -> str:
        issued = int(time.time())
        return self._sign(
            {
                "sub": subject,
                "concur.type": kind,
                "concur.profile": profile,
                "concur.version": 3,
                "iss": issuer,
                "aud": "*",
                "iat": issued,
                "nbf": issued,
                "exp": self.expiry(),
            }
        )

    def refresh_token(self, *, subject: str, kind: TokenKind, company_id: str, scope: str) -> str:
        token = str(uuid.UUID(bytes=secrets.token_bytes(16)))
        expires = int(self.clock.timestamp()) + REFRESH_TTL_S
        self._refresh[token] = RefreshGrant(subject, kind, company_id, scope, expires)
        return token

    def refresh_expires_at(self, token: str) -> int:
        return self._refresh[token].expires_at

    def redeem_refresh(self, token: str) -> RefreshGrant | None:
        """Consume a refresh token: Concur rotates them, so each works exactly once."""
        grant = self._refresh.pop(token, None)
        if grant is None or grant.expires_at <= self.clock.timestamp():
            return None
        return grant

    # verifying -------------------------------------------------------------------------
    def verify(self, token: str) -> dict[str, Any]:
        """Signature, algorithm and key id by PyJWT; time claims against the sandbox clock."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("kid") != self.kid:
                raise AuthError(401, "The access token was not issued by this server.")
            claims: dict[str, Any] = jwt.decode(
                token,
                self._public_key,
                algorithms=["RS256"],
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "require": ["sub", "exp", "nbf", "concur.type", "concur.company"],
                },
            )
        except jwt.PyJWTError as exc:
            raise AuthError(401, "The access token is invalid.") from exc
        now = self.clock.timestamp()
        if float(claims["exp"]) <= now:
            raise AuthError(401, "The access token has expired.")
        if float(claims["nbf"]) > now + 1:
            raise AuthError(401, "The access token is not yet valid.")
        if claims["concur.type"] not in _KINDS:
            raise AuthError(401, "The access token is invalid.")
        return claims

    def jwks(self) -> dict[str, Any]:
        numbers = self._public_key.public_numbers()
        return {
            "keys": [
                {
                    "kty": "RSA",
                    "kid": self.kid,
                    "use": "sig",
                    "alg": "RS256",
                    "n": _b64uint(numbers.n),
                    "e": _b64uint(numbers.e),
                }
            ]
        }


TOKENS = web.AppKey("sandbox_tokens", TokenService)


def authenticate(request: web.Request, scheme: Scheme) -> Caller:
    """The caller of ``request``, or AuthError: 401 for a missing, malformed, wrong-scheme,
    forged or expired token (or one whose user no longer exists)."""
    header = request.headers.get("Authorization", "")
    if not header.strip():
        raise AuthError(401, "Authorization header is missing.")
    got, _, token = header.strip().partition(" ")
    token = token.strip()
    if got.lower() != scheme.lower() or not token:
        raise AuthError(401, f"Authorization header must use the {scheme} scheme.")
    claims = request.app[TOKENS].verify(token)
    store = request.app[STORE]
    company_id = str(claims["concur.company"]).lower()
    if company_id != store.company.id:
        raise AuthError(401, "The access token belongs to another company.")
    kind = cast("TokenKind", claims["concur.type"])
    subject = str(claims["sub"])
    user: SandboxUser | None = None
    if kind == "user":
        user = store.user(subject)
        if user is None:
            raise AuthError(401, "The user of the access token does not exist.")
    return Caller(subject=subject, kind=kind, company_id=company_id, user=user)


def _b64uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return jwt.utils.base64url_encode(raw).decode("ascii")


__all__ = [
    "APP_SCOPE",
    "COMPANY_SCOPE",
    "TOKENS",
    "USER_SCOPE",
    "AuthError",
    "Caller",
    "RefreshGrant",
    "Scheme",
    "TokenKind",
    "TokenService",
    "authenticate",
]
