"""How one sandbox instance is configured: passed in by the CLI, the embedder or a test."""

from __future__ import annotations

import pydantic


class SandboxConfig(pydantic.BaseModel):
    """Settings of one sandbox app. Built by the caller; nothing here reads the environment.

    ``base_url`` stays empty until the server is bound: links, ``iss`` claims and ESS hrefs
    must carry the real origin, which only exists once an ephemeral port has been chosen.
    """

    host: str = "127.0.0.1"
    port: int = 0
    scale: int = 0
    seed: int = 7
    admin_token: str | None = None
    token_ttl_s: int = 3600
    base_url: str = ""
    ess_retry_initial_s: float = 0.05
    ess_retry_max_s: float = 2.0
    ess_max_attempts: int = 8
    ess_timeout_s: float = 5.0
    recent_requests: int = 500


__all__ = ["SandboxConfig"]
