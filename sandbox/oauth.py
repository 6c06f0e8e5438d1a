"""Concur's OAuth2 token endpoint and JWKS, as the sandbox serves them.

``POST /oauth2/v0/token`` takes a form: ``password`` (a user's login, or the company form
``username=<company id>&password=<request token>&credtype=authtoken``), ``client_credentials``
(an app token) and ``refresh_token`` (rotating: the old one stops working). Password and
refresh grants need the app's ``client_id``/``client_secret`` as well, as Concur does.
``expires_in`` is a string; errors carry Concur's numeric ``code``.
"""

from __future__ import annotations

import secrets
from typing import Any

import orjson
from aiohttp import web
from multidict import MultiDictProxy

from sandbox.auth import APP_SCOPE, COMPANY_SCOPE, TOKENS, USER_SCOPE, TokenKind
from sandbox.keys import STORE
from sandbox.records import SandboxApp

TOKEN_PATH = "/oauth2/v0/token"  # noqa: S105 - a path, not a secret
JWKS_PATH = "/oauth2/v0/jwks"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class TokenError(Exception):
    """A refused grant, rendered as Concur's token error body."""

    def __init__(self, status: int, code: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.code = code
        self.error = error
        self.description = description


def _json(body: dict[str, Any], status: int = 200) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps(body),
        content_type="application/json",
        headers={"Cache-Control": "no-store", "Pragma": "no-cache"},
    )


def _field(form: MultiDictProxy[str | Any], name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _client(request: web.Request, form: MultiDictProxy[str | Any]) -> SandboxApp:
    client_id = _field(form, "client_id")
    client_secret = _field(form, "client_secret")
    if not client_id:
        raise TokenError(400, 61, "invalid_client", "client_id is required")
    app = request.app[STORE].apps.get(client_id)
    if app is None:
        raise TokenError(401, 61, "invalid_client", "client not found")
    if not secrets.compare_digest(app.client_secret, client_secret):
        raise TokenError(401, 5, "invalid_client", "Incorrect client credentials")
    return app


def _grant(
    request: web.Request,
    *,
    subject: str,
    kind: TokenKind,
    scope: str,
    refresh: bool,
    profile: str = "",
) -> dict[str, Any]:
    store = request.app[STORE]
    tokens = request.app[TOKENS]
    base = store.base_url
    access = tokens.access_token(
        subject=subject, kind=kind, company_id=store.company.id, scope=scope, issuer=base
    )
    body: dict[str, Any] = {
        "expires_in": str(tokens.ttl_s),
        "scope": scope,
        "token_type": "Bearer",
        "access_token": access,
    }
    if refresh:
        refresh_token = tokens.refresh_token(
            subject=subject, kind=kind, company_id=store.company.id, scope=scope
        )
        body["refresh_token"] = refresh_token
        body["refresh_expires_in"] = tokens.refresh_expires_at(refresh_token)
        body["id_token"] = tokens.id_token(
            subject=subject, kind=kind, issuer=base, profile=profile or f"{base}/profile/v1/me"
        )
    body["geolocation"] = base
    return body


def _password_grant(request: web.Request, form: MultiDictProxy[str | Any]) -> dict[str, Any]:
    store = request.app[STORE]
    _client(request, form)
    username = _field(form, "username")
    password = _field(form, "password")
    credtype = _field(form, "credtype").lower() or "password"
    if not username or not password:
        raise TokenError(400, 5, "invalid_request", "username and password are required")
    if credtype == "authtoken":
        company = store.company
        if username.lower() != company.id or not secrets.compare_digest(
            company.auth_token, password
        ):
            raise TokenError(401, 5, "invalid_grant", "Incorrect credentials. Please Retry")
        return _grant(
            request, subject=company.id, kind="company", scope=COMPANY_SCOPE, refresh=True
        )
    if credtype != "password":
        raise TokenError(400, 5, "invalid_request", f"unsupported credtype {credtype!r}")
    user = store.user_by_login(username)
    if user is None or not secrets.compare_digest(user.password, password):
        raise TokenError(401, 5, "invalid_grant", "Incorrect credentials. Please Retry")
    return _grant(request, subject=user.id, kind="user", scope=USER_SCOPE, refresh=True)


def _client_credentials_grant(
    request: web.Request, form: MultiDictProxy[str | Any]
) -> dict[str, Any]:
    app = _client(request, form)
    return _grant(request, subject=app.app_id, kind="app", scope=APP_SCOPE, refresh=False)


def _refresh_grant(request: web.Request, form: MultiDictProxy[str | Any]) -> dict[str, Any]:
    _client(request, form)
    token = _field(form, "refresh_token")
    if not token:
        raise TokenError(400, 106, "invalid_request", "refresh_token is required")
    grant = request.app[TOKENS].redeem_refresh(token)
    if grant is None:
        raise TokenError(401, 108, "invalid_grant", "Invalid or expired refresh token")
    return _grant(request, subject=grant.subject, kind=grant.kind, scope=grant.scope, refresh=True)


async def token(request: web.Request) -> web.Response:
    base = request.app[STORE].base_url
    try:
        if request.content_type not in FORM_TYPES:
            raise TokenError(
                400, 0, "invalid_request", "the body must be application/x-www-form-urlencoded"
            )
        form = await request.post()
        grant_type = _field(form, "grant_type")
        if grant_type == "password":
            body = _password_grant(request, form)
        elif grant_type == "client_credentials":
            body = _client_credentials_grant(request, form)
        elif grant_type == "refresh_token":
            body = _refresh_grant(request, form)
        else:
            raise TokenError(
                400, 0, "unsupported_grant_type", f"grant_type {grant_type!r} is not supported"
            )
    except TokenError as exc:
        return _json(
            {
                "code": exc.code,
                "error": exc.error,
                "error_description": exc.description,
                "geolocation": base,
            },
            exc.status,
        )
    return _json(body)


async def jwks(request: web.Request) -> web.Response:
    return _json(request.app[TOKENS].jwks())


def add_oauth_routes(app: web.Application) -> None:
    app.router.add_post(TOKEN_PATH, token)
    app.router.add_get(JWKS_PATH, jwks)


__all__ = ["JWKS_PATH", "TOKEN_PATH", "TokenError", "add_oauth_routes"]
