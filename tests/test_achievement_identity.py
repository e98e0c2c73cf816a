"""Achievements are identified by (studio, 编号) (import-formats.md, Identity).

Enterprise unions number their own achievements 1, 2, 3: another studio's 编号 1 is another
achievement, never an update of the first studio's and never a move to the second studio.
"""

from __future__ import annotations

import csv
from pathlib import Path

from support.db import query

ACH_HEADER = ["编号", "工作室编号", "名称", "类型", "日期", "经济效益"]


def write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows([header, *rows])
    return path


def two_studios(cli) -> None:
    assert cli("init").code == 0
    for code in ("P1", "P2"):
        assert cli("register", "person", "--code", code, "--name", f"人{code}").code == 0
    for code, leader in (("S1", "P1"), ("S2", "P2")):
        r = cli("register", "studio", "--code", code, "--name", f"{code}工作室", "--leader", leader,
                "--unit", "厂", "--industry", "C", "--county", "县")
        assert r.code == 0, r


def test_same_code_in_another_studio_is_another_achievement(cli, laomo_db, tmp_path):
    two_studios(cli)
    first = write(tmp_path / "s1.csv", ACH_HEADER, [["1", "S1", "甲", "发明专利", "2024-03-01", "10000"],
                                                     ["2", "S1", "乙", "工法", "2024-04-01", "0"]])
    second = write(tmp_path / "s2.csv", ACH_HEADER, [["1", "S2", "丙", "工法", "2024-05-01", "500"]])
    assert cli("register", "import", "achievements", first).code == 0

    r = cli("register", "import", "achievements", second, "--json")

    assert r.code == 0, r
    assert (r.json["inserted"], r.json["updated"]) == (1, 0)
    rows = query(laomo_db, "SELECT s.code, a.code, a.title, a.benefit FROM achievement a "
                           "JOIN studio s ON s.id = a.studio_id ORDER BY s.code, a.code")
    assert rows == [("S1", "1", "甲", 10000), ("S1", "2", "乙", 0), ("S2", "1", "丙", 500)]


def test_reimporting_updates_the_achievement_of_the_same_studio(cli, laomo_db, tmp_path):
    two_studios(cli)
    write(tmp_path / "a.csv", ACH_HEADER, [["1", "S1", "甲", "发明专利", "2024-03-01", "10000"],
                                           ["1", "S2", "丙", "工法", "2024-05-01", "500"]])
    assert cli("register", "import", "achievements", tmp_path / "a.csv").code == 0
    write(tmp_path / "b.csv", ACH_HEADER, [["1", "S2", "丙", "工法", "2024-05-01", "800"]])

    r = cli("register", "import", "achievements", tmp_path / "b.csv", "--json")

    assert (r.code, r.json["updated"], r.json["inserted"]) == (0, 1, 0), r
    assert query(laomo_db, "SELECT benefit FROM achievement ORDER BY benefit") == [(800,), (10000,)]


def test_one_file_may_number_two_studios_alike(cli, laomo_db, tmp_path):
    two_studios(cli)
    path = write(tmp_path / "a.csv", ACH_HEADER, [["1", "S1", "甲", "发明专利", "2024-03-01", "1"],
                                                  ["1", "S2", "丙", "工法", "2024-05-01", "2"]])
    r = cli("register", "import", "achievements", path, "--json")
    assert (r.code, r.json["inserted"], r.json["rejected"]) == (0, 2, 0), r


def test_single_record_with_an_existing_code_of_its_studio_patches_it(cli, laomo_db):
    two_studios(cli)
    for studio in ("S1", "S2"):
        r = cli("register", "achievement", "--studio", studio, "--code", "7", "--title", f"{studio}成果",
                "--type", "工法", "--date", "2024-03-01")
        assert r.code == 0 and "已登记" in r.out, r

    r = cli("register", "achievement", "--studio", "S2", "--code", "7", "--title", "S2成果",
            "--type", "工法", "--date", "2024-03-01", "--benefit", "9000")

    assert r.code == 0 and "已更新" in r.out, r
    assert query(laomo_db, "SELECT s.code, a.title, a.benefit FROM achievement a JOIN studio s "
                           "ON s.id = a.studio_id ORDER BY s.code") == [("S1", "S1成果", 0), ("S2", "S2成果", 9000)]

    # a code assigned automatically is still unique in the whole ledger, not per studio
    for studio in ("S2", "S1"):
        r = cli("register", "achievement", "--studio", studio, "--title", "新", "--type", "工法",
                "--date", "2024-03-01")
        assert r.code == 0, r
    assert query(laomo_db, "SELECT code FROM achievement ORDER BY code") == [("7",), ("7",), ("A00001",), ("A00002",)]
