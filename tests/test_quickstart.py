"""`laomo quickstart` builds the demo county through the real import, and can run again."""

import os
import stat

from support.db import query


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
