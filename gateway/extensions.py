"""The schema extensions of a gateway, built from settings.

Everything bounded: every hostile-document limit is enforced before execution (parse and
validation), so a refused document never reaches a resolver or Concur, and the parser and
validation caches are LRUs of a configured size. Extensions are passed as classes or
zero-argument factories: a shared instance would mix state between concurrent requests.

A known document costs two cache lookups: ``KnownDocuments`` parses it (bounded in tokens)
and validates it (GraphQL's rules, then the depth, alias and introspection rules) once, in
one extension. Strawberry builds every extension, and wraps each of its hooks, again for
each request, so four single-purpose extensions (token limit, added rules, parser cache,
validation cache) cost four times that set-up for the same work.

The rules are built once here, not per request: the validation cache keys on the rule
classes, and ``QueryDepthLimiter``/``MaxAliasesLimiter`` make a new class per instance,
which would make every request a cache miss.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Iterator
from functools import partial

from graphql import ASTValidationRule, DocumentNode, GraphQLError, GraphQLSchema, specified_rules
from strawberry.extensions import (
    MaxAliasesLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document

from gateway.error_mapping import MapErrors
from gateway.introspection import IntrospectionDisabled
from gateway.settings import LimitSettings, ServerSettings

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]
Rules = tuple[type[ASTValidationRule], ...]


def shared_parser(maxsize: int) -> Callable[..., DocumentNode]:
    """The process's parser LRU of this size (Strawberry's own, shared by every user of
    the same size: the view's operation selection parses through it too)."""
    return ParserCache(maxsize=maxsize).cached_parse_document


class ValidatedDocuments:
    """Validation errors by document text, for the very document the parser cache returned.

    Keyed on the text and checked by identity (same schema, same parsed document, same
    rules), not on the document itself: an AST node hashes its whole tree on every lookup,
    which cost a cached read more than validating had saved it.
    """

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[str, tuple[object, DocumentNode, Rules, list[GraphQLError]]]
        self._entries = OrderedDict()

    def validate(
        self, schema: GraphQLSchema, query: str, document: DocumentNode, rules: Rules
    ) -> list[GraphQLError]:
        entry = self._entries.get(query)
        if entry is not None and entry[0] is schema and entry[1] is document and entry[2] is rules:
            self._entries.move_to_end(query)
            self.hits += 1
            return entry[3]
        self.misses += 1
        errors = validate_document(schema, document, rules)
        self._entries[query] = (schema, document, rules, errors)
        self._entries.move_to_end(query)
        if len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return errors


@functools.cache
def shared_validator(maxsize: int) -> ValidatedDocuments:
    """The process's validation cache of this size (entries check schema and rules, so
    apps with different rules never share a result)."""
    return ValidatedDocuments(maxsize)


class KnownDocuments(SchemaExtension):
    """Parses (bounded in tokens) and validates each document once; pass a factory.

    A document that does not parse is left to Strawberry (with the same token bound),
    which parses it again and reports the syntax error the usual way: raised here, it
    would escape the operation and bypass error mapping.
    """

    def __init__(
        self,
        *,
        parse: Callable[..., DocumentNode],
        validated: ValidatedDocuments,
        rules: Rules,
        max_tokens: int,
    ) -> None:
        self._parse = parse
        self._validated = validated
        self._rules = rules
        self._max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        ctx = self.execution_context
        ctx.parse_options["max_tokens"] = self._max_tokens
        try:
            ctx.graphql_document = self._parse(ctx.query, **ctx.parse_options)
        except GraphQLError:
            ctx.graphql_document = None
        yield

    def on_validate(self) -> Iterator[None]:
        ctx = self.execution_context
        assert ctx.graphql_document is not None  # Strawberry validates parsed documents only
        assert ctx.query is not None  # a parsed document came from a query's text
        ctx.validation_rules = self._rules
        ctx.pre_execution_errors = self._validated.validate(
            ctx.schema._schema, ctx.query, ctx.graphql_document, self._rules
        )
        yield


def gateway_rules(limits: LimitSettings, server: ServerSettings) -> Rules:
    """GraphQL's own rules, then depth, aliases and (when off) introspection."""
    extra: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    if not server.introspection:
        extra.append(IntrospectionDisabled)
    return (*specified_rules, *extra)


def build_extensions(limits: LimitSettings, server: ServerSettings) -> list[ExtensionFactory]:
    """Error mapping first (its post-operation hook then runs last), then known documents."""
    known = partial(
        KnownDocuments,
        parse=shared_parser(limits.parser_cache_size),
        validated=shared_validator(limits.validation_cache_size),
        rules=gateway_rules(limits, server),
        max_tokens=limits.max_tokens,
    )
    return [partial(MapErrors, hide_suggestions=not server.introspection), known]


__all__ = [
    "ExtensionFactory",
    "KnownDocuments",
    "ValidatedDocuments",
    "build_extensions",
    "gateway_rules",
    "shared_parser",
    "shared_validator",
]
