"""The command layer's shared parts: how an error is printed (and its exit code), the one
required-option check, the one year check, and the command line the audit log records."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from laomo.commands.errors import handle_errors
from laomo.errors import LaomoError, UsageError


def _raise(exc: BaseException):
    def run() -> None:
        raise exc
    return run


# --------------------------------------------------------------------------- errors about one argument


@pytest.mark.parametrize("exc, code, line", [
    (LaomoError("日期「2030-01-01」无效", option="date"), 1, "错误：日期「2030-01-01」无效（--date）"),
    (LaomoError("出错时的处理方式无效", option="on_error"), 1, "错误：出错时的处理方式无效（--on-error）"),
    (UsageError("年度 1800 超出范围 1900–2200", option="year"), 2, "错误：年度 1800 超出范围 1900–2200（--year）"),
    (UsageError("--date「x」无效", option="date"), 2, "错误：--date「x」无效"),  # the flag is not said twice
    (LaomoError("--date-from 无效", option="date"), 1, "错误：--date-from 无效（--date）"),  # another flag
    (LaomoError("没有编号为 S9 的工作室"), 1, "错误：没有编号为 S9 的工作室"),
    (UsageError("两个选项不能同时使用"), 2, "错误：两个选项不能同时使用"),
])
def test_an_error_is_one_chinese_line_with_the_flag_it_is_about(capsys, exc, code, line):
    assert handle_errors(_raise(exc)) == code
    assert capsys.readouterr().err == line + "\n"


def test_the_flag_goes_on_the_first_line_of_a_longer_message(capsys):
    assert handle_errors(_raise(LaomoError("规则文件有误\n第 3 行：缺少等级线", option="rules"))) == 1
    assert capsys.readouterr().err == "错误：规则文件有误（--rules）\n第 3 行：缺少等级线\n"


def test_a_usage_error_is_exit_2_whatever_exit_code_it_carries(capsys):
    assert handle_errors(_raise(UsageError("x", exit_code=1))) == 2


def test_a_core_error_about_an_argument_reaches_the_user_with_its_flag(cli, laomo_db, monkeypatch):
    import laomo.award

    def refuse(*args, **kwargs):
        raise UsageError("日期「2030-13-01」无效", option="as_of")

    monkeypatch.setattr(laomo.award, "history", refuse)
    r = cli("award", "history", "S0001")
    assert r.code == 2 and r.err == "错误：日期「2030-13-01」无效（--as-of）\n", r


# --------------------------------------------------------------------------- required options, years


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_missing_required_option_is_asked_for_on_a_terminal(cli, laomo_db, monkeypatch):
    monkeypatch.setattr(sys, "stdin", _Terminal("P1\n"))
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    r = cli("register", "person", "--name", "张三")
    assert r.code == 0 and "已登记人员 P1" in r.out, r
    assert "人员编号（--code）" in r.out + r.err


@pytest.mark.parametrize("args, message", [
    (("register", "person", "--name", "张三"), "错误：缺少必需的选项 --code（人员编号）"),
    (("assess", "run"), "错误：缺少必需的选项 --year（考核年度，如 2025）"),
    (("assess", "explain", "S0001"), "错误：缺少必需的选项 --year（考核年度，如 2025）"),
    (("award", "candidates"), "错误：缺少必需的选项 --level（级别）"),
    (("award", "name", "S0001", "--level", "county"), "错误：缺少必需的选项 --year（命名年度）"),
    (("award", "close", "S0001"), "错误：缺少必需的选项 --reason（原因）"),
    (("report", "notice", "--year", "2025"), "错误：缺少必需的选项 --kind（naming 命名 或 revocation 撤销）"),
    (("assess", "run", "--year", "1800"), "错误：--year 1800 超出范围 1900–2200"),
    (("report", "summary", "--year", "2201"), "错误：--year 2201 超出范围 1900–2200"),
    (("award", "apply", "--year", "99"), "错误：--year 99 超出范围 1900–2200"),
])
def test_required_options_and_years_are_checked_before_the_database_is_opened(cli, tmp_path, monkeypatch,
                                                                              args, message):
    missing = tmp_path / "none.db"  # opening it would be refused (exit 1): the usage error comes first
    monkeypatch.setenv("LAOMO_DB", str(missing))
    r = cli(*args)
    assert r.code == 2 and r.err == message + "\n", r
    assert not missing.exists()


def test_the_help_of_a_required_option_says_so(cli):
    assert "--reason <str>  原因，如 企业关闭、领衔人调离（必填）" in cli("award", "close", "--help").out
    assert "考核年度，如 2025（必填）" in cli("assess", "run", "--help").out


# --------------------------------------------------------------------------- the audit log's command line


def test_each_run_records_its_command_line_and_opening_the_database_does_not_change_it(cli, laomo_db):
    from laomo.commands.common import engine
    from laomo.store import audit

    assert cli("register", "person", "--code", "P1", "--name", "张三", "--id-number", "11010519491231002X").code == 0
    assert audit._command.get() == "laomo register person --code P1 --name 张三 --id-number 110***********002X"
    audit.set_command("a library caller")
    engine()
    assert audit._command.get() == "a library caller"


def test_a_library_caller_records_its_script_name(tmp_path):
    script = tmp_path / "nightly_job.py"
    script.write_text("from laomo.store import audit\nprint(audit._command.get())\n", encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "nightly_job.py"
    run = subprocess.run([sys.executable, "-c", "from laomo.store import audit; print(audit._command.get())"],
                         capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "python"
