"""The assessment table: a stored run's rows staged and moved in at the end, the run's audit entry,
and a year's stored rows read back.

A stored run writes each chunk of rows with one executemany into a temporary
table, and at the end replaces the year's rows with one DELETE and one
INSERT … SELECT, so the facts queries never read a table the run is writing.

Re-running a year deletes that year's rows written by earlier runs, and the
imported rows of that year for the studios assessed now (the unique key
(studio, year) leaves no choice); imported rows of that year for studios not
assessed now are kept as history, as are all other years.  When the year's
recommendations were applied (:mod:`laomo.assess.runs`), the rows a forced
re-run replaces are first copied, with one INSERT … SELECT, to
``assessment_superseded`` (``superseded_by`` the new run), where the
designations that quote them can still be checked.  The rectify deadline is
stored in the ``standards`` JSON of the row (key ``deadline``), because the
Assessment table has no column for it.

Each stored run writes its ``assessment_run`` row and marks the year's current
run(s) superseded by it (:func:`record_run`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any, TypedDict, cast

from laomo.assess.outcome import Row, Tally

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session

    from laomo.rules import Profile

#: Rows per executemany when a run stores its results.
STORE_CHUNK = 2000


class Stage:
    """A stored run's rows, gathered in a temporary table and moved into ``assessment`` at the end.

    The JSON columns are staged as text serialised by the emitter (once per
    distinct value, see :class:`~laomo.assess.outcome.Shared`) and cast to JSON
    by the final INSERT … SELECT (SQLite keeps JSON as that text, so it is
    copied as it is).
    """

    COLUMNS = ("studio_id", "total", "grade", "items", "standards", "recommendation", "reasons")
    JSON_COLUMNS = ("items", "standards", "reasons")

    def __init__(self, conn: Connection) -> None:
        from sqlalchemy import Column, MetaData, Table, Text, insert

        from laomo.models import Assessment
        from laomo.store.bulk import BulkStatement

        self.conn = conn
        t = Assessment.__table__
        self.table = Table(
            f"laomo_run_{uuid.uuid4().hex[:12]}", MetaData(),
            *(Column(c, Text() if c in self.JSON_COLUMNS else t.c[c].type) for c in self.COLUMNS),
            prefixes=["TEMPORARY"])
        self.table.create(conn)
        # compiled once; rows go to the driver's executemany as tuples in COLUMNS order (their
        # values are already in the driver's form: ints, floats, str) — no per-row processing
        self.insert = BulkStatement(conn, insert(self.table), list(self.COLUMNS))
        self.rows: list[Row] = []

    def add(self, row: Row) -> None:
        self.rows.append(row)
        if len(self.rows) >= STORE_CHUNK:
            self.flush()

    def flush(self) -> None:
        self.insert.run(self.rows)
        self.rows = []

    def replace_year(self, year: int, prof: Profile, run_id: str, now: dt.datetime, *,
                     keep: bool = False) -> tuple[int, dict[str, int]]:
        """Delete the rows this run replaces (``keep``: copied to ``assessment_superseded`` first),
        insert the staged ones; (rows replaced, grades before).

        Its first statement is the run's first write to the database (see
        :func:`laomo.assess.run.store_assessment` for why that matters)."""
        from sqlalchemy import JSON, and_, cast, delete, func, insert, literal, or_, select

        from laomo.models import Assessment, SupersededAssessment

        self.flush()
        conn, t, st = self.conn, Assessment.__table__, self.table
        before = {r.grade: r.n for r in conn.execute(
            select(t.c.grade, func.count().label("n")).where(t.c.year == year).group_by(t.c.grade))}
        replacing = and_(t.c.year == year, or_(t.c.imported == False,  # noqa: E712 - an SQL expression
                                               t.c.studio_id.in_(select(st.c.studio_id))))
        if keep:
            kept = SupersededAssessment.__table__
            columns = [c.name for c in t.columns if c.name != "id"]
            conn.execute(insert(kept).from_select(
                [*columns, "superseded_by"],
                select(*(t.c[c] for c in columns), literal(run_id, kept.c.superseded_by.type)).where(replacing)))
        replaced = conn.execute(delete(t).where(replacing)).rowcount or 0
        sqlite = conn.dialect.name == "sqlite"
        staged = [st.c[c] if c not in self.JSON_COLUMNS or sqlite else cast(st.c[c], JSON).label(c)
                  for c in self.COLUMNS]
        constant = {"year": year, "profile": prof.name[:100], "profile_hash": prof.hash, "imported": False,
                    "run_id": run_id, "created_at": now}
        conn.execute(insert(t).from_select(
            list(self.COLUMNS) + list(constant),
            select(*staged, *(literal(v, t.c[k].type).label(k) for k, v in constant.items()))))
        st.drop(conn)
        return replaced, before


def record_run(conn: Connection, *, year: int, prof: Profile, run_id: str, now: dt.datetime, replaced: int,
               before: dict[str, int], tally: Tally, reason: str | None = None, keep: bool = False) -> list[str]:
    """The run's ``assessment_run`` row, the year's current runs marked superseded by it (``kept``
    when their results were copied), and the audit entry of the run: the year's grades and runs
    before, the run, its counts and reason after.  Returns the runs it superseded."""
    from sqlalchemy import insert, select, update

    from laomo.models import AssessmentRun
    from laomo.store import audit

    r = AssessmentRun.__table__
    current = r.c.year == year, r.c.superseded_by.is_(None)
    superseded = sorted(conn.execute(select(r.c.run_id).where(*current)).scalars())
    if superseded:
        conn.execute(update(r).where(*current).values(superseded_by=run_id, kept=keep))
    conn.execute(insert(r).values(run_id=run_id, year=year, at=now, profile=prof.name[:100],
                                  profile_hash=prof.hash, studios=tally.assessed, by_grade=dict(tally.by_grade),
                                  reason=reason, superseded_by=None, kept=False))
    was: dict[str, Any] | None = {"rows": sum(before.values()), "by_grade": before} if before else None
    if superseded:
        was = {**(was or {}), "runs": superseded}
    after = {"profile": prof.name, "profile_hash": prof.hash, "run_id": run_id, "replaced": replaced,
             "assessed": tally.assessed, "by_grade": tally.by_grade, "by_recommendation": tally.by_recommendation}
    if reason is not None:
        after["reason"] = reason
    if keep:
        after["kept"] = {"runs": superseded, "rows": replaced}
    audit.record_many(conn, [("assessment", str(year), was, after)])
    return superseded


class StoredResult(TypedDict):
    """A stored assessment row of a year (run or imported), with its studio's code and name."""

    code: str
    name: str
    total: Any
    grade: str
    recommendation: str | None
    profile: str | None
    profile_hash: str | None
    imported: bool
    items: dict[str, Any] | None
    reasons: list[str] | None


def stored_results(session: Session, *, year: int) -> dict[str, StoredResult]:
    """The stored assessment rows of a year, by studio code."""
    from sqlalchemy import select

    from laomo.models import Assessment, Studio

    t, s = Assessment.__table__, Studio.__table__
    q = select(s.c.code, s.c.name, t.c.total, t.c.grade, t.c.recommendation, t.c.profile,
               t.c.profile_hash, t.c.imported, t.c["items"], t.c.reasons).select_from(
        t.join(s, s.c.id == t.c.studio_id)).where(t.c.year == year)
    return {r.code: cast(StoredResult, dict(r._mapping)) for r in session.connection().execute(q)}
