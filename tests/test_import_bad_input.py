"""The files of shared/data/bad-input are handled as their README says.

Every refused file: exit 1, one Chinese line per problem in the form
``FILE:LINE: 列「COLUMN」值「VALUE」: 原因`` and the database exactly as before
(the sample rows the file refers to are imported first, so "unchanged" means
something).  The formula-cell file is valid data: it imports and the title is
stored verbatim.  No output ever carries a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.db import dump, query
from support.sample import BAD, sample_file


def _prepare(cli, kinds: tuple[str, ...]) -> None:
    """Import the sample files the bad file refers to (or just create the database)."""
    if not kinds:
        assert cli("init").code == 0
    for kind in kinds:
        r = cli("register", "import", kind, sample_file(kind), "--quiet")
        assert r.code == 0, r


def _no_traceback(r) -> None:
    assert "Traceback" not in r.out and "Traceback" not in r.err, r


def _problem_lines(r, path: Path) -> list[str]:
    """stderr lines of the form FILE:LINE: 列「…」值「…」: 原因 for this file."""
    pattern = re.compile(re.escape(str(path)) + r":\d+: 列「[^」]+」值「[^」]*」: \S.*")
    return [line for line in r.err.splitlines() if pattern.fullmatch(line)]


# (file, kind, sample kinds imported first, [(line, column, value, words in the reason)])
REFUSED_ROWS = [
    ("people-bad-id-checksum.csv", "people", ("people",),
     [(2, "身份证号", "410***********1234", "校验")]),  # personal data is masked in messages
    ("studios-unknown-leader.csv", "studios", ("people", "studios"),
     [(2, "领衔人编号", "P404", "不存在")]),
    ("achievements-bad-date-negative.csv", "achievements", ("people", "studios", "achievements"),
     [(2, "日期", "2025-13-45", "日期"), (2, "经济效益", "-5", "负")]),
]


@pytest.mark.parametrize("name, kind, before, expected", REFUSED_ROWS, ids=[r[0] for r in REFUSED_ROWS])
def test_bad_rows_refused_with_file_line_column(cli, laomo_db, name, kind, before, expected):
    _prepare(cli, before)
    snapshot = dump(laomo_db)
    path = BAD / name

    r = cli("register", "import", kind, path)

    assert r.code == 1, r
    _no_traceback(r)
    lines = _problem_lines(r, path)
    assert len(lines) == len(expected), r
    for (line, column, value, why), shown in zip(expected, lines):
        assert shown.startswith(f"{path}:{line}: 列「{column}」值「{value}」: "), shown
        assert why in shown.split(": ", 2)[-1], shown
    assert "未写入" in r.err or "未改动" in r.err, r
    assert dump(laomo_db) == snapshot


@pytest.mark.parametrize("name, kind, before, expected", REFUSED_ROWS, ids=[r[0] for r in REFUSED_ROWS])
def test_bad_rows_in_json_errors(cli, laomo_db, name, kind, before, expected):
    _prepare(cli, before)
    snapshot = dump(laomo_db)

    r = cli("register", "import", kind, BAD / name, "--json")

    assert r.code == 1, r
    _no_traceback(r)
    doc = r.json
    assert doc["inserted"] == doc["updated"] == doc["unchanged"] == 0
    assert doc["rejected"] == 1
    assert [(e["line"], e["column"], e["value"]) for e in doc["errors"]] == [e[:3] for e in expected]
    assert dump(laomo_db) == snapshot


def test_missing_required_columns_named_and_nothing_written(cli, laomo_db):
    _prepare(cli, ("people", "studios"))
    snapshot = dump(laomo_db)
    path = BAD / "studios-missing-columns.csv"

    r = cli("register", "import", "studios", path)

    assert r.code == 1, r
    _no_traceback(r)
    assert f"{path}:1:" in r.err, r
    for column in ("领衔人编号", "所在单位", "行业", "区县"):
        assert column in r.err, (column, r)
    for present in ("「编号」", "「名称」"):
        assert present not in r.err, r
    assert dump(laomo_db) == snapshot


def test_missing_columns_stop_before_any_row_is_read(cli, laomo_db, tmp_path):
    """The rows below the header are never looked at: no row problem, no rejects file."""
    _prepare(cli, ())
    snapshot = dump(laomo_db)
    path = tmp_path / "studios.csv"
    rows = ["编号,名称,成立日期,年度经费"] + [f"S{i},工作室{i},2025-13-45,-5" for i in range(3000)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    rejects = tmp_path / "rejects.csv"

    r = cli("register", "import", "studios", path, "--on-error", "skip", "--rejects", rejects)

    assert r.code == 1, r
    _no_traceback(r)
    assert f"{path}:1:" in r.err and "领衔人编号" in r.err, r
    assert not _problem_lines(r, path), r
    assert f"{path}:2" not in r.err, r
    assert "导入 studios：" not in r.err, r  # no progress: reading never started
    assert not rejects.exists()
    assert dump(laomo_db) == snapshot


def test_formula_cell_imports_verbatim(cli, laomo_db):
    _prepare(cli, ("people", "studios"))

    r = cli("register", "import", "achievements", BAD / "achievements-formula-cell.csv", "--json")

    assert r.code == 0, r
    _no_traceback(r)
    assert (r.json["read"], r.json["inserted"], r.json["rejected"]) == (1, 1, 0)
    assert query(laomo_db, "SELECT title FROM achievement WHERE code = 'A2'") == [('=HYPERLINK("http://x")',)]
