"""The shape of the code, checked from the code: no function longer than a screen
(80 lines) unless a ``# long: why`` comment on the line above its ``def`` says why."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "laomo"
MAX_LINES = 80


def _long_functions() -> list[str]:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node in ast.walk(ast.parse("\n".join(lines))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                first = min([node.lineno] + [d.lineno for d in node.decorator_list])
                length = node.end_lineno - node.lineno + 1
                explained = first >= 2 and lines[first - 2].strip().startswith("# long:")
                if length > MAX_LINES and not explained:
                    found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} {node.name} ({length} lines)")
    return found


def test_no_function_longer_than_a_screen() -> None:
    assert _long_functions() == []
