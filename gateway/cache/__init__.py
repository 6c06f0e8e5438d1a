"""The shared cache: one backend (in process or Redis) behind reads, idempotency and APQ.

Import the submodules themselves (``gateway.cache.backend``, ``.read_cache``...); each
cache takes its own settings group, from ``gateway.settings.cache``.
"""

from __future__ import annotations

__all__: list[str] = []
