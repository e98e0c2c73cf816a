"""The decisions a union office takes by hand: name, demonstrate, rectify, warn, revoke, close.

Each writes :class:`~laomo.models.Designation` rows (one per studio; a revocation one per
level) with their audit entries, in the caller's write transaction.  Every refusal is
raised *before* anything is written, so the transaction rolls back to nothing; an
invalid value or a missing reason is a :class:`~laomo.errors.UsageError`.

Decisions where the spec is silent
----------------------------------
* A decision is judged against the state on its date (the fold of the designations
  dated on or before it), so a back-dated decision is judged as of that day; a naming is
  also judged eligible as of its date.
* Naming several studios is all or none: every ineligible studio is listed with every
  failed condition.  Forcing (with a reason) overrides every condition except those that
  would make the row meaningless (see :mod:`laomo.award.eligibility`); a forced row keeps
  the reason, and its audit entry says ``forced``, the reason and the conditions overridden.
* Allowed from: rectify — named, warned; warn — named, rectification; revoke — any
  state holding a level (with ``level``: that level must be held); close — any state but
  closed.  Their year is the year of their date; ``rectify``'s default deadline is the
  profile's (30 June of the next year in henan-2015).
* Revoking without a level writes one revoke row per level held, each with its level
  (the import format requires a level for 摘牌, and revocation notices are per level).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.award.eligibility import Verdict, evaluate
from laomo.award.records import (
    AuditEntry,
    row_json,
    rules_profile,
    state_json,
    state_of,
    state_text,
    states,
    write_designations,
)
from laomo.award.values import (
    REASON_TEXT,
    DateLike,
    clean_text,
    decision_day,
    need_reason,
    parse_day,
    parse_level,
    parse_money,
    parse_year,
)
from laomo.enums import LEVEL
from laomo.errors import LaomoError, UsageError

if TYPE_CHECKING:
    from sqlmodel import Session

    from laomo.domain.status import State
    from laomo.domain.studios import StudioRef
    from laomo.rules import Profile


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class NamedStudio:
    studio: str
    name: str
    forced: bool
    overridden: tuple[str, ...]  # the failed conditions a forced naming overrode

    def to_json(self) -> dict[str, Any]:
        return {"studio": self.studio, "name": self.name, "forced": self.forced, "overridden": list(self.overridden)}


@dataclass(frozen=True)
class NamingResult:
    """What :func:`name` or :func:`demonstrate` wrote."""

    action: str  # "name" or "demonstrate"
    level: str
    year: int
    date: dt.date  # the naming's date, which is also the day eligibility was judged on
    batch: str | None
    doc: str | None
    amount: int | None
    profile: str
    written: int
    studios: tuple[NamedStudio, ...]

    @property
    def forced(self) -> bool:
        return any(s.forced for s in self.studios)

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "level": self.level, "year": self.year, "date": self.date.isoformat(),
                "batch": self.batch, "doc": self.doc, "amount": self.amount, "as_of": self.date.isoformat(),
                "profile": self.profile, "written": self.written, "studios": [s.to_json() for s in self.studios],
                "forced": self.forced}


@dataclass(frozen=True)
class TransitionResult:
    """What :func:`rectify`, :func:`warn`, :func:`revoke` or :func:`close` wrote, and the state after."""

    studio: str
    action: str
    date: dt.date
    year: int
    levels: tuple[str | None, ...]  # the level of each row written
    deadline: dt.date | None
    reason: str | None
    doc: str | None
    status_before: str
    status: str
    level: str | None  # the highest level held after

    def to_json(self) -> dict[str, Any]:
        return {"studio": self.studio, "action": self.action, "date": self.date.isoformat(), "year": self.year,
                "levels": list(self.levels), "deadline": self.deadline.isoformat() if self.deadline else None,
                "reason": self.reason, "doc": self.doc, "status_before": self.status_before, "status": self.status,
                "level": self.level}


# --------------------------------------------------------------------------- name, demonstrate


def name(session: Session, *, codes: Iterable[str], level: str, year: int, batch: str | None = None,
         doc: str | None = None, date: DateLike | None = None, amount: int | str | None = None,
         force: bool = False, reason: str | None = None, profile: str | Profile | None = None) -> NamingResult:
    """Name studios at ``level`` for ``year`` — all or none; refuses the ineligible with every reason.

    ``date`` (default today) is the naming's date and the day eligibility is judged on.
    """
    return _award(session, "name", codes=codes, level=level, year=year, batch=batch, doc=doc, date=date,
                  amount=amount, force=force, reason=reason, profile=profile)


def demonstrate(session: Session, *, codes: Iterable[str], level: str, year: int, batch: str | None = None,
                doc: str | None = None, date: DateLike | None = None, amount: int | str | None = None,
                force: bool = False, reason: str | None = None,
                profile: str | Profile | None = None) -> NamingResult:
    """Make studios demonstrative (示范性) at ``level`` — all or none, like :func:`name`."""
    return _award(session, "demonstrate", codes=codes, level=level, year=year, batch=batch, doc=doc, date=date,
                  amount=amount, force=force, reason=reason, profile=profile)


def _award(session: Session, action: str, *, codes: Iterable[str], level: str, year: int, batch: str | None,
           doc: str | None, date: DateLike | None, amount: int | str | None, force: bool, reason: str | None,
           profile: str | Profile | None) -> NamingResult:
    from laomo.domain.studios import find

    level = parse_level(level)
    year = parse_year(year)
    day = decision_day(date)
    batch = clean_text(batch, label="批次", option="batch")
    doc = clean_text(doc, label="文号", option="doc")
    money = parse_money(amount)
    reason = clean_text(reason, label="理由", option="reason", max_len=REASON_TEXT)
    if force and not reason:
        raise UsageError("强制办理时必须写明理由（将记入操作日志）", option="reason")
    studios = find(session, codes, required=True)
    prof = rules_profile(session, profile)
    demonstrative = action == "demonstrate"
    label = LEVEL.label(level) + ("示范性工作室" if demonstrative else "工作室")
    verdicts = evaluate(session, prof, level=level, demonstrative=demonstrative, as_of=day,
                        ids=[s.id for s in studios])
    by_id = {v.studio_id: v for v in verdicts}
    ordered = [by_id[s.id] for s in studios]
    _refuse(ordered, f"命名为{label}的", force)
    before = states(session, day, [s.id for s in studios])
    common = {"action": action, "level": level, "year": year, "date": day, "batch": batch, "doc": doc,
              "amount": money, "reason": reason}
    rows = [{"studio_id": v.studio_id, **common} for v in ordered]
    audits = [_naming_audit(v, row, before.get(v.studio_id), day, prof.name, reason)
              for v, row in zip(ordered, rows)]
    written = write_designations(session, rows, audits)
    return NamingResult(action=action, level=level, year=year, date=day, batch=batch, doc=doc, amount=money,
                        profile=prof.name, written=written,
                        studios=tuple(NamedStudio(v.code, v.name, bool(v.reasons), v.reasons) for v in ordered))


def _naming_audit(v: Verdict, row: dict[str, Any], before: State | None, day: dt.date, profile: str,
                  reason: str | None) -> AuditEntry:
    from laomo.domain.status import State

    after = {**row_json(row), "as_of": day.isoformat(), "profile": profile}
    if v.reasons:
        after.update(forced=True, force_reason=reason, overridden=list(v.reasons))
    return ("designation", v.code, state_json(before or State()), after)


def _refuse(verdicts: Sequence[Verdict], what: str, force: bool) -> None:
    """Refuse (before writing anything) when a studio fails a condition that is not overridden."""
    bad = [v for v in verdicts if (v.fixed if force else v.reasons)]
    if not bad:
        return
    lines = [f"{v.code} {v.name}：{r}" for v in bad for r in (v.fixed if force else v.reasons)]
    if force or all(v.fixed for v in bad):
        hint = "（这些情形即使强制办理也不能办理）"
    elif any(v.fixed for v in bad):
        hint = "（其中部分情形即使强制办理也不能办理；其余确需办理的，请强制办理并写明理由）"
    else:
        hint = "；确需办理请强制办理并写明理由（将记入操作日志）"
    codes = "、".join(v.code for v in bad)
    forcible = not (force or all(v.fixed for v in bad))  # naming the override only where it can help
    raise LaomoError(f"{len(bad)} 个工作室（{codes}）不符合{what}条件，未作任何改动{hint}", lines=lines,
                     option="force" if forcible else None)


# --------------------------------------------------------------------------- single-studio transitions


def rectify(session: Session, *, code: str, reason: str | None, deadline: DateLike | None = None,
            doc: str | None = None, date: DateLike | None = None,
            profile: str | Profile | None = None) -> TransitionResult:
    """限期整改 a named (or warned) studio; the deadline defaults to the profile's (30 June next year)."""
    why, day, doc = _common(reason, date, doc)
    limit = parse_day(deadline, label="整改期限", option="deadline")
    s, st = _one(session, code, day)
    if st.status == "rectification":
        raise _refuse_state(s, st, "再次限期整改", "已在限期整改中")
    if st.status not in ("named", "warned"):
        raise _refuse_state(s, st, "限期整改", {"registered": "尚未命名", "revoked": "已摘牌",
                                               "closed": "已撤销"}.get(st.status, ""))
    if limit is None:
        limit = rules_profile(session, profile).rectify_deadline(day.year, applied=day)
        if limit is None:
            raise UsageError("所用规则没有规定整改期限，请指定整改期限", option="deadline")
    if limit <= day:
        raise UsageError(f"整改期限 {limit.isoformat()} 应晚于处理日期 {day.isoformat()}", option="deadline")
    row = {"studio_id": s.id, "action": "rectify", "level": st.level, "year": day.year, "date": day,
           "doc": doc, "reason": why, "deadline": limit}
    return _transition(session, s, "rectify", [row], st)


