"""Everyday mistakes get a helpful answer (issue 15, item 9): a cancelled confirmation is not an
error, a lower-case code is pointed to its upper-case studio, a partial county name is answered
with the counties (the report stays empty), a sheet named for a CSV is refused, and a missing backup folder is named as such."""

from __future__ import annotations

import io
import sys

import pytest


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_cancelling_a_confirmation_is_not_an_error(cli, assessed, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Terminal("n\n"))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    r = cli("award", "apply", "--year", "2024", "--date", "2025-01-20")
    assert r.code == 1, r
    assert "已取消" in r.err and "错误" not in r.err


@pytest.mark.parametrize("command", [("report", "studio", "s0001"), ("award", "history", "s0001"),
                                     ("assess", "explain", "s0001", "--year", "2025")])
def test_a_lower_case_code_suggests_the_upper_case_one(cli, assessed, command):
    r = cli(*command)
    assert r.code == 1, r
    assert "s0001" in r.err and "是否想找 S0001" in r.err


def test_an_unknown_code_suggests_nothing_wrong(cli, sample_db):
    r = cli("report", "studio", "X9")
    assert r.code == 1 and "X9" in r.err and "不存在" in r.err and "是否想找" not in r.err


@pytest.mark.parametrize("report", ["ledger", "summary"])
def test_a_partial_county_name_lists_the_counties(cli, sample_db, report):
    counties = {row["county"] for row in cli("report", "ledger", "--json").json["studios"]}
    whole = sorted(counties)[0]
    part = whole[:-1]
    assert part not in counties
    r = cli("report", report, "--county", part)
    assert r.code == 0, r  # the report is empty, as before; the note says why
    assert f"没有区县为「{part}」的工作室" in r.err and "--county" in r.err
    assert all(c in r.err for c in counties)
    r = cli("report", report, "--county", whole)
    assert r.code == 0 and "没有区县" not in r.err


def test_a_sheet_for_a_csv_is_refused(cli, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("编号,姓名\nP9,李四\n", encoding="utf-8")
    r = cli("register", "import", "people", str(path), "--sheet", "人员")
    assert r.code == 2, r
    assert "没有工作表" in r.err and "--sheet" in r.err


@pytest.mark.sqlite_only
def test_a_backup_into_a_missing_folder_names_the_backup_folder(cli, tmp_path):
    r = cli("db", "backup", str(tmp_path / "no" / "backup.db"))
    assert r.code == 1, r
    assert "备份文件所在的目录不存在" in r.err and "数据库所在目录" not in r.err
