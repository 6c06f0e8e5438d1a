"""TLS terminated by the gateway itself, so ESS's client certificate can be checked.

ESS connects with a client certificate for ``webhook.api.concursolutions.com`` (issued by
DigiCert). Its Common Name can only be checked where TLS ends: a proxy in front would have
to forward it in a header anyone could set. With ``tls.cert_file``/``tls.key_file`` the
gateway serves HTTPS; with ``tls.client_ca_file`` it asks clients for a certificate (optional,
so GraphQL callers need none) and verifies the ones presented against that CA bundle. The
receiver then reads the verified peer certificate of each delivery.
"""

from __future__ import annotations

import ssl
from typing import TYPE_CHECKING

from gateway.settings.tls import TlsSettings

if TYPE_CHECKING:
    from aiohttp import web


def server_ssl_context(tls: TlsSettings) -> ssl.SSLContext | None:
    """The server context for ``tls``, or None when TLS is off (reads files: call it from a
    thread or before the loop runs)."""
    if not tls.enabled:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(tls.cert_file, tls.key_file)
    if tls.client_ca_file:
        context.load_verify_locations(cafile=tls.client_ca_file)
        context.verify_mode = ssl.CERT_OPTIONAL
    return context


def peer_common_names(request: web.Request) -> list[str]:
    """The subject CNs of the client certificate the TLS layer verified; empty when the
    connection is plain HTTP or the client presented none (an unverified certificate never
    gets this far: the handshake fails)."""
    transport = request.transport
    if transport is None:
        return []
    cert = transport.get_extra_info("peercert")
    if not isinstance(cert, dict):
        return []
    names: list[str] = []
    for rdn in cert.get("subject", ()):
        names.extend(value for key, value in rdn if key == "commonName")
    return names


__all__ = ["peer_common_names", "server_ssl_context"]
