"""The key ESS signs deliveries with, and its rotation.

Concur signs every delivery (``Concur-Signature``) with an RSA key whose public half it
publishes, and has rotated it (old and new keys listed side by side). The sandbox signs the
raw body bytes with RSA PKCS#1 v1.5 over SHA-256 and base64-encodes the result; receivers
verify against ``/_sandbox/ess/public-key.pem``. The key is made per app, never at import.
"""

from __future__ import annotations

import base64

from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

KEY_SIZE = 2048


def generate_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit key: CPU-bound (tens of ms), so request handlers run it in a thread."""
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _pem(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class SigningKeys:
    """The current signing key and the public half of the one it replaced."""

    def __init__(self, key: rsa.RSAPrivateKey | None = None) -> None:
        self._current = key or generate_key()
        self._previous: rsa.RSAPublicKey | None = None

    def sign(self, body: bytes) -> str:
        signature = self._current.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode("ascii")

    def public_pem(self) -> bytes:
        return _pem(self._current.public_key())

    def previous_public_pem(self) -> bytes | None:
        return _pem(self._previous) if self._previous is not None else None

    def rotate(self, key: rsa.RSAPrivateKey) -> None:
        """Sign with ``key`` from now on; keep the old public key published for verifiers
        that still hold deliveries signed before the switch."""
        self._previous = self._current.public_key()
        self._current = key


SIGNING_KEYS = web.AppKey("sandbox_ess_signing_keys", SigningKeys)

__all__ = ["KEY_SIZE", "SIGNING_KEYS", "SigningKeys", "generate_key"]
