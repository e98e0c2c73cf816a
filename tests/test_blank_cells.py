"""A blank cell never erases (import-formats.md, Behaviour; issue 11 item 2).

An empty cell, like an absent column, leaves that field of a stored record as it is: an
enterprise leaves a cell blank because it does not know the value.  Clearing on purpose is
``--clear-blank`` (an empty cell of a present column clears the field) or a single-record
``register … --clear FIELD``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from support.db import query

HEADER = ["编号", "姓名", "性别", "出生年份", "身份证号", "手机", "单位", "岗位", "一线职工", "技能等级"]
FULL = ["P0001", "张建国", "男", "1976", "410102197601010017", "13812345678", "示例厂", "电工", "是", "技师"]
PARTIAL = ["P0001", "张建国", "男", "1976", "", "", "新单位", "电工", "", ""]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows([header, *rows])
    return path


def stored(db) -> list[tuple]:
    return query(db, "SELECT id_number, phone, unit, frontline, skill_grade FROM person WHERE code = 'P0001'")


def test_blank_cells_of_a_partial_file_keep_the_stored_values(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    assert cli("register", "import", "people", write(tmp_path / "full.csv", [FULL])).code == 0

    r = cli("register", "import", "people", write(tmp_path / "partial.csv", [PARTIAL]), "--json")

    assert r.code == 0, r
    assert (r.json["updated"], r.json["unchanged"]) == (1, 0)
    assert stored(laomo_db) == [("410102197601010017", "13812345678", "新单位", 1, "technician")]
    # importing the partial file again changes nothing
    again = cli("register", "import", "people", tmp_path / "partial.csv", "--json")
    assert (again.json["updated"], again.json["unchanged"]) == (0, 1), again


def test_clear_blank_clears_the_empty_cells_of_present_columns(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    assert cli("register", "import", "people", write(tmp_path / "full.csv", [FULL])).code == 0

    r = cli("register", "import", "people", write(tmp_path / "partial.csv", [PARTIAL]), "--clear-blank", "--json")

    assert (r.code, r.json["updated"]) == (0, 1), r
    assert stored(laomo_db) == [(None, None, "新单位", None, None)]


def test_a_blank_studio_flag_keeps_it_and_clear_blank_sets_the_default(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P1", "--name", "甲").code == 0
    header = ["编号", "名称", "领衔人编号", "所在单位", "行业", "区县", "有标牌", "场所面积"]
    write(tmp_path / "s.csv", [["S1", "甲工作室", "P1", "厂", "C", "县", "是", "120"]], header)
    assert cli("register", "import", "studios", tmp_path / "s.csv").code == 0
    write(tmp_path / "blank.csv", [["S1", "甲工作室", "P1", "厂", "C", "县", "", ""]], header)

    r = cli("register", "import", "studios", tmp_path / "blank.csv", "--json")
    assert (r.code, r.json["unchanged"]) == (0, 1), r
    assert query(laomo_db, "SELECT has_sign, area FROM studio") == [(1, 120.0)]

    r = cli("register", "import", "studios", tmp_path / "blank.csv", "--clear-blank", "--json")
    assert (r.code, r.json["updated"]) == (0, 1), r
    assert query(laomo_db, "SELECT has_sign, area FROM studio") == [(0, None)]


def test_blank_cells_keep_values_when_a_worker_process_parses_the_file(cli, laomo_db, tmp_path, monkeypatch):
    from laomo.ledger import pipeline

    assert cli("init").code == 0
    assert cli("register", "import", "people", write(tmp_path / "full.csv", [FULL])).code == 0
    monkeypatch.setattr(pipeline, "WORKER_MIN_BYTES", 0)  # parse in the child process, as for a big file

    r = cli("register", "import", "people", write(tmp_path / "partial.csv", [PARTIAL]), "--json")

    assert (r.code, r.json["updated"]) == (0, 1), r
    assert stored(laomo_db) == [("410102197601010017", "13812345678", "新单位", 1, "technician")]


def test_the_library_clears_on_request(engine, tmp_path):
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store import db

    db.migrate(engine)
    with open_source(str(write(tmp_path / "full.csv", [FULL]))) as source, db.write_session(engine) as s:
        import_source(s, source, kind="people")
    with open_source(str(write(tmp_path / "partial.csv", [PARTIAL]))) as source, db.write_session(engine) as s:
        result = import_source(s, source, kind="people", clear={"phone", "技能等级"})
    assert result.updated == 1
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT id_number, phone, frontline, skill_grade FROM person").one()
    assert tuple(row) == ("410102197601010017", None, True, None)


def test_register_clear_empties_one_field(cli, laomo_db):
    assert cli("init").code == 0
    r = cli("register", "person", "--code", "P1", "--name", "甲", "--phone", "13812345678", "--unit", "厂")
    assert r.code == 0, r

    r = cli("register", "person", "--code", "P1", "--clear", "phone")
    assert r.code == 0 and "已更新" in r.out, r
    r = cli("register", "person", "--code", "P1", "--clear", "单位")
    assert r.code == 0 and "已更新" in r.out, r

    assert query(laomo_db, "SELECT name, phone, unit FROM person") == [("甲", None, None)]


@pytest.mark.parametrize("field", ["name", "姓名"])
def test_a_required_field_cannot_be_cleared(cli, laomo_db, field):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P1", "--name", "甲").code == 0

    r = cli("register", "person", "--code", "P1", "--clear", field)

    assert r.code == 2 and "姓名" in r.err and "不能清空" in r.err and "--clear" in r.err, r
    assert query(laomo_db, "SELECT name FROM person") == [("甲",)]


def test_clear_of_a_studio_flag_sets_its_default(cli, laomo_db):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P1", "--name", "甲").code == 0
    r = cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
            "--industry", "C", "--county", "县", "--sign", "--area", "80")
    assert r.code == 0, r

    r = cli("register", "studio", "--code", "S1", "--clear", "sign", "--clear", "area")

    assert r.code == 0, r
    assert query(laomo_db, "SELECT has_sign, area, name FROM studio") == [(0, None, "X")]
