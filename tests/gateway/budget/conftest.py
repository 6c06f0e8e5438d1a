"""Fixtures shared with the cache tests: more gateways in front of one sandbox."""

from __future__ import annotations

from tests.gateway.cache.conftest import make_gateway

__all__ = ["make_gateway"]
