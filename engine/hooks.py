"""The schema extensions' lifecycle hooks, looked up and wrapped once per extension class.

For every request, Strawberry's runner looks up each of the four hooks (operation, parsing,
validation, execution) on every extension and wraps each one it finds in a new
`contextlib.contextmanager`, which copies the function's metadata every time: 55 µs a
request for the schema's eight extensions, measured on the benchmark's machine. Here each
class's hook is wrapped once; a request only makes the context managers, one per hook (24 µs). They
run in Strawberry's own manager classes (an exit stack, in the extensions' order), so what a
hook sees and what an error does stay Strawberry's. The managers are not public API: the
version fence of `engine.executor.CHECKED_WITH` covers them.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import AsyncIterator, Callable, Iterator
from functools import partial
from typing import Any

from strawberry.extensions import SchemaExtension
from strawberry.extensions.context import (
    ExecutingContextManager,
    ExtensionContextManagerBase,
    OperationContextManager,
    ParsingContextManager,
    ValidationContextManager,
    WrappedHook,
)
from strawberry.extensions.runner import SchemaExtensionsRunner

# A hook as a context manager factory taking the extension, and whether it is entered by await.
Wrapped = tuple[Callable[[SchemaExtension], Any], bool]

_wrapped: dict[tuple[type[SchemaExtension], str], Wrapped | None] = {}


def _wrap(kind: type[SchemaExtension], name: str) -> Wrapped | None:
    """The hook `name` of the class `kind` as Strawberry's `get_hook` wraps it, or None
    where the class keeps `SchemaExtension`'s."""
    hook = getattr(kind, name)
    if hook is getattr(SchemaExtension, name):
        return None
    if inspect.isgeneratorfunction(hook):
        return contextlib.contextmanager(hook), False
    if inspect.isasyncgenfunction(hook):
        return contextlib.asynccontextmanager(hook), True
    if inspect.iscoroutinefunction(hook):

        @contextlib.asynccontextmanager
        async def awaited(extension: SchemaExtension) -> AsyncIterator[None]:
            await hook(extension)
            yield

        return awaited, True

    @contextlib.contextmanager
    def called(extension: SchemaExtension) -> Iterator[None]:
        hook(extension)
        yield

    return called, False


def _hooks(extensions: list[SchemaExtension], name: str) -> list[WrappedHook]:
    hooks = []
    for extension in extensions:
        key = (type(extension), name)
        if key not in _wrapped:
            _wrapped[key] = _wrap(*key)
        wrapped = _wrapped[key]
        if wrapped is not None:
            factory, is_async = wrapped
            hooks.append(WrappedHook(extension, partial(factory, extension), is_async))
    return hooks


class _Prepared(ExtensionContextManagerBase):
    __slots__ = ()

    def __init__(self, extensions: list[SchemaExtension]) -> None:
        self.hooks = _hooks(extensions, self.HOOK_NAME)


class _Operation(_Prepared, OperationContextManager):
    __slots__ = ()


class _Parsing(_Prepared, ParsingContextManager):
    __slots__ = ()


class _Validation(_Prepared, ValidationContextManager):
    __slots__ = ()


class _Executing(_Prepared, ExecutingContextManager):
    __slots__ = ()


class PreparedHooksRunner(SchemaExtensionsRunner):
    """Strawberry's runner with each class's hooks wrapped once (see the module)."""

    def operation(self) -> OperationContextManager:
        return _Operation(self.extensions)

    def validation(self) -> ValidationContextManager:
        return _Validation(self.extensions)

    def parsing(self) -> ParsingContextManager:
        return _Parsing(self.extensions)

    def executing(self) -> ExecutingContextManager:
        return _Executing(self.extensions)
