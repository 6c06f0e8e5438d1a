"""ESS subscription management over real HTTP: CRUD, token kinds, validation, limits."""

from __future__ import annotations

from typing import Any

import pytest

from sandbox.records import SandboxApp
from tests.sandbox.ess.ess_support import SUBSCRIPTIONS, TOPIC, Ess
from tests.support.sandbox import DEMO, SandboxHarness

ENDPOINT = "https://hooks.example.com/concur"


def body(sub_id: str = "gateway-prod", **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": sub_id,
        "filter": ".*",
        "topic": TOPIC,
        "webHookConfig": {"endpoint": ENDPOINT},
    }
    payload.update(overrides)
    return payload


async def test_create_read_update_delete(ess: Ess) -> None:
    status, saved = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=body())
    assert (status, saved) == (200, {"message": "Subscription 'gateway-prod' saved successfully"})

    status, one = await ess.call("GET", f"{SUBSCRIPTIONS}/gateway-prod")
    assert status == 200
    assert one == [
        {
            "id": "gateway-prod",
            "topic": TOPIC,
            "filter": ".*",
            "webHookConfig": {"endpoint": ENDPOINT},
            "applicationId": DEMO.app_id,
            "scope": "",
            "groups": [],
            "companyIds": [DEMO.company_id],
        }
    ]

    update = body(filter="statusChanged", webHookConfig={"endpoint": ENDPOINT + "/v2"})
    status, saved = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=update)
    assert status == 200
    assert saved == {"message": "Subscription 'gateway-prod' saved successfully"}
    await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=body("gateway.test-2"))

    status, listed = await ess.call("GET", SUBSCRIPTIONS)
    assert status == 200
    by_id = {s["id"]: s for s in listed}
    assert set(by_id) == {"gateway-prod", "gateway.test-2"}
    assert by_id["gateway-prod"]["filter"] == "statusChanged"
    assert by_id["gateway-prod"]["webHookConfig"] == {"endpoint": ENDPOINT + "/v2"}

    status, deleted = await ess.call("DELETE", f"{SUBSCRIPTIONS}/gateway-prod")
    assert (status, deleted) == (
        200,
        {"message": "Subscription 'gateway-prod' marked for deletion"},
    )
    status, missing = await ess.call("GET", f"{SUBSCRIPTIONS}/gateway-prod")
    assert status == 404
    assert missing["httpStatus"] == "404 - Not Found"
    assert missing["errorMessage"] == "Subscription 'gateway-prod' not found."
    status, _ = await ess.call("DELETE", f"{SUBSCRIPTIONS}/gateway-prod")
    assert status == 404
    status, listed = await ess.call("GET", SUBSCRIPTIONS)
    assert [s["id"] for s in listed] == ["gateway.test-2"]


async def test_subscriptions_belong_to_their_application(ess: Ess, sandbox: SandboxHarness) -> None:
    sandbox.store.apps["other-client"] = SandboxApp("other-client", "other-secret", "other-app")
    status, grant = await sandbox.token_response(
        grant_type="client_credentials", client_id="other-client", client_secret="other-secret"
    )
    assert status == 200, grant
    other = grant["access_token"]
    await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=body("mine"))

    assert await ess.call("GET", SUBSCRIPTIONS, token=other) == (200, [])
    status, _ = await ess.call("GET", f"{SUBSCRIPTIONS}/mine", token=other)
    assert status == 404
    status, _ = await ess.call("DELETE", f"{SUBSCRIPTIONS}/mine", token=other)
    assert status == 404
    status, error = await ess.call(
        "PUT", f"{SUBSCRIPTIONS}/webhook", token=other, json=body("mine")
    )
    assert status == 409
    assert error["errorMessage"] == "Subscription id 'mine' is already in use."
    saved = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", token=other, json=body("theirs"))
    assert saved == (200, {"message": "Subscription 'theirs' saved successfully"})
    status, listed = await ess.call("GET", SUBSCRIPTIONS, token=other)
    assert [(s["id"], s["applicationId"]) for s in listed] == [("theirs", "other-app")]
    status, listed = await ess.call("GET", SUBSCRIPTIONS)
    assert [(s["id"], s["applicationId"]) for s in listed] == [("mine", DEMO.app_id)]


