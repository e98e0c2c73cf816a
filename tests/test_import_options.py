"""`laomo register import` options and the behaviour import-formats.md promises.

Encodings, standard input, --on-error skip and the rejects file, --dry-run,
--json, duplicate keys, absent versus empty columns, header aliases and
unknown columns, the error limit, .xlsx (sheets, numeric cells), .xls and
empty files.  Tests read what a user sees: the exit code, stderr, the JSON
summary, the rejects file and the rows in the database.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from pathlib import Path

import pytest
from support.db import dump, query

HEADER = ["编号", "姓名", "性别", "出生年份", "身份证号", "手机", "单位", "岗位", "一线职工", "技能等级"]
ALIASES = ["code", "name", "gender", "birth_year", "id_number", "phone", "unit", "post", "frontline",
           "skill_grade"]
JSON_KEYS = {"kind", "file", "encoding", "read", "inserted", "updated", "unchanged", "rejected", "seconds",
             "errors"}

# --- helpers ----------------------------------------------------------------------


def id_number(n: int) -> str:
    """A valid 18-digit ID number (ISO 7064 MOD 11-2 check character), distinct per n < 1000."""
    first17 = f"410502{1970 + n % 30}{n % 12 + 1:02d}{n % 28 + 1:02d}{n % 1000:03d}"
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def person(i: int, **changes: str) -> list[str]:
    """One valid people row; the name uses a CJK Extension A character (4 bytes in GB18030)."""
    row = dict(zip(HEADER, [f"P{i:04d}", f"张䶮{i}", "男", str(1970 + i % 30), id_number(i),
                             f"1380013{i:04d}", "示例县纺织有限公司", "电工", "是", "技师"]))
    assert set(changes) <= set(row), changes
    row.update(changes)
    return list(row.values())


def csv_text(rows: list[list[str]], header: list[str] = HEADER) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([header, *rows])
    return buf.getvalue()


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    path.write_bytes(csv_text(rows, header).encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def people(db) -> list[tuple]:  # type: ignore[no-untyped-def]
    """The person table without the surrogate id, by code."""
    return query(db, "SELECT code, name, gender, birth_year, id_number, phone, unit, post, frontline, "
                     "skill_grade FROM person ORDER BY code")


def problem_lines(r, name: str) -> list[str]:
    pattern = re.compile(re.escape(name) + r":\d+: 列「[^」]+」值「[^」]*」: \S.*")
    return [line for line in r.err.splitlines() if pattern.fullmatch(line)]


def imp(cli, path, *options: str, kind: str = "people", stdin: str | None = None):
    r = cli("register", "import", kind, path, *options, stdin=stdin)
    assert "Traceback" not in r.err, r
    return r


@pytest.fixture
def empty_db(cli, laomo_db):
    """An initialised database with no data (so that dumps compare a real schema)."""
    assert cli("init").code == 0
    return laomo_db


ROWS = [person(i) for i in range(1, 6)]

# --- encodings ----------------------------------------------------------------------


@pytest.mark.parametrize("encoding, reported, option", [
    ("utf-8", "utf-8", "auto"),
    ("utf-8-sig", "utf-8-sig", "auto"),
    ("gb18030", "gb18030", "auto"),
    ("utf-16", "utf-16", "auto"),
    ("gb18030", "gb18030", "gb18030"),
    ("utf-16", "utf-16", "utf-16"),
    ("utf-8-sig", "utf-8-sig", "utf-8"),
])
def test_every_encoding_imports_the_same_rows(cli, tmp_path, make_db, encoding, reported, option):
    reference = make_db("reference")
    r = cli("--db", reference, "register", "import", "people",
            write_csv(tmp_path / "ref.csv", ROWS), "--quiet")
    assert r.code == 0, r

    path = write_csv(tmp_path / f"people-{encoding}.csv", ROWS, encoding=encoding)
    target = make_db("target")
    r = cli("--db", target, "register", "import", "people", path, "--encoding", option, "--json")

    assert r.code == 0, r
    assert r.json["encoding"] == reported
    assert (r.json["read"], r.json["inserted"]) == (5, 5)
    assert people(target) == people(reference)
    assert people(target)[0][1] == "张䶮1"


def test_undecodable_file_is_refused_naming_the_encoding_option(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = tmp_path / "garbage.csv"
    path.write_bytes(csv_text(ROWS).encode("utf-8") + b"P9,\x80\x80\xff,\n")

    r = imp(cli, path)

    assert r.code == 1, r
    assert "--encoding" in r.err and str(path) in r.err, r
    assert dump(empty_db) == snapshot


def test_wrong_explicit_encoding_late_in_a_large_file_writes_nothing(cli, empty_db, tmp_path):
    """--encoding utf-8 on a file whose row 4500 is GB18030: the streamed chunks before it are undone."""
    snapshot = dump(empty_db)
    rows = [person(i, 编号=f"Q{i:05d}") for i in range(4500)]
    path = tmp_path / "mixed.csv"
    path.write_bytes(csv_text(rows).encode("utf-8") + "Q99999,王五,男\n".encode("gb18030"))

    r = imp(cli, path, "--encoding", "utf-8")

    assert r.code == 1, r
    assert "--encoding" in r.err and f"{path}:4502:" in r.err, r
    assert dump(empty_db) == snapshot


def test_decoding_error_names_the_line_with_the_bad_bytes(cli, empty_db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes("编号,姓名\nP1,张三\nP2,李四\n".encode() + "P3,王五\n".encode("gb18030"))

    r = imp(cli, path, "--encoding", "utf-8")

    assert r.code == 1, r
    assert f"{path}:4:" in r.err and "--encoding" in r.err, r


# --- standard input ------------------------------------------------------------------


def test_stdin_dash_imports_csv(cli, laomo_db, tmp_path, make_db):
    r = imp(cli, "-", "--json", stdin=csv_text(ROWS))

    assert r.code == 0, r
    assert (r.json["read"], r.json["inserted"], r.json["rejected"]) == (5, 5, 0)
    reference = make_db("reference")
    assert cli("--db", reference, "register", "import", "people",
               write_csv(tmp_path / "p.csv", ROWS), "--quiet").code == 0
    assert people(laomo_db) == people(reference)


# --- --on-error skip and the rejects file -----------------------------------------------

BAD_ROWS = [person(6, 身份证号="410502199001011234"), person(7, 出生年份="85"), person(8, 姓名="")]


def _read_rejects(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8), raw[:10]
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_skip_writes_valid_rows_and_rejects_the_rest(cli, laomo_db, tmp_path):
    mixed = [ROWS[0], BAD_ROWS[0], ROWS[1], BAD_ROWS[1], ROWS[2], BAD_ROWS[2]]
    path = write_csv(tmp_path / "people.csv", mixed)

    r = imp(cli, path, "--on-error", "skip")

    assert r.code == 3, r
    assert [p[0] for p in people(laomo_db)] == ["P0001", "P0002", "P0003"]
    rejects = Path(f"{path}.rejects.csv")
    assert str(rejects) in r.err, r
    table = _read_rejects(rejects)
    assert table[0] == HEADER + ["错误原因"]
    assert [row[:-1] for row in table[1:]] == BAD_ROWS
    reasons = [row[-1] for row in table[1:]]
    for reason, (line, column) in zip(reasons, [(3, "身份证号"), (5, "出生年份"), (7, "姓名")]):
        assert str(line) in reason and column in reason, reason


def test_skip_with_named_rejects_file_and_json(cli, laomo_db, tmp_path):
    path = write_csv(tmp_path / "people.csv", ROWS[:2] + BAD_ROWS[:1])
    rejects = tmp_path / "out" / "拒收.csv"
    rejects.parent.mkdir()

    r = imp(cli, path, "--on-error", "skip", "--rejects", rejects, "--json")

    assert r.code == 3, r
    assert (r.json["read"], r.json["inserted"], r.json["rejected"]) == (3, 2, 1)
    assert [(e["line"], e["column"]) for e in r.json["errors"]] == [(4, "身份证号")]
    assert len(_read_rejects(rejects)) == 2
    assert not Path(f"{path}.rejects.csv").exists()


def test_skip_without_errors_exits_0_and_leaves_no_rejects_file(cli, laomo_db, tmp_path):
    path = write_csv(tmp_path / "people.csv", ROWS)

    r = imp(cli, path, "--on-error", "skip")

    assert r.code == 0, r
    assert len(people(laomo_db)) == 5
    assert not Path(f"{path}.rejects.csv").exists()


def test_abort_is_the_default_and_writes_nothing(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = write_csv(tmp_path / "people.csv", ROWS + BAD_ROWS)

    r = imp(cli, path)

    assert r.code == 1, r
    assert len(problem_lines(r, str(path))) == 3, r
    assert dump(empty_db) == snapshot
    assert not Path(f"{path}.rejects.csv").exists()


# --- --dry-run ------------------------------------------------------------------------


def test_dry_run_reports_counts_and_writes_nothing(cli, empty_db, tmp_path):
    assert imp(cli, write_csv(tmp_path / "first.csv", ROWS[:2]), "--quiet").code == 0
    snapshot = dump(empty_db)
    changed = [person(1, 单位="另一家公司"), ROWS[1], *ROWS[2:]]
    path = write_csv(tmp_path / "people.csv", changed)

    r = imp(cli, path, "--dry-run", "--json")

    assert r.code == 0, r
    doc = r.json
    assert (doc["read"], doc["inserted"], doc["updated"], doc["unchanged"], doc["rejected"]) == (5, 3, 1, 1, 0)
    assert dump(empty_db) == snapshot

    r = imp(cli, path, "--dry-run")
    assert r.code == 0, r
    assert "读取 5 行" in r.err and "新增 3" in r.err and "试运行" in r.err, r
    assert dump(empty_db) == snapshot


def test_dry_run_with_bad_rows_lists_them_and_writes_nothing(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = write_csv(tmp_path / "people.csv", ROWS + BAD_ROWS[:1])

    r = imp(cli, path, "--dry-run")

    assert r.code == 1, r
    assert [line.split(": 列")[0] for line in problem_lines(r, str(path))] == [f"{path}:7"]
    assert dump(empty_db) == snapshot


# --- --json -------------------------------------------------------------------------


def test_json_has_the_documented_keys(cli, laomo_db, tmp_path):
    path = write_csv(tmp_path / "people.csv", ROWS)

    r = imp(cli, path, "--json")

    assert r.code == 0, r
    doc = r.json  # stdout is exactly one JSON document
    assert set(doc) >= JSON_KEYS, set(doc)
    assert (doc["kind"], doc["file"]) == ("people", str(path))
    assert (doc["read"], doc["inserted"], doc["updated"], doc["unchanged"], doc["rejected"]) == (5, 5, 0, 0, 0)
    assert isinstance(doc["seconds"], (int, float)) and doc["seconds"] >= 0
    assert doc["errors"] == []

    again = imp(cli, path, "--json")
    assert (again.json["inserted"], again.json["updated"], again.json["unchanged"]) == (0, 0, 5)


def test_json_error_entries_have_the_documented_keys(cli, laomo_db, tmp_path):
    r = imp(cli, write_csv(tmp_path / "people.csv", BAD_ROWS), "--json")

    assert r.code == 1, r
    errors = r.json["errors"]
    assert len(errors) == 3
    for e in errors:
        assert {"line", "column", "value", "reason"} <= set(e), e
    assert errors[0]["line"] == 2 and errors[0]["value"] == "410***********1234"  # personal data masked


# --- duplicate keys ------------------------------------------------------------------


def test_same_key_with_different_values_names_both_lines(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = write_csv(tmp_path / "people.csv", [ROWS[0], ROWS[1], person(1, 姓名="李四")])

    r = imp(cli, path)

    assert r.code == 1, r
    [line] = problem_lines(r, str(path))
    assert line.startswith(f"{path}:4: 列「编号」值「P0001」") and "第 2 行" in line, line
    assert dump(empty_db) == snapshot


def test_same_key_in_different_chunks_names_both_lines(cli, empty_db, tmp_path):
    """The key of line 2 comes back at line 4502, long after line 2's chunk was written."""
    from laomo.ledger.importer import CHUNK

    snapshot = dump(empty_db)
    rows = [person(i, 编号=f"Q{i:05d}") for i in range(2 * CHUNK + 499)] + [person(0, 编号="Q00000", 姓名="李四")]
    path = write_csv(tmp_path / "people.csv", rows)

    r = imp(cli, path)

    assert r.code == 1, r
    [line] = problem_lines(r, str(path))
    assert line.startswith(f"{path}:{len(rows) + 1}: 列「编号」值「Q00000」") and "第 2 行" in line, line
    assert dump(empty_db) == snapshot


