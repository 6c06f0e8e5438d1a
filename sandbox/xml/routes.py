"""Routes of the XML face (v1.1 / v2.0)."""

from __future__ import annotations

from aiohttp import web


def add_xml_routes(app: web.Application) -> None:
    """Register the XML routes on the sandbox app."""


__all__ = ["add_xml_routes"]
