"""Traces, metrics and request logs for the gateway.

``providers`` builds OpenTelemetry providers from the standard ``OTEL_*`` variables (or
takes injected ones); ``setup`` wires them into an app: the operation span extension
(``operation``), upstream client spans (``upstream``), the request middleware
(``middleware``), the meters (``metrics``) and ``GET /metrics`` (``prometheus``).
"""

from __future__ import annotations

__all__: list[str] = []
