"""Token provider and JWKS verification against a real HTTP peer (token endpoint + JWKS)."""

from __future__ import annotations

import asyncio
import json
import time
import urllib.parse
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from yarl import URL

from adapters.breaker import BreakerRegistry
from adapters.config import CompanyAuthSettings, UpstreamSettings
from adapters.errors import Unauthenticated, UpstreamBadResponse, UpstreamUnavailable
from adapters.http import Transport, open_sessions
from adapters.models import TokenKind
from adapters.oauth import JwksVerifier, TokenProvider
from adapters.revocations import LocalRevocations, token_digest
from tests.adapters.peer import Peer, reply

TOKEN_PATH = "/oauth2/v0/token"
JWKS_PATH = "/oauth2/v0/jwks"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Keys:
    """RSA signing keys the peer publishes in its JWKS."""

    def __init__(self) -> None:
        self.private: dict[str, rsa.RSAPrivateKey] = {}
        self.published: list[str] = []

    def add(self, kid: str, *, publish: bool = True) -> None:
        self.private[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if publish:
            self.published.append(kid)

    def jwks(self) -> bytes:
        keys = []
        for kid in self.published:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private[kid].public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
        return json.dumps({"keys": keys}).encode()

    def token(self, kid: str, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "sub": "0f0e8c6a-1111-2222-3333-444455556666",
            "concur.type": "user",
            "aud": "*",
            "iss": "http://sandbox",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            **claims,
        }
        return jwt.encode(payload, self.private[kid], algorithm="RS256", headers={"kid": kid})


def jwks_handler(keys: Keys, gate: asyncio.Event | None = None) -> Any:
    async def handler(request: web.Request) -> web.StreamResponse:
        if gate is not None:
            await gate.wait()
        return web.Response(body=keys.jwks(), content_type="application/json")

    return handler


def token_handler(gate: asyncio.Event | None = None) -> Any:
    """Issues ``access-N`` tokens; rotates refresh tokens; refuses a stale refresh token."""
    state = {"issued": 0, "refresh": "refresh-0"}

    async def handler(request: web.Request) -> web.StreamResponse:
        if gate is not None:
            await gate.wait()
        form = dict(urllib.parse.parse_qsl((await request.read()).decode()))
        grant = form.get("grant_type")
        bad = json.dumps({"code": 108, "error": "invalid_grant", "error_description": "bad"})
        if grant == "refresh_token" and form.get("refresh_token") != state["refresh"]:
            return web.Response(status=400, text=bad, content_type="application/json")
        if grant == "password" and form.get("credtype") != "authtoken":
            return web.Response(status=400, text=bad, content_type="application/json")
        state["issued"] += 1
        body: dict[str, Any] = {
            "expires_in": "3600",
            "token_type": "Bearer",
            "access_token": f"access-{state['issued']}",
            "scope": "x",
        }
        if grant != "client_credentials":
            state["refresh"] = f"refresh-{state['issued']}"
            body["refresh_token"] = state["refresh"]
        return web.Response(text=json.dumps(body), content_type="application/json")

    return handler


@asynccontextmanager
async def transport_for(peer: Peer) -> AsyncIterator[Transport]:
    settings = UpstreamSettings(base_url=peer.base_url, read_retries=0)
    async with open_sessions(settings) as sessions:
        yield Transport(
            sessions=sessions,
            settings=settings,
            breakers=BreakerRegistry(failure_threshold=50, reset_s=1, clock=Clock()),
        )


def auth(**values: str) -> CompanyAuthSettings:
    secrets = {"client_secret", "company_auth_token", "refresh_token"}
    return CompanyAuthSettings(
        **{k: SecretStr(v) if k in secrets else v for k, v in values.items()}  # type: ignore[arg-type]
    )


CLIENT = {"client_id": "sandbox-client", "client_secret": "sandbox-secret"}


# -- TokenProvider ---------------------------------------------------------------------


async def test_app_token_is_cached_until_shortly_before_expiry(peer: Peer) -> None:
    peer.script("POST", TOKEN_PATH, token_handler())
    clock = Clock()
    async with transport_for(peer) as transport:
        tokens = TokenProvider(transport, URL(peer.base_url), auth(**CLIENT), clock=clock)
        assert await tokens.app_token() == "access-1"
        clock.now = 3000
        assert await tokens.app_token() == "access-1"
        clock.now = 3590  # inside the refresh margin
        assert await tokens.app_token() == "access-2"
    form = dict(urllib.parse.parse_qsl(peer.seen[0].body.decode()))
    assert form == {"grant_type": "client_credentials", **CLIENT}
    assert peer.seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"


async def test_concurrent_callers_share_one_refresh(peer: Peer) -> None:
    gate = asyncio.Event()
    peer.script("POST", TOKEN_PATH, token_handler(gate))
    async with transport_for(peer) as transport:
        tokens = TokenProvider(
            transport,
            URL(peer.base_url),
            auth(company_id="c-1", company_auth_token="auth-token", **CLIENT),
            clock=Clock(),
        )
        waiters = [asyncio.create_task(tokens.company_token()) for _ in range(20)]
        await peer.arrived.wait()
        gate.set()
        assert set(await asyncio.gather(*waiters)) == {"access-1"}
    assert peer.count("POST", TOKEN_PATH) == 1
    form = dict(urllib.parse.parse_qsl(peer.seen[0].body.decode()))
    assert form["grant_type"] == "password"
    assert form["username"] == "c-1"
    assert form["credtype"] == "authtoken"


async def test_company_token_refreshes_with_the_rotated_refresh_token(peer: Peer) -> None:
    peer.script("POST", TOKEN_PATH, token_handler())
    clock = Clock()
    async with transport_for(peer) as transport:
        tokens = TokenProvider(
            transport,
            URL(peer.base_url),
            auth(company_id="c-1", company_auth_token="auth-token", **CLIENT),
            clock=clock,
        )
        assert await tokens.company_token() == "access-1"
        clock.now = 4000
        assert await tokens.company_token() == "access-2"
        clock.now = 8000
        assert await tokens.company_token() == "access-3"
    grants = [dict(urllib.parse.parse_qsl(s.body.decode())) for s in peer.seen]
    assert [g["grant_type"] for g in grants] == ["password", "refresh_token", "refresh_token"]
    assert [g.get("refresh_token") for g in grants[1:]] == ["refresh-1", "refresh-2"]


async def test_refused_refresh_token_falls_back_to_the_company_auth_token(peer: Peer) -> None:
    peer.script("POST", TOKEN_PATH, token_handler())
    async with transport_for(peer) as transport:
        tokens = TokenProvider(
            transport,
            URL(peer.base_url),
            auth(
                company_id="c-1", company_auth_token="auth-token", refresh_token="stale", **CLIENT
            ),
            clock=Clock(),
        )
        assert await tokens.company_token() == "access-1"
    assert peer.count("POST", TOKEN_PATH) == 2


async def test_refused_credentials_are_unauthenticated_without_secrets(peer: Peer) -> None:
    peer.script(
        "POST",
        TOKEN_PATH,
        reply(401, b'{"code": 61, "error": "invalid_client", "error_description": "no"}'),
    )
    async with transport_for(peer) as transport:
        tokens = TokenProvider(transport, URL(peer.base_url), auth(**CLIENT), clock=Clock())
        with pytest.raises(Unauthenticated) as caught:
            await tokens.app_token()
    assert "sandbox-secret" not in caught.value.message


async def test_missing_configuration_is_explained(peer: Peer) -> None:
    async with transport_for(peer) as transport:
        tokens = TokenProvider(transport, URL(peer.base_url), auth(**CLIENT), clock=Clock())
        with pytest.raises(Unauthenticated, match="company_id"):
            await tokens.company_token()
        bare = TokenProvider(transport, URL(peer.base_url), auth(), clock=Clock())
        with pytest.raises(Unauthenticated, match="client_id"):
            await bare.app_token()
    assert peer.seen == []


# -- JwksVerifier ----------------------------------------------------------------------


async def test_valid_tokens_become_credentials(peer: Peer) -> None:
    keys = Keys()
    keys.add("k1")
    peer.script("GET", JWKS_PATH, jwks_handler(keys))
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(transport, URL(peer.base_url), clock=Clock())
        user = await verifier.verify(keys.token("k1"))
        company = await verifier.verify(
            keys.token(
                "k1", sub="c0c0c0c0-0000-0000-0000-000000000000", **{"concur.type": "company"}
            )
        )
    assert user.user_id == "0f0e8c6a-1111-2222-3333-444455556666"
    assert user.kind is TokenKind.USER
    assert company.kind is TokenKind.COMPANY
    assert "eyJ" not in repr(user)
    assert peer.count("GET", JWKS_PATH) == 1  # cached per kid


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": int(time.time()) - 10},
        {"concur.type": "robot"},
        {"nbf": int(time.time()) + 600},
    ],
)
async def test_expired_or_odd_tokens_are_refused(peer: Peer, claims: dict[str, Any]) -> None:
    keys = Keys()
    keys.add("k1")
    peer.script("GET", JWKS_PATH, jwks_handler(keys))
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(transport, URL(peer.base_url), clock=Clock())
        with pytest.raises(Unauthenticated):
            await verifier.verify(keys.token("k1", **claims))


