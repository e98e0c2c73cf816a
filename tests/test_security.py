"""Security as a user sees it: personal data masked everywhere (logs and the audit log included),
private files, no locals in a bug's stack, no traceback for a user error, formulas neutralised.

Decisions these tests pin (see also laomo/store/audit.py and laomo/ledger/importer.py):

* Personal data = ID numbers (身份证号) and phone numbers (手机), as cli.md and domain.md say.
  Every output masks them (``110***********1234``) unless ``--show-pii`` (report ledger/studio).
* Import messages (text, ``--json`` errors, the rejects file's 错误原因) mask the whole value of
  a personal column, and ID-number-like or mobile-like digit runs in any other column (a
  personal value in the wrong column).  The rejects file's *original columns* keep the rows as
  written — the user corrects and re-imports them — so that file is created mode 0600.
* The audit log stores ID numbers and phones masked, never in full, never hashed.
* Files holding unmasked personal data are 0600: the SQLite database (and its -wal/-shm),
  backups, rejects files, reports written with ``--show-pii``.  Other reports are 0644.
* A spreadsheet cell is neutralised (a leading apostrophe) when it starts with = + - @, a tab
  or CR, or when its first character after leading white space is = + - @.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from support.db import dump, query

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _id(first17: str) -> str:
    from laomo.ledger.values import id_check_char

    return first17 + id_check_char(first17)


NEW_ID = _id("41050219900101123")  # valid, not in the sample county
NEW_PHONE = "13912345678"
BAD_ID = NEW_ID[:17] + ("0" if NEW_ID[17] != "0" else "1")  # wrong check digit: still a full number
BAD_PHONE = "12012345678"  # 11 digits, not a mobile prefix: refused
STRAY_ID = _id("11010519800202456")  # a valid ID typed into the 单位 column
STRAY_PHONE = "18611112222"


def _masked(value: str) -> str:
    from laomo.safe import mask

    return mask(value)


def _personal(db) -> list[str]:
    values = [v for row in query(db, "SELECT id_number, phone FROM person") for v in row if v]
    assert len(values) > 100
    return values


def _leaks(blob: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in blob]


def _write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as fp:
        csv.writer(fp).writerows(rows)
    return path


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fp:
        return list(csv.reader(fp))


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --------------------------------------------------------------------------- personal data in outputs


def test_no_command_prints_a_full_id_number_or_phone(cli, assessed, tmp_path):
    """register (text, errors), import (text, --json, --dry-run, errors, rejects), assess, award, db, audit."""
    secrets = _personal(assessed) + [NEW_ID, NEW_PHONE, BAD_ID, BAD_PHONE, STRAY_ID, STRAY_PHONE]
    p1 = query(assessed, "SELECT id_number, phone FROM person WHERE code = 'P0001'")[0]
    outputs: list[str] = []

    def run(*args: str, code: int | tuple[int, ...] = 0):
        r = cli(*args)
        assert r.code in ((code,) if isinstance(code, int) else code), r
        outputs.extend([r.out, r.err])
        return r

    # register person: a correction of both fields, then refused values (text output only)
    assert "P0001" in run("register", "person", "--code", "P0001", "--name", "周国强",
                          "--id-number", NEW_ID, "--phone", NEW_PHONE, "--correct", "--reason", "更正").out
    r = run("register", "person", "--code", "P0001", "--name", "周国强", "--id-number", BAD_ID, code=1)
    assert f"值「{_masked(BAD_ID)}」" in r.err and "校验位" in r.err, r
    r = run("register", "person", "--code", "P0001", "--name", "周国强", "--phone", BAD_PHONE, code=1)
    assert f"值「{_masked(BAD_PHONE)}」" in r.err, r
    run("register", "person", "--code", "P0002", "--name", "某人", f"--phone={STRAY_PHONE}", "--id-number", STRAY_ID,
        "--correct", "--reason", "更正")

    # register import: updates (audited with before/after), then bad rows in every output form
    header = ["编号", "姓名", "身份证号", "手机", "单位"]
    good = _write_csv(tmp_path / "people.csv", [header, ["P0001", "周国强", NEW_ID, p1[1], "单位甲"]])
    for extra in ((), ("--json",), ("--dry-run",)):
        run("register", "import", "people", good, *extra)
    bad = _write_csv(tmp_path / "bad.csv", [
        header,
        ["P9001", "甲", BAD_ID, NEW_PHONE, "单位"],               # bad ID number
        ["P9002", "乙", NEW_ID, BAD_PHONE, "单位"],               # bad phone
        ["P9003", "丙" * 101, STRAY_ID, STRAY_PHONE, "单位"],      # name too long; personal data alongside
        ["P 9004", STRAY_ID, "", "", "x" * 300 + STRAY_PHONE],   # ID in the name column, phone in a long unit
    ])
    r = run("register", "import", "people", bad, code=1)
    assert f"列「身份证号」值「{_masked(BAD_ID)}」" in r.err and f"列「手机」值「{_masked(BAD_PHONE)}」" in r.err, r
    r = run("register", "import", "people", bad, "--json", code=1)
    values = {(e["line"], e["column"]): e["value"] for e in r.json["errors"]}
    assert values[(2, "身份证号")] == _masked(BAD_ID) and values[(3, "手机")] == _masked(BAD_PHONE), values
    rejects = tmp_path / "rejects.csv"
    run("register", "import", "people", bad, "--on-error", "skip", "--rejects", rejects, code=3)
    rows = _read_csv(rejects)
    assert rows[0] == header + ["错误原因"] and len(rows) == 5
    reasons = "\n".join(row[-1] for row in rows[1:])
    assert _leaks(reasons, secrets) == [] and _masked(BAD_ID) in reasons, reasons
    assert [row[2] for row in rows[1:3]] == [BAD_ID, NEW_ID]  # the original columns are kept for re-import
    assert _mode(rejects) == 0o600

    # the other groups: nothing there should carry personal data, and nothing does
    for fmt in ((), ("--json",)):
        run("assess", "check", *fmt)
        run("assess", "check", "S0001", "S0002", *fmt)
        run("assess", "explain", "S0001", "--year", "2025", *fmt)
        run("award", "candidates", "--level", "county", *fmt)
        run("award", "history", "S0001", *fmt)
        run("db", "check", *fmt)
    run("assess", "run", "--year", "2025", "--dry-run", "--json")
    for fmt in ("text", "json", "md", "html"):
        run("report", "studio", "S0001", "--format", fmt)
    run("report", "ledger", "--format", "csv")

    blob = "\n".join(outputs)
    assert _leaks(blob, secrets) == [], _leaks(blob, secrets)[:5]
    assert _masked(p1[1]) in blob  # the studio report shows its leader's phone, masked

    # the audit log: before/after and command lines hold only masked values
    audit = "\n".join(json.dumps(row, ensure_ascii=False) for row in
                      query(assessed, "SELECT command, key, before, after FROM audit"))
    assert _leaks(audit, secrets) == [], _leaks(audit, secrets)[:5]
    for value in (NEW_ID, NEW_PHONE, p1[0], p1[1]):
        assert _masked(value) in audit, value
    assert f"--id-number {_masked(NEW_ID)}" in audit and f"--phone={_masked(STRAY_PHONE)}" in audit

    # --show-pii still shows them where it exists
    assert p1[1] in cli("report", "studio", "S0001", "--format", "json", "--show-pii").out


def test_personal_fields_of_the_audit_log_are_the_personal_columns():
    from laomo.ledger.columns import KINDS
    from laomo.models import Person
    from laomo.store.audit import PII_FIELDS, redact

    assert PII_FIELDS == {c.target for k in KINDS.values() for c in k.columns if c.pii} == {"id_number", "phone"}
    assert set(Person.__table__.c.keys()) >= PII_FIELDS
    assert redact({"id_number": NEW_ID, "phone": None, "name": "张三"}) == \
        {"id_number": _masked(NEW_ID), "phone": None, "name": "张三"}


def test_logging_and_warnings_never_carry_personal_data(cli, laomo_db, tmp_path, caplog):
    """laomo logs nothing itself; SQLAlchemy's own INFO log (if an operator turns it on) hides parameters."""
    caplog.set_level(logging.DEBUG, logger="laomo")
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    caplog.set_level(logging.INFO, logger="alembic")
    path = _write_csv(tmp_path / "p.csv", [["编号", "姓名", "身份证号", "手机"], ["P1", "甲", NEW_ID, NEW_PHONE],
                                           ["P2", "乙", BAD_ID, STRAY_PHONE]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cli("register", "import", "people", path, "--on-error", "skip",
                   "--rejects", tmp_path / "r.csv").code == 3
        assert cli("register", "person", "--code", "P1", "--name", "甲", "--phone", STRAY_PHONE).code == 0
        assert cli("report", "ledger", "--format", "json").code == 0
    logged = caplog.text + "\n".join(str(w.message) for w in caught)
    assert "INSERT INTO person" in logged  # the engine's log was captured …
    assert "parameters hidden" in logged  # … without its parameters
    assert _leaks(logged, [NEW_ID, NEW_PHONE, BAD_ID, STRAY_PHONE]) == []
    assert not [r for r in caplog.records if r.name.startswith("laomo")]


def test_a_database_url_password_is_never_shown(cli):
    r = cli("--db", "postgresql+nosuchdriver://laomo:s3cret-pw@127.0.0.1/x", "db", "check")
    assert r.code == 1 and "错误" in r.err and "Traceback" not in r.err, r
    assert "s3cret-pw" not in r.out + r.err


# --------------------------------------------------------------------------- bugs and user errors


SECRET_LOCAL = "hunter2-local-value"


def _crash(*args, **kwargs):
    password = SECRET_LOCAL  # noqa: F841 - a local that must never be printed
    person = {"id_number": NEW_ID}
    raise RuntimeError("内部状态不一致：" + person["id_number"])


def _assert_bug_report(r) -> None:
    assert r.code == 1, r
    assert "程序内部错误" in r.err and "Traceback" in r.err and "RuntimeError" in r.err, r
    assert SECRET_LOCAL not in r.out + r.err, r  # no locals
    assert NEW_ID not in r.out + r.err and _masked(NEW_ID) in r.err, r  # the message's personal data masked


def test_a_bug_shows_the_stack_without_locals_or_personal_data(cli, assessed, monkeypatch):
    from laomo.reports import data

    monkeypatch.setattr(data, "ledger", _crash)
    _assert_bug_report(cli("report", "ledger"))


def test_a_bug_in_the_console_script_too(laomo_db, tmp_path):
    """The installed entry point (``python -m laomo``), not the in-process runner: same report."""
    script = ("import sys, test_security as t\n"
              "import laomo.ledger.records as r\n"
              "r.init_database = t._crash\n"
              "from laomo.cli import main\n"
              "sys.exit(main(['init']))\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))
    p = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)

    class R:
        code, out, err = p.returncode, p.stdout, p.stderr

        def __repr__(self) -> str:
            return f"<code={self.code} err={self.err[-1500:]}>"
    _assert_bug_report(R())
    assert "locals" not in p.stderr.lower()


HIDDEN_NAME = "保密的姓名"  # not personal data by the spec's definition, so only hide_parameters keeps it out


def test_a_database_error_shows_no_statement_parameters(cli, laomo_db, monkeypatch):
    """An IntegrityError's text carries the statement's parameters unless the engine hides them."""
    from sqlalchemy import text

    from laomo.ledger import records as registry
    def duplicate(session, kind, record, **options):
        sql = text("INSERT INTO person (code, name, id_number, phone) VALUES (:c, :n, :i, :p)")
        values = {"c": "P1", "n": HIDDEN_NAME, "i": NEW_ID, "p": NEW_PHONE}
        for _ in range(2):
            session.execute(sql, values)  # the second one violates UNIQUE (code)

    monkeypatch.setattr(registry, "register_record", duplicate)
    before = dump(laomo_db) if cli("init").code == 0 else None
    r = cli("register", "person", "--code", "P1", "--name", "甲")
    assert r.code == 1 and "IntegrityError" in r.err and "INSERT INTO person" in r.err, r
    assert HIDDEN_NAME not in r.err and NEW_ID not in r.err and NEW_PHONE not in r.err, r
    assert dump(laomo_db) == before


# Every top-level group: a user error prints a Chinese "错误：…" line, exit 1 or 2, no traceback,
# no English Click text, and changes nothing.
USER_ERRORS = [
    (2, ("nosuch",)),
    (2, ("--nosuch", "init")),
    (1, ("init", "--union", "  ")),
    (2, ("db", "nosuch")),
    (1, ("db", "backup", "/nonexistent-dir/x/backup.db")),
    (2, ("register", "person", "--code")),
    (1, ("register", "person", "--code", "P9", "--name", "甲", "--birth-year", "abc")),
    (1, ("register", "person", "--code", "P9", "--name", "甲", "--gender", "未知")),
    (1, ("register", "studio", "--code", "S9", "--name", "甲", "--leader", "P404", "--unit", "u",
         "--industry", "C", "--county", "示例县")),
    (1, ("register", "studio", "--code", "S9", "--name", "甲", "--leader", "P0001", "--unit", "u",
         "--industry", "C", "--county", "示例县", "--founded", "2025-13-01")),
    (1, ("register", "member", "--studio", "S404", "--person", "P0001")),
    (1, ("register", "activity", "--studio", "S0001", "--kind", "跳舞", "--date", "2025-01-01")),
    (1, ("register", "import", "people", "/nonexistent/people.csv")),
    (2, ("register", "import", "nosuch", "x.csv")),
    (2, ("register", "import", "people", "x.csv", "--encoding", "latin-1")),
    (2, ("register", "import", "people", "x.csv", "--on-error", "ignore")),
    (2, ("register", "import")),
    (2, ("assess", "run")),
    (2, ("assess", "run", "--year", "abc")),
    (1, ("assess", "explain", "S404", "--year", "2025")),
    (1, ("assess", "check", "S404")),
    (1, ("assess", "rules", "show", "nosuch")),
    (1, ("assess", "run", "--year", "2025", "--rules", "/nonexistent/rules.toml")),
    (1, ("award", "name", "S404", "--level", "county", "--year", "2025")),
    (2, ("award", "name", "S0001", "--level", "galactic", "--year", "2025")),
    (2, ("award", "candidates")),
    (1, ("award", "history", "S404")),
    (2, ("award", "revoke", "S0001")),
    (2, ("report", "ledger", "--status", "bogus")),
    (2, ("report", "summary", "--year", "1800")),
    (2, ("report", "summary", "--year", "二〇二五")),
    (2, ("report", "assessment", "--year", "2025", "--format", "pdf")),
    (1, ("report", "studio", "S404")),
    (2, ("report", "notice", "--year", "2025", "--kind", "bogus")),
    (1, ("report", "notice", "--year", "2025", "--kind", "naming", "--template", "/nonexistent.md")),
    (1, ("report", "ledger", "--format", "csv", "--out", "/nonexistent-dir/x/ledger.csv")),
    (2, ("report", "ledger", "extra-argument")),
    (1, ("quickstart", "/dev/null/demo")),
]


@pytest.mark.parametrize("code, args", USER_ERRORS, ids=[" ".join(a)[:60] for _, a in USER_ERRORS])
def test_a_user_error_is_one_chinese_message_without_traceback(cli, assessed, code, args):
    before = dump(assessed)

    r = cli(*args)

    assert r.code == code, r
    assert "Traceback" not in r.out + r.err and "程序内部错误" not in r.err, r
    first = r.err.strip().splitlines()[0]
    assert first.startswith("错误") and CHINESE.search(first), r
    for english in ("Usage:", "Error:", "Try '", "Invalid value", "No such", "Missing"):
        assert english not in r.err, r
    assert dump(assessed) == before


# --------------------------------------------------------------------------- private files


@pytest.mark.sqlite_only
def test_database_wal_and_backup_are_private_whatever_the_umask(cli, make_db, monkeypatch, tmp_path):
    laomo_db = make_db("private", absent=True)
    monkeypatch.setenv("LAOMO_DB", str(laomo_db))
    old = os.umask(0)
    try:
        assert cli("init").code == 0
        assert cli("register", "person", "--code", "P1", "--name", "甲", "--id-number", NEW_ID).code == 0
        files = sorted(laomo_db.parent.glob(laomo_db.name + "*"))
        assert {f.name for f in files} >= {"private.db", "private.db-wal", "private.db-shm"}, files
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        backup = tmp_path / "backup.db"
        r = cli("db", "backup", backup)
        assert r.code == 0, r
        assert _mode(backup) == 0o600
        assert not [f for f in tmp_path.glob("backup.db?*")]  # no journal left beside it
    finally:
        os.umask(old)


def test_rejects_file_is_private_even_when_it_existed(cli, laomo_db, tmp_path):
    rejects = tmp_path / "r.csv"
    rejects.write_text("old", encoding="utf-8")
    rejects.chmod(0o644)
    path = _write_csv(tmp_path / "p.csv", [["编号", "姓名", "身份证号"], ["P1", "甲", NEW_ID], ["P2", "乙", BAD_ID]])

    r = cli("register", "import", "people", path, "--on-error", "skip", "--rejects", rejects)

    assert r.code == 3, r
    assert _mode(rejects) == 0o600 and _read_csv(rejects)[1][2] == BAD_ID
    r = cli("register", "import", "people", path, "--on-error", "skip", "--rejects", tmp_path / "no" / "r.csv")
    assert r.code == 1 and "拒收文件" in r.err and "Traceback" not in r.err, r


def test_reports_with_show_pii_are_private(cli, assessed, tmp_path):
    leader = query(assessed, "SELECT p.phone FROM studio s JOIN person p ON p.id = s.leader_id "
                             "WHERE s.code = 'S0001'")[0][0]
    for args, name in ((("report", "ledger", "--format", "csv"), "l.csv"),
                       (("report", "ledger", "--format", "text"), "l.txt"),
                       (("report", "studio", "S0001", "--format", "html"), "s.html"),
                       (("report", "studio", "S0001", "--format", "text"), "s.txt")):
        shown, masked = tmp_path / ("pii-" + name), tmp_path / name
        assert cli(*args, "--show-pii", "--out", shown).code == 0
        assert cli(*args, "--out", masked).code == 0
        assert _mode(shown) == 0o600 and leader in shown.read_bytes().decode("utf-8-sig"), name
        assert _mode(masked) == 0o644 and leader not in masked.read_bytes().decode("utf-8-sig"), name


# --------------------------------------------------------------------------- formulas and templates


FORMULAS = ["=1+1", "+SUM(A1:A9)", "-2+3", "@cmd", "\t=1", "\r=1", " =HYPERLINK(\"http://x\")",
            "\u3000@cmd", "\n+1", "  -1"]


def _dangerous(cell: str) -> bool:
    return cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.lstrip().startswith(("=", "+", "-", "@"))


def test_rejects_file_neutralises_formulas_in_cells_and_header(cli, laomo_db, tmp_path):
    header = ["编号", "姓名", "单位", "=HYPERLINK(\"http://evil\")"]
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fp:
        w = csv.writer(fp)
        w.writerow(header)
        for i, f in enumerate(FORMULAS):
            w.writerow([f"P {i}", f, f, f])  # a code with a space is refused; the formulas are the other cells
    rejects = tmp_path / "r.csv"

    r = cli("register", "import", "people", path, "--on-error", "skip", "--rejects", rejects, "--json")

    assert r.code == 3 and r.json["rejected"] == len(FORMULAS), r
    got = _read_csv(rejects)
    assert got[0][3] == "'" + header[3]
    cells = [c for row in got for c in row]
    assert [c for c in cells if _dangerous(c)] == []
    assert [row[1] for row in got[1:]] == ["'" + f for f in FORMULAS]  # neutralised, otherwise verbatim


def test_reports_neutralise_formulas_after_leading_space_too(cli, assessed, tmp_path):
    """Stored text never starts with white space (values are trimmed), but the writer does not rely on it."""
    from laomo.reports import render, tables
    from laomo.safe import neutralise

    assert [neutralise(f) for f in FORMULAS] == ["'" + f for f in FORMULAS]
    assert [neutralise(v) for v in ("正常", " 正常", "a=b", "", -5, 3.5)] == ["正常", " 正常", "a=b", "", -5, 3.5]
    table = tables.Table(title="t", columns=[tables.Column("名称", "text")], rows=[[f] for f in FORMULAS])
    cells = [c for row in csv.reader(io.StringIO(render.to_csv(table).decode("utf-8-sig"))) for c in row]
    assert [c for c in cells if _dangerous(c)] == []
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(render.to_xlsx([table])))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row)
    assert [v for v in values if isinstance(v, str) and _dangerous(v)] == []


@pytest.mark.parametrize("payload", ["{{ 9 ** (9 ** 9) }}", "{{ 'x' * 10 ** 10 }}", "{{ [0] * 10 ** 10 }}",
                                     "{{ range(10 ** 10) | list }}", "{{ (2 ** 64) ** 64 }}"])
def test_a_template_cannot_exhaust_time_or_memory(cli, assessed, tmp_path, payload):
    tpl = tmp_path / "t.md"
    tpl.write_text("开始 " + payload + " 结束", encoding="utf-8")

    r = cli("report", "notice", "--year", "2023", "--kind", "naming", "--template", tpl)

    assert r.code == 1 and "模板" in r.err and "Traceback" not in r.err, r
