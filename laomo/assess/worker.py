"""The worker process of a large run: the upper part of the studio ids, computed on the other core.

A stored run (or a dry run that asks for it) on SQLite with at least
:data:`PARALLEL_MIN_STUDIOS` studios, when a second core is free, splits them
(:func:`split_point`); the parent starts a fresh interpreter,
``python -m laomo.assess.worker`` (not a fork: SQLite state must never be
inherited across ``fork``), after its transaction's first read, and computes
the lower part meanwhile.

The protocol, all of it here:

* parent → child: a :class:`Spec` as JSON on standard input;
* child → parent: pickled messages in an unlinked temporary file (the
  *spool*) it inherits, read back by :meth:`Child.merge` after the parent's
  own part:

  - ``("emit", [(result or None, staged row or None), …])``: what the
    child's emitter made of the studios it emitted, a chunk at a time;
  - ``("done", assessed, by_grade, by_recommendation, held)``: its counts
    and its :class:`~laomo.assess.scoring.Held` studios, last;
  - ``("error", class name, message, option, lines)``: a problem the user can
    act on, said in Chinese; the parent raises it again with its class
    (:class:`~laomo.errors.UsageError`, :class:`~laomo.errors.LaomoError`, …);
  - ``("crash", traceback)``: a bug.

The child loads the same profile (checked by its content hash) and the same
laomo (checked by its path), opens its own connection to the same SQLite file
and writes nothing to the database; it stops on its own if the parent is gone.
Nothing the child pickles may be defined in this module (it runs as
``__main__``).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any, TypedDict

from laomo.assess.outcome import Outcome, Row, StudioResult, emitter
from laomo.assess.scoring import Held, Part
from laomo.errors import LaomoError, NotFound, UsageError

if TYPE_CHECKING:
    import subprocess

    from sqlalchemy.engine import Connection

    from laomo.rules import Profile

#: A stored (or parallel dry) run on SQLite with at least this many studios computes the upper 45 % of the
#: studio ids in a child process when a second core is free (:func:`second_core_free`);
#: ``LAOMO_ASSESS_WORKER=0`` turns it off, ``LAOMO_ASSESS_WORKER=1`` uses it whatever the load.
PARALLEL_MIN_STUDIOS = 20_000

#: Studios per ``emit`` message.
CHUNK = 2000

#: The directory that holds this laomo package (a checkout, or site-packages).
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

RETRY_ALONE = "可设置环境变量 LAOMO_ASSESS_WORKER=0 在单个进程中重试"


class Spec(TypedDict):
    """What the child is asked to compute (JSON on its standard input)."""

    url: str  # the database
    profile: str  # the profile's source (a bundled name or a file path) …
    hash: str  # … and its content hash when the parent loaded it
    year: int
    results: bool  # make result dicts
    store: bool  # make staged rows
    split: int  # the first studio id of the child's part
    parent: int  # the parent's pid
    fd: int  # the spool's file descriptor
    root: str  # the parent's laomo (ROOT)


def split_point(conn: Connection, prof: Profile) -> int | None:
    """The studio id that splits the studios, when a child process should take the upper part.

    Only on SQLite, for a profile loaded from a name or file (the child loads it again),
    for at least ``PARALLEL_MIN_STUDIOS`` studios, and when a second core is free.  The
    child reads the database on a connection of its own, so this must run inside a
    transaction that has written nothing: the write transaction of
    :func:`laomo.assess.run.store_assessment` (see there why the two then see one state),
    or a dry run's read transaction, checked by :func:`same_state` at its end.
    """
    if conn.dialect.name != "sqlite":
        return None
    wanted = os.environ.get("LAOMO_ASSESS_WORKER", "")
    if wanted == "0" or not prof.source:
        return None
    from sqlalchemy import func, select

    from laomo.models import Studio

    s = Studio.__table__
    n = conn.execute(select(func.count()).select_from(s)).scalar_one()
    if n < max(2, PARALLEL_MIN_STUDIOS) or (wanted != "1" and not second_core_free()):
        return None
    # the child starts about half a second later (a new interpreter loading the profile): it takes
    # a little less than half
    split: int = conn.execute(select(s.c.id).order_by(s.c.id).limit(1).offset(n * 11 // 20)).scalar_one()
    return split


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system says it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def others_running() -> float:
    """How many other processes are running or waiting for a core now: the running count of
    ``/proc/loadavg`` less this process (the least of three looks 5 ms apart, so that a process
    passing by is not taken for a busy core), else the load average of the last minute."""
    import time

    try:
        seen = []
        for i in range(3):
            if i:
                time.sleep(0.005)
            with open("/proc/loadavg", encoding="ascii") as fp:
                seen.append(int(fp.read().split()[3].split("/")[0]) - 1)
        return max(0, min(seen))
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return 0.0


def second_core_free() -> bool:
    """Whether a worker process would get a core of its own.  When it would not (one usable core,
    or the others busy), it only takes turns with this process on the same core and the run is
    slower than without it: it pays its start-up and the hand-over of its results for nothing."""
    cores = usable_cores()
    return cores >= 2 and others_running() <= cores - 2


def same_state(conn: Connection) -> bool:
    """Whether nobody has committed since this (read) transaction's first read, so that the worker,
    which began reading after it and has finished, read the same state.

    SQLite refuses a transaction's first write when another connection committed since its first
    read (SQLITE_BUSY_SNAPSHOT), or while another writer holds the lock (SQLITE_BUSY); a write
    that changes nothing asks it.  On success this transaction holds the write lock until it ends
    (it has written nothing; a read session ends with a rollback).  Any refusal — those two, a
    read-only file — says no: the caller then computes again on its own.
    """
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    try:
        cursor.execute("UPDATE assessment_run SET year = year WHERE 1 = 0")
    except Exception:  # every refusal means the same: do not trust the worker's part
        return False
    finally:
        cursor.close()
    return True


def _child_env() -> dict[str, str] | None:
    """The child's environment: this one, with ROOT added to PYTHONPATH when this process found
    laomo elsewhere than on its path (an editable install's finder, a path set at run time)."""
    here = os.path.realpath(ROOT)
    if any(os.path.realpath(p or os.curdir) == here for p in sys.path):
        return None
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), ROOT) if p)
    return env


