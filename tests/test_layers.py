"""The package's layers, checked from the code: no module imports from a higher layer,
and no two modules import each other (directly or round a loop).

Bottom to top; a module may import its own layer and the ones below it.  Imports inside
functions count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "laomo"

LAYERS = (
    ("laomo.errors", "laomo.enums", "laomo.models", "laomo.safe", "laomo.vocabulary"),  # foundation
    ("laomo.store",),
    ("laomo.domain",),
    ("laomo.rules",),
    ("laomo.ledger",),
    ("laomo.facts",),
    ("laomo.assess",),
    ("laomo.award",),
    ("laomo.reports",),
    ("laomo.demo",),
    ("laomo.commands",),
    ("laomo.cli", "laomo.__main__", "laomo.api"),
)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in ROOT.rglob("*.py") if "migrations" not in p.parts}


def _imports(path: Path, known: set[str]) -> set[str]:
    """The laomo modules a file imports (``from laomo.x import y`` counts y when y is a module)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("laomo"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("laomo") and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in known)
    return {m for m in found if m in known}


def _layer(module: str) -> int:
    for i, names in enumerate(LAYERS):
        if any(module == n or module.startswith(n + ".") for n in names):
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS in {__file__}")


def test_every_module_has_a_layer() -> None:
    for module in _modules():
        if module != "laomo":
            _layer(module)


def test_no_module_imports_a_higher_layer() -> None:
    modules = _modules()
    known = set(modules)
    upward = []
    for module, path in sorted(modules.items()):
        if module == "laomo":  # the package's face hands on the public API lazily
            continue
        for target in sorted(_imports(path, known)):
            if target != "laomo" and _layer(target) > _layer(module):
                upward.append(f"{module} -> {target}")
    assert upward == []


def test_no_import_cycles() -> None:
    modules = _modules()
    known = set(modules)
    graph = {m: {t for t in _imports(p, known) if t != m and t != "laomo"} for m, p in modules.items()}
    # a package's __init__ importing its own submodules is how a package presents itself
    for m in graph:
        graph[m] = {t for t in graph[m] if not t.startswith(m + ".")}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert cycles == []
