"""Shared fixtures: every test gets its own database through LAOMO_DB (autouse)."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLE = SHARED / "data" / "sample-county"
BAD = SHARED / "data" / "bad-input"
ORDER = ["people", "honors", "studios", "members", "achievements", "activities",
         "mentorships", "inspections", "designations", "assessments"]


@pytest.fixture(autouse=True)
def laomo_db(tmp_path, monkeypatch):
    """Point LAOMO_DB at a fresh file in tmp_path; close every engine afterwards."""
    path = tmp_path / "laomo.db"
    monkeypatch.setenv("LAOMO_DB", str(path))
    from laomo import cli_common, db

    cli_common.STATE.db = None
    cli_common.STATE.quiet = False
    yield path
    db.dispose_all()


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def json(self):
        return json.loads(self.out)

    def __repr__(self) -> str:  # shown when an assertion fails
        return f"<Run code={self.code}\nstdout={self.out[-2000:]}\nstderr={self.err[-2000:]}>"


@pytest.fixture
def cli(capsys):
    """Run ``laomo ARGS…`` in-process exactly as the console script does."""
    from laomo.cli import main

    def run(*args: str, stdin: str | None = None) -> Run:
        capsys.readouterr()
        if stdin is not None:
            import io
            import sys

            old = sys.stdin
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
            try:
                code = main([str(a) for a in args])
            finally:
                sys.stdin = old
        else:
            code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def sample_file(kind: str) -> Path:
    return SAMPLE / f"{kind}.csv"


@pytest.fixture
def sample_db(cli, laomo_db):
    """The whole sample county imported; returns the database path."""
    for kind in ORDER:
        r = cli("register", "import", kind, sample_file(kind), "--json")
        assert r.code == 0, r
    return laomo_db


def dump(path: Path) -> dict[str, list]:
    """Every row of every table, for before/after comparisons."""
    con = sqlite3.connect(path)
    try:
        names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {n: con.execute(f'SELECT * FROM "{n}" ORDER BY 1').fetchall() for n in names}
    finally:
        con.close()
