"""The ESS keyring: PEM files and URLs, two keys at once, refresh on an unknown signature."""

from __future__ import annotations

import asyncio
import base64
import datetime
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from gateway.events.keyring import EssKeyring, KeyLoadError, parse_pem_keys
from tests.support.events import KEY_PATH, Capture, EssControl
from tests.support.sandbox import SandboxHarness

BODY = b'{"id": "86a38080-a73e-4474-a224-3618e47bd299"}'


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def sign(key: rsa.RSAPrivateKey, body: bytes = BODY) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def certificate_pem(key: rsa.RSAPrivateKey) -> bytes:
    """A self-signed certificate for Concur's webhook name, carrying ``key``."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "webhook.api.concursolutions.com")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


def keyring(
    sources: list[str], session: aiohttp.ClientSession, refetch_min_s: float = 0.0
) -> EssKeyring:
    return EssKeyring(
        sources,
        session=session,
        clock=asyncio.get_running_loop().time,
        refetch_min_s=refetch_min_s,
    )


async def test_two_key_files_verify_side_by_side(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    current, upcoming, stranger = new_key(), new_key(), new_key()
    (tmp_path / "current.pem").write_bytes(public_pem(current))
    (tmp_path / "upcoming.pem").write_bytes(certificate_pem(upcoming))  # a certificate works
    keys = keyring([str(tmp_path / "current.pem"), str(tmp_path / "upcoming.pem")], session)
    await keys.refresh()
    assert keys.loaded
    assert keys.key_count == 2
    assert await keys.verify(BODY, sign(current))
    assert await keys.verify(BODY, sign(upcoming))
    assert not await keys.verify(BODY, sign(stranger))
    assert not await keys.verify(BODY + b" ", sign(current))
    assert not await keys.verify(BODY, None)
    assert not await keys.verify(BODY, "%%%")


async def test_a_source_that_fails_keeps_its_keys(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    key = new_key()
    path = tmp_path / "concur.pem"
    path.write_bytes(public_pem(key))
    keys = keyring([str(path), str(tmp_path / "missing.pem")], session)
    await keys.refresh()
    assert keys.key_count == 1
    path.write_bytes(b"not a key")
    await keys.refresh()
    assert await keys.verify(BODY, sign(key))


async def test_an_unknown_signature_rereads_the_url_unless_it_just_did(
    sandbox: SandboxHarness,
    ess: EssControl,
    capture: Capture,
    session: aiohttp.ClientSession,
) -> None:
    eager = keyring([sandbox.base_url + KEY_PATH], session, refetch_min_s=0)
    spaced = keyring([sandbox.base_url + KEY_PATH], session, refetch_min_s=3600)
    await eager.refresh()
    await spaced.refresh()
    await ess.rotate_key()
    report = sandbox.report_named("London Partner Summit")
    await ess.emit("reportUpdated", report.report_id)
    await ess.drain()
    body, headers = await capture.next()  # signed with the new key
    signature = headers["Concur-Signature"]
    assert await eager.verify(body, signature)  # re-read the URL, found the new key
    # read a moment ago: unknown signatures (forged ones too) must not hammer the URL
    assert not await spaced.verify(body, signature)


def test_pem_parsing_refuses_what_is_not_an_rsa_key() -> None:
    with pytest.raises(KeyLoadError):
        parse_pem_keys(b"nothing here")
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(KeyLoadError):
        parse_pem_keys(ec_pem)
    two = public_pem(new_key()) + b"\n" + public_pem(new_key())
    assert len(parse_pem_keys(two)) == 2
