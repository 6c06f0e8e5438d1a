"""The import rules of docs/architecture.md, checked on the code's own imports.

Every ``import`` and ``from … import`` of every module counts, those under
``TYPE_CHECKING`` included: a typing-only import is still a dependency of the design.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parent.parent
PACKAGES: Final = ("adapters", "gateway", "resolvers", "sandbox")

NEVER: Final = (
    ("sandbox", ("adapters", "resolvers", "gateway"), "the emulator stands alone"),
    ("adapters", ("resolvers", "gateway"), "upstream protocols know no graph and no shell"),
    ("resolvers", ("sandbox", "gateway"), "the graph knows no emulator and no shell"),
    (
        "gateway.cache",
        ("strawberry", "resolvers.types", "gateway.apq", "gateway.telemetry"),
        "the cache sits below the graph's types, APQ and telemetry",
    ),
)
"""(importer, what it must never import, why); names are module prefixes."""

KNOWN: Final = {
    ("gateway.cache.response", "gateway.apq"),
    ("gateway.cache.response", "gateway.telemetry.operation"),
}
"""Breaks of the rules above that are known and being removed (the response cache's
request handling is moving out of ``gateway/cache``): delete each here once it is gone, so
it cannot come back unseen."""


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def imports() -> dict[str, frozenset[str]]:
    """Every module of the four packages, with the absolute names it imports."""
    found: dict[str, frozenset[str]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "gen" in path.relative_to(ROOT).parts:
                continue  # generated gRPC stubs
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found[module_name(path)] = frozenset(_imported(tree, module_name(path), path))
    return found


def _imported(tree: ast.Module, module: str, path: Path) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def breaks() -> set[tuple[str, str]]:
    """(importer, imported) pairs that break a rule of ``NEVER``."""
    found: set[tuple[str, str]] = set()
    for importer, names in imports().items():
        for owner, forbidden, _why in NEVER:
            if not within(importer, owner):
                continue
            for name in names:
                for prefix in forbidden:
                    if within(name, prefix):
                        found.add((importer, _module_of(name)))
    return found


def _module_of(name: str) -> str:
    """The module an imported name lives in (``gateway.apq.sha256_hex`` -> ``gateway.apq``)."""
    while name and name not in imports() and "." in name:
        name = name.rpartition(".")[0]
    return name


def test_no_layer_imports_what_it_must_never_know() -> None:
    assert breaks() - KNOWN == set()


def test_no_import_cycle_among_the_gateways_modules() -> None:
    """Inside ``gateway/`` every import runs one way: no module reaches itself again."""
    graph = {
        module: {_module_of(name) for name in names if within(name, "gateway")} - {module}
        for module, names in imports().items()
        if within(module, "gateway")
    }
    graph = {module: {m for m in targets if m in graph} for module, targets in graph.items()}
    state: dict[str, int] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycle = [*trail[trail.index(target) :], target] if target in trail else [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, [*trail, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
