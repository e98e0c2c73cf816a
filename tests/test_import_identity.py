"""Enterprise files name people by 姓名 and 身份证号 and studios by 名称, never by the county's codes
(import-formats.md, "Identity"; issue 13 item 1).

People are matched by 编号, else by 身份证号, and new people get the next code of the ledger's
own pattern; studios by 编号, else by 名称; achievements by (studio, 编号), else by (studio, 名称,
日期).  References take a code, an ID number or a unique name (for members: unique among that
studio's members), and an ambiguous name is an error listing the candidates.
"""

from __future__ import annotations

import csv
from pathlib import Path

from support.db import dump, query


def id_number(first17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


A = id_number("41052219800101001")
B = id_number("41052219850202002")
C = id_number("41052219900303003")


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows([header, *rows])
    return path


def imported(cli, kind: str, path: Path, *options: str):
    r = cli("register", "import", kind, path, "--json", *options)
    assert r.code == 0, r
    return r.json


def ledger(cli, tmp_path: Path) -> None:
    """Two people and a studio with codes, as a county keeps them (P0007 is the highest code)."""
    assert cli("init").code == 0
    imported(cli, "people", write(tmp_path / "p.csv", ["编号", "姓名", "身份证号"],
                                  [["P0003", "郑卫东", A], ["P0007", "丁宏", ""]]))
    imported(cli, "studios", write(tmp_path / "s.csv", ["编号", "名称", "领衔人编号", "所在单位", "行业", "区县"],
                                   [["S0009", "郑卫东劳模创新工作室", "P0003", "宏达重工", "C", "示例县"]]))


def test_people_without_codes_are_matched_by_id_number_or_get_the_next_code(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path)
    path = write(tmp_path / "new.csv", ["姓名", "身份证号码", "联系电话"],
                 [["郑卫东", A, "13807823093"], ["马晓峰", B, ""], ["贺丽萍", C, ""], ["马晓峰", B, ""]])

    r = imported(cli, "people", path)

    assert (r["inserted"], r["updated"], r["assigned_count"]) == (2, 1, 2), r
    assert r["assigned"] == [{"line": 3, "key": "P0008"}, {"line": 4, "key": "P0009"}], r
    assert query(laomo_db, "SELECT code, name, phone FROM person ORDER BY code") == [
        ("P0003", "郑卫东", "13807823093"), ("P0007", "丁宏", None), ("P0008", "马晓峰", None), ("P0009", "贺丽萍", None)]
    again = imported(cli, "people", path)
    assert (again["inserted"], again["updated"], again["assigned"]) == (0, 0, []), again


def test_a_people_row_with_neither_code_nor_id_number_is_refused(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path)
    before = dump(laomo_db)

    r = cli("register", "import", "people", write(tmp_path / "n.csv", ["姓名", "身份证号"], [["王波", ""]]))

    assert r.code == 1 and "新人员须填写身份证号" in r.err, r
    assert dump(laomo_db) == before


def test_studios_without_codes_are_matched_by_name_and_leaders_named_by_id_number(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path)
    imported(cli, "people", write(tmp_path / "p2.csv", ["姓名", "身份证号"], [["贺丽萍", C]]))
    path = write(tmp_path / "s2.csv", ["工作室名称", "领衔人姓名", "领衔人身份证号", "所在单位", "行业", "区县", "面积（平方米）",
                                       "年度经费（万元）"],
                 [["郑卫东劳模创新工作室", "郑卫东", A, "宏达重工", "C", "示例县", "120", "10"],
                  ["贺丽萍工匠人才创新工作室", "贺丽萍", C, "宏达重工", "C", "示例县", "85.5", "5.5"]])

    r = imported(cli, "studios", path)

    assert (r["inserted"], r["updated"], r["assigned"]) == (1, 1, [{"line": 3, "key": "S0010"}]), r
    assert query(laomo_db, "SELECT s.code, p.code, s.area, s.funds FROM studio s JOIN person p ON p.id = s.leader_id "
                           "ORDER BY s.code") == [("S0009", "P0003", 120.0, 100000), ("S0010", "P0008", 85.5, 55000)]
    # the new studio's leader is its member (role 领衔人)
    assert query(laomo_db, "SELECT p.code, m.role FROM member m JOIN person p ON p.id = m.person_id "
                           "JOIN studio s ON s.id = m.studio_id WHERE s.code = 'S0010'") == [("P0008", "leader")]


def test_a_name_that_disagrees_with_the_id_number_is_an_error_not_a_guess(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path)
    before = dump(laomo_db)
    path = write(tmp_path / "h.csv", ["姓名", "身份证号", "荣誉", "年份"], [["孙大勇", A, "全国劳动模范", "2020"]])

    r = cli("register", "import", "honors", path)

    assert r.code == 1, r
    assert f"身份证号 {A[:3]}***********{A[-4:]} 是 P0003 郑卫东，本行姓名是 孙大勇" in r.err, r
    assert A not in r.err and dump(laomo_db) == before


def test_an_ambiguous_name_lists_the_candidates_and_a_studio_member_settles_it(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path)
    imported(cli, "people", write(tmp_path / "p2.csv", ["编号", "姓名"], [["P0010", "丁宏"]]))
    imported(cli, "members", write(tmp_path / "m.csv", ["工作室编号", "人员编号", "角色"], [["S0009", "P0010", "核心成员"]]))
    before = dump(laomo_db)

    leader = cli("register", "import", "studios", write(
        tmp_path / "s.csv", ["名称", "领衔人", "所在单位", "行业", "区县"], [["丁宏职工创新工作室", "丁宏", "机械厂", "C", "示例县"]]))

    assert leader.code == 1 and "姓名「丁宏」对应多个人员：P0007、P0010" in leader.err, leader
    assert dump(laomo_db) == before
    # in a members file the name is unique among the studio's members: P0010 leaves
    r = imported(cli, "members", write(tmp_path / "m2.csv", ["工作室名称", "姓名", "退出日期"],
                                       [["郑卫东劳模创新工作室", "丁宏", "2025-06-30"]]))
    assert (r["inserted"], r["updated"]) == (0, 1), r
    assert query(laomo_db, "SELECT p.code, m.role, m.\"left\" FROM member m JOIN person p ON p.id = m.person_id "
                           "WHERE p.name = '丁宏'") == [("P0010", "core", "2025-06-30")]


def test_achievements_without_codes_are_matched_by_studio_title_and_date(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path)
    path = write(tmp_path / "a.csv", ["工作室名称", "成果名称", "类型", "日期"],
                 [["郑卫东劳模创新工作室", "一种夹具", "技术革新", "2025-04-22"],
                  ["郑卫东劳模创新工作室", "一种夹具", "技术革新", "2025-05-01"]])

    first = imported(cli, "achievements", path)
    again = imported(cli, "achievements", path)

    assert first["assigned"] == [{"line": 2, "key": "S0009/A00001"}, {"line": 3, "key": "S0009/A00002"}], first
    assert (again["inserted"], again["unchanged"]) == (0, 2), again
    numbered = imported(cli, "achievements", write(tmp_path / "n.csv", ["编号", "工作室", "名称", "类型", "日期"],
                                                   [["1", "S0009", "另一项", "技术革新", "2025-06-01"]]))
    assert (numbered["inserted"], numbered["assigned"]) == (1, []), numbered
    assert query(laomo_db, "SELECT code FROM achievement ORDER BY id") == [("A00001",), ("A00002",), ("1",)]
