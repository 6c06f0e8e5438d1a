"""Typed forms of ``strawberry.field``/``strawberry.mutation`` with a description.

Strawberry types the bare decorators but not their keyword form (it returns ``Any``),
which strict mypy rejects as an untyped decorator. These keep the resolver's signature
visible to the type checker; at runtime they are exactly Strawberry's decorators.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import strawberry

F = TypeVar("F", bound=Callable[..., Any])


def field(description: str) -> Callable[[F], F]:
    """``@strawberry.field(description=...)``, typed."""
    return cast("Callable[[F], F]", strawberry.field(description=description))


def mutation(description: str) -> Callable[[F], F]:
    """``@strawberry.mutation(description=...)``, typed."""
    return cast("Callable[[F], F]", strawberry.mutation(description=description))


__all__ = ["field", "mutation"]