def test_conflict_is_found_when_the_later_row_matches_the_stored_value(cli, laomo_db, tmp_path):
    assert imp(cli, write_csv(tmp_path / "before.csv", [person(1, 单位="乙厂")]), "--quiet").code == 0
    snapshot = dump(laomo_db)
    path = write_csv(tmp_path / "people.csv", [person(1, 单位="甲厂"), person(1, 单位="乙厂")])

    r = imp(cli, path)

    assert r.code == 1, r
    [line] = problem_lines(r, str(path))
    assert line.startswith(f"{path}:3: 列「编号」值「P0001」") and "第 2 行" in line, line
    assert dump(laomo_db) == snapshot


def test_activity_equal_to_the_stored_one_is_not_lost(cli, sample_db, tmp_path):
    header = ["工作室编号", "日期", "类型", "主题", "学时"]
    stored = ["S0003", "2025-06-13", "培训", "班组安全", ""]
    assert imp(cli, write_csv(tmp_path / "before.csv", [stored], header=header), "--quiet",
               kind="activities").code == 0
    path = write_csv(tmp_path / "activities.csv", [stored[:4] + ["2"], stored], header=header)

    first = imp(cli, path, "--json", kind="activities")

    assert first.code == 0, first
    assert query(sample_db, "SELECT hours FROM activity a JOIN studio s ON s.id = a.studio_id "
                            "WHERE s.code = 'S0003' AND a.date = '2025-06-13' AND a.title = '班组安全' "
                            "ORDER BY hours NULLS FIRST") == [(None,), (2.0,)]
    again = imp(cli, path, "--json", kind="activities")
    assert again.code == 0 and (again.json["inserted"], again.json["updated"]) == (0, 0), again


