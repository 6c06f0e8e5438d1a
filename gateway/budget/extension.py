"""``PriceAndCharge``: every GraphQL operation priced once its document is valid, refused or
charged before anything runs, and answered with ``extensions.cost``.

Refusals set the operation's result before execution, so a refused query makes no upstream
call and reaches no resolver: over ``max_cost`` → ``QUERY_TOO_EXPENSIVE``; more than the
caller's share can cover → ``RATE_LIMITED`` with ``retryAfter``. ``rateLimit(dryRun: true)``
prices the whole operation and runs only its ``rateLimit`` fields, spending nothing.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    OperationDefinitionNode,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult

from adapters.errors import GatewayError, RateLimited
from gateway.budget.errors import QueryTooExpensive
from gateway.budget.gate import CostGate
from resolvers.context import Context
from resolvers.operations.cache import principal_of
from resolvers.operations.cost import REQUEST_COST, RequestCost, costing
from resolvers.operations.pricing import (
    RATE_LIMIT_FIELD,
    is_dry_run,
    operation_of,
    rate_limit_fields,
)

ANONYMOUS = "anonymous"


def principal_in(context: object) -> str:
    credentials = context.credentials if isinstance(context, Context) else None
    return principal_of(credentials) if credentials is not None else ANONYMOUS


def rate_limit_only(document: DocumentNode, operation_name: str | None) -> DocumentNode:
    """The document with its operation cut down to its ``rateLimit`` fields (a dry run)."""
    operation = operation_of(document, operation_name)
    assert operation is not None  # priced as a dry run only when there is one
    kept = tuple(
        selection
        for selection in operation.selection_set.selections
        if isinstance(selection, FieldNode) and selection.name.value == RATE_LIMIT_FIELD
    )
    trimmed = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=SelectionSetNode(selections=kept),
    )
    others = tuple(d for d in document.definitions if d is not operation)
    return DocumentNode(definitions=(trimmed, *others))


def _refused(error: GatewayError) -> ExecutionResult:
    return ExecutionResult(data=None, errors=[GraphQLError(error.message, original_error=error)])


@dataclass(frozen=True, slots=True)
class Priced:
    """What pricing learns from a document alone (no argument changes the worst case)."""

    document: DocumentNode
    """Held so that the identity it is remembered by cannot be reused."""
    estimated: int
    asks_rate_limit: bool


class DocumentPrices:
    """Prices remembered by document identity: a known document comes back as the same
    parsed object (``gateway.selection``), so a query sent again is priced once. Only sound
    while no variable changes a price (``Pricer.price`` ignores them): a price that reads
    variables must be remembered by them too."""

    def __init__(self, gate: CostGate, size: int = 512) -> None:
        self._gate = gate
        self._size = size
        self._priced: dict[tuple[int, str | None], Priced] = {}

    def of(self, document: DocumentNode, operation_name: str | None) -> Priced:
        key = (id(document), operation_name)
        priced = self._priced.get(key)
        if priced is None or priced.document is not document:
            priced = Priced(
                document,
                self._gate.pricer.price(document, operation_name),
                bool(rate_limit_fields(document, operation_name)),
            )
            if len(self._priced) >= self._size:
                self._priced.clear()  # documents come and go rarely: start over, simply
            self._priced[key] = priced
        return priced


class PriceAndCharge(SchemaExtension):
    """Prices, refuses or charges, and reports ``extensions.cost``; one instance a request."""

    def __init__(
        self,
        *,
        gate: CostGate,
        prices: DocumentPrices,
        execution_context: ExecutionContext | None = None,
    ):
        super().__init__()
        self.gate = gate
        self.prices = prices
        self.cost = RequestCost()
        if execution_context is not None:
            self.execution_context = execution_context

    def on_operation(self) -> Iterator[None]:
        with costing() as cost:
            self.cost = cost
            yield

    def get_results(self) -> dict[str, Any]:
        return {"cost": self.cost.as_extension()}

    async def on_execute(self) -> AsyncIterator[None]:
        ctx = self.execution_context
        cost = REQUEST_COST.get()
        if ctx.graphql_document is not None and cost is not None:
            await self._price(ctx, ctx.graphql_document, cost)
        yield

    async def _price(
        self, ctx: ExecutionContext, document: DocumentNode, cost: RequestCost
    ) -> None:
        priced = self.prices.of(document, ctx.operation_name)
        cost.estimated = priced.estimated
        principal = principal_in(ctx.context)
        if priced.asks_rate_limit and is_dry_run(
            document, ctx.operation_name, dict(ctx.variables or {})
        ):
            cost.dry_run = True
            cost.status = await self.gate.status(principal)
            ctx.graphql_document = rate_limit_only(document, ctx.operation_name)
            return
        ceiling = self.gate.settings.max_cost
        if cost.estimated > ceiling:
            ctx.result = _refused(
                QueryTooExpensive(
                    f"This query could cost {cost.estimated} calls to Concur, over the "
                    f"{ceiling} one request may cost: ask for fewer reports or fewer parts "
                    "of each, or split it."
                )
            )
            return
        if principal == ANONYMOUS:
            return  # no call reaches Concur without a token: strangers spend nobody's budget
        if cost.estimated == 0 and not priced.asks_rate_limit:
            return  # nothing to charge, nothing asked: no store is asked either
        try:
            cost.status = await self.gate.admit(
                principal, cost.estimated, status_wanted=priced.asks_rate_limit
            )
        except RateLimited as exc:
            ctx.result = _refused(exc)


__all__ = [
    "ANONYMOUS",
    "DocumentPrices",
    "PriceAndCharge",
    "Priced",
    "principal_in",
    "rate_limit_only",
]
