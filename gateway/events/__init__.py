"""Concur ESS events: the webhook receiver, its signing keys, dedupe, workflow facts and
the broker that carries events to subscribers on every replica.

Import the submodules themselves (``gateway.events.keys`` for the app keys,
``gateway.events.services`` for the ``cleanup_ctx``...); its settings groups are in
``gateway.settings.events``.
"""

from __future__ import annotations

__all__: list[str] = []
