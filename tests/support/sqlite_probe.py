"""Run ``laomo`` in a subprocess with its SQLite connections observed (no test here).

    python tests/support/sqlite_probe.py ARGS…   # exactly ``python -m laomo ARGS…``, plus:

* ``LAOMO_PROBE_LOG=FILE``: append one JSON line per write transaction to
  FILE: when ``BEGIN IMMEDIATE`` was asked for, when it got the write lock,
  when ``COMMIT``/``ROLLBACK`` returned, and the write statements run —
  i.e. how long the process waited for the lock and how long it held it.
* ``LAOMO_PROBE_STOP=EVENT:N`` with ``LAOMO_PROBE_FD=fd``: at the N-th EVENT
  (1-based) write ``EVENT:N`` and a newline to the file descriptor and stop
  the process (SIGSTOP), so the test can SIGKILL it at exactly that point
  (or SIGCONT it).  EVENT is ``asked`` (BEGIN IMMEDIATE is about to be
  sent), ``locked`` (BEGIN IMMEDIATE has just taken the write lock),
  ``write`` (a write statement — INSERT/UPDATE/DELETE/CREATE/DROP — has just
  run inside the transaction) or ``commit`` (COMMIT is about to run).
* ``LAOMO_PROBE_NOTIFY=EVENT[,EVENT…]`` with ``LAOMO_PROBE_FD=fd``: write
  ``EVENT:N`` and a newline to the descriptor at each such event, and go on.
* ``LAOMO_PROBE_COUNT=FILE``: at exit, write how many of each event happened.
* ``LAOMO_PROBE_CACHE_PAGES=N``: give every connection a page cache of N
  pages, so a transaction spills its changed pages into the ``-wal`` file
  long before it commits (a kill then leaves uncommitted frames there).

The observation is a ``sqlite3.Connection`` subclass handed to SQLAlchemy by
wrapping ``sqlite3.connect``; laomo itself is not touched.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import signal
import sqlite3
import sqlite3.dbapi2
import sys
import time
from typing import Any

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE", "CREATE", "DROP", "REPLACE")

_stop_event, _, _stop_n = os.environ.get("LAOMO_PROBE_STOP", "").partition(":")
_notify = set(filter(None, os.environ.get("LAOMO_PROBE_NOTIFY", "").split(",")))
_counts: dict[str, int] = {"asked": 0, "locked": 0, "write": 0, "commit": 0}


def _event(name: str) -> None:
    _counts[name] += 1
    if name in _notify:
        os.write(int(os.environ["LAOMO_PROBE_FD"]), f"{name}:{_counts[name]}\n".encode())
    if name == _stop_event and _counts[name] == int(_stop_n):
        os.write(int(os.environ["LAOMO_PROBE_FD"]), f"{name}:{_stop_n}\n".encode())
        os.kill(os.getpid(), signal.SIGSTOP)


class _Tx:
    def __init__(self, deferred: bool = False) -> None:
        self.asked = time.time()
        self.deferred = deferred  # a plain BEGIN that has not yet written to the database file
        self.asking = False
        self.locked: float | None = None
        self.writes = 0


def _log(tx: _Tx, end: str) -> None:
    path = os.environ.get("LAOMO_PROBE_LOG")
    if not path or tx.locked is None:
        return
    now = time.time()
    line = {"pid": os.getpid(), "argv": sys.argv[1:4], "asked": tx.asked, "locked": tx.locked, "released": now,
            "wait_s": round(tx.locked - tx.asked, 4), "hold_s": round(now - tx.locked, 4),
            "writes": tx.writes, "end": end}
    with open(path, "a", encoding="utf-8") as fp:
        fp.write(json.dumps(line) + "\n")


_TARGET = re.compile(r"^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|DROP\s+TABLE(?:\s+IF\s+EXISTS)?"
                     r"|CREATE\s+(TEMPORARY\s+|TEMP\s+)?TABLE)\s+\"?(\w+)", re.IGNORECASE)


class ProbeCursor(sqlite3.Cursor):
    """Sees each transaction take the write lock: at ``BEGIN IMMEDIATE``, or — in a plain
    (deferred) ``BEGIN`` — at its first write to a table of the database file (writes to
    TEMPORARY tables take no lock: they count as writes, not as asking for the lock)."""

    def _before(self, sql: str) -> bool:
        verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        con = self.connection
        if verb == "BEGIN":
            con._tx = _Tx(deferred="IMMEDIATE" not in sql.upper())
            if not con._tx.deferred:
                _event("asked")
            return False
        write = verb in WRITE_VERBS
        if write and con._tx is not None and con._tx.deferred and con._tx.locked is None:
            m = _TARGET.match(sql)
            temp = m is not None and (bool(m.group(1)) or m.group(2) in con._temp)
            if m is not None and m.group(1):
                con._temp.add(m.group(2))
            if not temp:
                con._tx.asked = time.time()
                con._tx.deferred = False
                _event("asked")
                con._tx.asking = True
        return write

    def _after(self, sql: str, write: bool) -> None:
        tx = self.connection._tx
        if tx is not None and tx.locked is None and (sql.upper().startswith("BEGIN IMMEDIATE") or tx.asking):
            tx.locked = time.time()
            tx.asking = False
            _event("locked")
        if write and tx is not None:
            tx.writes += 1
            _event("write")

    connection: ProbeConnection

    def execute(self, sql: str, *args: Any) -> ProbeCursor:
        write = self._before(sql)
        super().execute(sql, *args)
        self._after(sql.strip(), write)
        return self

    def executemany(self, sql: str, *args: Any) -> ProbeCursor:
        write = self._before(sql)
        super().executemany(sql, *args)
        self._after(sql.strip(), write)
        return self


class ProbeConnection(sqlite3.Connection):
    _tx: _Tx | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._temp: set[str] = set()  # this connection's TEMPORARY tables

    def cursor(self, factory: Any = ProbeCursor) -> Any:
        return super().cursor(factory)

    def commit(self) -> None:
        tx = self._tx
        if tx is not None and tx.locked is None:  # a read, or a deferred one that never wrote the file
            tx = self._tx = None
        if tx is not None:
            _event("commit")
        super().commit()
        if tx is not None:
            _log(tx, "commit")
            self._tx = None

    def rollback(self) -> None:
        tx = self._tx
        super().rollback()
        if tx is not None:
            _log(tx, "rollback")
            self._tx = None


_connect = sqlite3.connect


def _probe_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    kwargs.setdefault("factory", ProbeConnection)
    con = _connect(*args, **kwargs)
    pages = os.environ.get("LAOMO_PROBE_CACHE_PAGES")
    if pages:
        sqlite3.Connection.execute(con, f"PRAGMA cache_size = {int(pages)}")
    return con


def _write_counts() -> None:
    path = os.environ.get("LAOMO_PROBE_COUNT")
    if path:
        with open(path, "w", encoding="utf-8") as fp:
            json.dump(_counts, fp)


def main() -> int:
    sqlite3.connect = sqlite3.dbapi2.connect = _probe_connect  # type: ignore[assignment]  # a wrapper, same call
    atexit.register(_write_counts)
    from laomo.cli import main as laomo_main

    return laomo_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
