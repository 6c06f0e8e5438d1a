"""OAuth2 token endpoint, JWKS and token checks, over real HTTP."""

from __future__ import annotations

import jwt
import pytest

from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from tests.support.sandbox import DEMO, SandboxHarness

APP = {"client_id": DEMO.client_id, "client_secret": DEMO.client_secret}
USER_FORM = {"grant_type": "password", "username": "traveler@example.com", "password": "sandbox"}
GRANT_KEYS = {
    "expires_in",
    "scope",
    "token_type",
    "access_token",
    "refresh_token",
    "refresh_expires_in",
    "id_token",
    "geolocation",
}


def report_path(user_id: str, report_id: str, context: str = "TRAVELER") -> str:
    return f"/expensereports/v4/users/{user_id}/context/{context}/reports/{report_id}"


async def verify_with_jwks(sandbox: SandboxHarness, token: str) -> dict[str, object]:
    reply = await sandbox.call("GET", "/oauth2/v0/jwks")
    assert reply.status == 200
    jwks = jwt.PyJWKSet.from_dict(reply.json())
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    claims: dict[str, object] = jwt.decode(token, key.key, algorithms=["RS256"], audience="*")
    return claims


async def test_password_grant_returns_concur_shape(sandbox: SandboxHarness) -> None:
    status, body = await sandbox.token_response(**USER_FORM, **APP)
    assert status == 200
    assert set(body) == GRANT_KEYS
    assert body["expires_in"] == "3600"
    assert body["token_type"] == "Bearer"
    assert body["geolocation"] == sandbox.base_url
    assert isinstance(body["refresh_expires_in"], int)


