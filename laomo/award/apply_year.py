"""Carry out a year's assessment recommendations (revoke, rectify, warn) and restore the studios they clear.

Decisions where the spec is silent
----------------------------------
* Each recommendation of year Y becomes a designation dated the apply date (default
  today), year Y, reason "Y年度考核…".  That prefix is the marker that makes applying
  idempotent: a studio that already has a revoke/rectify/warn/restore row of year Y with
  that reason is skipped.
* rectify — also for a studio already in rectification (the new deadline replaces the
  old; the 通报 that goes with rectification is part of the same row).  Its deadline is
  the one the assessment stored, else the profile's (30 June of Y+1); when that day is
  before the apply date, the apply date plus the profile's late period (3 months, end of
  month safe: :meth:`Profile.rectify_deadline`).  warn — also for a
  warned studio (each year's 通报 is its own decision); revoke removes every level held.
  revoke/rectify/warn are skipped, with a note, for a studio holding no naming.
* A studio in rectification or warned whose assessment for Y recommends nothing is
  restored when the rectification/warning is dated on or before 31 December of Y (so Y's
  assessment came after it) and, for a rectification, its deadline has passed by the apply
  date; otherwise it is listed as skipped with the reason.
* Imported assessment rows carry no recommendation and are not applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

# the actions apply writes and the start of their reason: with them it is idempotent, and they mark
# the year applied (a re-run of the assessment then needs a reason: laomo.assess.runs)
from laomo.assess.runs import APPLY_ACTIONS, marker
from laomo.award.records import (
    ACTION_TEXT,
    connection,
    row_json,
    rules_profile,
    state_json,
    state_text,
    states,
    write_designations,
)
from laomo.award.values import DateLike, decision_day, parse_year
from laomo.domain import predicates
from laomo.domain.numbers import whole
from laomo.enums import GRADE
from laomo.errors import LaomoError

if TYPE_CHECKING:
    from typing import TypeAlias

    from sqlalchemy.engine import Row
    from sqlmodel import Session

    from laomo.domain.status import State
    from laomo.rules import Profile

if TYPE_CHECKING:
    #: A row of the year's assessments (studio_id, code, name, grade, total, recommendation, …).
    Assessed: TypeAlias = Row[*tuple[Any, ...]]

#: A planned action as the user confirmed it: ``(studio, action, level)``.
PlanKey = tuple[str, str, str | None]


class NotAssessed(LaomoError):
    """The year has no assessment run to apply (maybe only imported grades)."""

    def __init__(self, year: int, imported_only: bool):
        self.year = year
        self.what = f"{year} 年度没有考核结果" + ("（只有导入的历史等级，没有处理建议）" if imported_only else "")
        super().__init__(f"{self.what}，请先进行 {year} 年度考核")


class PlanChanged(LaomoError):
    """The data changed between the plan the user confirmed and the write: nothing written."""

    def __init__(self) -> None:
        super().__init__("确认期间数据已发生变化，未作任何改动；请重新执行")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class PlannedAction:
    """One designation that applying the year's assessment writes."""

    studio_id: int
    studio: str
    name: str
    year: int
    date: dt.date
    status: str  # the studio's status before
    recommendation: str
    action: str
    level: str | None
    deadline: dt.date | None
    reason: str

    @property
    def key(self) -> PlanKey:
        return (self.studio, self.action, self.level)

    def row(self) -> dict[str, Any]:
        """The designation row."""
        return {"studio_id": self.studio_id, "action": self.action, "level": self.level, "year": self.year,
                "date": self.date, "reason": self.reason, "deadline": self.deadline}

    def to_json(self) -> dict[str, Any]:
        return {"studio": self.studio, "name": self.name, "year": self.year, "date": self.date.isoformat(),
                "status": self.status, "recommendation": self.recommendation, "action": self.action,
                "level": self.level, "deadline": self.deadline.isoformat() if self.deadline else None,
                "reason": self.reason}