def test_exact_duplicate_row_is_counted_once(cli, laomo_db, tmp_path):
    from laomo.ledger.importer import CHUNK

    rows = [ROWS[0], ROWS[1], ROWS[0]] + [person(i + 10, 编号=f"Q{i:05d}") for i in range(CHUNK)] + [ROWS[1]]
    path = write_csv(tmp_path / "people.csv", rows)

    r = imp(cli, path, "--json")

    assert r.code == 0, r
    doc = r.json
    assert doc["read"] == len(rows)
    assert doc["inserted"] == CHUNK + 2
    assert doc["inserted"] + doc["updated"] + doc["unchanged"] + doc.get("duplicates", 2) == len(rows)
    assert query(laomo_db, "SELECT count(*) FROM person WHERE code IN ('P0001', 'P0002')") == [(2,)]


# --- absent column versus empty cell ------------------------------------------------------


def test_absent_column_and_empty_cell_keep_the_value_unless_clear_blank(cli, laomo_db, tmp_path):
    assert imp(cli, write_csv(tmp_path / "a.csv", ROWS[:2]), "--quiet").code == 0
    phone = ROWS[0][5]
    name = ROWS[0][1]

    r = imp(cli, write_csv(tmp_path / "b.csv", [["P0001", name, "新单位"]], header=["编号", "姓名", "单位"]), "--json")
    assert r.code == 0, r
    assert (r.json["updated"], r.json["inserted"]) == (1, 0)
    assert query(laomo_db, "SELECT name, phone, unit FROM person WHERE code='P0001'") == [(name, phone, "新单位")]

    c = write_csv(tmp_path / "c.csv", [["P0001", name, ""]], header=["编号", "姓名", "手机"])
    r = imp(cli, c, "--json")
    assert r.code == 0, r
    assert (r.json["updated"], r.json["unchanged"]) == (0, 1)
    assert query(laomo_db, "SELECT phone FROM person WHERE code='P0001'") == [(phone,)]

    r = imp(cli, c, "--json", "--clear-blank")
    assert r.code == 0, r
    assert r.json["updated"] == 1
    assert query(laomo_db, "SELECT name, phone, unit FROM person WHERE code='P0001'") == [(name, None, "新单位")]
    assert query(laomo_db, "SELECT phone FROM person WHERE code='P0002'") == [(ROWS[1][5],)]


