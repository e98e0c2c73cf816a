"""Every command has Chinese help; `laomo --help` starts without the heavy libraries."""

import subprocess
import sys

import pytest
import typer.main

from laomo.cli import app


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + (name,))


ALL = list(_commands(typer.main.get_command(app)))


def test_the_public_commands_exist():
    names = {" ".join(c) for c in ALL}
    for expected in ("init", "quickstart", "db check", "db backup", "register person", "register honor",
                     "register studio", "register member", "register achievement", "register activity",
                     "register mentorship", "register inspection", "register import"):
        assert expected in names


@pytest.mark.parametrize("command", ALL, ids=" ".join)
def test_every_command_has_help(cli, command):
    r = cli(*command, "--help")
    assert r.code == 0
    assert "用法：laomo " + " ".join(command) in r.out
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.out), "help text should be Chinese"


def test_help_does_not_import_the_database_stack():
    code = ("import sys; from laomo.cli import app; "
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'openpyxl', 'alembic', 'pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_usage_errors_exit_2(cli):
    assert cli("register", "import", "nonsense", "x.csv").code == 2
    assert cli("no-such-command").code == 2


@pytest.mark.parametrize("report", ["summary", "ledger", "assessment", "notice", "studio"])
def test_format_help_lists_the_formats_the_report_offers(cli, report):
    from laomo.reports.render import FORMATS

    out = cli("report", report, "--help").out
    listed = out.split("格式：", 1)[1].split()[0].replace("（默认）", "").split("、")
    offered = [f for f in FORMATS[report] if not (report == "notice" and f == "json")]  # notice: --json
    assert listed == offered


def test_rules_help_names_every_built_in_profile():
    from pathlib import Path

    import laomo.rules
    from laomo.commands.options import RULES_HELP

    names = sorted(p.stem for p in Path(laomo.rules.__file__).parent.glob("*.toml"))
    assert names and all(name in RULES_HELP for name in names)


def test_laomo_help_loads_neither_the_store_nor_rich():
    code = ("import contextlib, io, sys; from laomo.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['--help'])\n"
            "print(sorted(m for m in ('laomo.store', 'rich', 'pydantic', 'sqlalchemy', 'hashlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
