"""The bulk import's fast lane and what a data command loads.

* A bulk import writes with a larger SQLite page cache (``laomo.store.engine.SQLITE_BULK_PRAGMAS``:
  with the person table's indexes the default cache thrashes) and leaves the connection's own
  setting afterwards; a connection whose cache was set on purpose keeps it.
* A chunk of good, fresh rows goes straight to the INSERT; every other chunk (a key repeated
  within it or from an earlier chunk, a row with a problem) takes the full path — the counts
  and messages are the same either way, with or without the parse worker.
* A data command does not import what it does not use (Rich, Jinja2, Alembic, openpyxl).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from laomo.ledger.values import id_check_char

HEADER = ["编号", "姓名", "性别", "出生年份", "身份证号", "手机", "单位", "岗位", "一线职工", "技能等级"]


def _id_number(n: int) -> str:
    """A valid ID number, distinct for n < 10,000 (the birth date counts the days from 1960)."""
    first17 = f"410502{dt.date(1960, 1, 1) + dt.timedelta(days=n):%Y%m%d}001"
    return first17 + id_check_char(first17)


def _person(n: int, unit: str = "示例县第一厂") -> list[str]:
    return [f"P{n:06d}", f"职工{n}", "男", str(1970 + n % 30), _id_number(n), f"139{n:08d}", unit, "电工", "是", "技师"]


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


@pytest.mark.sqlite_only
def test_a_bulk_import_writes_with_the_larger_page_cache_and_restores_it(laomo_db: Any, tmp_path: Path) -> None:
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store import db
    from laomo.store.engine import BULK_CACHE_KIB

    path = _write(tmp_path / "people.csv", [_person(n) for n in range(1, 5)])
    engine = db.open_engine(str(laomo_db))
    seen: list[int] = []
    with open_source(str(path)) as source, db.write_session(engine) as session:
        conn = session.connection()
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        import_source(session, source, kind="people",
                      progress=lambda _f: seen.append(conn.exec_driver_sql("PRAGMA cache_size").scalar()))
        after = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    assert seen and set(seen[:-1]) == {-BULK_CACHE_KIB}
    assert after == before == -2000


@pytest.mark.sqlite_only
def test_a_cache_set_on_purpose_is_kept(laomo_db: Any, tmp_path: Path) -> None:
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store import db

    path = _write(tmp_path / "people.csv", [_person(n) for n in range(1, 5)])
    engine = db.open_engine(str(laomo_db))
    seen: list[int] = []
    with open_source(str(path)) as source, db.write_session(engine) as session:
        conn = session.connection()
        conn.exec_driver_sql("PRAGMA cache_size = 10")
        import_source(session, source, kind="people",
                      progress=lambda _f: seen.append(conn.exec_driver_sql("PRAGMA cache_size").scalar()))
        conn.exec_driver_sql("PRAGMA cache_size = -2000")
    assert set(seen) == {10}


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "single-process"])
def test_repeats_within_and_across_chunks_are_told_apart(worker: bool, cli: Any, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """5,000 new people (three chunks): an exact repeat within a chunk and one in a later chunk are
    counted once; a later row with the same 编号 and another unit is refused naming the first line."""
    from laomo.ledger import pipeline

    if worker:
        if not hasattr(os, "fork"):
            pytest.skip("the worker needs fork")
        monkeypatch.setattr(pipeline, "WORKER_MIN_BYTES", 0)
        monkeypatch.setenv("LAOMO_IMPORT_WORKER", "1")
    else:
        monkeypatch.setenv("LAOMO_IMPORT_WORKER", "0")
    rows = [_person(n) for n in range(1, 5001)]
    rows.insert(31, _person(31))  # line 33: the same as line 32, in the same chunk
    rows.insert(4500, _person(10))  # the same as line 11, three chunks later
    rows.insert(4700, _person(20, unit="示例县第二厂"))  # 编号 of line 21 with another unit
    path = _write(tmp_path / "people.csv", rows)

    r = cli("register", "import", "people", path, "--on-error", "skip", "--json")

    assert r.code == 3, r.err
    summary = json.loads(r.out)
    assert (summary["read"], summary["inserted"], summary["duplicates"], summary["rejected"]) == (5003, 5000, 2, 1)
    assert [(e["line"], e["reason"]) for e in summary["errors"]] == [(4702, "与第 21 行的关键字段相同但内容不同")]
    again = cli("register", "import", "people", path, "--on-error", "skip", "--json")
    assert json.loads(again.out)["unchanged"] == 5000


def test_data_commands_do_not_import_what_they_do_not_use(laomo_db: Any, tmp_path: Path) -> None:
    path = _write(tmp_path / "people.csv", [_person(n) for n in range(1, 5)])
    heavy = ("rich", "jinja2", "alembic", "openpyxl", "docx")
    for args in (["register", "import", "people", str(path), "--quiet"],
                 ["register", "list", "studios", "--search", "无", "--quiet"],
                 ["report", "summary", "--year", "2025", "--format", "json"]):
        code = ("import sys\nfrom laomo.cli import main\nrc = main(sys.argv[1:])\n"
                f"print('LOADED', sorted({{m.split('.')[0] for m in sys.modules}} & {set(heavy)!r}))\n")
        out = subprocess.run([sys.executable, "-c", code, *args], env={**os.environ, "LAOMO_DB": str(laomo_db)},
                             capture_output=True, text=True, encoding="utf-8", stdin=subprocess.DEVNULL, timeout=120)
        loaded = [line for line in out.stdout.splitlines() if line.startswith("LOADED")]
        assert loaded == ["LOADED []"], (args, out.stdout, out.stderr)
