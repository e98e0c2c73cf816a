"""How a ``laomo`` process ends: its databases closed, the SQLite file complete on its own.

The script's exit path (``laomo.cli.run``) closes every connection itself before freezing the
heap for a quick exit; these tests run the real script as a clerk does and then look at the
files it leaves.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only


def _laomo(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LAOMO_DB"}
    return subprocess.run([sys.executable, "-m", "laomo", "--db", str(db), *args], env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_command_leaves_the_database_file_complete_on_its_own(tmp_path: Path) -> None:
    """After a register command the write-ahead log has been folded into the file: copying just
    ``laomo.db`` (what a clerk puts on a USB stick) carries the new person."""
    db = tmp_path / "laomo.db"
    assert _laomo(db, "init", "--quiet").returncode == 0
    done = _laomo(db, "register", "person", "--code", "P900001", "--name", "张三", "--gender", "男",
                  "--birth-year", "1980", "--unit", "演示公司")
    assert done.returncode == 0, done.stderr
    assert "已登记" in done.stdout
    assert not Path(f"{db}-wal").exists()
    copy = tmp_path / "copy" / "laomo.db"
    copy.parent.mkdir()
    shutil.copyfile(db, copy)
    with sqlite3.connect(copy) as con:
        assert con.execute("SELECT name FROM person WHERE code = 'P900001'").fetchall() == [("张三",)]


def test_a_failing_command_also_closes_its_database(tmp_path: Path) -> None:
    """A command refused part-way (a studio that does not exist) exits 1 with one Chinese line,
    and leaves no log beside the file either."""
    db = tmp_path / "laomo.db"
    assert _laomo(db, "init", "--quiet").returncode == 0
    refused = _laomo(db, "register", "member", "--studio", "S404", "--person", "P404", "--role", "成员",
                     "--joined", "2024-01-01")
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    assert not Path(f"{db}-wal").exists()
