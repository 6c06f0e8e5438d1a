"""ESS's client certificate, checked where the gateway terminates TLS itself."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from gateway.app import create_app
from gateway.events.tls import server_ssl_context
from gateway.settings import Settings
from gateway.settings.events import CONCUR_WEBHOOK_CN, EssSettings
from gateway.settings.tls import TlsSettings
from tests.support.gateway import gateway_settings
from tests.support.sandbox import SandboxHarness

BODY = (
    b'{"id":"86a38080-a73e-4474-a224-3618e47bd299","eventType":"reportUpdated",'
    b'"topic":"public.concur.expense.report","timeStamp":"2025-03-07T22:25:49.866Z",'
    b'"facts":{"reportId":"4E6593CB987D459C88FA"}}'
)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _pem_key(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )


def _certificate(
    common_name: str,
    key: rsa.RSAPrivateKey,
    issuer: x509.Certificate | None = None,
    issuer_key: rsa.RSAPrivateKey | None = None,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if issuer is None:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
    else:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    signing_key: rsa.RSAPrivateKey
    signing_public: Path
    tmp: Path

    def client(self, common_name: str) -> ssl.SSLContext:
        """A client context presenting a CA-issued certificate for ``common_name``."""
        ca_key = _load_key(self.tmp / "ca.key")
        ca = x509.load_pem_x509_certificate(self.ca.read_bytes())
        key = _key()
        cert = _certificate(common_name, key, ca, ca_key)
        cert_path = self.tmp / f"{common_name}.crt"
        key_path = self.tmp / f"{common_name}.key"
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_path.write_bytes(_pem_key(key))
        context = ssl.create_default_context(cafile=str(self.ca))
        context.load_cert_chain(str(cert_path), str(key_path))
        return context


def _load_key(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@pytest.fixture
def pki(tmp_path: Path) -> Pki:
    ca_key = _key()
    ca = _certificate("Test CA", ca_key)
    (tmp_path / "ca.key").write_bytes(_pem_key(ca_key))
    (tmp_path / "ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    server_key = _key()
    server = _certificate("127.0.0.1", server_key, ca, ca_key)
    (tmp_path / "server.crt").write_bytes(server.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "server.key").write_bytes(_pem_key(server_key))
    signing = _key()
    (tmp_path / "ess.pem").write_bytes(
        signing.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return Pki(
        ca=tmp_path / "ca.crt",
        server_cert=tmp_path / "server.crt",
        server_key=tmp_path / "server.key",
        signing_key=signing,
        signing_public=tmp_path / "ess.pem",
        tmp=tmp_path,
    )


@pytest.fixture
async def https_gateway(sandbox: SandboxHarness, pki: Pki) -> AsyncIterator[TestServer]:
    settings: Settings = gateway_settings(
        sandbox.base_url,
        ess=EssSettings(public_keys=[str(pki.signing_public)], require_client_cert=True),
        tls=TlsSettings(
            cert_file=str(pki.server_cert),
            key_file=str(pki.server_key),
            client_ca_file=str(pki.ca),
        ),
    )
    server = TestServer(create_app(settings))
    await server.start_server(ssl=server_ssl_context(settings.tls))
    try:
        yield server
    finally:
        await server.close()


async def deliver(server: TestServer, context: ssl.SSLContext, signer: rsa.RSAPrivateKey) -> int:
    signature = base64.b64encode(signer.sign(BODY, padding.PKCS1v15(), hashes.SHA256()))
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            server.make_url("/events/ess"),
            data=BODY,
            headers={"Content-Type": "application/json", "Concur-Signature": signature.decode()},
            ssl=context,
        ) as response,
    ):
        return response.status


async def test_only_the_concur_webhook_certificate_is_accepted(
    https_gateway: TestServer, pki: Pki
) -> None:
    assert https_gateway.scheme == "https"
    anonymous = ssl.create_default_context(cafile=str(pki.ca))
    assert await deliver(https_gateway, anonymous, pki.signing_key) == 401
    assert await deliver(https_gateway, pki.client("someone.example.com"), pki.signing_key) == 401
    concur = pki.client(CONCUR_WEBHOOK_CN)
    assert await deliver(https_gateway, concur, _key()) == 401  # right certificate, wrong key
    assert await deliver(https_gateway, concur, pki.signing_key) == 200


async def test_graphql_callers_need_no_certificate(https_gateway: TestServer, pki: Pki) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            https_gateway.make_url("/graphql"),
            json={"query": "{ __typename }"},
            ssl=ssl.create_default_context(cafile=str(pki.ca)),
        ) as response,
    ):
        assert response.status == 200
        assert await response.json() == {
            "data": {"__typename": "Query"},
            "extensions": {"cost": {"estimated": 0, "actual": 0, "cached": 0}},
        }
