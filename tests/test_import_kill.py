"""An import killed with SIGKILL half-way leaves the database exactly as before.

A real ``python -m laomo register import people FILE`` runs as a subprocess
on a large file; once its stderr shows a progress line ("导入 people：10%",
printed after whole chunks were written inside the open transaction) it is
killed with SIGKILL.  Afterwards the database's integrity check passes (on
PostgreSQL the server rolls the dead client's transaction back), every table
holds exactly what it held before, and a normal import works.

Two starting points: a fresh database (the kill interrupts INSERTs) and one
already holding every third person of the file under other names and units
(the kill interrupts UPDATEs as well).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.db import POSTGRES, dump, query

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")]

ROWS = 300_000
HEADER = ["编号", "姓名", "性别", "出生年份", "身份证号", "手机", "单位", "岗位", "一线职工", "技能等级"]
WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
START_TIMEOUT = 120  # seconds until the first progress line, at most
EXIT_TIMEOUT = 30
PROGRESS = re.compile(r"^导入 people：\d+%$", re.M)


def id_number(n: int) -> str:
    """A valid 18-digit ID number, distinct for n < 10,000,000 (birth date and sequence from n)."""
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=n % 10_000)
    first17 = f"410502{birth:%Y%m%d}{n // 10_000 % 1000:03d}"
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def person_row(n: int, variant: str = "") -> list[str]:
    return [f"P{n:06d}", f"职工{n}", "男" if n % 2 else "女", str(1970 + n % 30), id_number(n),
            f"139{n:08d}", f"示例县{variant}第{n % 97}厂", "电工", "是" if n % 5 else "否", "技师"]


def write_people(path: Path, numbers, variant: str = "") -> Path:
    with path.open("w", encoding="utf-8", newline="") as fp:
        writer = csv.writer(fp)
        writer.writerow(HEADER)
        writer.writerows(person_row(n, variant) for n in numbers)
    return path


def run_cli(db, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "laomo", *args], env=_env(db), capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout)


def _env(db) -> dict[str, str]:
    return {**os.environ, "LAOMO_DB": str(db), "PYTHONIOENCODING": "utf-8"}


def written(db) -> int:  # type: ignore[no-untyped-def]
    """Evidence of uncommitted writes: the size of SQLite's write-ahead log, or on PostgreSQL the
    number of other sessions on this database whose open transaction has written (has an xid)."""
    if POSTGRES:
        return query(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                         "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")[0][0]
    wal = Path(f"{db}-wal")
    return wal.stat().st_size if wal.exists() else 0


@dataclass
class Killed:
    written_at_kill: int  # written() when the kill was sent
    survivors: list[int]  # processes the import had started that outlived it (killed by the test)


def _proc_stat(pid: int) -> tuple[int, str, str] | None:
    """(parent pid, state, start time) of a process, from /proc; None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[1]), fields[0], fields[19]


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its start time (so a reused pid is not mistaken for it)."""
    if not Path("/proc").is_dir():
        return {}
    found: dict[int, str] = {}
    parents = {pid}
    while parents:
        level = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit() and (info := _proc_stat(int(entry))) and info[0] in parents:
                level[int(entry)] = info[2]
        parents = set(level) - set(found)
        found.update(level)
    return found


def alive(procs: dict[int, str]) -> list[int]:
    return [pid for pid, start in procs.items()
            if (info := _proc_stat(pid)) is not None and info[2] == start and info[1] != "Z"]


def import_and_kill(db, path: Path, env: dict[str, str] | None = None, linger: float = 2.0) -> Killed:
    """Start the import, wait for its first progress line and for its uncommitted writes to reach
    the database file (an import's page cache holds the first chunks), SIGKILL it.

    Processes the import had started itself (a reader worker) get ``linger``
    seconds to notice and exit; any still running then are killed by pid and
    reported as survivors.
    """
    written_before = written(db)
    proc = subprocess.Popen([sys.executable, "-m", "laomo", "register", "import", "people", str(path)],
                            env={**_env(db), **(env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    fd = proc.stderr.fileno()
    seen = b""
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(fd, selectors.EVENT_READ)
            deadline = time.monotonic() + START_TIMEOUT
            while not PROGRESS.search(seen.decode("utf-8", "replace")) or written(db) <= written_before:
                if time.monotonic() > deadline:
                    pytest.fail(f"no progress line within {START_TIMEOUT} s; stderr: {seen.decode(errors='replace')!r}")
                if selector.select(timeout=0.05):
                    data = os.read(fd, 1 << 16)
                    if not data:
                        pytest.fail(f"import ended before it could be killed: {seen.decode(errors='replace')!r}")
                    seen += data
        assert proc.poll() is None, "the import finished before the kill"
        assert "100%" not in seen.decode("utf-8", "replace"), seen
        children = descendants(proc.pid)
        written_at_kill = written(db)
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=EXIT_TIMEOUT) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=EXIT_TIMEOUT)
        proc.stderr.close()  # a surviving worker may still hold the other end: never read to EOF
    deadline = time.monotonic() + linger
    while alive(children) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = alive(children)
    for pid in survivors:
        os.kill(pid, signal.SIGKILL)
    assert "Traceback" not in seen.decode("utf-8", "replace"), seen
    return Killed(written_at_kill, survivors)


def integrity(db) -> list[str]:  # type: ignore[no-untyped-def]
    """SQLite's integrity check; on PostgreSQL, that no session of the dead import is left behind."""
    if POSTGRES:
        deadline = time.monotonic() + EXIT_TIMEOUT
        while written(db) and time.monotonic() < deadline:
            time.sleep(0.1)
        return ["ok"] if written(db) == 0 else ["an open write transaction survived the kill"]
    return [row[0] for row in query(db, "PRAGMA integrity_check")]


def count(db, table: str, where: str = "1=1") -> int:  # type: ignore[no-untyped-def]
    return query(db, f'SELECT count(*) FROM "{table}" WHERE {where}')[0][0]


@pytest.fixture(scope="module")
def big_file(tmp_path_factory) -> Path:
    return write_people(tmp_path_factory.mktemp("kill") / "people.csv", range(1, ROWS + 1))


def _killed_import_changes_nothing(db, big_file: Path, tmp_path: Path, env: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    before = dump(db)
    rows_before = count(db, "person")
    written_before = written(db)

    killed = import_and_kill(db, big_file, env)

    # the killed transaction really had written (else this would prove little)
    assert killed.written_at_kill > written_before
    assert integrity(db) == ["ok"]
    assert dump(db) == before
    check = run_cli(db, "db", "check")
    assert check.returncode == 0, check.stdout + check.stderr

    # a normal import afterwards: the first 1000 people of the big file (inserts or updates) and 1000 new
    small = write_people(tmp_path / "after.csv", [*range(1, 1001), *range(ROWS + 1, ROWS + 1001)])
    existing = count(db, "person", "code <= 'P001000'")
    after = run_cli(db, "register", "import", "people", str(small), "--json")
    assert after.returncode == 0, after.stderr
    assert "Traceback" not in after.stderr
    summary = json.loads(after.stdout)
    assert (summary["read"], summary["rejected"]) == (2000, 0)
    assert (summary["inserted"], summary["updated"]) == (2000 - existing, existing)
    assert count(db, "person") == rows_before + 2000 - existing
    assert integrity(db) == ["ok"]


# A large file is read by a forked worker process unless LAOMO_IMPORT_WORKER=0: kill both set-ups.
WORKER = pytest.mark.parametrize("env", [{}, {"LAOMO_IMPORT_WORKER": "0"}], ids=["worker", "single-process"])


@WORKER
def test_kill_during_first_import_of_a_fresh_database(big_file, tmp_path, laomo_db, env):
    init = run_cli(laomo_db, "init")
    assert init.returncode == 0, init.stderr

    _killed_import_changes_nothing(laomo_db, big_file, tmp_path, env)


@WORKER
def test_kill_while_updating_existing_rows(big_file, tmp_path, laomo_db, env):
    old = write_people(tmp_path / "old.csv", range(1, ROWS + 1, 3), variant="旧")
    first = run_cli(laomo_db, "register", "import", "people", str(old), "--quiet")
    assert first.returncode == 0, first.stderr
    assert count(laomo_db, "person") == len(range(1, ROWS + 1, 3))

    _killed_import_changes_nothing(laomo_db, big_file, tmp_path, env)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the import's child processes through /proc")
def test_killed_import_leaves_no_process_behind(big_file, laomo_db):
    """Found at 5379237: the forked reader worker kept the read end of its own pipe, so after the
    import was killed it blocked forever on a full pipe, holding the file, the database and the
    caller's stderr open."""
    assert run_cli(laomo_db, "init").returncode == 0

    killed = import_and_kill(laomo_db, big_file, linger=5.0)

    assert killed.survivors == []


def _running_with(text: str) -> list[int]:
    """Processes whose command line mentions ``text`` (a forked worker keeps its parent's)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            if entry.isdigit() and text in Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry))
        except OSError:
            continue
    return found


@pytest.mark.sqlite_only
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the import's processes through /proc")
def test_a_database_that_cannot_be_opened_stops_the_worker_started_ahead(big_file, tmp_path):
    """A large file's parse worker starts before the database is opened; when the database then
    turns out unusable (here a text file), the command says so in one line and leaves no worker
    reading behind.  (What a clerk sees; that closing the started import itself stops the worker
    is tested in test_import_pipeline.py, since at exit multiprocessing would end it anyway.)"""
    notes = tmp_path / "notes.db"
    notes.write_text("这不是数据库\n" * 1000, encoding="utf-8")
    before = notes.read_bytes()
    failed = run_cli(notes, "register", "import", "people", str(big_file))
    assert failed.returncode != 0
    assert "Traceback" not in failed.stderr
    assert failed.stderr.strip().splitlines()[-1].startswith("错误")
    assert notes.read_bytes() == before
    assert _running_with(str(big_file)) == []