async def test_login_is_case_insensitive(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("Traveler@Example.com")
    claims = await verify_with_jwks(sandbox, token)
    assert claims["sub"] == DEMO.traveler


async def test_jwks_verifies_user_token_with_pyjwt(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("manager@example.com")
    claims = await verify_with_jwks(sandbox, token)
    assert claims["sub"] == DEMO.manager
    assert claims["concur.type"] == "user"
    assert claims["concur.company"] == DEMO.company_id
    assert claims["iss"] == sandbox.base_url
    assert isinstance(claims["exp"], int)
    assert isinstance(claims["nbf"], int)
    jwks = (await sandbox.call("GET", "/oauth2/v0/jwks")).json()
    (key,) = jwks["keys"]
    assert set(key) == {"kty", "kid", "use", "alg", "n", "e"}
    assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")


async def test_company_token_grant(sandbox: SandboxHarness) -> None:
    token = await sandbox.company_token()
    claims = await verify_with_jwks(sandbox, token)
    assert claims["concur.type"] == "company"
    assert claims["sub"] == DEMO.company_id


async def test_company_grant_with_wrong_request_token(sandbox: SandboxHarness) -> None:
    status, body = await sandbox.token_response(
        grant_type="password",
        username=DEMO.company_id,
        password="nope",
        credtype="authtoken",
        **APP,
    )
    assert status == 401
    assert body["code"] == 5
    assert body["error"] == "invalid_grant"


async def test_client_credentials_gives_app_token_without_refresh(sandbox: SandboxHarness) -> None:
    status, body = await sandbox.token_response(grant_type="client_credentials", **APP)
    assert status == 200
    assert set(body) == {"expires_in", "scope", "token_type", "access_token", "geolocation"}
    claims = await verify_with_jwks(sandbox, body["access_token"])
    assert claims["concur.type"] == "app"
    assert claims["sub"] == DEMO.app_id


async def test_wrong_password(sandbox: SandboxHarness) -> None:
    status, body = await sandbox.token_response(**{**USER_FORM, "password": "bad"}, **APP)
    assert status == 401
    assert set(body) == {"code", "error", "error_description", "geolocation"}
    assert (body["code"], body["error"]) == (5, "invalid_grant")


@pytest.mark.parametrize(
    ("client", "status", "code"),
    [
        ({}, 400, 61),
        ({"client_id": "unknown", "client_secret": "x"}, 401, 61),
        ({"client_id": DEMO.client_id, "client_secret": "wrong"}, 401, 5),
    ],
)
async def test_password_grant_needs_the_app_credentials(
    sandbox: SandboxHarness, client: dict[str, str], status: int, code: int
) -> None:
    got_status, body = await sandbox.token_response(**USER_FORM, **client)
    assert got_status == status
    assert body["code"] == code
    assert body["error"] == "invalid_client"


async def test_refresh_rotates_and_old_token_stops_working(sandbox: SandboxHarness) -> None:
    _, first = await sandbox.token_response(**USER_FORM, **APP)
    status, second = await sandbox.token_response(
        grant_type="refresh_token", refresh_token=first["refresh_token"], **APP
    )
    assert status == 200
    assert set(second) == GRANT_KEYS
    assert second["refresh_token"] != first["refresh_token"]
    claims = await verify_with_jwks(sandbox, second["access_token"])
    assert claims["sub"] == DEMO.traveler
    status, again = await sandbox.token_response(
        grant_type="refresh_token", refresh_token=first["refresh_token"], **APP
    )
    assert status == 401
    assert again["code"] == 108
    status, _ = await sandbox.token_response(
        grant_type="refresh_token", refresh_token=second["refresh_token"], **APP
    )
    assert status == 200


async def test_refresh_without_token(sandbox: SandboxHarness) -> None:
    status, body = await sandbox.token_response(grant_type="refresh_token", **APP)
    assert status == 400
    assert body["code"] == 106


async def test_unsupported_grant_and_json_body(sandbox: SandboxHarness) -> None:
    status, body = await sandbox.token_response(grant_type="magic", **APP)
    assert status == 400
    assert body["error"] == "unsupported_grant_type"
    reply = await sandbox.call("POST", "/oauth2/v0/token", json={"grant_type": "password"})
    assert reply.status == 400
    assert reply.json()["error"] == "invalid_request"


async def test_token_expires_when_the_clock_advances(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("June Client Visit - Seattle")
    path = report_path(DEMO.traveler, report.report_id)
    assert (await sandbox.call("GET", path, token=token)).status == 200
    status, _ = await sandbox.admin("POST", "/_sandbox/clock", json={"advance_s": 3601})
    assert status == 200
    reply = await sandbox.call("GET", path, token=token)
    assert reply.status == 401
    body = reply.json()
    assert body["httpStatus"] == "401 - Unauthorized"
    assert "expired" in body["errorMessage"]
    fresh = await sandbox.user_token("traveler@example.com")
    assert (await sandbox.call("GET", path, token=fresh)).status == 200


async def test_refresh_still_works_after_access_token_expiry(sandbox: SandboxHarness) -> None:
    _, first = await sandbox.token_response(**USER_FORM, **APP)
    await sandbox.admin("POST", "/_sandbox/clock", json={"advance_s": 7200})
    status, _ = await sandbox.token_response(
        grant_type="refresh_token", refresh_token=first["refresh_token"], **APP
    )
    assert status == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer not-a-jwt", "Basic abc"],
)
async def test_v4_rejects_missing_or_bad_authorization(
    sandbox: SandboxHarness, authorization: str | None
) -> None:
    report = sandbox.report_named("June Client Visit - Seattle")
    headers = {} if authorization is None else {"Authorization": authorization}
    reply = await sandbox.call("GET", report_path(DEMO.traveler, report.report_id), headers=headers)
    assert reply.status == 401
    assert reply.json()["httpStatus"] == "401 - Unauthorized"


async def test_v4_rejects_the_oauth_scheme(sandbox: SandboxHarness) -> None:
    token = await sandbox.user_token("traveler@example.com")
    report = sandbox.report_named("June Client Visit - Seattle")
    reply = await sandbox.call(
        "GET", report_path(DEMO.traveler, report.report_id), token=token, scheme="OAuth"
    )
    assert reply.status == 401


async def test_token_of_another_sandbox_is_rejected(sandbox: SandboxHarness) -> None:
    async with running_sandbox(SandboxConfig()) as other:
        status_body = await sandbox.session.post(
            f"{other.base_url}/oauth2/v0/token", data={**USER_FORM, **APP}
        )
        foreign = (await status_body.json())["access_token"]
        status_body.release()
    report = sandbox.report_named("June Client Visit - Seattle")
    reply = await sandbox.call("GET", report_path(DEMO.traveler, report.report_id), token=foreign)
    assert reply.status == 401


async def test_app_token_is_forbidden_on_reports(sandbox: SandboxHarness) -> None:
    token = await sandbox.app_token()
    report = sandbox.report_named("June Client Visit - Seattle")
    reply = await sandbox.call("GET", report_path(DEMO.traveler, report.report_id), token=token)
    assert reply.status == 403
    assert reply.json()["httpStatus"] == "403 - Forbidden"


async def test_fresh_tokens_verify_by_wall_clock_after_the_clock_advances(
    sandbox: SandboxHarness,
) -> None:
    await sandbox.admin("POST", "/_sandbox/clock", json={"advance_s": 7200})
    token = await sandbox.user_token("traveler@example.com")
    claims = await verify_with_jwks(sandbox, token)  # PyJWT checks nbf/iat/exp by wall clock
    assert claims["sub"] == DEMO.traveler
