"""Which operation of a document a request runs, known before anything runs it.

The response reuse must know that an operation is a query before it asks the backend, a GET
must not run a mutation, and a request naming an operation its document lacks (or sending
several without a name) must be refused as a GraphQL error — Strawberry would answer those
last two in plain text. The document is parsed through the schema's own parser cache (same
LRU, same ``max_tokens`` option), so Strawberry's parse of the same text is a cache hit.
A document that does not parse is left to Strawberry, which reports the syntax error.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLError, OperationDefinitionNode, OperationType

from gateway.extensions import shared_parser
from gateway.refusals import OperationNotChosen


@dataclass(frozen=True, slots=True)
class SelectedOperation:
    type: OperationType
    name: str | None

    @property
    def is_query(self) -> bool:
        return self.type is OperationType.QUERY


class OperationSelector:
    """Selects a document's operation the way GraphQL does (the named one, else the only
    one), with the schema's parser cache."""

    def __init__(self, *, parser_cache_size: int, max_tokens: int) -> None:
        self._parse = shared_parser(parser_cache_size)
        self._max_tokens = max_tokens

    def select(self, query: str, operation_name: str | None) -> SelectedOperation | None:
        """The operation to run; None when the document does not parse (Strawberry says
        why); ``OperationNotChosen`` when the document does not say which to run."""
        try:
            document = self._parse(query, max_tokens=self._max_tokens)
        except GraphQLError:
            return None
        operations = [
            node for node in document.definitions if isinstance(node, OperationDefinitionNode)
        ]
        if operation_name is not None:
            named = [op for op in operations if op.name and op.name.value == operation_name]
            if not named:
                raise OperationNotChosen(
                    f'The document has no operation named "{operation_name}".',
                    field="operationName",
                )
            return _selected(named[0])
        if len(operations) == 1:
            return _selected(operations[0])
        if not operations:
            raise OperationNotChosen("The document has no operation to run.", field="query")
        raise OperationNotChosen(
            "The document has several operations: name the one to run in operationName.",
            field="operationName",
        )


def _selected(node: OperationDefinitionNode) -> SelectedOperation:
    return SelectedOperation(node.operation, node.name.value if node.name else None)


__all__ = ["OperationSelector", "SelectedOperation"]
