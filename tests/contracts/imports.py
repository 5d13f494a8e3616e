"""The project's import graph, read from the source (every ``import``, lazy ones
inside functions and ``TYPE_CHECKING`` blocks included), for the contract tests."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "session_explorer"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((SRC / PACKAGE).rglob("*.py"))}


def _resolve(importer: str, is_package: bool, level: int, target: str | None) -> str:
    if level == 0:
        return target or ""
    base = importer.split(".")
    base = base if is_package else base[:-1]
    base = base[:len(base) - (level - 1)]
    return ".".join([*base, target] if target else base)


def _owning_module(name: str) -> str | None:
    """The project module ``name`` is, or is inside (``a.b.C`` -> ``a.b``)."""
    known = modules()
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


@cache
def imports_of(module: str) -> frozenset[str]:
    """Project modules that ``module`` imports, anywhere in its body."""
    path = modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, is_package, node.level, node.module)
            # "from pkg import sub" depends on the submodule; "from mod import name"
            # on the module that defines the name (a package's __init__ included).
            names = []
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.append(full if _owning_module(full) == full else base)
        else:
            continue
        for name in names:
            if name.split(".")[0] != PACKAGE:
                continue
            owner = _owning_module(name)
            if owner is not None and owner != module:
                found.add(owner)
    # The packages a and a.b that an import of a.b.c runs first are not edges: a
    # package importing its parts, which import one another, is not a cycle. A name
    # taken from a package's __init__ is an edge to it.
    return frozenset(found)


def cycles() -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan)."""
    graph = {m: sorted(imports_of(m)) for m in modules()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return out
