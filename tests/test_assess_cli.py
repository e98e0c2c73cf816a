"""laomo assess …: JSON shapes of cli.md, text output, exit codes, never prompting."""

from __future__ import annotations

import subprocess
import sys

from support.sample import EXPECTED


def test_run_json_shape_and_values(cli, sample_engine):
    r = cli("assess", "run", "--year", "2024", "--json")
    assert r.code == 0, r
    data = r.json
    assert {"year", "profile", "profile_hash", "results"} <= set(data)
    assert data["year"] == 2024 and data["profile"] == "henan-2015" and len(data["profile_hash"]) == 64
    first = data["results"][0]
    assert {"studio", "total", "grade", "items", "recommendation", "reasons"} <= set(first)
    got = {x["studio"]: x for x in data["results"]}
    assert set(got) == set(EXPECTED["2024"])
    for code, exp in EXPECTED["2024"].items():
        assert (got[code]["total"], got[code]["grade"], got[code]["recommendation"], got[code]["items"]) == \
            (exp["total"], exp["grade"], exp["recommendation"], exp["items"]), code
    r = cli("assess", "run", "--year", "2025", "--json")
    got = {x["studio"]: x for x in r.json["results"]}
    assert all(got[c]["grade"] == e["grade"] and got[c]["recommendation"] == e["recommendation"]
               for c, e in EXPECTED["2025"].items())


def test_run_text_quiet_and_missing_year(cli, sample_engine):
    r = cli("assess", "run", "--year", "2024")
    assert r.code == 0 and "S0005" in r.out and "优秀" in r.out and "限期整改" in r.out
    assert "2024 年度考核" in r.err
    r = cli("assess", "run", "--year", "2025", "--quiet")
    assert r.code == 0 and r.out == "" and r.err == ""
    # the cron run keeps no results in memory, but stores every studio's
    from laomo.assess import stored_results
    from laomo.store.db import read_session

    with read_session(sample_engine) as session:
        stored = stored_results(session, year=2025)
    assert {c: (s["grade"], s["recommendation"]) for c, s in stored.items() if c in EXPECTED["2025"]} == \
        {c: (e["grade"], e["recommendation"]) for c, e in EXPECTED["2025"].items()}
    r = cli("assess", "run")
    assert r.code == 2 and "--year" in r.err and r.out == ""


def test_a_long_table_is_cut_with_a_pointer_to_the_full_results(cli, sample_engine, monkeypatch):
    import laomo.commands.assess

    monkeypatch.setattr(laomo.commands.assess, "TABLE_ROWS", 3)
    r = cli("assess", "run", "--year", "2024")
    assert r.code == 0, r
    assert "表中只列出前 3 个" in r.out and "laomo report assessment --year 2024" in r.out
    assert "S0001" in r.out and "S0005" not in r.out
    r = cli("assess", "run", "--year", "2024", "--json")
    assert len(r.json["results"]) == len(EXPECTED["2024"])  # --json is never cut


def test_dry_run_with_other_rules_shows_the_difference(cli, sample_engine):
    assert cli("assess", "run", "--year", "2024", "--quiet").code == 0
    r = cli("assess", "run", "--year", "2024", "--rules", "hebei-2021", "--dry-run", "--json")
    assert r.code == 0, r
    data = r.json
    assert data["profile"] == "hebei-2021" and data["dry_run"] is True
    changes = data["what_if"]["changes"]
    assert {c["studio"] for c in changes} == set(EXPECTED["2024"])
    s5 = next(c for c in changes if c["studio"] == "S0005")
    assert s5["before"] == {"total": 94, "grade": "excellent", "recommendation": "none"}
    assert set(s5["after"]) == {"total", "grade", "recommendation"}
    # Nothing was stored by the dry run: the stored results are still henan-2015's.
    again = cli("assess", "run", "--year", "2024", "--dry-run", "--rules", "henan-2015", "--json").json
    assert again["what_if"]["changed"] == 0 and again["what_if"]["stored_profiles"] == ["henan-2015"]
    text = cli("assess", "run", "--year", "2024", "--rules", "anyang-8", "--dry-run")
    assert text.code == 0 and "已保存结果" in text.out


