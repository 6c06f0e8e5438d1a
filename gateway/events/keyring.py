"""Concur's ESS signing keys, and the check of ``Concur-Signature`` against them.

ESS signs the raw body of every delivery (RSA PKCS#1 v1.5 over SHA-256, base64 in the
``Concur-Signature`` header) and publishes the public key; when it rotates the key, old and
new are published side by side. The keyring holds every key of every configured source
(PEM files with public keys or certificates, or http(s) URLs) and accepts a signature that
any of them verifies, so configuring the current and the next key makes a rotation
seamless. Sources are read at start-up and every ``refresh_s``; a signature no key verifies
triggers one early re-read (shared by concurrent deliveries, at most every
``refetch_min_s``), which is how a rotation published at a URL is picked up at once. A
source that fails to load keeps the keys it had: a flaky key URL must not lock ESS out.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Final

import aiohttp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from adapters.singleflight import SingleFlight

logger = logging.getLogger(__name__)

MAX_KEY_BYTES: Final = 65_536
_PEM_BLOCK: Final = re.compile(
    rb"-----BEGIN (?P<label>[A-Z0-9 ]+)-----.+?-----END (?P=label)-----", re.DOTALL
)


class KeyLoadError(Exception):
    """A key source could not be read or holds no usable RSA public key."""


def parse_pem_keys(data: bytes) -> list[rsa.RSAPublicKey]:
    """Every RSA public key in ``data``: ``PUBLIC KEY``/``RSA PUBLIC KEY`` blocks, and the
    keys of ``CERTIFICATE`` blocks (Concur's webhook certificate carries the signing key)."""
    keys: list[rsa.RSAPublicKey] = []
    for match in _PEM_BLOCK.finditer(data):
        block = match.group(0)
        try:
            key: object = (
                x509.load_pem_x509_certificate(block).public_key()
                if match["label"] == b"CERTIFICATE"
                else load_pem_public_key(block)
            )
        except ValueError as exc:
            raise KeyLoadError(f"unreadable PEM block ({match['label'].decode()})") from exc
        if not isinstance(key, rsa.RSAPublicKey):
            raise KeyLoadError("ESS signs with RSA; the PEM holds another kind of key")
        keys.append(key)
    if not keys:
        raise KeyLoadError("no PEM public key or certificate found")
    return keys


def is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


class EssKeyring:
    """The keys ESS deliveries are verified with (see the module docstring)."""

    def __init__(
        self,
        sources: Sequence[str],
        *,
        session: aiohttp.ClientSession,
        clock: Callable[[], float],
        refetch_min_s: float,
        fetch_timeout_s: float = 5.0,
    ) -> None:
        self.sources = tuple(sources)
        self._session = session
        self._clock = clock
        self._refetch_min_s = refetch_min_s
        self._timeout = aiohttp.ClientTimeout(total=fetch_timeout_s)
        self._keys: dict[str, list[rsa.RSAPublicKey]] = {}
        self._loaded_at: float | None = None
        self._flight: SingleFlight[None] = SingleFlight()

    @property
    def loaded(self) -> bool:
        """Whether any key is held (without one, every delivery is refused)."""
        return any(self._keys.values())

    @property
    def key_count(self) -> int:
        return sum(len(keys) for keys in self._keys.values())

    async def refresh(self) -> None:
        """Read every source again; shared by concurrent callers."""
        await self._flight.run(self._load_all)

    async def _load_all(self) -> None:
        results = await asyncio.gather(
            *(self._load(source) for source in self.sources), return_exceptions=True
        )
        for source, result in zip(self.sources, results, strict=True):
            if isinstance(result, KeyLoadError):
                logger.warning(
                    "ESS key source not loaded: %s",
                    result,
                    extra={"ess_key_source": source, "kept_keys": len(self._keys.get(source, []))},
                )
            elif isinstance(result, BaseException):
                raise result
            else:
                self._keys[source] = result
        self._loaded_at = self._clock()
        logger.info("ESS keys loaded", extra={"ess_keys": self.key_count})

    async def _load(self, source: str) -> list[rsa.RSAPublicKey]:
        if is_url(source):
            data = await self._fetch(source)
        else:
            try:
                data = await asyncio.to_thread(Path(source).read_bytes)
            except OSError as exc:
                raise KeyLoadError(f"cannot read {source}: {exc.strerror}") from exc
        return parse_pem_keys(data)

    async def _fetch(self, url: str) -> bytes:
        try:
            async with self._session.get(url, timeout=self._timeout) as response:
                if response.status != 200:
                    raise KeyLoadError(f"HTTP {response.status}")
                data = await response.content.read(MAX_KEY_BYTES + 1)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise KeyLoadError(f"fetch failed: {type(exc).__name__}") from exc
        if len(data) > MAX_KEY_BYTES:
            raise KeyLoadError("the key document is too large")
        return data

    def _verifies(self, body: bytes, signature: bytes) -> bool:
        for keys in list(self._keys.values()):
            for key in keys:
                try:
                    key.verify(signature, body, padding.PKCS1v15(), hashes.SHA256())
                except InvalidSignature:
                    continue
                return True
        return False

    def _refetch_due(self) -> bool:
        if not self.sources:
            return False
        return (
            self._loaded_at is None
            or self._flight.in_flight
            or self._clock() - self._loaded_at >= self._refetch_min_s
        )

    async def verify(self, body: bytes, signature: str | None) -> bool:
        """Whether ``signature`` (the ``Concur-Signature`` header) signs ``body`` with a
        held key; unknown signatures may re-read the sources once (see the module docstring)."""
        if not signature:
            return False
        try:
            raw = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        if self._verifies(body, raw):
            return True
        if not self._refetch_due():
            return False
        await self.refresh()
        return self._verifies(body, raw)


__all__ = ["MAX_KEY_BYTES", "EssKeyring", "KeyLoadError", "is_url", "parse_pem_keys"]
