"""Faults: SIGKILL at every write of assess run and award apply, and backups beside a writer
(a full disk and read-only files: test_faults_disk.py).

Kills (the import's are in test_import_kill.py): ``laomo assess run`` and
``laomo award apply --yes`` run under tests/support/sqlite_probe.py, which stops the
process (SIGSTOP) right after it took the write lock, after each of its write
statements, and just before COMMIT; the test then SIGKILLs it.  Each point is
tried with SQLite's normal page cache and with a 10-page cache that spills the
transaction's pages into the ``-wal`` file before the commit (so the kill
leaves uncommitted frames there).  Afterwards every table holds exactly what
it held before, ``PRAGMA integrity_check`` is ok, ``laomo db check`` passes
and the command then runs normally.  Plain processes are also killed the
moment their ``-wal`` file starts to grow (inside the commit): the file is then
either exactly as before or exactly as after a complete run, never a mix.

Backups (``laomo db backup``, the SQLite backup API) taken while another
process holds uncommitted changes, or back to back while it imports or
assesses, are each whole (integrity, ``db check``) and equal the database
either before or after that process's commit.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest
from support.db import dump
from support.process import Laomo, content, copy, integrity, run, wal_size

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only,
              pytest.mark.skipif(not hasattr(signal, "SIGKILL") or not Path("/proc").is_dir(),
                                 reason="needs POSIX signals and /proc")]

ASSESS = ("assess", "run", "--year", "2025", "--quiet")
APPLY = ("award", "apply", "--year", "2024", "--date", "2025-01-20", "--yes", "--json")
SPILL = {"LAOMO_PROBE_CACHE_PAGES": "10"}
MAX_BACKUPS, BACKUP_EVERY = 40, 0.2


@pytest.fixture(scope="module")
def assessed(assessed_template) -> Path:
    """The sample county imported and assessed for 2024 and 2025 (the session's sealed file, to copy)."""
    return assessed_template


@pytest.fixture(scope="module")
def events(assessed, tmp_path_factory) -> dict[str, dict[str, int]]:
    """How many probe events each command has on the assessed county (one complete probed run each)."""
    out = {}
    folder = tmp_path_factory.mktemp("events")
    for name, args in (("assess", ASSESS), ("apply", APPLY)):
        db = copy(assessed, folder / f"{name}.db")
        p = Laomo(db, *args, workdir=folder, name=name)
        assert p.wait() == 0, p.describe()
        out[name] = json.loads(p.count_path.read_text())
        assert out[name]["locked"] == out[name]["commit"] == 1 and out[name]["write"] >= 2, out[name]
    return out


def _points(counts: dict[str, int]) -> list[str]:
    return ["locked:1", *(f"write:{k}" for k in range(1, counts["write"] + 1)), "commit:1"]


def _kill_points(assessed: Path, args: tuple[str, ...], points: list[tuple[str, bool]],
                 workdir: Path) -> list[tuple[str, bool, Path, dict, int]]:
    """Start one probed ``laomo ARGS`` per (point, spill) on its own copy of the database, all at once;
    SIGKILL each when it has stopped at its point.  Returns (point, spill, db, dump before, -wal size)."""
    started = []
    for point, spill in points:
        name = f"{point.replace(':', '-')}{'-spill' if spill else ''}"
        db = copy(assessed, workdir / f"{name}.db")
        before = dump(db)
        p = Laomo(db, *args, workdir=workdir, name=name, stop=point, extra_env=SPILL if spill else None)
        started.append((point, spill, db, before, p))
    out = []
    for point, spill, db, before, p in started:
        p.wait_event(point)
        p.wait_stopped()
        wal = wal_size(db)
        assert p.kill() == -signal.SIGKILL
        assert "Traceback" not in p.err, p.describe()
        out.append((point, spill, db, before, wal))
    return out


@pytest.mark.parametrize("command", ["assess", "apply"])
def test_sigkill_at_every_write_leaves_the_database_unchanged(command, assessed, events, tmp_path, cli):
    """Every point with a spilling cache, and the commit with the normal one."""
    args = {"assess": ASSESS, "apply": APPLY}[command]
    points = _points(events[command])
    tried = [(p, True) for p in points] + [("commit:1", False)]
    wal_at = {}
    for point, spill, db, before, wal in _kill_points(assessed, args, tried, tmp_path):
        wal_at[point, spill] = wal
        assert integrity(db) == ["ok"], (point, spill)
        assert dump(db) == before, f"kill at {point} (spill={spill}) changed the database"
        check = cli("--db", db, "db", "check", "--json")
        assert check.code == 0 and check.json["ok"], (point, check)
    # with the small cache the transaction had written uncommitted frames into the -wal file
    assert wal_at["commit:1", True] > 0 and wal_at[points[-2], True] > 0, wal_at
    print(command, len(tried), "kill points; -wal bytes at the kill:", {f"{p}{'+spill' if s else ''}": w
                                                                      for (p, s), w in wal_at.items()})
    after = run(db, *args)  # and the last killed database works normally afterwards
    assert after.returncode == 0, after.stderr
    assert dump(db) != before


def _complete_run(assessed: Path, args: tuple[str, ...], folder: Path) -> dict:
    db = copy(assessed, folder / "complete.db")
    r = run(db, *args)
    assert r.returncode == 0, r.stderr
    return content(db, stable=True)


@pytest.mark.parametrize("command", ["assess", "apply"])
def test_sigkill_as_the_commit_writes_is_all_or_nothing(command, assessed, tmp_path):
    """Plain processes, killed as soon as the -wal file grows (the commit is writing it)."""
    args = {"assess": ASSESS, "apply": APPLY}[command]
    complete = _complete_run(assessed, args, tmp_path)
    outcomes = []
    for attempt in range(2):
        db = copy(assessed, tmp_path / f"race{attempt}.db")
        before, before_stable = dump(db), content(db, stable=True)
        p = Laomo(db, *args, workdir=tmp_path, name=f"race{attempt}", probe=False)
        deadline = time.monotonic() + 120
        while wal_size(db) == 0 and p.proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)  # poll often: the commit's window is a few milliseconds
        code = p.kill()
        assert integrity(db) == ["ok"]
        now = content(db, stable=True)
        if dump(db) == before:
            outcomes.append("before")
        else:
            assert now == complete, "a killed run left part of its changes"
            outcomes.append("after")
        assert now in (before_stable, complete)
        assert code in (0, -signal.SIGKILL)
    print(command, outcomes)