@dataclass(frozen=True)
class Skipped:
    """A recommendation not carried out (or a restoration not due), and why."""

    studio: str
    name: str
    recommendation: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"studio": self.studio, "name": self.name, "recommendation": self.recommendation,
                "reason": self.reason}


@dataclass(frozen=True)
class ApplyPlan:
    """What applying ``year``'s assessment would write on ``date`` (nothing written yet)."""

    year: int
    date: dt.date
    assessed: int  # studios with a recommendation for the year
    actions: tuple[PlannedAction, ...]
    skipped: tuple[Skipped, ...]
    already_applied: tuple[str, ...]  # codes of the studios done by an earlier apply

    @property
    def by_action(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for x in self.actions:
            counts[x.action] = counts.get(x.action, 0) + 1
        return counts

    @property
    def plan_key(self) -> list[PlanKey]:
        """What the user confirms; pass it back to :func:`apply` as ``expect``."""
        return [x.key for x in self.actions]

    def to_json(self) -> dict[str, Any]:
        return {"year": self.year, "date": self.date.isoformat(), "assessed": self.assessed,
                "actions": [x.to_json() for x in self.actions], "by_action": self.by_action,
                "skipped": [s.to_json() for s in self.skipped], "already_applied": list(self.already_applied)}


@dataclass(frozen=True)
class ApplyResult(ApplyPlan):
    """The plan and what was written (nothing for a dry run)."""

    dry_run: bool
    written: int

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "plan_key": [list(k) for k in self.plan_key], "dry_run": self.dry_run,
                "written": self.written}


# --------------------------------------------------------------------------- plan and apply


def plan_apply(session: Session, *, year: int, date: DateLike | None = None,
               profile: str | Profile | None = None) -> ApplyPlan:
    """What :func:`apply` would write on ``date`` (default today); nothing is written."""
    from laomo.domain.status import State

    year = parse_year(year)
    day = decision_day(date)
    runs, done = _assessed(session, year)
    found = states(session, day, [r.studio_id for r in runs])
    planner = _Planner(year, day, lambda: rules_profile(session, profile))
    already: list[str] = []
    for r in runs:
        if r.studio_id in done:
            already.append(r.code)
        else:
            planner.plan(r, found.get(r.studio_id) or State())
    return ApplyPlan(year=year, date=day, assessed=len(runs), actions=tuple(planner.actions),
                     skipped=tuple(planner.skipped), already_applied=tuple(already))


def apply(session: Session, *, year: int, date: DateLike | None = None, profile: str | Profile | None = None,
          dry_run: bool = False, expect: Sequence[Sequence[Any]] | None = None) -> ApplyResult:
    """Carry out the stored recommendations of ``year`` (idempotent); ``date`` is the rows' date.

    ``expect``: the ``plan_key`` of a plan the user confirmed; if the data changed
    since, nothing is written (:class:`PlanChanged`).
    """
    from laomo.domain.status import State

    plan = plan_apply(session, year=year, date=date, profile=profile)
    fields = {k: getattr(plan, k) for k in ("year", "date", "assessed", "actions", "skipped", "already_applied")}
    if dry_run:
        return ApplyResult(**fields, dry_run=True, written=0)
    if expect is not None and [tuple(k) for k in expect] != plan.plan_key:
        raise PlanChanged()
    before = states(session, None, {x.studio_id for x in plan.actions})
    rows = [x.row() for x in plan.actions]
    audits = [("designation", x.studio, state_json(before.get(x.studio_id) or State()),
               {**row_json(row), "source": f"award apply --year {plan.year}"})
              for x, row in zip(plan.actions, rows)]
    return ApplyResult(**fields, dry_run=False, written=write_designations(session, rows, audits))


