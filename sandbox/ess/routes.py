"""Routes and background delivery of the sandbox ESS."""

from __future__ import annotations

from aiohttp import web


def add_ess(app: web.Application) -> None:
    """Register the ESS routes and the delivery worker (a cleanup_ctx) on the sandbox app."""


__all__ = ["add_ess"]
