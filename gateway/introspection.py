"""Introspection switched off (``server.introspection=false``): one clear error, with a code.

graphql-core's ``NoSchemaIntrospectionCustomRule`` reports every field of an introspection
type, so the query GraphiQL sends on load comes back with dozens of near-identical
``GRAPHQL_VALIDATION_FAILED`` errors. This rule reports the first one only, saying what is
off and where. Its code stays the standard ``GRAPHQL_VALIDATION_FAILED`` (what clients and
other servers use for this refusal); ``extensions.reason`` says which validation failed,
for a client to test (GraphiQL's page does, to say so). ``__typename`` stays allowed: it
is not introspection of the schema. The error carries no correlation id: validation
results are cached across requests.
"""

from __future__ import annotations

from typing import Any, Final

from graphql import FieldNode, GraphQLError, ValidationRule, get_named_type, is_introspection_type

INTROSPECTION_DISABLED: Final = "INTROSPECTION_DISABLED"
VALIDATION_FAILED: Final = "GRAPHQL_VALIDATION_FAILED"


class IntrospectionDisabled(ValidationRule):
    """Refuse a document that selects ``__schema``, ``__type`` or anything beneath them."""

    reported = False

    def enter_field(self, node: FieldNode, *_args: Any) -> object:
        named = get_named_type(self.context.get_type())
        if named is None or not is_introspection_type(named):
            return None
        if not self.reported:
            self.reported = True
            self.report_error(
                GraphQLError(
                    "Introspection is disabled on this gateway (server.introspection=false): "
                    f"'{node.name.value}' cannot be queried. Use the published schema.graphql.",
                    node,
                    extensions={"code": VALIDATION_FAILED, "reason": INTROSPECTION_DISABLED},
                )
            )
        return self.SKIP


__all__ = ["INTROSPECTION_DISABLED", "IntrospectionDisabled"]