async def test_forged_and_malformed_tokens_are_refused(peer: Peer) -> None:
    keys = Keys()
    keys.add("k1")
    forger = Keys()
    forger.add("k1")  # same kid, different key
    peer.script("GET", JWKS_PATH, jwks_handler(keys))
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(transport, URL(peer.base_url), clock=Clock())
        with pytest.raises(Unauthenticated, match="invalid"):
            await verifier.verify(forger.token("k1"))
        with pytest.raises(Unauthenticated):
            await verifier.verify("not-a-jwt")
        hs256 = jwt.encode({"sub": "x"}, "k" * 32, algorithm="HS256", headers={"kid": "k1"})
        with pytest.raises(Unauthenticated):
            await verifier.verify(hs256)


async def test_unknown_kid_refetches_once_then_refuses(peer: Peer) -> None:
    keys = Keys()
    keys.add("k1")
    peer.script("GET", JWKS_PATH, jwks_handler(keys))
    clock = Clock()
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(transport, URL(peer.base_url), clock=clock, min_refetch_s=30)
        await verifier.verify(keys.token("k1"))
        keys.add("k2")  # Concur rotates: the new key appears in the JWKS
        clock.now = 60
        assert (await verifier.verify(keys.token("k2"))).kind is TokenKind.USER
        assert peer.count("GET", JWKS_PATH) == 2
        keys.add("k3", publish=False)  # a kid nobody publishes
        with pytest.raises(Unauthenticated, match="key"):
            await verifier.verify(keys.token("k3"))
        with pytest.raises(Unauthenticated):
            await verifier.verify(keys.token("k3"))
    assert peer.count("GET", JWKS_PATH) == 2  # spaced: no refetch storm


