"""`laomo quickstart` builds the demo county through the real import, and can run again."""

import os
import shutil
import stat
from pathlib import Path

from support.db import dump, query


def test_quickstart_builds_a_demo_ledger(cli, tmp_path, laomo_db):
    target = tmp_path / "demo"
    r = cli("quickstart", target, "--json")
    assert r.code == 0, r
    result = r.json
    assert result["database"] == str(target / "laomo.db")
    counts = result["counts"]
    assert counts["studio"] >= 20 and counts["person"] > counts["studio"] and counts["designation"] > 0
    assert all(i["rejected"] == 0 for i in result["imports"])
    assert stat.S_IMODE(os.stat(target / "laomo.db").st_mode) == 0o600
    # the standards check and the demo years' assessments ran
    assert 0 < result["check"]["passed"] <= result["check"]["studios"] == counts["studio"]
    for year in ("2024", "2025"):
        run = result["assessments"][year]
        assert run["assessed"] > 0 and sum(run["by_grade"].values()) == run["assessed"]
        assert set(run["by_grade"]) == {"excellent", "good", "pass", "fail"}  # the demo shows every grade
    # the demo year's decisions and the reports
    assert result["named"] and any(result["named"].values())
    files = {label: tmp_path / "demo" / p for label, p in result["reports"].items()}
    assert len(files) >= 4 and all(f.exists() and f.stat().st_size > 0 for f in files.values())
    suffixes = {f.suffix for f in files.values()}
    assert {".html", ".xlsx", ".docx"} <= suffixes
    # never touches the ledger LAOMO_DB points at
    assert query(laomo_db, "SELECT count(*) FROM person") == [(0,)]
    assert query(laomo_db, "SELECT count(*) FROM audit") == [(0,)]


def test_quickstart_twice_changes_nothing(cli, tmp_path):
    target = tmp_path / "demo"
    assert cli("quickstart", target).code == 0
    again = cli("quickstart", target, "--json").json
    assert all(i["inserted"] == 0 and i["updated"] == 0 for i in again["imports"])


def test_quickstart_text_says_where_things_are(cli, tmp_path):
    r = cli("quickstart", tmp_path / "demo")
    assert r.code == 0
    assert str(tmp_path / "demo" / "laomo.db") in r.out and "工作室" in r.out


def test_quickstart_refuses_a_folder_holding_a_real_ledger(cli, sample_db, monkeypatch, tmp_path):
    """Issue 12 item 2: `laomo quickstart .` beside the real ./laomo.db imported the demo county into it
    (P0001 and S0001 became demo records, the union was renamed 演示县总工会)."""
    if not isinstance(sample_db, Path):  # PostgreSQL: the ledger is a server database given by --db
        before = dump(sample_db)
        r = cli("--db", sample_db, "quickstart", tmp_path / "demo")
        assert r.code == 1 and "不是 quickstart 建的演示库" in r.err and "Traceback" not in r.err, r
        assert dump(sample_db) == before
        return
    folder = tmp_path / "office"
    folder.mkdir()
    ledger = folder / "laomo.db"
    from laomo.store.db import dispose_all

    dispose_all()
    shutil.copyfile(sample_db, ledger)
    before = dump(ledger)
    monkeypatch.chdir(folder)
    monkeypatch.delenv("LAOMO_DB")
    r = cli("quickstart", ".")
    assert r.code == 1 and "已有台账数据" in r.err and "数据库未改动" in r.err and "Traceback" not in r.err, r
    assert dump(ledger) == before
    assert not (folder / "data").exists()
    # the file LAOMO_DB names, even without records of its own
    monkeypatch.setenv("LAOMO_DB", str(folder / "official.db"))
    assert cli("init", "--union", "示例县总工会").code == 0
    r = cli("--db", folder / "official.db", "quickstart", tmp_path / "elsewhere")
    assert r.code == 1 and "LAOMO_DB" in r.err, r

