"""Issue 12 item 9: where a one-line Chinese message belongs, laomo printed a stack — bytes that are not
UTF-8 in an argument or a file name, ~nosuchuser, a date in year 1, a value edited by hand into the
database, an altered audit row."""

import pytest
from support.db import execute

GBK_ZHANG = b"\xd5\xc5".decode("utf-8", "surrogateescape")  # 张 typed on a GBK terminal


def _clean(r):
    assert "Traceback" not in r.err and "程序内部错误" not in r.err, r
    return r


def test_gbk_bytes_in_an_argument_are_one_line(cli, sample_db):
    r = _clean(cli("report", "summary", "--county", GBK_ZHANG))
    assert r.code == 2 and "参数「张」不是 UTF-8 文字" in r.err, r


@pytest.mark.sqlite_only
def test_a_file_with_a_gbk_name_imports_and_is_logged_readably(cli, laomo_db, tmp_path):
    name = (tmp_path / GBK_ZHANG).with_suffix(".csv")
    name.write_text("编号,姓名\nP9,张九\n", encoding="utf-8")
    r = _clean(cli("register", "import", "people", str(name), "--json"))
    assert r.code == 0 and r.json["file"].endswith("张.csv") and r.json["inserted"] == 1, r
    r = _clean(cli("db", "log", "--entity", "import", "--json"))
    assert r.code == 0 and any(e["key"].endswith("张.csv") for e in r.json["entries"]), r


def test_an_unknown_home_directory_is_one_line(cli, sample_db):
    r = _clean(cli("--db", "~nosuchuser-laomo/x.db", "report", "summary"))
    assert r.code == 2 and "无法展开路径" in r.err, r
    r = _clean(cli("report", "ledger", "--format", "csv", "--out", "~nosuchuser-laomo/a.csv"))
    assert r.code == 2 and "无法展开路径" in r.err, r


def test_a_date_in_year_one_is_refused(cli, sample_db):
    r = _clean(cli("assess", "check", "--as-of", "0001-01-01"))
    assert r.code == 2 and "1900" in r.err, r


def test_an_empty_studio_code_is_one_line(cli, sample_db):
    r = _clean(cli("assess", "explain", "", "--year", "2025"))
    assert r.code in (1, 2), r


@pytest.mark.sqlite_only
def test_a_date_edited_by_hand_is_found_by_db_check_and_explained_by_reports(cli, sample_db):
    execute(sample_db, "UPDATE studio SET founded = '2025/3/1' WHERE code = 'S0001'")
    r = _clean(cli("db", "check", "--json"))
    assert r.code == 1 and not r.json["ok"], r
    assert {"table": "studio", "column": "founded", "value": "2025/3/1"}.items() <= r.json["values"][0].items()
    r = _clean(cli("report", "ledger"))
    assert r.code == 1 and "无法读取的值" in r.err and "db check" in r.err, r
    r = _clean(cli("report", "ledger", "--format", "csv", "--out", sample_db.parent / "ledger.csv"))
    assert r.code == 1 and "无法读取的值" in r.err and not (sample_db.parent / "ledger.csv").exists(), r


@pytest.mark.sqlite_only
@pytest.mark.parametrize("edit", [
    "UPDATE designation SET date = '2024年3月1日' WHERE id = (SELECT min(id) FROM designation)",
    "UPDATE studio SET founded = '' WHERE code = 'S0002'",
])
def test_a_date_edited_by_hand_stops_the_ledger(cli, sample_db, edit):
    execute(sample_db, edit)
    for fmt in ("csv", "json"):
        r = _clean(cli("report", "ledger", "--format", fmt))
        assert r.code == 1 and "无法读取的值" in r.err and "db check" in r.err, r


@pytest.mark.sqlite_only
def test_an_altered_audit_row_is_named_by_db_check_and_db_copy(cli, sample_db, tmp_path):
    assert cli("register", "person", "--code", "PX", "--name", "某人").code == 0
    execute(sample_db, "UPDATE audit SET at = 'garbage' WHERE id = (SELECT max(id) FROM audit)")
    r = _clean(cli("db", "check"))
    assert r.code == 1 and "记录的内容被改动" in r.out, r
    r = _clean(cli("db", "copy", sample_db, tmp_path / "copy.db"))
    assert r.code == 1 and "记录的内容被改动" in r.err, r