def warn(session: Session, *, code: str, reason: str | None, doc: str | None = None,
         date: DateLike | None = None) -> TransitionResult:
    """通报 a named studio (or one in rectification)."""
    why, day, doc = _common(reason, date, doc)
    s, st = _one(session, code, day)
    if st.status not in ("named", "rectification"):
        cause = {"registered": "尚未命名", "warned": "已被通报", "revoked": "已摘牌", "closed": "已撤销"}.get(st.status, "")
        raise _refuse_state(s, st, "再次通报" if st.status == "warned" else "通报", cause)
    row = {"studio_id": s.id, "action": "warn", "level": st.level, "year": day.year, "date": day,
           "doc": doc, "reason": why}
    return _transition(session, s, "warn", [row], st)


def revoke(session: Session, *, code: str, reason: str | None, doc: str | None = None,
           date: DateLike | None = None, level: str | None = None) -> TransitionResult:
    """摘牌: remove ``level`` (default: every level held); revoked when no level is left."""
    why, day, doc = _common(reason, date, doc)
    lv = parse_level(level) if level not in (None, "") else None
    s, st = _one(session, code, day)
    if st.status == "closed":
        raise _refuse_state(s, st, "摘牌", "已撤销")
    if st.status == "revoked" or not st.named_since:
        raise _refuse_state(s, st, "摘牌", "已摘牌" if st.status == "revoked" else "未持有任何命名")
    if lv is not None and lv not in st.named_since:
        raise _refuse_state(s, st, f"摘去{LEVEL.label(lv)}的牌", f"未持有{LEVEL.label(lv)}命名")
    levels = [lv] if lv else list(reversed(st.levels_held))
    rows = [{"studio_id": s.id, "action": "revoke", "level": x, "year": day.year, "date": day, "doc": doc,
             "reason": why} for x in levels]
    return _transition(session, s, "revoke", rows, st)