def test_check_json_and_failure_text(cli, sample_engine):
    r = cli("assess", "check", "--json")
    assert r.code == 0, r
    data = r.json
    assert data["profile"] == "henan-2015" and len(data["results"]) == 40
    by = {x["studio"]: x for x in data["results"]}
    assert {"studio", "passed", "checks", "failures"} <= set(by["S0012"])
    assert list(by["S0012"]["checks"]) == ["S1", "S2", "S3", "S4", "S5", "S6", "L", "F"]
    assert by["S0012"]["passed"] is False and by["S0012"]["checks"]["S3"] is False
    assert by["S0012"]["failures"] == ["S3 有固定团队：团队人数（不含领衔人） 2，要求至少 3"]
    assert by["S0002"]["passed"] is True and by["S0002"]["failures"] == []
    r = cli("assess", "check", "S0012", "S0002")
    assert r.code == 0 and "团队人数（不含领衔人） 2，要求至少 3" in r.out and "S0002" in r.out
    r = cli("assess", "check", "S9999", "--json")
    assert r.code == 1 and "没有编号为 S9999 的工作室" in r.err and "Traceback" not in r.err


def test_explain(cli, sample_engine):
    cli("assess", "run", "--year", "2024", "--quiet")
    r = cli("assess", "explain", "S0008", "--year", "2024", "--json")
    assert r.code == 0, r
    data = r.json
    assert {"year", "profile", "profile_hash", "results", "facts"} <= set(data)
    assert len(data["results"]) == 1 and data["results"][0]["total"] == 54.5
    assert data["facts"]["activities_in_year_training"] == 1
    r = cli("assess", "explain", "S0008", "--year", "2024")
    assert r.code == 0 and "C1" in r.out and "2.5" in r.out and "培训" in r.out
    assert cli("assess", "explain", "S0008").code == 2
    assert cli("assess", "explain", "S9999", "--year", "2024").code == 1


def test_rules_commands(cli, sample_engine, tmp_path):
    r = cli("assess", "rules", "list", "--json")
    assert r.code == 0 and r.json["current"] == "henan-2015"
    assert [p["name"] for p in r.json["profiles"]] == ["anyang-8", "enterprise-5", "hebei-2021", "henan-2015"]
    r = cli("assess", "rules", "show", "hebei-2021", "--json")
    assert r.code == 0 and [c["id"] for c in r.json["checks"]][-2:] == ["L", "F"]
    assert cli("assess", "rules", "show", "henan-2015").code == 0
    r = cli("assess", "rules", "use", "anyang-8")
    assert r.code == 0 and "anyang-8" in r.err
    assert cli("assess", "rules", "list", "--json").json["current"] == "anyang-8"
    assert cli("assess", "check", "--json").json["profile"] == "anyang-8"
    assert cli("assess", "run", "--year", "2024", "--json").json["profile"] == "anyang-8"
    assert cli("assess", "check", "--rules", "henan-2015", "--json").json["profile"] == "henan-2015"
    r = cli("assess", "rules", "use", "nonsense")
    assert r.code == 1 and "nonsense" in r.err
    assert cli("assess", "rules", "list", "--json").json["current"] == "anyang-8"
    bad = tmp_path / "bad.toml"
    bad.write_text('extends = "henan-2015"\n[scorecard.items.B1]\nmax = "abc"\n', encoding="utf-8")
    r = cli("assess", "rules", "validate", str(bad))
    assert r.code == 1 and f"{bad}: scorecard.items.B1.max: 应为数字" in r.err and "Traceback" not in r.err
    r = cli("assess", "rules", "validate", str(bad), "--json")
    assert r.code == 1 and r.json["valid"] is False and len(r.json["problems"]) == 1
    good = tmp_path / "good.toml"
    good.write_text('extends = "henan-2015"\n[cap]\nratio = 0.3\n', encoding="utf-8")
    r = cli("assess", "rules", "validate", str(good), "--json")
    assert r.code == 0 and r.json["valid"] is True and r.json["profile"] == "good"
    r = cli("assess", "run", "--year", "2024", "--rules", str(bad))
    assert r.code == 1 and "Traceback" not in r.err
    r = cli("assess", "rules", "use", str(good))
    assert r.code == 0
    assert cli("assess", "check", "--json").json["profile"] == "good"


def test_rules_use_is_audited(cli, sample_engine):
    from sqlmodel import select

    from laomo.models import AuditEntry
    from laomo.store.db import read_session

    cli("assess", "rules", "use", "hebei-2021")
    with read_session(sample_engine) as s:
        entries = s.exec(select(AuditEntry).where(AuditEntry.entity == "setting")).all()
    assert len(entries) == 1 and entries[0].key == "rules_profile"
    assert entries[0].after["value"] == "hebei-2021" and entries[0].command.startswith("laomo assess rules use")


def test_cli_module_imports_nothing_heavy():
    code = ("import sys, laomo.commands.assess; "
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'rich', 'laomo.rules') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