# --------------------------------------------------------------------------- backups beside a writer


def _backup_ok(cli, copy_path: Path) -> dict:  # type: ignore[no-untyped-def]
    assert integrity(copy_path) == ["ok"]
    check = cli("--db", copy_path, "db", "check", "--json")
    assert check.code == 0 and check.json["ok"], check
    return dump(copy_path)


def test_backup_while_an_import_holds_uncommitted_changes(assessed, tmp_path, cli):
    """The import is frozen after writing chunks (spilled into the -wal); the backup is the state before,
    and after the import commits, a backup is the state after."""
    from laomo.demo.generator import write_people_csv

    people = write_people_csv(tmp_path / "people.csv", 20_000, seed=3)
    db = copy(assessed, tmp_path / "laomo.db")
    before = dump(db)
    imp = Laomo(db, "register", "import", "people", people, "--quiet", workdir=tmp_path, name="import",
                stop="write:6", extra_env=SPILL)
    imp.wait_event("write:6")
    imp.wait_stopped()
    assert wal_size(db) > 0
    r = run(db, "db", "backup", tmp_path / "during.db")
    assert r.returncode == 0, r.stderr
    assert _backup_ok(cli, tmp_path / "during.db") == before
    imp.cont()
    assert imp.wait() == 0, imp.describe()
    r = run(db, "db", "backup", tmp_path / "after.db")
    assert r.returncode == 0, r.stderr
    assert _backup_ok(cli, tmp_path / "after.db") == dump(db) != before


@pytest.mark.parametrize("writer", ["import", "assess"])
def test_backups_taken_while_another_process_writes_are_before_or_after(writer, assessed, tmp_path, cli):
    """Back-to-back backups (laomo.store.db.backup, as `db backup` calls it) while a plain process writes:
    each copy is whole and equals the database before or after the writer's commit."""
    from laomo.demo.generator import write_people_csv
    from laomo.store import db as dbmod

    db = copy(assessed, tmp_path / "laomo.db")
    before = dump(db)
    if writer == "import":
        args = ("register", "import", "people", str(write_people_csv(tmp_path / "p.csv", 20_000, seed=4)), "--quiet")
    else:
        args = ASSESS
    engine = dbmod.make_engine(dbmod.resolve_url(str(db)))
    copies: list[Path] = []
    try:
        p = Laomo(db, *args, workdir=tmp_path, name=writer, probe=False)
        while p.proc.poll() is None and len(copies) < MAX_BACKUPS:
            target = tmp_path / f"copy{len(copies)}.db"
            dbmod.backup(engine, target)
            copies.append(target)
            time.sleep(BACKUP_EVERY)  # a sampling interval, not a wait for a condition
        assert p.wait() == 0, p.describe()
    finally:
        engine.dispose()
    after = dump(db)
    assert after != before
    seen = {"before": 0, "after": 0}
    for target in copies:
        assert integrity(target) == ["ok"], target
        state = dump(target)
        assert state in (before, after), f"{target.name} is neither the state before nor after"
        seen["before" if state == before else "after"] += 1
    for target in {copies[0], copies[-1]}:
        _backup_ok(cli, target)
    print(writer, len(copies), "backups", seen)
    assert len(copies) >= 2