def close(session: Session, *, code: str, reason: str | None, date: DateLike | None = None,
          doc: str | None = None) -> TransitionResult:
    """撤销 a studio (enterprise closed, leader left): from any state but closed."""
    why, day, doc = _common(reason, date, doc)
    s, st = _one(session, code, day)
    if st.status == "closed":
        raise _refuse_state(s, st, "重复撤销", "已撤销")
    row = {"studio_id": s.id, "action": "close", "level": st.level, "year": day.year, "date": day,
           "doc": doc, "reason": why}
    return _transition(session, s, "close", [row], st)


def _common(reason: str | None, date: DateLike | None, doc: str | None) -> tuple[str, dt.date, str | None]:
    """The reason, date (default today) and document number every transition takes."""
    why = need_reason(reason)
    day = decision_day(date)
    return why, day, clean_text(doc, label="文号", option="doc")


def _one(session: Session, code: str, as_of: dt.date) -> tuple[StudioRef, State]:
    from laomo.domain.studios import find_one

    s = find_one(session, code)
    return s, state_of(session, s.id, as_of)


def _refuse_state(s: StudioRef, state: State, what: str, why: str) -> LaomoError:
    return LaomoError(f"{s.code} {s.name}{why}，不能{what}（当前状态：{state_text(state)}）")


def _transition(session: Session, s: StudioRef, action: str, rows: list[dict[str, Any]],
                before: State) -> TransitionResult:
    audits = [("designation", s.code, state_json(before), row_json(r)) for r in rows]
    write_designations(session, rows, audits)
    first = rows[0]
    after = state_of(session, s.id, None)
    return TransitionResult(studio=s.code, action=action, date=first["date"], year=first["year"],
                            levels=tuple(r.get("level") for r in rows), deadline=first.get("deadline"),
                            reason=first.get("reason"), doc=first.get("doc"), status_before=before.status,
                            status=after.status, level=after.level)
