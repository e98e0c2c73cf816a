"""Faults of the file system: a full disk, a read-only database file, directory or file system.

Each time the command fails with exit code 1 and one clear Chinese line naming
the file (or directory) and the problem — no traceback — and the database
is exactly as before; where SQLite can still read (a read-only file beside a
writable directory) ``db check`` and reports still work.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from support.db import dump
from support.process import Laomo, copy, env_for, integrity, run, seal

pytestmark = [pytest.mark.slow, pytest.mark.sqlite_only,
              pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs POSIX")]

ASSESS = ("assess", "run", "--year", "2025", "--quiet")


@pytest.fixture(scope="module")
def assessed(assessed_template) -> Path:
    """The sample county imported and assessed for 2024 and 2025 (the session's sealed file, to copy)."""
    return assessed_template


# --------------------------------------------------------------------------- a full disk


def _can_mount() -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    probe = Path(tempfile.mkdtemp(prefix="laomo-mnt-"))
    try:
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)],
                            capture_output=True).returncode == 0
        if ok:
            subprocess.run(["umount", str(probe)], check=True)
        return ok
    finally:
        probe.rmdir()


@pytest.fixture
def small_disk(request, tmp_path):
    """A folder with little room: a tmpfs of a given size (needs root), or, as any user, a file-size limit
    (RLIMIT_FSIZE) set in the child process, with SIGXFSZ ignored so writes fail with EFBIG."""
    kind = request.param
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = False

    def make(db_size: int):  # type: ignore[no-untyped-def]
        nonlocal mounted
        room = db_size + 96 * 1024  # the file, the 32 KB -shm, and a little: not 20,000 people
        if kind == "tmpfs":
            if not _can_mount():
                pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
            subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={room},mode=0700", "tmpfs", str(folder)],
                           check=True)
            mounted = True
            return folder, None

        def limit() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))

        return folder, limit

    yield make
    if mounted:
        from laomo.store import db as dbmod
        dbmod.dispose_all()  # the in-process `cli` keeps its engine (and the file) open
        subprocess.run(["umount", str(folder)], check=True)


@pytest.mark.parametrize("small_disk", ["tmpfs", "rlimit"], indirect=True)
def test_full_disk_fails_cleanly_and_changes_nothing(small_disk, assessed, tmp_path, cli):
    from laomo.demo.generator import write_people_csv

    people = write_people_csv(tmp_path / "people.csv", 20_000, seed=5)
    folder, preexec = small_disk(assessed.stat().st_size)
    db = copy(assessed, folder / "laomo.db")
    before = dump(db)
    p = Laomo(db, "register", "import", "people", people, workdir=tmp_path, name="full", probe=False,
              preexec_fn=preexec)
    code = p.wait()
    err = p.err
    assert code == 1, p.describe()
    assert "Traceback" not in err and str(db) in err, err
    assert "磁盘" in err and ("已满" in err or "I/O" in err) and "未改动" in err, err
    assert integrity(db) == ["ok"]
    assert dump(db) == before
    check = cli("--db", db, "db", "check", "--json")
    assert check.code == 0 and check.json["ok"], check
    print(err.strip().splitlines()[-1])


# --------------------------------------------------------------------------- read-only


def _unprivileged() -> tuple[list[str], int | None]:
    """A command prefix that runs a process without the right to write other users' files.

    As root (who ignores file modes): setpriv to the user ``nobody``, keeping only the capability to
    read and search everything (so Python and laomo stay readable); as anyone else: nothing.
    """
    if os.geteuid() != 0:
        return [], None
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot drop the right to write")
    prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
              "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--"]
    if subprocess.run([*prefix, sys.executable, "-c", "import laomo"], capture_output=True).returncode != 0:
        pytest.skip("setpriv cannot run Python as nobody here")
    return prefix, 65534


def _as_user(prefix: list[str], db: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-m", "laomo", *args], env={**env_for(db), "HOME": "/tmp"},
                          capture_output=True, text=True, encoding="utf-8", timeout=180)


