"""An import never silently restores or changes a voided record (issue 11; cli.md, Safety).

A row that matches a record voided as entered by mistake is counted unchanged and named in a
warning (第 N 行：… 已作废，未恢复); the record stays voided and as it was.
"""

from __future__ import annotations

import csv
from pathlib import Path

from support.db import execute, query

ACH_HEADER = ["编号", "工作室编号", "名称", "类型", "日期", "经济效益"]
ACT_HEADER = ["工作室编号", "日期", "类型", "主题", "人次"]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows([header, *rows])
    return path


def void(db, table: str) -> None:
    execute(db, f"UPDATE {table} SET voided_at = CURRENT_TIMESTAMP, void_reason = '录入错误'")


def studio(cli) -> None:
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P1", "--name", "甲").code == 0
    assert cli("register", "person", "--code", "P2", "--name", "乙").code == 0
    r = cli("register", "studio", "--code", "S1", "--name", "甲工作室", "--leader", "P1", "--unit", "厂",
            "--industry", "C", "--county", "县")
    assert r.code == 0, r


def test_a_voided_achievement_is_neither_restored_nor_changed(cli, laomo_db, tmp_path):
    studio(cli)
    path = write(tmp_path / "a.csv", ACH_HEADER, [["1", "S1", "甲", "发明专利", "2024-03-01", "100"]])
    assert cli("register", "import", "achievements", path).code == 0
    void(laomo_db, "achievement")
    write(path, ACH_HEADER, [["1", "S1", "甲", "发明专利", "2024-03-01", "900"]])

    r = cli("register", "import", "achievements", path, "--json")

    assert r.code == 0, r
    assert (r.json["inserted"], r.json["updated"], r.json["unchanged"]) == (0, 0, 1), r
    assert "第 2 行：创新成果 S1/1 已作废，未恢复" in r.json["warnings"], r
    assert query(laomo_db, "SELECT benefit, void_reason FROM achievement") == [(100, "录入错误")]
    r = cli("register", "import", "achievements", path)
    assert "第 2 行：创新成果 S1/1 已作废，未恢复" in r.err, r


def test_a_voided_activity_is_not_entered_again(cli, laomo_db, tmp_path):
    studio(cli)
    path = write(tmp_path / "a.csv", ACT_HEADER, [["S1", "2024-03-01", "培训", "安全", "30"]])
    assert cli("register", "import", "activities", path).code == 0
    void(laomo_db, "activity")

    r = cli("register", "import", "activities", path, "--json")

    assert (r.code, r.json["inserted"], r.json["unchanged"]) == (0, 0, 1), r
    assert any("已作废" in w for w in r.json["warnings"]), r
    assert query(laomo_db, "SELECT count(*), count(voided_at) FROM activity") == [(1, 1)]


def test_registering_a_voided_member_again_is_refused(cli, laomo_db):
    studio(cli)
    assert cli("register", "member", "--studio", "S1", "--person", "P2", "--joined", "2024-01-01").code == 0
    void(laomo_db, "member")

    r = cli("register", "member", "--studio", "S1", "--person", "P2", "--role", "核心成员")

    assert r.code == 1 and "S1/P2" in r.err and "作废" in r.err, r
    assert query(laomo_db, "SELECT m.role, m.void_reason FROM member m JOIN person p ON p.id = m.person_id "
                           "WHERE p.code = 'P2'") == [("member", "录入错误")]
