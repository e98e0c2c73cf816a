"""Options go where a user types them (cli.md, Conventions): ``--db``, ``--quiet/-q`` and
``--json`` before or after the subcommand, ``-h`` for ``--help``, ``laomo --version``."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer.main

import laomo
from laomo.cli import app


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield prefix + (name,)
        if hasattr(command, "commands"):
            yield from _commands(command, prefix + (name,))


ALL = list(_commands(typer.main.get_command(app)))


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """LAOMO_DB points at a database that does not exist: only ``--db`` can find the real one."""
    missing = tmp_path / "missing" / "nothing.db"
    monkeypatch.setenv("LAOMO_DB", str(missing))
    return missing


# --------------------------------------------------------------------------- --db after the subcommand


def test_db_after_the_subcommand(cli, assessed, elsewhere):
    assert cli("report", "summary", "--year", "2025", "--json").code == 1  # LAOMO_DB: no such database
    r = cli("report", "summary", "--db", assessed, "--json")
    assert r.code == 0, r
    assert r.json["year"] == 2025
    r = cli("assess", "run", "--year", "2025", "--db", assessed, "--json")
    assert r.code == 0, r
    assert r.json["year"] == 2025


def test_db_after_the_subcommand_overrides_the_one_before(cli, assessed, elsewhere):
    r = cli("--db", elsewhere, "award", "candidates", "--level", "city", "--db", assessed, "--json")
    assert r.code == 0, r
    assert r.json["level"] == "city"
    r = cli("--db", assessed, "award", "candidates", "--level", "city", "--db", elsewhere, "--json")
    assert r.code == 1 and "数据库" in r.err and "missing" in r.err, r


def test_db_before_the_subcommand_still_works(cli, assessed, elsewhere):
    r = cli("--db", assessed, "report", "summary", "--json")
    assert r.code == 0 and r.json["year"] == 2025, r


def test_db_after_a_nested_subcommand(cli, assessed, elsewhere):
    r = cli("db", "check", "--db", assessed, "--json")
    assert r.code == 0, r


# --------------------------------------------------------------------------- --quiet/-q after the subcommand


def test_quiet_after_the_subcommand(cli, assessed):
    r = cli("award", "apply", "--year", "2025", "--date", "2026-01-20", "--yes", "-q")
    assert r.code == 0, r
    assert r.out == "" and r.err == "", r


def test_quiet_after_the_subcommand_on_a_listing(cli, assessed):
    loud = cli("award", "candidates", "--level", "city")
    assert loud.code == 0 and loud.out, loud
    r = cli("award", "candidates", "--level", "city", "--quiet")
    assert r.code == 0 and r.out == "", r
    r = cli("-q", "award", "candidates", "--level", "city")
    assert r.code == 0 and r.out == "", r


def test_a_command_with_its_own_quiet_takes_it_before_too(cli, assessed):
    r = cli("-q", "assess", "run", "--year", "2025")
    assert r.code == 0 and r.out == "", r


# --------------------------------------------------------------------------- --json before the subcommand


def test_json_before_the_subcommand(cli, assessed):
    after = cli("report", "summary", "--year", "2025", "--json")
    before = cli("--json", "report", "summary", "--year", "2025")
    assert before.code == 0, before
    assert before.json == after.json
    r = cli("--json", "award", "candidates", "--level", "city")
    assert r.code == 0 and r.json["level"] == "city", r


def test_json_before_a_command_without_json_is_refused(cli, assessed, tmp_path):
    target = tmp_path / "backup.db"
    r = cli("--json", "db", "backup", target)
    assert r.code == 2 and "--json" in r.err, r
    assert not target.exists()


def test_json_before_is_forgotten_by_the_next_run(cli, assessed):
    assert cli("--json", "award", "candidates", "--level", "city").code == 0
    r = cli("award", "candidates", "--level", "city")
    assert r.code == 0 and not r.out.lstrip().startswith("{"), r


# --------------------------------------------------------------------------- -h and --version


def test_h_is_help_for_the_program(cli):
    r = cli("-h")
    assert r.code == 0 and "用法：laomo" in r.out and "-h, --help" in r.out
    assert r.out == cli("--help").out


@pytest.mark.parametrize("command", ALL, ids=" ".join)
def test_h_is_help_everywhere(cli, command):
    r = cli(*command, "-h")
    assert r.code == 0, r
    assert "用法：laomo " + " ".join(command) in r.out
    assert r.out == cli(*command, "--help").out


@pytest.mark.parametrize("command", [c for c in ALL if c not in {("register",), ("db",), ("assess",), ("award",),
                                                                  ("report",), ("assess", "rules")}], ids=" ".join)
def test_every_command_lists_db_and_quiet(cli, command):
    out = cli(*command, "--help").out
    assert "--db" in out and "-q, --quiet" in out


def test_version(cli):
    r = cli("--version")
    assert r.code == 0 and r.out == f"laomo {laomo.__version__}\n"
    assert laomo.__version__ == "0.1.0"


def test_version_from_the_console_script():
    out = subprocess.run([sys.executable, "-m", "laomo", "--version"], capture_output=True, text=True, check=True)
    assert out.stdout == "laomo 0.1.0\n"
    code = ("import contextlib, io, sys; from laomo.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()): main(['--version'])\n"
            "print(sorted(m for m in ('laomo.store', 'rich', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
