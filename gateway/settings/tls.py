"""The settings group of TLS on the gateway's own port (``CONCUR_GATEWAY_TLS__*``);
``gateway.events.tls`` builds the server's context from it."""

from __future__ import annotations

from pydantic import BaseModel


class TlsSettings(BaseModel):
    """HTTPS on the gateway's own port (off unless both files are set)."""

    cert_file: str = ""
    key_file: str = ""
    client_ca_file: str = ""
    """CA bundle that issued the client certificates to accept (for ESS: DigiCert's)."""

    @property
    def enabled(self) -> bool:
        return bool(self.cert_file and self.key_file)


__all__ = ["TlsSettings"]
