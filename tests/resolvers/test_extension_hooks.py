"""Extension hooks wrapped once per class still run per request, in Strawberry's order."""

from __future__ import annotations

from collections.abc import Iterator

import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext

from resolvers.extension_hooks import WrappedOnceRunner


@strawberry.type
class _Query:
    @strawberry.field
    def ok(self) -> str:
        return "fine"

    @strawberry.field
    def broken(self) -> str:
        raise ValueError("no")


class _Recording(SchemaExtension):
    """Records the steps it sees, per request (its instance is the request's own)."""

    log: list[tuple[int, str]] = []

    def on_operation(self) -> Iterator[None]:
        self.log.append((id(self), "operation"))
        yield
        errors = self.execution_context.result.errors if self.execution_context.result else None
        self.log.append((id(self), "operation done" + (" with errors" if errors else "")))

    def on_parse(self) -> Iterator[None]:
        self.log.append((id(self), "parse"))
        yield

    def on_validate(self) -> Iterator[None]:
        yield
        self.log.append((id(self), "validated"))


class _Schema(strawberry.Schema):
    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        return WrappedOnceRunner(execution_context=execution_context, extensions=extensions)


async def test_each_request_runs_its_own_instance_through_every_step() -> None:
    _Recording.log = []
    schema = _Schema(query=_Query, extensions=[_Recording])
    first = await schema.execute("{ ok }")
    second = await schema.execute("{ broken }")
    assert first.data == {"ok": "fine"}
    assert second.errors
    assert second.errors[0].message == "no"
    steps = [step for _, step in _Recording.log]
    assert steps == [
        *("operation", "parse", "validated", "operation done"),
        *("operation", "parse", "validated", "operation done with errors"),
    ]
    instances = [instance for instance, _ in _Recording.log]
    assert len(set(instances[:4])) == 1
    assert len(set(instances[4:])) == 1


async def test_a_syntax_error_reaches_the_operation_hook_as_a_result() -> None:
    _Recording.log = []
    schema = _Schema(query=_Query, extensions=[_Recording])
    result = await schema.execute("{ ok ")
    assert result.errors
    assert [step for _, step in _Recording.log] == [
        "operation",
        "parse",
        "operation done with errors",
    ]
