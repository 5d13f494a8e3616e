"""Import contracts: the reading core and the tracing core never load Textual or
Rich; the core never imports the UI; no import cycle anywhere in ``src/`` (imports
inside functions and ``TYPE_CHECKING`` blocks count)."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import session_explorer.core
import session_explorer.tracing
from tests.contracts.imports import cycles, imports_of, modules

HEADLESS = [
    *sorted(
        info.name
        for package in (session_explorer.core, session_explorer.tracing)
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    ),
    "session_explorer.core",
    "session_explorer.tracing",
]


def test_every_headless_module_is_found() -> None:
    found = set(HEADLESS)
    on_disk = {m for m in modules() if m.startswith(("session_explorer.core", "session_explorer.tracing"))}
    assert found == on_disk


@pytest.mark.parametrize("module", HEADLESS)
def test_headless_module_loads_neither_textual_nor_rich(module: str) -> None:
    code = (f"import sys, {module}; "
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"{module} loads {out.stdout.strip()}"


def test_the_core_never_imports_the_ui_the_cli_or_the_demo() -> None:
    outside = ("session_explorer.ui", "session_explorer.cli", "session_explorer.commands",
               "session_explorer.demo")
    found = {(m, t) for m in modules() if m.startswith(("session_explorer.core", "session_explorer.tracing"))
             for t in imports_of(m) if t.startswith(outside)}
    assert not found


def test_the_tracing_core_stands_alone() -> None:
    """Applications import ``session_explorer.tracing``: it needs nothing else of ours."""
    found = {(m, t) for m in modules() if m.startswith("session_explorer.tracing")
             for t in imports_of(m) if not t.startswith("session_explorer.tracing") and t != "session_explorer"}
    assert not found


def test_no_import_cycle() -> None:
    assert cycles() == []


#: The core's layers, top to bottom (ARCHITECTURE.md): a module uses its own package
#: and the layers below its own, never one beside or above it. "" stands for the
#: core's own modules (models, text, levels, query, threadcheck, background).
CORE_LAYERS: list[tuple[str, ...]] = [("session",), ("reading",), ("live", "cache"), ("interactions", "applog"), ("",)]
CORE = "session_explorer.core"


def _core_package(module: str) -> str | None:
    """The core sub-package of ``module`` ("" for the core's own modules)."""
    if not module.startswith(CORE + "."):
        return None
    rest = module[len(CORE) + 1:]
    first, dot, _ = rest.partition(".")
    return first if dot or (SRC_PACKAGES.get(first) is True) else ""


def _is_package(name: str) -> bool:
    return (modules()[f"{CORE}.{name}"].name == "__init__.py") if f"{CORE}.{name}" in modules() else False


SRC_PACKAGES = {m[len(CORE) + 1:]: _is_package(m[len(CORE) + 1:]) for m in modules()
                if m.startswith(CORE + ".") and "." not in m[len(CORE) + 1:]}


def _rank(package: str) -> int:
    for rank, layer in enumerate(CORE_LAYERS):
        if package in layer:
            return rank
    raise AssertionError(f"core package {package!r} is in no layer: add it to CORE_LAYERS")


def test_core_layers_point_down() -> None:
    wrong = []
    for module in modules():
        package = _core_package(module)
        if package is None:
            continue
        for target in imports_of(module):
            other = _core_package(target)
            if other is None or other == package:
                continue
            if _rank(other) <= _rank(package):
                wrong.append(f"{module} -> {target}")
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(sorted(wrong))


@pytest.fixture
def fake_src(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The import graph read from ``tmp_path`` instead of src/ (files written by the test)."""
    from tests.contracts import imports

    def write(files: dict[str, str]) -> None:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    monkeypatch.setattr(imports, "SRC", tmp_path)
    imports.modules.cache_clear()
    imports.imports_of.cache_clear()
    yield write
    imports.modules.cache_clear()
    imports.imports_of.cache_clear()


def test_the_cycle_finder_finds_a_cycle(fake_src) -> None:  # type: ignore[no-untyped-def]
    """The checker itself: a two-module cycle through a lazy import is reported."""
    fake_src({
        "session_explorer/__init__.py": "",
        "session_explorer/a.py": "from session_explorer import b\n",
        "session_explorer/b.py": "def f():\n    from session_explorer.a import x\n",
    })
    assert cycles() == [["session_explorer.a", "session_explorer.b"]]


def test_the_cycle_finder_sees_a_name_taken_from_a_package_init(fake_src) -> None:  # type: ignore[no-untyped-def]
    """A package whose __init__ imports a part that takes a name from that __init__
    is a cycle; a part importing a sibling through the package path is not."""
    fake_src({
        "session_explorer/__init__.py": "",
        "session_explorer/p/__init__.py": "from session_explorer.p.a import f\nG = 1\n",
        "session_explorer/p/a.py": "from session_explorer.p import G, b\ndef f():\n    return G\n",
        "session_explorer/p/b.py": "",
    })
    assert imports_of("session_explorer.p.a") == {"session_explorer.p", "session_explorer.p.b"}
    assert cycles() == [["session_explorer.p", "session_explorer.p.a"]]
