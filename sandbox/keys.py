"""Typed keys for what the sandbox app holds, declared once so every route module agrees."""

from __future__ import annotations

from aiohttp import web

from sandbox.engine import Engine
from sandbox.state import Store

STORE = web.AppKey("sandbox_store", Store)
ENGINE = web.AppKey("sandbox_engine", Engine)

__all__ = ["ENGINE", "STORE"]