# --- headers -------------------------------------------------------------------------


def test_unknown_column_is_a_warning(cli, laomo_db, tmp_path):
    path = write_csv(tmp_path / "people.csv", [row + ["x"] for row in ROWS], header=HEADER + ["爱好"])

    r = imp(cli, path)

    assert r.code == 0, r
    assert any("警告" in line and "爱好" in line for line in r.err.splitlines()), r
    assert len(people(laomo_db)) == 5
    r = imp(cli, path, "--json")
    assert any("爱好" in w for w in r.json.get("warnings", [])) or "爱好" in r.err, r


def test_english_alias_headers(cli, laomo_db, tmp_path, make_db):
    spaced = [f" {name} " for name in ALIASES]
    r = imp(cli, write_csv(tmp_path / "people.csv", ROWS, header=spaced), "--json")

    assert r.code == 0, r
    assert r.json["inserted"] == 5 and not r.json.get("warnings")
    reference = make_db("reference")
    assert cli("--db", reference, "register", "import", "people",
               write_csv(tmp_path / "zh.csv", ROWS), "--quiet").code == 0
    assert people(laomo_db) == people(reference)


def test_mixed_chinese_and_english_headers_with_bom(cli, laomo_db, tmp_path):
    header = ["编号", "name", "身份证号"]
    path = write_csv(tmp_path / "people.csv", [["P1", "张三", id_number(1)]], header=header, encoding="utf-8-sig")

    r = imp(cli, path)

    assert r.code == 0, r
    assert query(laomo_db, "SELECT code, name, id_number FROM person") == [("P1", "张三", id_number(1))]


