"""The schema extensions of a gateway, built from settings.

Everything bounded: Strawberry's parser and validation caches default to unbounded, and
every hostile-document limit is enforced before execution (parse and validation), so a
refused document never reaches a resolver or Concur. Extensions are passed as classes or
zero-argument factories: a shared instance would mix state between concurrent requests.

The depth and alias rules are built once here, not per request: the validation cache keys
on the rule classes, and ``QueryDepthLimiter``/``MaxAliasesLimiter`` make a new class per
instance, which would make every request a cache miss.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from gateway.error_mapping import MapErrors
from gateway.introspection import IntrospectionDisabled
from gateway.settings import LimitSettings, ServerSettings

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


class SyntaxSafeParserCache(ParserCache):
    """``ParserCache`` that leaves a document it cannot parse to Strawberry.

    ``ParserCache`` parses inside its hook, where a syntax error escapes the operation and
    bypasses error mapping; leaving the document unset lets Strawberry parse it again and
    report the error the usual way (only failing documents are parsed twice).
    """

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        try:
            ctx.graphql_document = self.cached_parse_document(ctx.query, **ctx.parse_options)
        except GraphQLError:
            ctx.graphql_document = None
        yield


def build_extensions(limits: LimitSettings, server: ServerSettings) -> list[ExtensionFactory]:
    """Error mapping first (its post-operation hook then runs last), then limits and caches."""
    rules = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    if not server.introspection:
        rules.append(IntrospectionDisabled)
    return [
        partial(MapErrors, hide_suggestions=not server.introspection),
        partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        partial(AddValidationRules, rules),
        partial(SyntaxSafeParserCache, maxsize=limits.parser_cache_size),
        partial(ValidationCache, maxsize=limits.validation_cache_size),
    ]


__all__ = ["ExtensionFactory", "SyntaxSafeParserCache", "build_extensions"]