@pytest.fixture
def shared_folder():
    """A folder outside pytest's private (0700) tmp tree, so the unprivileged user can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="laomo-ro-"))
    folder.chmod(0o755)
    yield folder
    folder.chmod(0o755)
    shutil.rmtree(folder)


@pytest.mark.parametrize("case", ["file-0400", "directory-0500"])
def test_read_only_database_refuses_writes_with_a_clear_message(case, assessed, shared_folder):
    prefix, uid = _unprivileged()
    folder = shared_folder / "ledger"
    folder.mkdir()
    db = copy(assessed, folder / "laomo.db")
    if uid is not None:
        os.chown(folder, uid, uid)
        os.chown(db, uid, uid)
    before = dump(db)
    seal(db)
    if case == "file-0400":
        db.chmod(0o400)
    else:
        folder.chmod(0o500)
    try:
        for args in (("register", "person", "--code", "P9999", "--name", "王五"), ASSESS):
            r = _as_user(prefix, db, *args)
            assert r.returncode == 1, (args, r.stderr)
            assert "Traceback" not in r.stderr and str(db) in r.stderr and "未改动" in r.stderr, r.stderr
            if case == "file-0400":
                assert "只读" in r.stderr and "没有写权限" in r.stderr, r.stderr
            else:
                assert f"目录 {folder} 不可写" in r.stderr, r.stderr
        check = _as_user(prefix, db, "db", "check", "--json")
        report = _as_user(prefix, db, "report", "summary", "--json")
        if case == "file-0400":  # reading needs only the -shm file beside it, which can be created
            assert check.returncode == 0 and json.loads(check.stdout)["ok"], check.stderr
            assert report.returncode == 0 and json.loads(report.stdout), report.stderr
        else:  # SQLite cannot even read a WAL database without creating -wal/-shm: the message says so
            for r in (check, report):
                assert r.returncode == 1 and "复制到可写的位置" in r.stderr and "Traceback" not in r.stderr, r.stderr
    finally:
        folder.chmod(0o755)
        db.chmod(0o600)
    assert dump(db) == before
    print(case, r.stderr.strip().splitlines()[-1])


def test_read_only_file_system(assessed, tmp_path):
    """A read-only bind mount (root only): even root cannot write, and the message says why."""
    if not _can_mount():
        pytest.skip("cannot mount here (needs root with CAP_SYS_ADMIN)")
    folder = tmp_path / "ro"
    folder.mkdir()
    db = copy(assessed, folder / "laomo.db")
    before = dump(db)
    seal(db)
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
        r = run(db, "register", "person", "--code", "P9999", "--name", "王五")
        assert r.returncode == 1 and "文件系统是只读的" in r.stderr and str(db) in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
    finally:
        subprocess.run(["umount", str(folder)], check=True)
    assert dump(db) == before


# --------------------------------------------------------------------------- locked, damaged


def test_a_writer_that_waited_out_the_busy_timeout_gets_a_clear_message(assessed, tmp_path, cli, monkeypatch):
    """Another connection keeps the write lock longer than the busy timeout (shortened here to 0.3 s)."""
    import sqlite3

    from laomo.store import engine
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)
    db = copy(assessed, tmp_path / "laomo.db")
    before = dump(db)
    holder = sqlite3.connect(db, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        r = cli("--db", db, "register", "person", "--code", "P9999", "--name", "王五")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.code == 1 and str(db) in r.err and "正被其他程序占用" in r.err and "未改动" in r.err, r
    assert "Traceback" not in r.err
    assert dump(db) == before


def test_a_damaged_file_gets_a_clear_message(tmp_path, cli):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"\x00laomo? no" * 1000)
    for args in (("db", "check"), ("report", "summary")):
        r = cli("--db", bad, *args)
        assert r.code == 1 and str(bad) in r.err and "已损坏" in r.err and "Traceback" not in r.err, r
