"""Headers as clerks write them (import-formats.md, "Header spelling"; issue 13 item 3).

Headers are compared without white space (line breaks inside a cell too), a required mark and
a trailing bracket; each column has its synonyms; a unit in the header scales bare numbers; 序号
is ignored; a column that is not taken is said, with the nearest known header, also under
--quiet — data is never dropped without a word.
"""

from __future__ import annotations

import csv
from pathlib import Path

from support.db import dump, query


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows([header, *rows])
    return path


def test_synonyms_brackets_marks_and_line_breaks_in_headers_are_understood(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    path = write(tmp_path / "p.csv", ["序号", "人员编号*", "姓 名", "工作单位", "是否一线职工", "手机号码（11位）", "职业技能等级"],
                 [["1", "P0001", "郑卫东", "宏达重工", "是", "13807823093", "高级技师"]])

    r = cli("register", "import", "people", path, "--json")

    assert r.code == 0 and r.json["inserted"] == 1 and r.json["ignored_columns"] == [], r
    assert query(laomo_db, "SELECT code, name, unit, frontline, phone, skill_grade FROM person") == [
        ("P0001", "郑卫东", "宏达重工", True, "13807823093", "senior_technician")]


def test_a_unit_in_the_header_scales_bare_numbers_and_not_numbers_with_their_own_unit(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P0001", "--name", "甲").code == 0
    header = ["编号", "名称", "领衔人编号", "所在单位", "行业", "区县", "面积\n（平方米）", "年度经费\n（万元）"]
    path = write(tmp_path / "s.csv", header, [["S0001", "甲工作室", "P0001", "厂", "C", "县", "120", "10"],
                                              ["S0002", "乙工作室", "P0001", "厂", "C", "县", "85.5", "5.5万"]])

    r = cli("register", "import", "studios", path, "--json")

    assert r.code == 0, r
    assert query(laomo_db, "SELECT code, area, funds FROM studio ORDER BY code") == [
        ("S0001", 120.0, 100000), ("S0002", 85.5, 55000)]


def test_a_unit_the_column_cannot_convert_stops_the_import(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    before = dump(laomo_db)
    path = write(tmp_path / "s.csv", ["编号", "名称", "领衔人编号", "所在单位", "行业", "区县", "面积（亩）"],
                 [["S0001", "甲", "P0001", "厂", "C", "县", "2"]])

    r = cli("register", "import", "studios", path)

    assert r.code == 1 and "列「面积（亩）」的单位「亩」无法换算" in r.err and "平方米" in r.err, r
    assert dump(laomo_db) == before


def test_a_column_not_taken_is_said_with_the_nearest_header_also_under_quiet(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    path = write(tmp_path / "p.csv", ["编号", "姓名", "身份证号码1", "学历"], [["P0001", "甲", "x", "本科"]])

    quiet = cli("register", "import", "people", path, "--quiet")
    loud = cli("--db", laomo_db, "register", "import", "people", path, "--json")

    assert quiet.code == 0, quiet
    assert "列「身份证号码1」未使用，是否应为「身份证号」？" in quiet.err, quiet
    assert "学历" not in quiet.err  # plainly unknown: said without --quiet, and in the JSON
    assert loud.json["ignored_columns"] == ["身份证号码1", "学历"], loud


def test_a_missing_required_column_shows_the_header_that_was_found(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    path = write(tmp_path / "a.csv", ["工作室", "成果名称", "日期"], [["S0001", "x", "2025-01-01"]])

    r = cli("register", "import", "achievements", path)

    assert r.code == 1 and "缺少必需的列 「类型」(type)" in r.err and "找到的表头：工作室、成果名称、日期" in r.err, r


def test_kinds_are_accepted_by_their_chinese_names(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    path = write(tmp_path / "p.csv", ["编号", "姓名"], [["P0001", "甲"]])

    r = cli("register", "import", "人员", path, "--json")

    assert r.code == 0 and r.json["kind"] == "people" and r.json["inserted"] == 1, r
    bad = cli("register", "import", "人", path)
    assert bad.code == 2 and "人员" in bad.err and "register columns" not in bad.out, bad
