"""laomo.rules has no import loop through its own package: ``laomo/rules/__init__.py`` imports
``profile`` (which imports ``expr`` and ``vocab``), so no module of the package may import the
package itself (``from laomo.rules import vocab``) — tests/test_layers.py, which lets a package
import its submodules, does not see that loop."""

from __future__ import annotations

import ast
from pathlib import Path

RULES = Path(__file__).resolve().parent.parent / "laomo" / "rules"


def test_no_rules_module_imports_the_rules_package() -> None:
    offenders = []
    for path in sorted(RULES.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "laomo.rules" and not node.level:
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Import) and any(a.name == "laomo.rules" for a in node.names):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
