"""The library API (``import laomo``): every public name resolves, importing the package is cheap,
and the README's example script runs as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import laomo

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_public_name_resolves() -> None:
    for name in laomo.__all__:
        assert getattr(laomo, name) is not None, name
    assert set(laomo.__all__) <= set(dir(laomo))


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        laomo.no_such_function  # noqa: B018 - the attribute access is the test


def test_importing_the_package_loads_no_database_library() -> None:
    code = "import sys, laomo; print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'openpyxl') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _readme_example() -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- library-example:[^>]*-->\s*```python\n(.*?)```", text, re.S)
    assert found, "README.md lost its library example (the block after <!-- library-example: … -->)"
    return found.group(1)


@pytest.mark.sqlite_only
def test_the_readme_example_runs_on_the_sample_county(assessed: Path, tmp_path: Path) -> None:
    script = tmp_path / "union_script.py"
    script.write_text(_readme_example(), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "未达标：" in run.stdout and "2025 年度试算：" in run.stdout
    assert "named" in run.stdout or "registered" in run.stdout or "rectification" in run.stdout
