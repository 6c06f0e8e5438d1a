"""The worst-case number of upstream calls a GraphQL operation can cost, before it runs.

The price follows what the loaders, prefetch and the key book do (``loaders``, ``reads``,
``prefetch``, ``adapters.v11.keys``), always rounding up:

- a report header: 1 (v4)
- a report's details (``entries``, ``workflow``, ``availableActions``): 1, plus one
  ReportsList per ``LOOKUP_VIEWS`` view when it is the caller's first read of the report
  (its encrypted key is looked up); several detail fields of one report share the read
- a report's cost objects: 1
- an entry: the report's details + 1
- a list: 1 + ``list_size`` x (a header + what each listed report selects)
- a mutation: the guard's details read + the action (and the company token it may need)
  + the fresh header and details read after it, + what its payload's report selects
- ``me``, ``rateLimit`` and introspection: 0

Every field occurrence is priced, so aliases and fragments that repeat a field pay for it
again (the loaders may dedupe them: the estimate is an upper bound, never an exact count).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    VariableNode,
)

from adapters.v11.keys import LOOKUP_VIEWS

HEADER: Final = 1
DETAILS: Final = 1 + len(LOOKUP_VIEWS)
COST_OBJECTS: Final = 1
ENTRY: Final = 1
LIST: Final = 1
ACTION: Final = 2
"""The action itself, and the company token a short-URL approval may have to fetch."""
MUTATION: Final = DETAILS + ACTION + HEADER + DETAILS

DETAIL_FIELDS: Final = frozenset({"entries", "workflow", "availableActions"})
COST_OBJECT_FIELDS: Final = frozenset({"costObjects"})
LIST_FIELDS: Final = frozenset({"reports", "reportsToApprove"})
RATE_LIMIT_FIELD: Final = "rateLimit"

Fragments = Mapping[str, FragmentDefinitionNode]


def operation_of(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs: the one named, or the document's only one."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def fields(selection_set: SelectionSetNode | None, fragments: Fragments) -> Iterator[FieldNode]:
    """The fields of a selection set, fragments flattened (each occurrence once)."""
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from fields(fragment.selection_set, fragments)


@dataclass(frozen=True, slots=True)
class Pricer:
    """Prices operations for lists assumed ``list_size`` long."""

    list_size: int

    def price(
        self,
        document: DocumentNode,
        operation_name: str | None = None,
        variables: Mapping[str, Any] | None = None,
    ) -> int:
        del variables  # no argument changes the worst case today; kept for list sizes
        operation = operation_of(document, operation_name)
        if operation is None or operation.operation is OperationType.SUBSCRIPTION:
            return 0
        fragments = _fragments(document)
        roots = fields(operation.selection_set, fragments)
        if operation.operation is OperationType.MUTATION:
            return sum(self._mutation(f, fragments) for f in roots)
        return sum(self._query_field(f, fragments) for f in roots)

    def _query_field(self, field: FieldNode, fragments: Fragments) -> int:
        name = field.name.value
        if name == "report":
            return HEADER + self._report_parts(field, fragments)
        if name in LIST_FIELDS:
            return LIST + self.list_size * (HEADER + self._report_parts(field, fragments))
        if name == "entry":
            return DETAILS + ENTRY
        return 0

    def _mutation(self, field: FieldNode, fragments: Fragments) -> int:
        if field.name.value.startswith("__"):
            return 0
        reports = _nested(field, "report", fragments)
        return MUTATION + sum(self._report_parts(r, fragments) for r in reports)

    @staticmethod
    def _report_parts(report: FieldNode, fragments: Fragments) -> int:
        """What one report's selection costs beyond its header; each occurrence priced."""
        names = [f.name.value for f in fields(report.selection_set, fragments)]
        return DETAILS * any(n in DETAIL_FIELDS for n in names) + COST_OBJECTS * sum(
            n in COST_OBJECT_FIELDS for n in names
        )


def _nested(field: FieldNode, name: str, fragments: Fragments) -> Iterable[FieldNode]:
    """Fields called ``name`` anywhere under ``field`` (a mutation payload's report)."""
    for child in fields(field.selection_set, fragments):
        if child.name.value == name:
            yield child
        else:
            yield from _nested(child, name, fragments)


def rpc_price(method: str, list_size: int) -> int:
    """The worst case of one ReportService call, whatever parts it asks to include: the
    gRPC face runs the same reads (``gateway.grpc.reports``), so the same prices apply."""
    report = HEADER + DETAILS + COST_OBJECTS
    prices = {
        "GetReport": report,
        "ListReports": LIST + list_size * report,
        "ListReportsToApprove": LIST + list_size * report,
        "GetEntry": DETAILS + ENTRY,
        "ListCostObjects": COST_OBJECTS,
    }
    if method in prices:
        return prices[method]
    return MUTATION if method.endswith("Report") else 0


def rate_limit_fields(document: DocumentNode, operation_name: str | None) -> list[FieldNode]:
    """The operation's root ``rateLimit`` fields (a query only)."""
    operation = operation_of(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return []
    roots = fields(operation.selection_set, _fragments(document))
    return [root for root in roots if root.name.value == RATE_LIMIT_FIELD]


def is_dry_run(
    document: DocumentNode, operation_name: str | None, variables: Mapping[str, Any] | None
) -> bool:
    """Whether the operation asks ``rateLimit(dryRun: true)``: price it, run nothing else."""
    for root in rate_limit_fields(document, operation_name):
        for argument in root.arguments or ():
            if argument.name.value != "dryRun":
                continue
            value = argument.value
            if isinstance(value, BooleanValueNode) and value.value:
                return True
            if isinstance(value, VariableNode) and (variables or {}).get(value.name.value):
                return True
    return False


__all__ = [
    "COST_OBJECTS",
    "DETAILS",
    "HEADER",
    "MUTATION",
    "Pricer",
    "fields",
    "is_dry_run",
    "operation_of",
    "rate_limit_fields",
    "rpc_price",
]
