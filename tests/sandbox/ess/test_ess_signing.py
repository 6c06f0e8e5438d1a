"""``Concur-Signature``: verified independently against the published PEM, and rotation."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sandbox.config import SandboxConfig
from sandbox.embedded import running_sandbox
from tests.sandbox.ess.ess_receiver import Receiver
from tests.sandbox.ess.ess_support import ESS_ADMIN, Ess, Reports, verifies
from tests.support.sandbox import SandboxHarness


async def test_signature_verifies_against_the_published_key(
    ess: Ess, receiver: Receiver, reports: Reports
) -> None:
    await ess.subscribe("signed", receiver.url("signed"))
    reports.submitted()
    received = await receiver.wait_for("signed", 3)
    key = await ess.public_key()
    assert key.key_size == 2048
    for request in received:
        signature = request.headers["Concur-Signature"]
        assert verifies(key, request.body, signature)
        tampered = request.body.replace(b'"route":"stable"', b'"route":"stable" ')
        assert tampered != request.body
        assert not verifies(key, tampered, signature)
        assert not verifies(key, request.body.replace(b"report", b"rep0rt"), signature)


async def test_each_sandbox_has_its_own_key_published_without_auth(
    ess: Ess, sandbox: SandboxHarness
) -> None:
    mine = await ess.public_key()
    async with (
        running_sandbox(SandboxConfig()) as other,  # no admin token at all
        sandbox.session.get(f"{other.base_url}{ESS_ADMIN}/public-key.pem") as resp,
    ):
        assert resp.status == 200
        theirs = serialization.load_pem_public_key(await resp.read())
    assert isinstance(theirs, rsa.RSAPublicKey)
    assert theirs.public_numbers() != mine.public_numbers()


async def test_key_rotation(ess: Ess, receiver: Receiver, reports: Reports) -> None:
    await ess.subscribe("rotating", receiver.url("rotating"))
    status, _ = await ess.sandbox.admin("GET", f"{ESS_ADMIN}/previous-public-key.pem")
    assert status == 404  # nothing rotated yet

    reports.create("Before")
    [before] = await receiver.wait_for("rotating", 1)
    old_key = await ess.public_key()

    rotated = await ess.admin("POST", "/rotate-key")
    new_key = await ess.public_key()
    previous = await ess.public_key("previous-public-key.pem")
    assert previous.public_numbers() == old_key.public_numbers()
    assert new_key.public_numbers() != old_key.public_numbers()
    assert rotated["publicKey"].startswith("-----BEGIN PUBLIC KEY-----")

    reports.create("After")
    [_, after] = await receiver.wait_for("rotating", 2)
    assert verifies(new_key, after.body, after.headers["Concur-Signature"])
    assert not verifies(old_key, after.body, after.headers["Concur-Signature"])
    assert verifies(previous, before.body, before.headers["Concur-Signature"])
    assert not verifies(new_key, before.body, before.headers["Concur-Signature"])


async def test_rotation_needs_the_admin_token(ess: Ess, sandbox: SandboxHarness) -> None:
    before = await ess.public_key()
    async with sandbox.session.post(
        f"{sandbox.base_url}{ESS_ADMIN}/rotate-key",
        headers={"Authorization": f"Bearer {ess.app_token}"},
    ) as resp:
        assert resp.status == 401
    assert (await ess.public_key()).public_numbers() == before.public_numbers()