def _assessed(session: Session, year: int) -> tuple[list[Assessed], set[int]]:
    """The year's assessment rows with a recommendation (by code), and the studios already applied."""
    from sqlalchemy import and_, select

    from laomo.models import Assessment, Designation, Studio

    conn = connection(session)
    a, s, d = Assessment.__table__, Studio.__table__, Designation.__table__
    rows = conn.execute(
        select(a.c.studio_id, s.c.code, s.c.name, a.c.grade, a.c.total, a.c.recommendation, a.c.reasons,
               a.c.standards, a.c.imported)
        .select_from(a.join(s, s.c.id == a.c.studio_id)).where(a.c.year == year).order_by(s.c.code)).all()
    runs = [r for r in rows if r.recommendation is not None]
    if not runs:
        raise NotAssessed(year, imported_only=bool(rows))
    done = {r.studio_id for r in conn.execute(
        select(d.c.studio_id).where(and_(predicates.in_force(d), d.c.year == year, d.c.action.in_(APPLY_ACTIONS),
                                         d.c.reason.startswith(marker(year), autoescape=True))).distinct())}
    return runs, done


class _Planner:
    """Turns each assessment row and the studio's state into planned actions or skips."""

    def __init__(self, year: int, day: dt.date, profile: Callable[[], Profile]):
        self.year, self.day = year, day
        self._profile = profile  # read only when a stored deadline is missing or has passed
        self._prof: Profile | None = None
        self.actions: list[PlannedAction] = []
        self.skipped: list[Skipped] = []

    def plan(self, r: Assessed, st: State) -> None:
        rec = r.recommendation
        if rec in ("revoke", "rectify", "warn"):
            self._recommended(r, st)
        elif rec == "none" and st.status in ("rectification", "warned"):
            self._restore(r, st)

    def _head(self, r: Assessed) -> str:
        return f"{marker(self.year)}{GRADE.label(r.grade)}（{whole(r.total)} 分）"

    def _add(self, r: Assessed, st: State, action: str, level: str | None, deadline: dt.date | None,
             reason: str) -> None:
        self.actions.append(PlannedAction(r.studio_id, r.code, r.name, self.year, self.day, st.status,
                                          r.recommendation, action, level, deadline, reason))

    def _skip(self, r: Assessed, reason: str) -> None:
        self.skipped.append(Skipped(r.code, r.name, r.recommendation, reason))

    def _recommended(self, r: Assessed, st: State) -> None:
        rec = r.recommendation
        if not st.active:
            self._skip(r, f"当前状态为{state_text(st)}，不执行{ACTION_TEXT[rec]}")
            return
        reason = f"{self._head(r)}：{'；'.join(r.reasons or [])}"[:1000]
        if rec == "revoke":
            for lv in reversed(st.levels_held):
                self._add(r, st, "revoke", lv, None, reason)
            return
        self._add(r, st, rec, st.level, self._deadline(r) if rec == "rectify" else None, reason)

    def _deadline(self, r: Assessed) -> dt.date | None:
        """The deadline the assessment stored, else the profile's; when that day is before the
        apply date, the apply date plus the profile's late period."""
        stored = (r.standards or {}).get("deadline")
        regular = dt.date.fromisoformat(stored) if stored else None
        if regular is not None and regular >= self.day:
            return regular  # in time: the profile is not needed
        if self._prof is None:
            self._prof = self._profile()
        return self._prof.rectify_deadline(self.year, applied=self.day, regular=regular)

    def _restore(self, r: Assessed, st: State) -> None:
        since = st.status_date
        what = "整改" if st.status == "rectification" else "通报"
        if since is not None and since > dt.date(self.year, 12, 31):
            self._skip(r, f"{what}始于 {since.isoformat()}，晚于 {self.year} 年度，"
                          f"{self.year} 年度考核不作为其后的考核，暂不恢复")
        elif st.status == "rectification" and st.deadline is not None and st.deadline > self.day:
            self._skip(r, f"整改期限 {st.deadline.isoformat()} 未到，暂不恢复")
        else:
            self._add(r, st, "restore", st.level, None, f"{self._head(r)}，无处理建议：恢复命名")
