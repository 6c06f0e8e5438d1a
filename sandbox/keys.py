"""Typed keys for what the sandbox app holds, declared once so every route module agrees."""

from __future__ import annotations

from aiohttp import web

from sandbox.config import SandboxConfig
from sandbox.engine import Engine
from sandbox.records import SandboxClock
from sandbox.state import Store

STORE = web.AppKey("sandbox_store", Store)
ENGINE = web.AppKey("sandbox_engine", Engine)
CONFIG = web.AppKey("sandbox_config", SandboxConfig)
CLOCK = web.AppKey("sandbox_clock", SandboxClock)

__all__ = ["CLOCK", "CONFIG", "ENGINE", "STORE"]
