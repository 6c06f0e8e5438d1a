"""Strawberry's extension runner, with each extension class's hooks wrapped once.

Strawberry builds the extensions of every request anew (an instance per request keeps
their state apart), and then, for each lifecycle step, inspects every instance's hook and
wraps it in a fresh ``contextlib.contextmanager``, which copies the function's metadata
each time: under load that set-up cost as much as a tenth of a cached read's CPU. A hook
is a property of the extension's class, so here it is inspected and wrapped once per
class and step; each request only binds the wrapped hook to its instance. Entering,
exiting and exception handling are Strawberry's own (the same context managers, the same
exit stack), so extensions behave exactly as before.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    StreamResultContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import StreamExecutionResult

HookFactory = Callable[..., Any]
_UNWRAPPED: Final = object()
"""A hook that is a plain callable: left to Strawberry's own per-request wrapping."""
_WRAPPED: dict[tuple[type[SchemaExtension], str], tuple[HookFactory, bool] | object | None] = {}


def _class_hook(
    cls: type[SchemaExtension], name: str, default: object
) -> tuple[HookFactory, bool] | object | None:
    """The class's hook for one step, wrapped once: (context manager factory, is async),
    None when the class does not hook that step, ``_UNWRAPPED`` for a plain callable."""
    key = (cls, name)
    if key in _WRAPPED:
        return _WRAPPED[key]
    function = getattr(cls, name)
    entry: tuple[HookFactory, bool] | object | None
    if function is default:
        entry = None
    elif inspect.isgeneratorfunction(function):
        entry = (contextlib.contextmanager(function), False)
    elif inspect.isasyncgenfunction(function):
        entry = (contextlib.asynccontextmanager(function), True)
    else:
        entry = _UNWRAPPED
    _WRAPPED[key] = entry
    return entry


class _WrappedOnce(ExtensionContextManagerBase):
    """``get_hook`` from the per-class table; everything else is Strawberry's."""

    def get_hook(self, extension: SchemaExtension) -> WrappedHook | None:
        entry = _class_hook(type(extension), self.HOOK_NAME, self.default_hook)
        if entry is None:
            return None
        if not isinstance(entry, tuple):
            return super().get_hook(extension)
        factory, is_async = entry
        return WrappedHook(extension=extension, hook=partial(factory, extension), is_async=is_async)


class _Operation(_WrappedOnce, OperationContextManager):
    pass


class _Validation(_WrappedOnce, ValidationContextManager):
    pass


class _Parsing(_WrappedOnce, ParsingContextManager):
    pass


class _Executing(_WrappedOnce, ExecutingContextManager):
    pass


class _StreamResult(_WrappedOnce, StreamResultContextManager):
    pass


class WrappedOnceRunner(SchemaExtensionsRunner):
    """``SchemaExtensionsRunner`` whose steps use the per-class hook table."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)

    def on_stream_result(self, result: StreamExecutionResult) -> StreamResultContextManager:
        return _StreamResult(self.extensions, result)


__all__ = ["WrappedOnceRunner"]