# --- error limit -------------------------------------------------------------------------


def test_errors_beyond_50_are_counted(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    rows = [person(i, 身份证号="410502199001011234") for i in range(60)]
    path = write_csv(tmp_path / "people.csv", rows)

    r = imp(cli, path)

    assert r.code == 1, r
    assert len(problem_lines(r, str(path))) == 50, r
    assert re.search(r"另有\s*10\s*个", r.err), r
    j = imp(cli, path, "--json")
    assert len(j.json["errors"]) == 50 and j.json["rejected"] == 60
    assert dump(empty_db) == snapshot


# --- .xlsx, .xls, empty files ------------------------------------------------------------


def test_xlsx_with_sheet_and_numeric_cells(cli, laomo_db, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", {
        "说明": [["本工作簿第二页是人员名单"]],
        "人员": [HEADER, [1001.0, "王五", "男", 1985.0, id_number(3), 13800138000, "示例厂", "电工", True, "技师"],
                 ["0012", "赵六", "女", 1990, id_number(4), None, "示例厂", None, 0, None]],
        "工作室": [["编号", "名称", "领衔人编号", "所在单位", "行业", "区县", "成立日期", "年度经费", "场所面积"],
                   [2001.0, "王五创新工作室", 1001.0, "示例厂", "C", "示例县", dt.datetime(2015, 3, 1), 125000.4, 80]],
    })

    r = imp(cli, path, "--sheet", "人员", "--json")
    assert r.code == 0, r
    assert (r.json["encoding"], r.json["inserted"]) == ("xlsx", 2)
    assert people(laomo_db) == [
        ("0012", "赵六", "female", 1990, id_number(4), None, "示例厂", None, 0, None),
        ("1001", "王五", "male", 1985, id_number(3), "13800138000", "示例厂", "电工", 1, "technician"),
    ]

    r = imp(cli, path, "--sheet", "工作室", kind="studios")
    assert r.code == 0, r
    assert query(laomo_db, "SELECT s.code, p.code, s.founded, s.funds, s.area FROM studio s "
                           "JOIN person p ON p.id = s.leader_id") == [("2001", "1001", "2015-03-01", 125000, 80.0)]


def test_xlsx_first_sheet_is_the_default(cli, laomo_db, tmp_path):
    path = write_xlsx(tmp_path / "ledger.xlsx", {"人员": [HEADER, person(1)], "其他": [["x"]]})

    r = imp(cli, path)

    assert r.code == 0, r
    assert [p[0] for p in people(laomo_db)] == ["P0001"]


