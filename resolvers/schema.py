"""The GraphQL schema, built from code (``schema.graphql`` is exported from here).

Building it does no I/O; the gateway adds its extensions (limits, caches, error mapping)
when it builds the app.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from resolvers.extension_hooks import WrappedOnceRunner
from resolvers.mutation import Mutation
from resolvers.query import Query
from resolvers.subscription import Subscription
from resolvers.types.scalars import SCALAR_OVERRIDES


class GatewaySchema(strawberry.Schema):
    """A schema that leaves error logging to the error-mapping extension, and wraps its
    extensions' hooks once per class (``extension_hooks``) rather than per request.

    Strawberry logs every error with a traceback by default; most of ours are expected
    (a NOT_FOUND, a mismatch) and the extension logs the unexpected ones once.
    """

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return WrappedOnceRunner(execution_context=execution_context, extensions=extensions)

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        del errors, execution_context


def build_schema(
    extensions: Sequence[type[SchemaExtension] | Callable[[], SchemaExtension]] = (),
) -> strawberry.Schema:
    """The schema with the given extensions (classes or zero-argument factories)."""
    extension_list: list[Any] = list(extensions)
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extension_list,
        scalar_overrides=SCALAR_OVERRIDES,
    )


def export_sdl() -> str:
    """The SDL as committed in ``schema.graphql`` (with a trailing newline)."""
    return build_schema().as_str() + "\n"


__all__ = ["GatewaySchema", "build_schema", "export_sdl"]
