"""Conflicts between codes, ID numbers and names are errors, never updates (import-formats.md,
"Identity"; issue 11 item 1).

A row whose 编号 is stored with another 身份证号, whose 身份证号 is stored under another 编号
(also earlier in the same file), whose 编号 is stored with another 姓名 while neither side has an
ID number, or whose 身份证号 matches a stored person under another 姓名, is refused naming the
stored record.  A deliberate correction is ``register person … --correct --reason R``, audited.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from support.db import dump, query

HEADER = ["编号", "姓名", "身份证号", "手机", "单位"]


def id_number(first17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


ZHANG = id_number("41010219700101001")  # 张建国
SUN = id_number("41010219860105001")  # 孙大勇


def masked(idn: str) -> str:
    return idn[:3] + "*" * 11 + idn[-4:]


def write(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        csv.writer(fp).writerows([header, *rows])
    return path


def ledger(cli, tmp_path: Path, rows: list[list[str]]) -> None:
    assert cli("init").code == 0
    r = cli("register", "import", "people", write(tmp_path / "stored.csv", rows))
    assert r.code == 0, r


def refused(cli, db, path: Path, *options: str) -> list[str]:
    """Import ``path``: refused (exit 1) with nothing written; the problem lines."""
    before = dump(db)
    r = cli("register", "import", "people", path, *options)
    assert r.code == 1, r
    assert dump(db) == before
    return [line for line in r.err.splitlines() if line.startswith(f"{path}:")]


def test_another_person_under_a_stored_code_is_refused(cli, laomo_db, tmp_path):
    """The issue's reproduction: 孙大勇 imported over 张建国 used to report 更新 1."""
    ledger(cli, tmp_path, [["P0001", "张建国", ZHANG, "13812345678", "示例厂"]])

    [line] = refused(cli, laomo_db, write(tmp_path / "new.csv", [["P0001", "孙大勇", SUN, "", ""]]))

    assert line.startswith(f"{tmp_path / 'new.csv'}:2: 列「编号」值「P0001」: "), line
    assert f"编号 P0001 已属于 张建国（{masked(ZHANG)}），本行是 孙大勇（{masked(SUN)}）" in line, line
    assert ZHANG not in line and SUN not in line


def test_another_id_number_under_a_stored_code_is_refused(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path, [["P0001", "张建国", ZHANG, "", ""]])

    [line] = refused(cli, laomo_db, write(tmp_path / "new.csv", [["P0001", "张建国", SUN, "", ""]]))

    assert f"编号 P0001 已属于 张建国（{masked(ZHANG)}），本行是 张建国（{masked(SUN)}）" in line, line


def test_another_name_under_a_stored_code_without_id_numbers_is_refused(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path, [["P0001", "张建国", "", "", ""]])

    [line] = refused(cli, laomo_db, write(tmp_path / "new.csv", [["P0001", "孙大勇", "", "", ""]]))

    assert "编号 P0001 已属于 张建国，本行是 孙大勇" in line, line


def test_a_stored_id_number_under_another_name_is_refused(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path, [["P0001", "张建国", ZHANG, "", ""]])

    [line] = refused(cli, laomo_db, write(tmp_path / "new.csv", [["P0001", "张健国", ZHANG, "", ""]]))

    assert f"编号 P0001 已属于 张建国（{masked(ZHANG)}），本行是 张健国" in line, line


def test_a_stored_id_number_under_another_code_is_refused(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path, [["P0001", "张建国", ZHANG, "", ""]])

    [line] = refused(cli, laomo_db, write(tmp_path / "new.csv", [["P0002", "张建国", ZHANG, "", ""]]))

    assert line.startswith(f"{tmp_path / 'new.csv'}:2: 列「身份证号」值「{masked(ZHANG)}」: "), line
    assert f"身份证号 {masked(ZHANG)} 已属于 P0001 张建国，本行是 P0002 张建国" in line, line


