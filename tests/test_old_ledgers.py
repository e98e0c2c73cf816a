"""Old ledgers are incomplete (import-formats.md, after the columns table; issue 13 item 8).

A past designation may give only its year: its date is 31 December of that year (the latest it
can be, so no eligibility is overstated) and it is marked approximate; a past assessment may give
only its grade: the score stays empty.
"""

from __future__ import annotations

import csv
from pathlib import Path

from support.db import dump, query


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows([header, *rows])
    return path


def ledger(cli) -> None:
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P0001", "--name", "甲").code == 0
    r = cli("register", "studio", "--code", "S0001", "--name", "甲工作室", "--leader", "P0001", "--unit", "厂",
            "--industry", "C", "--county", "县")
    assert r.code == 0, r


def test_a_designation_with_only_a_year_is_dated_31_december_and_marked_approximate(cli, laomo_db, tmp_path):
    ledger(cli)
    path = write(tmp_path / "d.csv", ["工作室", "处理", "级别", "年度", "日期"],
                 [["S0001", "命名", "市级", "2019", "2019年"], ["S0001", "示范", "市级", "2021", "2021-05-06"]])

    r = cli("register", "import", "命名记录", path, "--json")

    assert r.code == 0 and r.json["inserted"] == 2, r
    assert query(laomo_db, "SELECT action, date, approximate FROM designation ORDER BY date") == [
        ("name", "2019-12-31", True), ("demonstrate", "2021-05-06", False)]
    history = cli("award", "history", "S0001", "--json")
    assert [d["approximate"] for d in history.json["designations"]] == [True, False], history
    text = cli("award", "history", "S0001")
    assert "2019-12-31（约）" in text.out and "旧台账只记了年份" in text.out, text


def test_a_year_alone_for_the_year_not_ended_is_refused(cli, laomo_db, tmp_path):
    import datetime as dt

    ledger(cli)
    before = dump(laomo_db)
    this_year = str(dt.date.today().year)
    path = write(tmp_path / "d.csv", ["工作室", "处理", "级别", "年度", "日期"], [["S0001", "命名", "市级", this_year, this_year]])

    r = cli("register", "import", "designations", path)

    assert r.code == 1 and "须是已结束的年份" in r.err, r
    assert dump(laomo_db) == before


def test_a_past_assessment_with_only_a_grade_keeps_an_empty_score(cli, laomo_db, tmp_path):
    ledger(cli)
    path = write(tmp_path / "a.csv", ["工作室", "年度", "等级"], [["S0001", "2020", "优秀"]])

    r = cli("register", "import", "考核结果", path, "--json")

    assert r.code == 0 and r.json["inserted"] == 1, r
    assert query(laomo_db, "SELECT year, total, grade, imported FROM assessment") == [(2020, None, "excellent", True)]
    dossier = cli("report", "studio", "S0001", "--format", "json")
    assert dossier.code == 0, dossier
    summary = cli("report", "summary", "--year", "2020", "--format", "json")
    assert summary.code == 0 and "Traceback" not in summary.err, summary
