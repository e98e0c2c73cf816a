"""`register import all WORKBOOK` (import-formats.md, "One workbook for everything"; issue 13
item 5): sheets named by kind, Chinese or English, imported in reference order whatever their order
in the workbook, in one transaction — all or nothing."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from support.db import dump, query


def id_number(first17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


LEADER = id_number("41052219800101001")


def book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


STUDIO = [["名称", "领衔人身份证号", "所在单位", "行业", "区县"], ["甲工作室", LEADER, "甲厂", "制造业", "示例县"]]
PEOPLE = [["姓名", "身份证号"], ["张建国", LEADER]]


def test_sheets_are_imported_in_reference_order_whatever_their_order(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    path = book(tmp_path / "b.xlsx", {"说明": [["请按表头填写"]], "studios": STUDIO, "人员": PEOPLE})

    r = cli("register", "import", "all", path, "--json")

    assert r.code == 0, r
    assert [(s["kind"], s["sheet"], s["inserted"]) for s in r.json["sheets"]] == [
        ("people", "人员", 1), ("studios", "studios", 1)], r.json
    assert r.json["left_alone"] == ["说明"], r.json
    assert query(laomo_db, "SELECT s.code, p.code FROM studio s JOIN person p ON p.id = s.leader_id") == [("S0001", "P0001")]


def test_a_bad_row_in_a_later_sheet_writes_nothing_of_any_sheet(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    before = dump(laomo_db)
    bad = [STUDIO[0], ["甲工作室", LEADER, "甲厂", "不存在的行业", "示例县"]]
    path = book(tmp_path / "b.xlsx", {"人员": PEOPLE, "工作室": bad, "成员": [["工作室名称", "身份证号"], ["甲工作室", LEADER]]})

    r = cli("register", "import", "all", path)

    assert r.code == 1, r
    assert f"{path}:2: 列「行业」值「不存在的行业」" in r.err and "整个工作簿都未写入" in r.err, r
    assert "因前面的工作表有错误而未读取：成员" in r.err, r
    assert dump(laomo_db) == before


def test_a_dry_run_sees_earlier_sheets_and_writes_nothing(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    before = dump(laomo_db)
    path = book(tmp_path / "b.xlsx", {"人员": PEOPLE, "工作室": STUDIO})

    r = cli("register", "import", "all", path, "--dry-run", "--json")

    assert r.code == 0 and [s["inserted"] for s in r.json["sheets"]] == [1, 1] and not r.json["committed"], r
    assert dump(laomo_db) == before


def test_all_needs_a_workbook_with_kind_sheets(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    csv = tmp_path / "p.csv"
    csv.write_text("姓名,身份证号\n张建国," + LEADER + "\n", encoding="utf-8")
    other = book(tmp_path / "o.xlsx", {"Sheet1": PEOPLE})

    for path, says in ((csv, "工作簿"), (other, "没有以数据类型命名的工作表")):
        r = cli("register", "import", "all", path)
        assert r.code == 1 and says in r.err and "Traceback" not in r.err, r
