"""The import rules of docs/architecture.md, checked on the code's own imports.

Every ``import`` and ``from … import`` of every module counts, those under
``TYPE_CHECKING`` included: a typing-only import is still a dependency of the design.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
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
    (
        "gateway.settings",
        tuple(f"gateway.{unit}" for unit in ("app", "cache", "events", "grpc", "telemetry")),
        "settings are the bottom: every group beside Settings, handed down",
    ),
    ("gateway.telemetry", ("gateway.health",), "the probes' owner hands telemetry their paths"),
)
"""(importer, what it must never import, why); names are module prefixes."""

KNOWN: Final[frozenset[tuple[str, str]]] = frozenset()
"""Breaks of the rules above that are known and being removed: none now. Add one here only
with the change that will remove it, so a break cannot come in unseen."""


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
    assert breaks() >= KNOWN, f"stale KNOWN entries: {KNOWN - breaks()}"


def _gateway_graph(unit: Callable[[str], str]) -> dict[str, set[str]]:
    """Who imports whom inside ``gateway/``, each module named by ``unit``."""
    graph: dict[str, set[str]] = {}
    for module, names in imports().items():
        if not within(module, "gateway"):
            continue
        targets = {_module_of(name) for name in names if within(name, "gateway")}
        found = {unit(target) for target in targets if target in imports()}
        graph.setdefault(unit(module), set()).update(found - {unit(module)})
    return graph


def _folder(module: str) -> str:
    """``gateway.cache.backend`` -> ``gateway.cache``; ``gateway.app`` stays."""
    return ".".join(module.split(".")[:2])


def test_no_import_cycle_among_the_gateways_modules() -> None:
    """Inside ``gateway/`` every import runs one way: no module reaches itself again."""
    _assert_acyclic(_gateway_graph(lambda module: module))


def test_no_import_cycle_among_the_gateways_folders() -> None:
    """No arrow runs back up: no folder (or top-level module) of ``gateway/`` both uses and
    is used by another, even through a third."""
    _assert_acyclic(_gateway_graph(_folder))


def _assert_acyclic(graph: dict[str, set[str]]) -> None:
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