async def test_unknown_kid_refetch_is_single_flight(peer: Peer) -> None:
    keys = Keys()
    keys.add("k1")
    gate = asyncio.Event()
    peer.script("GET", JWKS_PATH, jwks_handler(keys, gate))
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(transport, URL(peer.base_url), clock=Clock())
        token = keys.token("k1")
        waiters = [asyncio.create_task(verifier.verify(token)) for _ in range(10)]
        await peer.arrived.wait()
        gate.set()
        assert len(await asyncio.gather(*waiters)) == 10
    assert peer.count("GET", JWKS_PATH) == 1


async def test_a_revoked_token_is_refused_for_the_rest_of_its_lifetime(peer: Peer) -> None:
    keys = Keys()
    keys.add("k1")
    peer.script("GET", JWKS_PATH, jwks_handler(keys))
    revocations = LocalRevocations()
    token, other = keys.token("k1"), keys.token("k1", jti="another")
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(
            transport, URL(peer.base_url), clock=Clock(), revocations=revocations
        )
        await verifier.verify(token)  # remembered until its exp
        await verifier.revoke(token)
        with pytest.raises(Unauthenticated, match="refused"):
            await verifier.verify(token)
        assert (await verifier.verify(other)).user_id  # only that token
    assert await revocations.is_revoked(token_digest(token))


async def test_revocations_expire_with_the_token() -> None:
    now = [1000.0]
    revocations = LocalRevocations(clock=lambda: now[0])
    await revocations.revoke("d", 60)
    assert await revocations.is_revoked("d")
    now[0] += 61
    assert not await revocations.is_revoked("d")


async def test_an_expired_token_needs_no_revocation(peer: Peer) -> None:
    keys = Keys()
    keys.add("k1")
    revocations = LocalRevocations()
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(
            transport, URL(peer.base_url), clock=Clock(), revocations=revocations
        )
        expired = keys.token("k1", exp=int(time.time()) - 5)
        await verifier.revoke(expired)
        await verifier.revoke("not-a-jwt")
    assert not await revocations.is_revoked(token_digest(expired))


@pytest.mark.parametrize(
    "document",
    [
        b"[]",
        b"null",
        b"{",
        b'{"keys": "none"}',
        b'{"keys": []}',
        b'{"keys": [{"kty": "oct", "kid": "k1", "k": "c2VjcmV0"}]}',
        b'{"keys": [{"kty": "RSA", "kid": "k1", "n": "!!", "e": "AQAB"}]}',
    ],
)
async def test_an_unreadable_jwks_is_concurs_bad_response(peer: Peer, document: bytes) -> None:
    keys = Keys()
    keys.add("k1")
    peer.script("GET", JWKS_PATH, reply(body=document))
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(transport, URL(peer.base_url), clock=Clock())
        with pytest.raises(UpstreamBadResponse, match=r"JWKS|JSON"):
            await verifier.verify(keys.token("k1"))


async def test_a_failing_jwks_is_concur_unavailable(peer: Peer) -> None:
    keys = Keys()
    keys.add("k1")
    peer.script("GET", JWKS_PATH, reply(503, b"{}"))
    async with transport_for(peer) as transport:
        verifier = JwksVerifier(transport, URL(peer.base_url), clock=Clock())
        with pytest.raises(UpstreamUnavailable):
            await verifier.verify(keys.token("k1"))
