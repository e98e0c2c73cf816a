"""Issue 15 item 4: a report for a year without data says so.  `report assessment --year Y` for a
year that has no assessment at all exits 1 with one Chinese line naming the years that have one,
and writes nothing; `report summary` for a year without any record says so (its figures are zero)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "md", "html", "json"])
def test_an_assessment_list_of_a_year_without_assessment_is_refused_and_nothing_written(cli, assessed, tmp_path,
                                                                                          fmt):
    out = tmp_path / f"考核.{fmt}"

    r = cli("report", "assessment", "--year", "2030", "--format", fmt, "--out", out)

    assert r.code == 1, r
    assert not out.exists() and not [p for p in tmp_path.iterdir() if "考核" in p.name]
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert len(lines) == 1 and "2030 年度没有考核结果" in lines[0] and "2024、2025" in lines[0], r.err
    assert r.out == ""


def test_the_terminal_list_says_so_too_and_an_empty_ledger_names_no_year(cli):
    assert cli("init").code == 0

    r = cli("report", "assessment", "--year", "2025")

    assert r.code == 1 and "2025 年度没有考核结果" in r.err and "还没有任何年度的考核结果" in r.err, r


def test_a_summary_of_a_year_without_records_says_so(cli, assessed):
    r = cli("report", "summary", "--year", "2030", "--json")

    assert r.code == 0 and r.json["year"] == 2030, r
    assert "2030 年度没有成果、活动、考核或命名记录" in r.err and "2025" in r.err
    assert "没有" not in cli("report", "summary", "--year", "2025", "--json").err
