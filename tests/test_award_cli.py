"""`laomo award …`: JSON shapes and exit codes of cli.md, confirmation of apply, no traceback for user errors."""

from __future__ import annotations

import io
import sys

import pytest
from support.award import audit_entries, snapshot, state
from support.sample import EXPECTED

AS_OF = ("--as-of", "2025-11-22")


@pytest.fixture
def db(assessed_engine):
    return assessed_engine


# --------------------------------------------------------------------------- candidates


@pytest.mark.parametrize("level, english, key", [("县级", "county", "candidates_county_2025-11-22"),
                                                 ("city", "city", "candidates_city_2025-11-22")])
def test_candidates_json(cli, db, level, english, key):
    r = cli("award", "candidates", "--level", level, *AS_OF, "--json")
    assert r.code == 0, r
    data = r.json
    assert {"level", "demonstrative", "candidates", "ineligible"} <= set(data)
    assert data["level"] == english and data["demonstrative"] is False
    assert [c["studio"] for c in data["candidates"]] == EXPECTED[key]
    assert all({"studio", "name"} <= set(c) for c in data["candidates"])
    assert all({"studio", "reasons"} <= set(c) and c["reasons"] for c in data["ineligible"])


def test_candidates_text(cli, db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    r = cli("award", "candidates", "--level", "市级", *AS_OF)
    assert r.code == 0, r
    assert "可命名为市级工作室的候选" in r.out and "S0038" in r.out and "团队人数（不含领衔人） 2" in r.out


def test_candidates_demonstrative_json(cli, db):
    r = cli("award", "candidates", "--level", "county", "--demonstrative", *AS_OF, "--json")
    assert r.code == 0 and r.json["demonstrative"] is True
    assert all(any("示范性" in x or "不合格" in x for x in c["reasons"]) for c in r.json["ineligible"]
               if c["studio"] not in ("S0023", "S0034", "S0040"))


# --------------------------------------------------------------------------- name, demonstrate, transitions


def test_name_and_history(cli, db, monkeypatch):
    monkeypatch.setenv("COLUMNS", "300")
    r = cli("award", "name", "S0023", "--level", "县级", "--year", "2025", "--batch", "2025年第二批",
            "--doc", "示例县工发〔2025〕50号", "--date", "2025-11-22", "--amount", "2万")
    assert r.code == 0, r
    assert "已命名 S0023" in r.out and "县级工作室" in r.out
    r = cli("award", "history", "S0023", "--json")
    assert r.code == 0, r
    data = r.json
    assert {"studio", "status", "level", "designations"} <= set(data)
    assert (data["studio"], data["status"], data["level"]) == ("S0023", "named", "county")
    (d,) = data["designations"]
    assert {"action", "level", "year", "date", "batch", "doc", "amount", "reason"} <= set(d)
    assert (d["action"], d["level"], d["year"], d["date"], d["batch"], d["doc"], d["amount"], d["reason"]) == (
        "name", "county", 2025, "2025-11-22", "2025年第二批", "示例县工发〔2025〕50号", 20000, None)
    r = cli("award", "history", "S0023")
    assert r.code == 0 and "已命名" in r.out and "县级" in r.out and "示例县工发" in r.out


def test_name_json(cli, db):
    r = cli("award", "name", "S0003", "S0005", "--level", "city", "--year", "2025", "--date", "2025-11-22", "--json")
    assert r.code == 0, r
    assert [s["studio"] for s in r.json["studios"]] == ["S0003", "S0005"] and r.json["written"] == 2


def test_refusal_lists_every_reason_exit_1_and_changes_nothing(cli, db):
    before = snapshot(db)
    r = cli("award", "name", "S0003", "S0012", "S0002", "--level", "市级", "--year", "2025", "--date", "2025-11-22")
    assert r.code == 1, r
    assert "S0012 " in r.err and "团队人数（不含领衔人） 2" in r.err and "S0002 " in r.err and "领衔人不符合市级" in r.err
    assert "2 个工作室（S0012、S0002）不符合" in r.err and "Traceback" not in r.err
    assert snapshot(db) == before and r.out == ""


def test_force_needs_a_reason_and_is_audited(cli, db):
    before = snapshot(db)
    r = cli("award", "name", "S0012", "--level", "市级", "--year", "2025", "--date", "2025-11-22", "--force")
    assert r.code == 2 and "--reason" in r.err and snapshot(db) == before
    r = cli("award", "name", "S0012", "--level", "市级", "--year", "2025", "--date", "2025-11-22",
            "--force", "--reason", "市总工会特批")
    assert r.code == 0, r
    assert "强制办理" in r.err and "团队人数（不含领衔人） 2" in r.err
    entry = audit_entries(db)[-1]
    assert entry["after"]["forced"] is True and entry["after"]["force_reason"] == "市总工会特批"
    assert entry["os_user"] and "--force" in entry["command"] and "award name" in entry["command"]


def test_demonstrate_cli(cli, db):
    r = cli("award", "demonstrate", "S0010", "--level", "county", "--year", "2025", "--date", "2025-11-22",
            "--doc", "示例县工发〔2025〕60号")
    assert r.code == 0, r
    assert "示范性工作室" in r.out and state(db, "S0010").demonstrative
    r = cli("award", "demonstrate", "S0023", "--level", "county", "--year", "2025", "--date", "2025-11-22")
    assert r.code == 1 and "未持有县级命名" in r.err


def test_transitions_cli(cli, db):
    r = cli("award", "rectify", "S0002", "--reason", "台账不全", "--date", "2025-12-01")
    assert r.code == 0 and "整改期限 2026-06-30" in r.out and "已命名 → 限期整改" in r.out, r
    r = cli("award", "rectify", "S0003", "--reason", "台账不全", "--deadline", "2026-03-31", "--date", "2025-12-01",
            "--json")
    assert r.code == 0 and r.json["deadline"] == "2026-03-31", r
    r = cli("award", "warn", "S0005", "--reason", "一线职工占比低", "--doc", "示例县工发〔2025〕70号", "--date", "2025-12-01")
    assert r.code == 0 and "通报" in r.out, r
    r = cli("award", "revoke", "S0004", "--reason", "市级考核不合格", "--level", "市级", "--date", "2025-12-01")
    assert r.code == 0 and "摘去市级的牌" in r.out and state(db, "S0004").level == "county", r
    r = cli("award", "revoke", "S0004", "--reason", "连续两年不合格", "--date", "2025-12-02")
    assert r.code == 0 and state(db, "S0004").status == "revoked", r
    r = cli("award", "close", "S0034", "--reason", "企业关闭", "--date", "2025-12-01")
    assert r.code == 0 and state(db, "S0034").status == "closed", r
    r = cli("award", "history", "S0004", "--json")
    assert [d["action"] for d in r.json["designations"]] == ["name", "name", "revoke", "revoke"]
    assert r.json["status"] == "revoked" and r.json["level"] is None


# --------------------------------------------------------------------------- apply


def test_apply_without_a_terminal_needs_yes(cli, db):
    before = snapshot(db)
    r = cli("award", "apply", "--year", "2024", "--date", "2025-01-20")
    assert r.code == 1 and "--yes" in r.err, r
    assert snapshot(db) == before
    r = cli("award", "apply", "--year", "2024", "--date", "2025-01-20", "--yes")
    assert r.code == 0 and "已写入" in r.err, r
    after = snapshot(db)
    r = cli("award", "apply", "--year", "2024", "--date", "2025-01-20")
    assert r.code == 0 and "已执行过" in r.err, r
    r = cli("award", "apply", "--year", "2024", "--yes", "--json")
    assert r.code == 0 and r.json["written"] == 0 and r.json["already_applied"]
    assert snapshot(db) == after


def test_apply_dry_run(cli, db):
    before = snapshot(db)
    r = cli("award", "apply", "--year", "2024", "--date", "2025-01-20", "--dry-run", "--json")
    assert r.code == 0 and r.json["dry_run"] and r.json["actions"], r
    assert snapshot(db) == before


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("answer, code", [("y\n", 0), ("n\n", 1)])
def test_apply_asks_on_a_terminal(cli, db, monkeypatch, answer, code):
    monkeypatch.setattr(sys, "stdin", _Terminal(answer))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    before = snapshot(db)
    r = cli("award", "apply", "--year", "2024", "--date", "2025-01-20")
    assert r.code == code, r
    assert "执行清单" in r.out and "确认执行" in r.err
    if code == 0:
        assert snapshot(db) != before and state(db, "S0001").status == "rectification"
    else:
        assert "已取消" in r.err and snapshot(db) == before


# --------------------------------------------------------------------------- user errors: one line, no traceback


@pytest.mark.parametrize("args, code, text", [
    (("award", "candidates"), 2, "--level"),
    (("award", "candidates", "--level", "乡级"), 2, "级别「乡级」无效"),
    (("award", "candidates", "--level", "county", "--as-of", "昨天"), 2, "--as-of"),
    (("award", "candidates", "--level", "county", "--rules", "nonexistent"), 1, "没有名为「nonexistent」的规则"),
    (("award", "name", "S0023", "--level", "county"), 2, "--year"),
    (("award", "name", "S9999", "--level", "county", "--year", "2025"), 1, "没有编号为 S9999 的工作室"),
    (("award", "name", "S0023", "--level", "county", "--year", "2025", "--amount", "abc"), 2, "--amount"),
    (("award", "name", "S0023", "--level", "county", "--year", "2025", "--date", "2025-02-30"), 2, "不存在的日期"),
    (("award", "demonstrate", "S0023", "--level", "county", "--year", "2025", "--force"), 2, "--reason"),
    (("award", "rectify", "S0023", "--reason", "x"), 1, "尚未命名"),
    (("award", "rectify", "S0001"), 2, "--reason"),
    (("award", "rectify", "S0001", "--reason", "x", "--deadline", "2020-01-01"), 2, "应晚于处理日期"),
    (("award", "warn", "S0040", "--reason", "x"), 1, "已摘牌"),
    (("award", "revoke", "S0023", "--reason", "x"), 1, "未持有任何命名"),
    (("award", "revoke", "S0001", "--reason", "x", "--level", "province"), 1, "未持有省级命名"),
    (("award", "close", "S0001", "--reason", ""), 2, "--reason"),
    (("award", "apply", "--year", "2030", "--yes"), 1, "2030 年度没有考核结果，请先运行 laomo assess run --year 2030"),
    (("award", "apply", "--year", "20x5"), 2, ""),
    (("award", "apply"), 2, "--year"),
    (("award", "history", "S9999"), 1, "没有编号为 S9999"),
])
def test_user_errors(cli, db, args, code, text):
    before = snapshot(db)
    r = cli(*args)
    assert r.code == code, r
    assert text in r.err and "Traceback" not in r.err + r.out
    assert snapshot(db) == before


@pytest.mark.parametrize("args, line", [
    (("award", "candidates", "--level", "county", "--as-of", "昨天"), "错误：检查日期「昨天」无效："),
    (("award", "name", "S0023", "--level", "county", "--year", "2025", "--amount", "abc"), "错误：金额「abc」无效："),
    (("award", "name", "S0023", "--level", "county", "--year", "2025", "--force"),
     "错误：强制办理时必须写明理由（将记入操作日志）（--reason）"),
    (("award", "rectify", "S0001", "--reason", "x", "--deadline", "2020-01-01"), "（--deadline）"),
    (("award", "name", "S0012", "--level", "市级", "--year", "2025", "--date", "2025-11-22"),
     "确需办理请强制办理并写明理由（将记入操作日志）（--force --reason）"),
])
def test_the_core_names_the_argument_and_the_cli_adds_its_flag(cli, db, args, line):
    r = cli(*args)
    assert r.code in (1, 2) and line in r.err, r
    (last,) = [x for x in r.err.splitlines() if x.startswith("错误：")]
    assert last.count("（--") == 1 and last.endswith("）")  # the flag once, at the end


def test_a_refusal_that_forcing_cannot_lift_names_no_flag(cli, db):
    """Only conditions that --force may override point at it (a missing year of naming cannot be forced)."""
    r = cli("award", "demonstrate", "S0006", "--level", "city", "--year", "2025", "--date", "2026-01-10")
    assert r.code == 1, r
    (last,) = [x for x in r.err.splitlines() if x.startswith("错误：")]
    assert "即使强制办理也不能办理" in last and "--force" not in last


def test_close_twice(cli, db):
    assert cli("award", "close", "S0001", "--reason", "企业关闭").code == 0
    r = cli("award", "close", "S0001", "--reason", "企业关闭")
    assert r.code == 1 and "已撤销，不能重复撤销" in r.err


def test_award_commands_exist_with_chinese_help(cli):
    r = cli("award", "--help")
    assert r.code == 0
    for name in ("candidates", "name", "demonstrate", "rectify", "warn", "revoke", "close", "apply", "history"):
        assert name in r.out
    r = cli("award", "apply", "--help")
    assert "--yes" in r.out and "确认" in r.out
