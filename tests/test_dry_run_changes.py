"""``--dry-run`` lists the changes (import-formats.md, Behaviour; issue 11 item 7).

Every record it would insert or change, with the changed fields before → after, personal data
masked; ``--json`` gives ``"changes": [{"line", "key", "action", "fields": {FIELD: [before,
after]}}]``.
"""

from __future__ import annotations

import csv
from pathlib import Path

from support.db import dump

HEADER = ["编号", "姓名", "身份证号", "手机", "单位", "一线职工"]
ID1 = "11010519491231002X"


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows([header, *rows])
    return path


def stored(cli, tmp_path: Path) -> None:
    assert cli("init").code == 0
    rows = [["P0001", "张三", ID1, "13812345678", "甲厂", "是"], ["P0002", "李四", "", "", "乙厂", "否"]]
    assert cli("register", "import", "people", write(tmp_path / "stored.csv", rows)).code == 0


CHANGED = [["P0001", "张三", ID1, "13912345678", "甲厂", "是"],  # the phone changes
           ["P0002", "李四", "", "", "乙厂", "否"],  # unchanged
           ["P0003", "王五", "", "", "丙厂", "是"]]  # new


def test_dry_run_json_lists_inserts_and_updates_with_fields_before_and_after(cli, laomo_db, tmp_path):
    stored(cli, tmp_path)
    before = dump(laomo_db)

    r = cli("register", "import", "people", write(tmp_path / "new.csv", CHANGED), "--dry-run", "--json")

    assert r.code == 0, r
    assert dump(laomo_db) == before
    assert r.json["changes"] == [
        {"line": 2, "key": "P0001", "action": "update", "fields": {"phone": ["138****5678", "139****5678"]}},
        {"line": 4, "key": "P0003", "action": "insert",
         "fields": {"name": [None, "王五"], "unit": [None, "丙厂"], "frontline": [None, True]}},
    ]
    assert "13912345678" not in r.out and "13812345678" not in r.out
    # only a dry run lists them
    r = cli("register", "import", "people", tmp_path / "new.csv", "--json")
    assert r.code == 0 and "changes" not in r.json, r


def test_dry_run_text_lists_the_changes(cli, laomo_db, tmp_path):
    stored(cli, tmp_path)

    r = cli("register", "import", "people", write(tmp_path / "new.csv", CHANGED), "--dry-run")

    assert r.code == 0, r
    lines = r.out.splitlines()
    assert "第 2 行 更新 P0001：手机 138****5678 → 139****5678" in lines, r
    assert "第 4 行 新增 P0003：姓名 王五，单位 丙厂，一线职工 是" in lines, r
    assert not any("P0002" in line for line in lines), r


def test_references_are_listed_by_code(cli, laomo_db, tmp_path):
    stored(cli, tmp_path)
    header = ["编号", "名称", "领衔人编号", "所在单位", "行业", "区县", "成立日期"]
    row = ["S1", "甲工作室", "P0001", "甲厂", "C", "示例县", "2020-05-01"]
    assert cli("register", "import", "studios", write(tmp_path / "s.csv", [row], header)).code == 0
    moved = write(tmp_path / "s2.csv", [row[:2] + ["P0002"] + row[3:6] + ["2021-05-01"]], header)

    r = cli("register", "import", "studios", moved, "--dry-run", "--json")

    assert r.code == 0, r
    assert r.json["changes"] == [{"line": 2, "key": "S1", "action": "update",
                                  "fields": {"leader": ["P0001", "P0002"], "founded": ["2020-05-01", "2021-05-01"]}}]

