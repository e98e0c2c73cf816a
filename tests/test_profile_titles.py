"""A result's 来源 names its rules by title and name, not by the name alone (issue 15, item 6)."""

from __future__ import annotations

HENAN = "河南省总工会劳模创新工作室「六有」标准（2015）及年度考核（henan-2015）"


def test_dossier_source_shows_the_profile_title(cli, assessed):
    r = cli("report", "studio", "S0001", "--format", "md")
    assert r.code == 0, r
    assert HENAN in r.out
    data = cli("report", "studio", "S0001", "--json").json
    by_year = {a["year"]: a for a in data["assessments"]}
    assert by_year[2025]["source"] == HENAN and by_year[2025]["profile"] == "henan-2015"


def test_imported_results_say_imported(cli, assessed):
    data = cli("report", "studio", "S0004", "--json").json
    imported = [a for a in data["assessments"] if a["imported"]]
    assert imported and all(a["source"] == "导入" for a in imported)
    r = cli("report", "studio", "S0004", "--format", "md")
    assert "导入" in r.out and HENAN in r.out


def test_assess_titles_name_the_rules_by_their_title_too(cli, sample_db):
    """`assess check` / `assess run` used to say 规则 henan-2015 only (issue 15, item 6)."""
    check = cli("assess", "check", "S0001")
    run = cli("assess", "run", "--year", "2024", "--dry-run")

    assert check.code == 0 and "规则 河南省总工会劳模创新工作室「六有」标准（2015）及年度考核（henan-2015）" in check.out, check
    assert run.code == 0 and "（henan-2015））" in run.err + run.out and "「六有」" in run.err + run.out, run
