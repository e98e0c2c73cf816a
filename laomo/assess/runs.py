"""The history of a year's stored runs (``assess history``), and whether a year's results were applied.

Every stored run writes one ``assessment_run`` row (run id, year, time, profile
and its hash, studios assessed, counts by grade, reason).  Re-running a year
supersedes the run before it (``superseded_by``): its results are replaced —
unless that year's recommendations have been applied.

Applied
-------
``award apply --year Y`` writes its designations with year Y, one of
:data:`APPLY_ACTIONS` and a reason that starts with :func:`marker` (that is
also how applying stays idempotent).  A year is *applied* while at least one
such designation is in force (not voided; a year whose applied designations
were all voided is no longer applied: nothing cites its results any more).
Re-running an applied year is refused (:class:`AppliedYear`) unless forced with
a reason; the results it replaces are then copied to ``assessment_superseded``
(``kept`` on the run), because the designations quote them.

Imported history
----------------
Imported assessment rows (``register import assessments``) are not runs and
are not in ``runs``; :attr:`RunHistory.imported` counts them per year, and the
command shows one line per year for them (导入的历史成绩).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError, NotFound, UsageError

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, RowMapping
    from sqlmodel import Session

#: Actions that applying a year's recommendations writes (``award apply``); with the reason
#: prefix of :func:`marker` they mark the year applied.
APPLY_ACTIONS = ("revoke", "rectify", "warn", "restore")

#: The longest reason a run keeps (the column's length).
REASON_TEXT = 1000

#: The grades in the order shown.
GRADES = ("excellent", "good", "pass", "fail")


def marker(year: int) -> str:
    """The start of the reason of every row that applying ``year``'s assessment writes."""
    return f"{year}年度考核"


class AppliedYear(LaomoError):
    """A stored run of a year whose recommendations were applied, without being forced: nothing written."""

    def __init__(self, year: int, day: dt.date) -> None:
        self.year, self.day = year, day
        super().__init__(f"{year} 年度的考核结果已于 {day.isoformat()} 执行（据此办理的摘牌、整改、通报等记录引用这些结果），"
                         "未重新考核；确需重新考核，请强制执行并写明原因，原结果将保留备查", option="force")


def applied_on(conn: Connection, year: int) -> dt.date | None:
    """The first date of the designations in force that applying ``year``'s recommendations wrote;
    None when there is none (the year was not applied)."""
    from sqlalchemy import func, select

    from laomo.domain.predicates import in_force
    from laomo.models import Designation

    d = Designation.__table__
    day: dt.date | None = conn.execute(
        select(func.min(d.c.date)).where(d.c.year == year, d.c.action.in_(APPLY_ACTIONS),
                                         d.c.reason.startswith(marker(year), autoescape=True),
                                         in_force(d))).scalar()
    return day


def run_reason(reason: str | None, *, force: bool) -> str | None:
    """The reason a run records: stripped, None when empty; forcing needs one."""
    text = (reason or "").strip() or None
    if text is not None and len(text) > REASON_TEXT:
        raise UsageError(f"原因过长（{len(text)} 个字符，最多 {REASON_TEXT} 个）", option="reason")
    if force and text is None:
        raise UsageError("强制重新考核时必须写明原因（将记入考核历史和操作日志）", option="reason")
    return text


# --------------------------------------------------------------------------- the history


@dataclass(frozen=True)
class RunInfo:
    """One stored run: a line of ``assess history``."""

    run_id: str
    year: int
    at: dt.datetime  # UTC
    profile: str | None
    profile_hash: str | None
    studios: int
    by_grade: dict[str, int]
    superseded_by: str | None
    reason: str | None
    kept: bool  # superseded, and its results kept in assessment_superseded

    @property
    def current(self) -> bool:
        return self.superseded_by is None

    def to_json(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "year": self.year, "at": self.at.isoformat(), "profile": self.profile,
                "profile_hash": self.profile_hash, "studios": self.studios, "by_grade": self.by_grade,
                "current": self.current, "superseded_by": self.superseded_by, "reason": self.reason}


@dataclass(frozen=True)
class RunHistory:
    """cli.md's ``assess history`` JSON (:meth:`to_json`): the runs, newest first within each year
    (the latest year first); ``imported``: imported rows per year (not runs, not in the JSON)."""

    runs: list[RunInfo]
    imported: dict[int, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"runs": [r.to_json() for r in self.runs]}


def _grades(value: Any) -> dict[str, int]:
    """Counts by grade in the order of :data:`GRADES` (English keys), any other key after them."""
    counts = {str(k): int(v) for k, v in (value or {}).items()}
    return {g: counts[g] for g in (*GRADES, *sorted(set(counts) - set(GRADES))) if g in counts}


def run_history(session: Session, *, year: int | None = None) -> RunHistory:
    """The stored runs (of ``year``, else of every year) and the imported rows per year."""
    from sqlalchemy import func, select

    from laomo.models import Assessment, AssessmentRun

    conn = session.connection()
    r, a = AssessmentRun.__table__, Assessment.__table__
    q = select(r).order_by(r.c.year.desc(), r.c.at.desc(), r.c.run_id.desc())
    if year is not None:
        q = q.where(r.c.year == year)
    runs = [_info(m) for m in conn.execute(q).mappings()]
    imp = select(a.c.year, func.count()).where(a.c.imported == True).group_by(a.c.year)  # noqa: E712
    if year is not None:
        imp = imp.where(a.c.year == year)
    return RunHistory(runs, {y: n for y, n in conn.execute(imp)})


def find_run(conn: Connection, run_id: str, *, year: int | None = None) -> RunInfo:
    """One stored run by its id (of ``year`` when given); NotFound otherwise."""
    from sqlalchemy import select

    from laomo.models import AssessmentRun

    r = AssessmentRun.__table__
    m = conn.execute(select(r).where(r.c.run_id == run_id.strip())).mappings().first()
    if m is None or (year is not None and m["year"] != year):
        raise NotFound(f"没有{'' if year is None else f' {year} 年度的'}考核运行 {run_id}", option="run")
    return _info(m)


def _info(m: RowMapping) -> RunInfo:
    at = m["at"]
    if isinstance(at, dt.datetime) and at.tzinfo is None:  # stored in UTC
        at = at.replace(tzinfo=dt.UTC)
    return RunInfo(m["run_id"], m["year"], at, m["profile"], m["profile_hash"], m["studios"],
                   _grades(m["by_grade"]), m["superseded_by"], m["reason"], bool(m["kept"]))
