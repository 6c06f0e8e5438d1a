"""GraphQL types: thin copies of the canonical models (``from_model``), one module each."""

from __future__ import annotations

__all__: list[str] = []
