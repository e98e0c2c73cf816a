"""Helpers for the tests that run real ``laomo`` processes on one SQLite file.

:class:`Laomo` starts ``python tests/support/sqlite_probe.py ARGS…`` (or plainly
``python -m laomo ARGS…``) with its output in files, a pipe for the probe's
event lines, and the probe's lock log; the helpers below copy a sealed
database (the session's sample county, see support.fixtures) and read a
database's content for comparisons.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from support.db import seal_file

PROBE = Path(__file__).resolve().parent / "sqlite_probe.py"
TIMEOUT = 180  # seconds any one process may take, at most (a loaded 2-core machine)

#: Columns that differ between two equal runs (the clock, the run's id, the audit chain's hashes).
VOLATILE = {"assessment": ("id", "run_id", "created_at"), "designation": ("id", "created_at"),
            "audit": ("id", "at", "prev_hash", "hash", "command", "after", "before"),
            "assessment_run": ("run_id", "at", "superseded_by"),
            "assessment_superseded": ("id", "run_id", "created_at", "superseded_by"),
            "rules_profile": ("stored_at",)}
#: Rows that differ between two equal runs: the audit chain's head holds the last hash.
VOLATILE_ROWS = {"setting": "key <> 'audit_head'"}


seal = seal_file  # fold a copy's WAL back into it (after a process wrote to it)


def copy(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    os.chmod(target, 0o600)
    return target


def env_for(db: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAOMO_")}
    return {**env, "LAOMO_DB": str(db), "PYTHONIOENCODING": "utf-8", **extra}


class Laomo:
    """One ``laomo`` process: ``probe=True`` runs it under support/sqlite_probe.py."""

    def __init__(self, db: Path, *args: object, workdir: Path, name: str, probe: bool = True,
                 stop: str | None = None, notify: str | None = None,
                 preexec_fn: Callable[[], object] | None = None, extra_env: dict[str, str] | None = None) -> None:
        self.name, self.args = name, [str(a) for a in args]
        self.out_path, self.err_path = workdir / f"{name}.out", workdir / f"{name}.err"
        self.log_path = workdir / f"{name}.locks.jsonl"
        self.count_path = workdir / f"{name}.counts.json"
        env = env_for(db, **(extra_env or {}))
        pass_fds: tuple[int, ...] = ()
        self.read_fd: int | None = None
        if probe:
            env.update(LAOMO_PROBE_LOG=str(self.log_path), LAOMO_PROBE_COUNT=str(self.count_path))
            if stop or notify:
                self.read_fd, write_fd = os.pipe()
                env["LAOMO_PROBE_FD"] = str(write_fd)
                pass_fds = (write_fd,)
                if stop:
                    env["LAOMO_PROBE_STOP"] = stop
                if notify:
                    env["LAOMO_PROBE_NOTIFY"] = notify
            cmd = [sys.executable, str(PROBE), *self.args]
        else:
            cmd = [sys.executable, "-m", "laomo", *self.args]
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                         pass_fds=pass_fds, preexec_fn=preexec_fn)
        for fd in pass_fds:
            os.close(fd)
        self._buffer = b""

    # -- the probe's event lines --------------------------------------------------------------
    def wait_event(self, prefix: str, timeout: float = TIMEOUT) -> str:
        """Block until the probe reports an event line starting with ``prefix``; returns the line."""
        assert self.read_fd is not None, "started without stop/notify"
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.read_fd, selectors.EVENT_READ)
            while True:
                while b"\n" in self._buffer:
                    line, self._buffer = self._buffer.split(b"\n", 1)
                    if line.decode().startswith(prefix):
                        return line.decode()
                if time.monotonic() > deadline:
                    self.kill()
                    pytest.fail(f"{self.name}: no probe event {prefix!r} within {timeout} s; {self.describe()}")
                if sel.select(timeout=0.5):
                    data = os.read(self.read_fd, 4096)
                    if not data:
                        pytest.fail(f"{self.name} ended before probe event {prefix!r}: {self.describe()}")
                    self._buffer += data

    def wait_stopped(self, timeout: float = 30) -> None:
        """Poll /proc until the process is in the stopped state (it stops itself right after its event line)."""
        deadline = time.monotonic() + timeout
        while _state(self.proc.pid) not in ("T", "t"):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                pytest.fail(f"{self.name} did not stop: {self.describe()}")
            time.sleep(0.005)

    # -- the end ------------------------------------------------------------------------------
    def cont(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> int:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        code = self.proc.wait(timeout=30)
        self.close()
        return code

    def wait(self, timeout: float = TIMEOUT) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"{self.name} still running after {timeout} s: {self.describe()}")
        self.close()
        return code

    def close(self) -> None:
        if self.read_fd is not None:
            os.close(self.read_fd)
            self.read_fd = None

    @property
    def out(self) -> str:
        return self.out_path.read_text(encoding="utf-8", errors="replace")

    @property
    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")

    def locks(self) -> list[dict[str, Any]]:
        """The probe's log: one dict per write transaction (wait_s, hold_s, writes, end)."""
        if not self.log_path.exists():
            return []
        return [json.loads(line) for line in self.log_path.read_text().splitlines()]

    def describe(self) -> str:
        return f"laomo {' '.join(self.args)} (exit {self.proc.poll()}) stderr: {self.err[-1500:]!r}"


def _state(pid: int) -> str | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()[0]


def run(db: Path, *args: object, timeout: float = TIMEOUT, **kw: Any) -> subprocess.CompletedProcess[str]:
    """``python -m laomo ARGS…`` to completion."""
    return subprocess.run([sys.executable, "-m", "laomo", *map(str, args)], env=env_for(db), capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, **kw)


# --------------------------------------------------------------------------- reading a database


def tables(db: Path) -> list[str]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
    finally:
        con.close()


def content(db: Path, *, stable: bool = False) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in primary-key order; ``stable`` leaves out the :data:`VOLATILE` columns
    (and orders by the rest), so two equal runs at different times compare equal."""
    con = sqlite3.connect(db)
    try:
        out = {}
        for t in tables(db):
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{t}")')]
            if stable:
                cols = [c for c in cols if c not in VOLATILE.get(t, ())]
            names = ", ".join(f'"{c}"' for c in cols)
            order = "1" if not stable else names
            where = f" WHERE {VOLATILE_ROWS[t]}" if stable and t in VOLATILE_ROWS else ""
            out[t] = con.execute(f'SELECT {names} FROM "{t}"{where} ORDER BY {order}').fetchall()
        return out
    finally:
        con.close()


def integrity(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("PRAGMA integrity_check")]
    finally:
        con.close()


def wal_size(db: Path) -> int:
    wal = Path(f"{db}-wal")
    return wal.stat().st_size if wal.exists() else 0
