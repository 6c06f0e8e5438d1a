"""The shared cache: one backend (in process or Redis) behind reads, idempotency and APQ.

Import the submodules themselves (``gateway.cache.backend``, ``.read_cache``...): this
package imports nothing, so ``gateway.settings`` can nest ``gateway.cache.settings``.
"""

from __future__ import annotations

__all__: list[str] = []