async def test_topics(ess: Ess) -> None:
    assert await ess.call("GET", "/events/v4/topics") == (200, [TOPIC])


@pytest.mark.parametrize("kind", ["user", "company"])
async def test_user_and_company_tokens_are_forbidden(
    ess: Ess, sandbox: SandboxHarness, kind: str
) -> None:
    token = (
        await sandbox.user_token("traveler@example.com")
        if kind == "user"
        else await sandbox.company_token()
    )
    for method, path, payload in [
        ("PUT", f"{SUBSCRIPTIONS}/webhook", body()),
        ("GET", SUBSCRIPTIONS, None),
        ("GET", f"{SUBSCRIPTIONS}/gateway-prod", None),
        ("DELETE", f"{SUBSCRIPTIONS}/gateway-prod", None),
    ]:
        status, error = await ess.call(method, path, token=token, json=payload)
        assert status == 403, (method, path)
        assert error["httpStatus"] == "403 - Forbidden"
        assert error["path"] == path
    assert await ess.call("GET", SUBSCRIPTIONS) == (200, [])


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-jwt", "OAuth {token}", "Bearer"],
    ids=["missing", "garbage", "wrong-scheme", "empty"],
)
async def test_unauthenticated(
    ess: Ess, sandbox: SandboxHarness, authorization: str | None
) -> None:
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization.format(token=ess.app_token)
    async with sandbox.session.get(f"{sandbox.base_url}{SUBSCRIPTIONS}", headers=headers) as resp:
        assert resp.status == 401
        error = await resp.json()
        assert resp.headers["concur-correlationid"]
    assert error["httpStatus"] == "401 - Unauthorized"
    assert set(error) >= {"timestamp", "errorMessage", "errorId", "path"}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id": "Upper_Case"}, "id"),
        ({"id": ""}, "id"),
        ({"filter": "(unclosed"}, "filter"),
        ({"filter": None}, "filter"),
        ({"topic": "public.concur.user"}, "topic"),
        ({"webHookConfig": {}}, "webHookConfig.endpoint"),
        ({"webHookConfig": {"endpoint": "not a url"}}, "webHookConfig.endpoint"),
        ({"webHookConfig": "https://x.example.com"}, "webHookConfig.endpoint"),
    ],
)
async def test_invalid_subscription(ess: Ess, overrides: dict[str, Any], field: str) -> None:
    status, error = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=body(**overrides))
    assert status == 400
    assert error["httpStatus"] == "400 - Bad Request"
    assert [v["id"] for v in error["validationErrors"]] == [field]
    assert await ess.call("GET", SUBSCRIPTIONS) == (200, [])


async def test_body_must_be_a_json_object(ess: Ess, sandbox: SandboxHarness) -> None:
    status, error = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=["gateway"])
    assert status == 400
    assert error["errorMessage"] == "The request body must be a JSON object."
    async with sandbox.session.put(
        f"{sandbox.base_url}{SUBSCRIPTIONS}/webhook",
        data=b"{not json",
        headers={"Authorization": f"Bearer {ess.app_token}", "Content-Type": "application/json"},
    ) as resp:
        assert resp.status == 400


async def test_at_most_five_subscriptions_per_application(ess: Ess) -> None:
    for n in range(5):
        status, _ = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=body(f"sub-{n}"))
        assert status == 200
    status, error = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=body("sub-5"))
    assert status == 400
    assert error["errorMessage"] == "An application can have at most 5 subscriptions."
    # updating one of the five is still allowed; deleting one makes room again
    status, _ = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=body("sub-0", filter="x"))
    assert status == 200
    await ess.call("DELETE", f"{SUBSCRIPTIONS}/sub-1")
    status, _ = await ess.call("PUT", f"{SUBSCRIPTIONS}/webhook", json=body("sub-5"))
    assert status == 200
    status, listed = await ess.call("GET", SUBSCRIPTIONS)
    assert sorted(s["id"] for s in listed) == ["sub-0", "sub-2", "sub-3", "sub-4", "sub-5"]
