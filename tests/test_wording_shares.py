"""Proportions read as percentages, and head counts say whether the leader is counted (issue 15, item 7)."""

from __future__ import annotations

from laomo.rules.expr import Comparison, describe, failures


def test_share_failure_and_rule_read_as_percentages():
    check = Comparison.model_validate("frontline_share >= 0.5")
    assert failures(check, {"frontline_share": 1 / 6}) == ["一线职工占比（含领衔人） 16.7%，要求至少 50%"]
    assert describe(check) == "一线职工占比（含领衔人） ≥ 50%"


def test_team_size_says_the_leader_is_not_counted():
    facts = {"team_size": 0, "frontline_members": 0}
    assert failures(Comparison.model_validate("team_size >= 3"), facts) == ["团队人数（不含领衔人） 0，要求至少 3"]
    assert failures(Comparison.model_validate("frontline_members >= 1"), facts) == [
        "一线职工成员人数（不含领衔人） 0，要求至少 1"]


def test_check_and_run_print_shares_as_percentages(cli, sample_db):
    r = cli("assess", "check", "S0037", "--json")
    assert r.code == 0, r
    (row,) = r.json["results"]
    assert any(f.startswith("F ") and "%，要求至少 50%" in f for f in row["failures"]), row["failures"]
    assert not any("0.5" in f for f in row["failures"])
    r = cli("assess", "run", "--year", "2025", "--dry-run", "--json")
    assert r.code == 0, r
    (s37,) = [x for x in r.json["results"] if x["studio"] == "S0037"]
    assert s37["reasons"][-1] == "一线职工占比 11.1%，低于 0.5（疑似翻牌）"


def test_rules_show_and_stored_facts(cli, sample_db):
    r = cli("assess", "rules", "show", "henan-2015")
    assert r.code == 0, r
    assert "一线职工占比（含领衔人） ≥ 50%" in r.out and "团队人数（不含领衔人）" in r.out
    assert "≥ 0.5" not in r.out
