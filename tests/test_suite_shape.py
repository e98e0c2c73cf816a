"""The shape of the test suite, checked from its code: fixtures are registered once (tests/support,
through conftest's ``pytest_plugins``), never imported; helpers live in tests/support, never in a
module named like a test file; no test module imports another."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _modules() -> list[Path]:
    return sorted(TESTS.glob("*.py")) + sorted((TESTS / "support").glob("*.py"))


def test_no_module_imports_fixtures_or_test_modules() -> None:
    wrong = []
    for path in _modules():
        for name in _imported_modules(path):
            top = name.split(".")[0]
            if top == "conftest" or top.startswith("test_") or name == "support.fixtures":
                wrong.append(f"{path.relative_to(TESTS)} imports {name}")
    assert wrong == []


def test_every_test_module_holds_tests() -> None:
    """A module named test_*.py is collected as tests: one without any is a helper in disguise."""
    empty = []
    for path in sorted(TESTS.glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        names |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
        if not any(n.startswith(("test_", "Test")) for n in names):
            empty.append(path.name)
    assert empty == []

