"""Every help page is Chinese throughout, Click's own words included, and every command group
has a description in the list of its parent (issue 15, item 6)."""

import re

import pytest
import typer.main

from laomo.cli import app

ENGLISH = ("Usage:", "Options:", "Commands:", "Arguments:", "Show this message", "[default:", "[required]",
           "[OPTIONS]", "COMMAND [ARGS]")


def _paths(group, prefix=()):
    yield prefix
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from _paths(command, prefix + (name,))
        else:
            yield prefix + (name,)


ALL = list(_paths(typer.main.get_command(app)))


@pytest.mark.parametrize("command", ALL, ids=lambda c: " ".join(c) or "laomo")
def test_no_english_click_words_in_help(cli, command):
    out = cli(*command, "--help").out
    assert out.startswith("用法：laomo")
    assert "显示本帮助并退出" in out
    for word in ENGLISH:
        assert word not in out, (word, out)


def test_the_program_help_describes_every_group(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("--help").out
    listing = out.split("命令：", 1)[1]
    rows = dict(re.findall(r"^  (\S+)\s+(.*)$", listing, re.M))
    for name in ("init", "quickstart", "register", "db", "assess", "award", "report"):
        assert name in rows
        assert rows[name].strip() not in ("", "...") and re.search(r"[\u4e00-\u9fff]", rows[name]), (name, out)
    assert rows["report"].startswith("报表：统计汇总")


def test_a_group_given_no_command_shows_its_chinese_help(cli):
    r = cli("report")
    assert "用法：laomo report [选项] 命令 [参数]..." in r.out + r.err
    assert "命令：" in r.out + r.err


def test_default_and_required_notes_are_chinese(cli):
    out = cli("register", "import", "--help").out
    assert "[默认：abort]" in out and "[必填]" in out