def test_one_id_number_under_two_codes_in_one_file_is_refused(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    path = write(tmp_path / "new.csv", [["P0001", "张建国", ZHANG, "", ""], ["P0002", "孙大勇", SUN, "", ""],
                                        ["P0003", "张建国", ZHANG, "", ""]])

    [line] = refused(cli, laomo_db, path)

    assert line.startswith(f"{path}:4: 列「身份证号」"), line
    assert "已在第 2 行用于另一编号，本行是 P0003 张建国" in line, line


@pytest.mark.parametrize("worker", [False, True], ids=["in-process", "parse-worker"])
@pytest.mark.parametrize("remembered", [None, 5], ids=["in-memory", "on-disk"])
def test_one_id_number_under_two_codes_in_different_chunks_is_refused(cli, laomo_db, tmp_path, monkeypatch, worker,
                                                                     remembered):
    """Wherever the file is parsed, and whether the ID numbers seen are kept in memory or (a file
    with more of them than ``identity.MEMORY_IDS``) moved to disk."""
    from laomo.ledger import identity, pipeline
    from laomo.ledger.importer import CHUNK

    monkeypatch.setattr(pipeline, "WORKER_MIN_BYTES", 0 if worker else 1 << 40)
    if remembered is not None:
        monkeypatch.setattr(identity, "MEMORY_IDS", remembered)
    assert cli("init").code == 0
    rows = [[f"Q{i:05d}", f"人{i}", id_number(f"41{i:04d}19800101001"), "", ""] for i in range(CHUNK + 10)]
    rows.append(["Z0001", "人3", rows[3][2], "", ""])
    path = write(tmp_path / "big.csv", rows)

    [line] = refused(cli, laomo_db, path)

    assert line.startswith(f"{path}:{len(rows) + 1}: 列「身份证号」"), line
    assert "已在第 5 行用于另一编号，本行是 Z0001 人3" in line, line


def test_same_code_id_number_and_name_is_a_normal_update(cli, laomo_db, tmp_path):
    """Only the conflicting row is refused (--on-error skip): a row with the stored code, ID
    number and name that changes other fields, or fills in a missing ID number, is an update."""
    ledger(cli, tmp_path, [["P0001", "张建国", ZHANG, "13812345678", "示例厂"],
                           ["P0002", "孙大勇", "", "", ""], ["P0003", "李四", "", "", ""]])
    path = write(tmp_path / "new.csv", [["P0001", "张建国", ZHANG, "13912345678", "新厂"],
                                        ["P0002", "孙大勇", SUN, "", ""],  # an ID number filled in
                                        ["P0003", "王五", "", "", ""]])

    r = cli("register", "import", "people", path, "--json", "--on-error", "skip")

    assert (r.code, r.json["updated"], r.json["rejected"]) == (3, 2, 1), r
    assert query(laomo_db, "SELECT code, name, id_number, phone, unit FROM person ORDER BY code") == [
        ("P0001", "张建国", ZHANG, "13912345678", "新厂"), ("P0002", "孙大勇", SUN, None, None),
        ("P0003", "李四", None, None, None)]


def test_conflicting_rows_go_to_the_rejects_file_with_skip(cli, laomo_db, tmp_path):
    ledger(cli, tmp_path, [["P0001", "张建国", ZHANG, "", ""]])
    path = write(tmp_path / "new.csv", [["P0001", "孙大勇", SUN, "", ""], ["P0002", "李四", "", "", ""]])

    r = cli("register", "import", "people", path, "--on-error", "skip", "--json")

    assert (r.code, r.json["inserted"], r.json["rejected"]) == (3, 1, 1), r
    assert query(laomo_db, "SELECT code, name FROM person ORDER BY code") == [("P0001", "张建国"), ("P0002", "李四")]


def test_the_id_numbers_are_checked_with_one_query_per_chunk(laomo_db, tmp_path, monkeypatch):
    """Set-based: the number of statements does not grow with the rows of a chunk."""
    from support.db import counted_statements

    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store import db

    engine = db.open_engine(str(laomo_db), check=False)
    db.migrate(engine)

    def statements(n: int) -> int:
        rows = [[f"P{n}-{i:04d}", f"人{i}", id_number(f"41{n:02d}{i:02d}19800101001"), "", ""] for i in range(n)]
        rows.append([f"X{n}", "人0", rows[0][2], "", ""])  # the first row's ID number under another code
        with open_source(str(write(tmp_path / f"{n}.csv", rows))) as source, \
                counted_statements(engine, monkeypatch) as seen, db.write_session(engine) as session:
            result = import_source(session, source, kind="people", on_error="skip",
                                   rejects_path=tmp_path / f"{n}.rejects.csv")
        assert (result.inserted, result.rejected) == (n, 1)
        return len(seen)

    statements(5)  # the first write of a ledger also starts its audit chain
    assert statements(10) == statements(90)


def test_register_person_refuses_a_silent_rename_and_hints_at_correct(cli, laomo_db):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P0001", "--name", "张建国", "--id-number", ZHANG).code == 0

    r = cli("register", "person", "--code", "P0001", "--name", "孙大勇", "--id-number", SUN)

    assert r.code == 1, r
    assert f"编号 P0001 已属于 张建国（{masked(ZHANG)}），本行是 孙大勇（{masked(SUN)}）" in r.err, r
    assert "--correct" in r.err and "--reason" in r.err, r
    assert query(laomo_db, "SELECT name, id_number FROM person") == [("张建国", ZHANG)]


def test_register_person_correct_changes_name_and_id_number_with_an_audited_reason(cli, laomo_db):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P0001", "--name", "张建国", "--id-number", ZHANG).code == 0

    r = cli("register", "person", "--code", "P0001", "--name", "孙大勇", "--id-number", SUN,
            "--correct", "--reason", "户籍信息更正")

    assert r.code == 0 and "已更新" in r.out, r
    assert query(laomo_db, "SELECT name, id_number FROM person") == [("孙大勇", SUN)]
    log = cli("db", "log", "--entity", "person", "--json")
    assert log.code == 0, log
    [entry] = [e for e in log.json["entries"] if e["before"]]
    assert entry["after"]["reason"] == "户籍信息更正" and entry["after"]["name"] == "孙大勇", entry
    assert SUN not in json.dumps(log.json, ensure_ascii=False)


def test_correct_still_refuses_an_id_number_of_another_person(cli, laomo_db):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P0001", "--name", "张建国", "--id-number", ZHANG).code == 0
    assert cli("register", "person", "--code", "P0002", "--name", "孙大勇").code == 0

    r = cli("register", "person", "--code", "P0002", "--id-number", ZHANG, "--correct", "--reason", "x")

    assert r.code == 1 and "已属于 P0001 张建国" in r.err, r
    assert query(laomo_db, "SELECT code, id_number FROM person ORDER BY code") == [("P0001", ZHANG), ("P0002", None)]


def test_correct_needs_a_reason(cli, laomo_db):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P0001", "--name", "张建国").code == 0

    r = cli("register", "person", "--code", "P0001", "--name", "孙大勇", "--correct")

    assert r.code == 2 and "--reason" in r.err, r
    assert query(laomo_db, "SELECT name FROM person") == [("张建国",)]



def test_a_file_giving_one_id_number_to_two_codes_is_refused_even_if_the_first_row_is(cli, laomo_db, tmp_path):
    """The file contradicts itself, in one chunk or in two, whether or not the first row is written."""
    from laomo.ledger.importer import CHUNK

    ledger(cli, tmp_path, [["P0001", "张建国", "", "", ""]])
    filler = [[f"Q{i:05d}", f"人{i}", "", "", ""] for i in range(CHUNK)]
    for gap in ([], filler):
        path = write(tmp_path / "new.csv", [["P0001", "孙大勇", SUN, "", ""], *gap, ["P0005", "孙大勇", SUN, "", ""]])

        r = cli("register", "import", "people", path, "--on-error", "skip", "--json")

        assert (r.code, r.json["rejected"]) == (3, 2), r
        last = r.json["errors"][-1]
        assert last["line"] == len(gap) + 3 and "已在第 2 行用于另一编号" in last["reason"], last
        assert query(laomo_db, "SELECT count(*) FROM person WHERE id_number IS NOT NULL") == [(0,)]
