"""The yearly assessment (年度考核): a run over every studio due for a year, stored or not, and what
another profile would change.

How a run scales (issue 3, "Performance"): the facts stream in studio order
(:func:`laomo.facts.iter_facts`, a fixed number of queries) and each studio is
scored as it comes and then forgotten (:class:`~laomo.assess.scoring.Part`).
What is kept across studios: the counts; for the 优秀 cap, the studios at the
capped grade until the cap is known; the results handed back (``results=True``,
the default, as the CLI prints them).  A stored run stages its rows and moves
them in at the end (:class:`~laomo.assess.store.Stage`); a large stored run on
SQLite computes part of the studios in a worker process
(:mod:`laomo.assess.worker`).

Who is assessed for year Y (rules.md): every studio that on 31 December of Y held a
naming dated on or before that day and had not been revoked or closed by then
(its state on that day, :mod:`laomo.assess.studios`); later designations do not
change it, so re-running a year assesses the same studios.

Every stored run is recorded (``assessment_run``) and supersedes the year's run
before it; once the year's recommendations have been applied, a re-run needs to
be forced with a reason and keeps the results it replaces
(:mod:`laomo.assess.runs`).

Only an ended year is stored (cli.md: ``assess run`` "refuses a year that has
not ended yet"): a year's ledger is not complete before 31 December has passed,
and results stored early (a cron line with this year) would stand as that year's
grades.  A dry run (试算) of such a year still computes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypedDict

from laomo.assess.outcome import Emit, Row, StudioResult, emitter
from laomo.assess.profiles import ProfileArg, remember_profile, resolve_profile
from laomo.assess.runs import AppliedYear, applied_on, run_reason
from laomo.assess.scoring import Held, Part, release_held
from laomo.assess.store import Stage, record_run, stored_results
from laomo.domain.numbers import check_year
from laomo.errors import LaomoError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.engine import Connection, Engine
    from sqlmodel import Session


@dataclass(frozen=True)
class RunResult:
    """A run: cli.md's ``assess run`` JSON (:meth:`to_json`), and how many computations a stored run
    took (``attempts``, from :func:`store_assessment`; not part of that JSON)."""

    year: int
    profile: str
    profile_hash: str
    run_id: str | None  # None for a dry run
    dry_run: bool
    assessed: int
    by_grade: dict[str, int]
    by_recommendation: dict[str, int]
    results: list[StudioResult] | None = None  # sorted by code; None when not asked for
    replaced: int | None = None  # rows the stored run replaced; None for a dry run
    attempts: int | None = None
    # not part of cli.md's JSON either (``assess history`` shows them): the runs this one superseded,
    # whether their results were kept (the year had been applied), the reason given
    supersedes: tuple[str, ...] = ()
    kept: bool = False
    reason: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "year": self.year, "profile": self.profile, "profile_hash": self.profile_hash,
            "run_id": self.run_id, "dry_run": self.dry_run, "assessed": self.assessed,
            "by_grade": self.by_grade, "by_recommendation": self.by_recommendation,
        }
        if self.results is not None:
            out["results"] = self.results
        if self.replaced is not None:
            out["replaced"] = self.replaced
        return out


def run_assessment(session: Session, *, year: int, profile: ProfileArg = None, dry_run: bool = False,
                   now: dt.datetime | None = None, results: bool = True, parallel: bool = False,
                   today: dt.date | None = None, force: bool = False, reason: str | None = None) -> RunResult:
    """Assess every studio due for ``year``; store the results (replacing that year's) unless ``dry_run``.

    A stored run refuses (:class:`~laomo.errors.LaomoError`, nothing written) a
    year that has not ended on ``today`` (default: the local date), i.e. unless
    31 December of ``year`` is before it; a dry run computes any year.  It also
    refuses (:class:`~laomo.assess.runs.AppliedYear`) a year whose
    recommendations have been applied, unless ``force`` with a ``reason``: the
    results it replaces are then kept (``assessment_superseded``).  ``reason``
    (required with ``force``) is recorded with the run and in its audit entry.

    Runs inside the caller's transaction (``write_session``; ``read_session``
    for a dry run): one transaction for the delete, the inserts and the audit
    entry.  Returns the summary and, with ``results`` (the default), every
    studio's result sorted by code; ``results=False`` leaves them out (a stored
    run's results can be read back with :func:`~laomo.assess.store.stored_results`),
    and the memory then stays flat whatever the number of studios.

    ``parallel`` (:func:`store_assessment` passes it, and :func:`what_if` when
    asked to): a large run on SQLite computes part of the studios in a worker
    process (see :mod:`laomo.assess.worker`); the caller's transaction must then
    be one that has written nothing yet, as the worker reads on a connection of
    its own.  A stored run's first write fails when another writer committed
    since its first read (see :func:`store_assessment`); a dry run checks the
    same at its end (:func:`laomo.assess.worker.same_state`) and, when the
    worker may have read another state, computes every studio again here.
    """
    import gc

    # The run allocates hundreds of thousands of short-lived dicts and tuples and makes no
    # reference cycles: the cyclic collector would only rescan them (about 3% of the run).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(session, year, profile, dry_run=dry_run, now=now, results=results, parallel=parallel,
                    today=today, force=force, reason=reason)
    finally:
        if enabled:
            gc.enable()


def _run(session: Session, year: int, profile: ProfileArg, *, dry_run: bool, now: dt.datetime | None,
         results: bool, parallel: bool, today: dt.date | None, force: bool, reason: str | None) -> RunResult:
    check_year(int(year))
    conn = session.connection()
    keep = False
    if not dry_run:
        _refuse_unended(int(year), today)
        reason = run_reason(reason, force=force)
        applied = applied_on(conn, year)
        if applied is not None and not force:
            raise AppliedYear(year, applied)
        keep = applied is not None
    prof = resolve_profile(session, profile)
    now = now or dt.datetime.now(dt.UTC)
    run_id = f"{year}-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    stage = None if dry_run else Stage(conn)
    out_results: list[StudioResult] | None = [] if results else None
    part = Part(prof, year, results=results, store=stage is not None)
    add_result = out_results.append if out_results is not None else None
    add_row = stage.add if stage is not None else None
    emit = emitter(part.tally, add_result, add_row)
    held = _compute(conn, part, emit, add_result, add_row, parallel=parallel)
    if held is None:  # a dry run whose worker may have read another state: all of it here, afresh
        out_results = [] if results else None
        part = Part(prof, year, results=results, store=False)
        add_result = out_results.append if out_results is not None else None
        emit = emitter(part.tally, add_result, None)
        held = part.run(conn, emit, (None, None))
    tally = part.tally
    release_held(prof, held, tally.assessed, emit)
    if out_results is not None:
        out_results.sort(key=lambda r: r["studio"])
    replaced = None
    superseded: list[str] = []
    if stage is not None:
        replaced, before = stage.replace_year(year, prof, run_id, now, keep=keep)
        superseded = record_run(conn, year=year, prof=prof, run_id=run_id, now=now, replaced=replaced,
                                before=before, tally=tally, reason=reason, keep=keep)
        remember_profile(session, prof)  # reports label the items by the profile that scored them
    return RunResult(year, prof.name, prof.hash, None if dry_run else run_id, dry_run, tally.assessed,
                     tally.by_grade, tally.by_recommendation, out_results, replaced,
                     supersedes=tuple(superseded), kept=keep and bool(superseded), reason=reason)


def _refuse_unended(year: int, today: dt.date | None = None) -> None:
    """Refuse to store ``year`` unless it has ended on ``today`` (default: the local date)."""
    today = today or dt.date.today()
    if dt.date(year, 12, 31) >= today:
        raise LaomoError(f"{year} 年度尚未结束（今天是 {today.isoformat()}），不能存储该年度的考核结果；"
                         "可先用试算查看", option="dry_run")


def _compute(conn: Connection, part: Part, emit: Emit, add_result: Callable[[StudioResult], Any] | None,
             add_row: Callable[[Row], Any] | None, *, parallel: bool) -> list[Held] | None:
    """The studio loop over every studio: all here, or (``parallel``, when it is worth it) the lower
    studio ids here and the upper ones in a worker process.  Returns the held studios of both; None
    for a dry run (nothing staged) whose worker may have read another state than this transaction
    (someone committed meanwhile): its results are then not to be used."""
    if not parallel:
        return part.run(conn, emit, (None, None))
    # imported here, never at the top: the package imports this module, and the worker runs as
    # ``python -m laomo.assess.worker``, which must not find itself imported by its package first
    from laomo.assess import worker

    split = worker.split_point(conn, part.prof)
    if split is None:
        return part.run(conn, emit, (None, None))
    child = worker.Child(conn, part, split)
    try:
        held = part.run(conn, emit, (None, split))
        held += child.merge(part, add_result, add_row)
    finally:
        child.stop()
    if not part.store and not worker.same_state(conn):
        return None
    return held


def store_assessment(engine: Engine, *, year: int, profile: ProfileArg = None, results: bool = True,
                     now: dt.datetime | None = None, today: dt.date | None = None, force: bool = False,
                     reason: str | None = None) -> RunResult:
    """``assess run --year Y``: compute and store a year in its own transaction, holding the
    write lock only while the results are written.

    The facts are read and the results staged in a SQLite transaction that
    has not taken the write lock (``write_session(deferred=True)``), so a
    clerk's import or naming is not kept waiting for the whole computation
    (seconds at national scale) — only for the final delete/insert/commit.
    If another writer holds the lock at that moment, or committed since the
    computation began (it then read a state that is no longer current),
    SQLite refuses the first write and nothing has been written: the run is
    done again, this time holding the lock from the start (waiting for it up
    to the busy timeout), so it always ends after at most two computations.
    On a server the write lock is taken up front (its readers never wait for
    it anyway).

    A large run computes part of the studios in a worker process that reads on
    a connection of its own (:mod:`laomo.assess.worker`).  Both see the same
    state: the worker's first read comes after this transaction's, and before
    its first write; a commit by anyone in between would make that write fail
    (and the run be done again), and in the second attempt this transaction
    holds the lock, so nobody can commit.  Returns :func:`run_assessment`'s
    result with ``attempts`` (1 or 2).  A year that has not ended on ``today``
    is refused, nothing written, and so is a year already applied unless
    ``force`` with a ``reason`` (see :func:`run_assessment`).
    """
    from laomo.store.db import lost_write_race, write_session

    try:
        with write_session(engine, deferred=True) as session:
            out = run_assessment(session, year=year, profile=profile, results=results, now=now, parallel=True,
                                 today=today, force=force, reason=reason)
        return replace(out, attempts=1)
    except Exception as exc:
        if not lost_write_race(exc):
            raise
    with write_session(engine) as session:
        out = run_assessment(session, year=year, profile=profile, results=results, now=now, parallel=True,
                             today=today, force=force, reason=reason)
    return replace(out, attempts=2)


# --------------------------------------------------------------------------- what-if


class Side(TypedDict):
    total: Any
    grade: str
    recommendation: str | None


class Change(TypedDict):
    """One studio's stored result (``before``) against the profile's (``after``); None: it has none."""

    studio: str
    name: str | None
    before: Side | None
    after: Side | None
    changed: bool  # the grade or the recommendation differs, or only one side exists


@dataclass(frozen=True)
class WhatIf:
    """A dry run with a profile, compared with the year's stored results: cli.md's
    ``assess run --dry-run`` JSON (:meth:`to_json`)."""

    year: int
    profile: str
    profile_hash: str
    stored_profiles: list[str]  # the profiles of the stored run rows
    stored: int  # stored rows of the year (run or imported)
    changed: int
    changes: list[Change]  # every studio with a stored or a new result, by code
    results: list[StudioResult]

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "profile": self.profile, "profile_hash": self.profile_hash, "dry_run": True,
                "results": self.results,
                "what_if": {"stored": self.stored, "stored_profiles": self.stored_profiles,
                            "changed": self.changed, "changes": self.changes}}


def what_if(session: Session, *, year: int, profile: ProfileArg = None, parallel: bool = False) -> WhatIf:
    """Per studio: the stored grade/recommendation for ``year`` versus what ``profile`` would give.

    ``parallel``: a large dry run may compute part of the studios in a worker process (see
    :func:`run_assessment`); only for a session that has written nothing (``read_session``)."""
    stored = stored_results(session, year=year)  # read first: the dry run may end holding the write lock
    new = run_assessment(session, year=year, profile=profile, dry_run=True, parallel=parallel)
    assert new.results is not None
    changes: list[Change] = []
    after_by_code = {r["studio"]: r for r in new.results}
    for code in sorted(set(stored) | set(after_by_code)):
        b, a = stored.get(code), after_by_code.get(code)
        before = None if b is None else Side(total=b["total"], grade=b["grade"], recommendation=b["recommendation"])
        after = None if a is None else Side(total=a["total"], grade=a["grade"], recommendation=a["recommendation"])
        changed = (before is None) != (after is None) or (
            before is not None and after is not None and
            (before["grade"], before["recommendation"]) != (after["grade"], after["recommendation"]))
        name = a["name"] if a is not None else b["name"] if b is not None else None
        changes.append({"studio": code, "name": name, "before": before, "after": after, "changed": changed})
    profiles = sorted({str(b["profile"]) for b in stored.values() if b["profile"]})
    return WhatIf(year, new.profile, new.profile_hash, profiles, len(stored),
                  sum(1 for c in changes if c["changed"]), changes, new.results)