def test_xlsx_wrong_sheet_name_is_refused(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = write_xlsx(tmp_path / "ledger.xlsx", {"人员": [HEADER, person(1)], "工作室": [["编号"]]})

    r = imp(cli, path, "--sheet", "职工")

    assert r.code == 1, r
    assert "职工" in r.err and "人员" in r.err, r  # names the missing sheet and lists the existing ones
    assert dump(empty_db) == snapshot


def test_xlsx_errors_name_the_row(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = write_xlsx(tmp_path / "ledger.xlsx", {"人员": [HEADER, person(1), person(2, 出生年份="八五年")]})

    r = imp(cli, path)

    assert r.code == 1, r
    assert [line.split(": ")[0] for line in problem_lines(r, str(path))] == [f"{path}:3"], r
    assert "出生年份" in r.err
    assert dump(empty_db) == snapshot


def test_xlsx_numeric_id_number_is_refused(cli, empty_db, tmp_path):
    """An ID number typed as an Excel number has lost digits: refused, naming the column."""
    snapshot = dump(empty_db)
    path = write_xlsx(tmp_path / "ledger.xlsx", {"人员": [["编号", "姓名", "身份证号"],
                                                          ["P1", "张三", 410502199001011230]]})

    r = imp(cli, path)

    assert r.code == 1, r
    [line] = problem_lines(r, str(path))
    assert line.startswith(f"{path}:2: 列「身份证号」"), line
    assert dump(empty_db) == snapshot


def test_csv_text_named_xlsx_is_refused(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = write_csv(tmp_path / "people.xlsx", ROWS)

    r = imp(cli, path)

    assert r.code == 1, r
    assert str(path) in r.err and "xlsx" in r.err, r
    assert dump(empty_db) == snapshot


def test_xls_is_refused_with_advice(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)

    r = imp(cli, path)

    assert r.code == 1, r
    assert ".xlsx" in r.err and str(path) in r.err, r
    assert dump(empty_db) == snapshot


@pytest.mark.parametrize("content", [b"", codecs.BOM_UTF8], ids=["empty", "bom-only"])
def test_empty_csv_is_refused(cli, empty_db, tmp_path, content):
    snapshot = dump(empty_db)
    path = tmp_path / "people.csv"
    path.write_bytes(content)

    r = imp(cli, path)

    assert r.code == 1, r
    assert str(path) in r.err and "空" in r.err, r
    assert dump(empty_db) == snapshot


def test_empty_xlsx_is_refused(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = write_xlsx(tmp_path / "empty.xlsx", {"人员": []})

    r = imp(cli, path)

    assert r.code == 1, r
    assert str(path) in r.err and "空" in r.err, r
    assert dump(empty_db) == snapshot


# --- messages and usage --------------------------------------------------------------------


def test_line_numbers_are_physical_lines_after_a_multiline_cell(cli, empty_db, tmp_path):
    """A quoted cell spanning lines does not shift the line numbers of the rows below it."""
    path = tmp_path / "people.csv"
    path.write_text('编号,姓名,岗位,出生年份\nP1,张三,"电工\n（兼）",1985\nP2,李四,焊工,85\n', encoding="utf-8")

    r = imp(cli, path)

    assert r.code == 1, r
    assert [line.split(": 列")[0] for line in problem_lines(r, str(path))] == [f"{path}:4"], r


def test_each_problem_is_one_line_even_when_the_value_has_a_line_break(cli, empty_db, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text('编号,姓名,出生年份\nP1,张三,"19\n85"\nP2,李四,85\n', encoding="utf-8")

    r = imp(cli, path)

    assert r.code == 1, r
    mentioned = [line for line in r.err.splitlines()  # not the summary: "用时 0.85 秒" made this flaky
                 if ("出生年份" in line or "85" in line) and "用时" not in line]
    assert len(problem_lines(r, str(path))) == 2 == len(mentioned), r


def test_rejects_file_same_as_input_is_refused_and_input_kept(cli, empty_db, tmp_path):
    rows = [person(i, 编号=f"Q{i:05d}") for i in range(3000)] + BAD_ROWS[:1]
    path = write_csv(tmp_path / "people.csv", rows)
    original = path.read_bytes()
    snapshot = dump(empty_db)

    r = imp(cli, path, "--on-error", "skip", "--rejects", path)

    assert path.exists() and path.read_bytes() == original
    assert r.code in (1, 2), r
    assert dump(empty_db) == snapshot


@pytest.mark.parametrize("args, code", [
    (["register", "import", "peoples", "x.csv"], 2),
    (["register", "import", "people", "x.csv", "--on-error", "ignore"], 2),
    (["register", "import", "people", "x.csv", "--encoding", "latin-1"], 2),
    (["register", "import", "people", "does-not-exist.csv"], 1),
], ids=["unknown-kind", "bad-on-error", "bad-encoding", "missing-file"])
def test_usage_errors(cli, empty_db, tmp_path, args, code):
    write_csv(tmp_path / "x.csv", ROWS)
    snapshot = dump(empty_db)

    r = cli(*[str(tmp_path / a) if a.endswith(".csv") else a for a in args])

    assert r.code == code, r
    assert "Traceback" not in r.err and r.err.strip(), r
    assert dump(empty_db) == snapshot


def test_header_naming_a_column_twice_is_refused(cli, empty_db, tmp_path):
    snapshot = dump(empty_db)
    path = write_csv(tmp_path / "people.csv", [["P1", "张三", "P1"]], header=["编号", "姓名", "code"])

    r = imp(cli, path)

    assert r.code == 1, r
    assert f"{path}:1:" in r.err and "code" in r.err and "编号" in r.err, r
    assert dump(empty_db) == snapshot