# --------------------------------------------------------------------------- parent side


class Child:
    """The parent's handle on the worker process computing the studios from ``split`` on."""

    def __init__(self, conn: Connection, part: Part, split: int) -> None:
        import json
        import subprocess
        import tempfile

        self.proc: subprocess.Popen[bytes] | None = None
        # both live as long as the child and are closed by stop()
        self.spool = tempfile.TemporaryFile(prefix="laomo-assess-")  # noqa: SIM115
        self.errors = tempfile.TemporaryFile(prefix="laomo-assess-err-")  # noqa: SIM115
        spec: Spec = {"url": conn.engine.url.render_as_string(hide_password=False), "profile": part.prof.source,
                      "hash": part.prof.hash, "year": part.year, "results": part.results, "store": part.store,
                      "split": split, "parent": os.getpid(), "fd": self.spool.fileno(), "root": ROOT}
        try:
            self.proc = subprocess.Popen([sys.executable, "-m", "laomo.assess.worker"], stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=self.errors, env=_child_env(),
                                         pass_fds=(self.spool.fileno(),))
            assert self.proc.stdin is not None
            try:
                self.proc.stdin.write(json.dumps(spec).encode("utf-8"))
                self.proc.stdin.close()
            except BrokenPipeError:  # it died at once: merge() says so, with its stderr
                pass
        except BaseException:
            self.stop()
            raise

    def merge(self, part: Part, add_result: Callable[[StudioResult], Any] | None,
              add_row: Callable[[Row], Any] | None) -> list[Held]:
        """Wait for the child and pass on what it emitted; add its counts to ``part``; return its
        held studios."""
        assert self.proc is not None
        status = self.proc.wait()
        self.spool.seek(0)
        while True:
            try:
                message = pickle.load(self.spool)
            except (EOFError, pickle.UnpicklingError):  # it died, or could not write its spool
                self.errors.seek(0)
                tail = self.errors.read()[-2000:].decode("utf-8", "replace").strip()
                raise LaomoError(f"计算考核的子进程意外退出（退出码 {status}），本次考核未保存；{RETRY_ALONE}",
                                 lines=[tail] if tail else None) from None
            tag = message[0]
            if tag == "emit":
                for r, row in message[1]:
                    if add_result is not None:
                        add_result(r)
                    if add_row is not None:
                        add_row(row)
            elif tag == "done":
                _, assessed, by_grade, by_rec, held = message
                part.tally.assessed += assessed
                for mine, theirs in ((part.tally.by_grade, by_grade), (part.tally.by_recommendation, by_rec)):
                    for k, v in theirs.items():
                        mine[k] = mine.get(k, 0) + v
                return list(held)
            elif tag == "error":
                _, name, text, option, lines = message
                raise ERRORS.get(name, LaomoError)(text, option=option, lines=lines)
            else:
                raise RuntimeError(f"考核子进程出错：\n{message[1]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.spool.close()
        self.errors.close()


def _error_classes() -> dict[str, type[LaomoError]]:
    from laomo.rules import ProfileError

    return {cls.__name__: cls for cls in (LaomoError, NotFound, UsageError, ProfileError)}


#: The errors a child's message names, by class name; any other LaomoError travels as its nearest base here.
ERRORS = _error_classes()


# --------------------------------------------------------------------------- child side


def _failure(exc: BaseException, url: str) -> tuple[Any, ...]:
    """The message that tells the parent why the child failed."""
    import traceback

    if isinstance(exc, LaomoError):
        name = next(c.__name__ for c in type(exc).__mro__ if c.__name__ in ERRORS)
        return ("error", name, str(exc), exc.option, exc.lines)
    if isinstance(exc, Exception):
        from laomo.store.db import explain_failure

        said = explain_failure(exc, url)
        if said:
            return ("error", LaomoError.__name__, said, None, [])
    return ("crash", traceback.format_exc())


def _serve(spec: Spec, out: IO[bytes]) -> None:
    """Compute the child's part and spool what it emits, then its counts and held studios."""
    from laomo.rules import load_profile
    from laomo.store.db import make_engine

    if os.path.realpath(ROOT) != os.path.realpath(spec["root"]):
        raise LaomoError(f"计算考核的子进程载入的 laomo（{ROOT}）与本进程的（{spec['root']}）不同，"
                         f"本次考核未保存；{RETRY_ALONE}")
    prof = load_profile(spec["profile"])
    if prof.hash != spec["hash"]:
        raise LaomoError(f"规则「{spec['profile']}」在考核期间被改动，请重新运行")
    part = Part(prof, spec["year"], results=spec["results"], store=spec["store"])
    pending: list[tuple[StudioResult | None, Row | None]] = []
    made: list[Any] = [None, None]  # what the emitter just handed on: [result, row]

    def flush() -> None:
        if os.getppid() != spec["parent"]:  # the parent is gone: nobody will read this
            os._exit(1)
        pickle.dump(("emit", pending), out, pickle.HIGHEST_PROTOCOL)
        pending.clear()

    def keep_result(r: StudioResult) -> None:
        made[0] = r

    def keep_row(row: Row) -> None:
        made[1] = row

    inner = emitter(part.tally, keep_result if part.results else None, keep_row if part.store else None)

    def emit(o: Outcome) -> None:
        inner(o)
        pending.append((made[0], made[1]))
        if len(pending) >= CHUNK:
            flush()

    engine = make_engine(spec["url"])
    with engine.connect() as conn, conn.begin():
        held = part.run(conn, emit, (spec["split"], None))
    flush()
    t = part.tally
    pickle.dump(("done", t.assessed, t.by_grade, t.by_recommendation, held), out, pickle.HIGHEST_PROTOCOL)


def main() -> None:
    """The child's entry point: its :class:`Spec` as JSON on standard input."""
    import gc
    import json

    gc.disable()  # short-lived, acyclic data (see laomo.assess.run.run_assessment)
    spec: Spec = json.loads(sys.stdin.read())
    out = os.fdopen(spec["fd"], "wb")
    code = 0
    try:
        _serve(spec, out)
    except BaseException as exc:
        code = 1
        with contextlib.suppress(Exception):
            pickle.dump(_failure(exc, spec["url"]), out)
    finally:
        try:
            out.flush()
        except BaseException:
            code = 1  # a truncated spool: the parent says the child failed
        os._exit(code)


if __name__ == "__main__":
    main()
