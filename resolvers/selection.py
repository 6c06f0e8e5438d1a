"""Read from a GraphQL selection which per-report reads it will need.

Only the names directly under a report field matter (fragments are followed), so this is a
walk of a handful of nodes, not of the whole document.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from resolvers.operations.prefetch import Wants

_DETAIL_FIELDS = frozenset({"entries", "workflow", "availableActions"})
_COST_OBJECT_FIELDS = frozenset({"costObjects"})


def _names(selections: Iterable[Selection]) -> Iterable[str]:
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection.name
        elif isinstance(selection, InlineFragment | FragmentSpread):
            yield from _names(selection.selections)


def report_wants(info: strawberry.Info[Any, Any]) -> Wants:
    """What the current field's report selection needs besides the header."""
    names = {name for field in info.selected_fields for name in _names(field.selections)}
    return Wants(
        details=not names.isdisjoint(_DETAIL_FIELDS),
        cost_objects=not names.isdisjoint(_COST_OBJECT_FIELDS),
    )


__all__ = ["report_wants"]
