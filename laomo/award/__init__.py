"""命名与动态管理（核心逻辑，不依赖 Typer/Rich）：候选名单、命名、示范性、整改、通报、摘牌、撤销、执行考核建议、历史。

Functions take a SQLModel session whose transaction the caller owns
(``laomo.store.db.write_session`` for the functions that write, ``read_session``
for :func:`candidates` and :func:`history`) and return plain dicts shaped
like the JSON of cli.md, so the CLI only renders them.  Every refusal is a
:class:`~laomo.errors.LaomoError` raised *before* anything is written, so the
caller's transaction rolls back to nothing (exit 1); an invalid value (level,
date, amount, year, a missing reason) is a usage error (exit 2).

Every transition is a new :class:`~laomo.models.Designation` row with an
audit entry (who: the OS user, recorded by :mod:`laomo.store.audit`, and the
``operator`` column; why: the reason); the status is always derived from the
rows by :mod:`laomo.domain.status`.

Where every threshold lives
---------------------------
Eligibility reads the ``[naming]`` section of the rules profile (``entry_levels``,
``climb_years``, ``blocking_statuses``, ``blocking_grades``,
``significant_benefit`` and the ``[[naming.demonstrative]]`` checks), the
profile's standards and its leader ladder; the facts come from
:func:`laomo.facts.compute_facts` and :func:`laomo.facts.add_naming_facts`, as
of the check date (``as_of``, default today; for ``name``/``demonstrate`` the
naming date).  Nothing here hard-codes a threshold.

Decisions where the spec is silent
----------------------------------
* The state used for eligibility and for refusing a transition is the fold of
  the designations dated on or before the check date (for a transition: its
  date), so a back-dated action is judged against the state on that day.
* ``candidates`` lists every studio: eligible ones, and ineligible ones with
  every failed condition, in the order standards, leader ladder, current
  state, latest grade, time at a lower level (demonstrative: the
  ``[[naming.demonstrative]]`` checks instead of the last).
* Demonstrative at L asks for a naming at L held on the check date, not yet
  demonstrative at L, plus the naming conditions that still make sense for a
  named studio (standards, ladder for L, blocking status, latest grade) and
  every ``[[naming.demonstrative]]`` check.  "Named at L for ≥ 3 years" and the
  climb use complete years: a naming dated on or before the same day N years
  before the check date.  "The last 2 complete years" are Y−1 and Y−2 for a
  check date in year Y.
* ``--force --reason`` overrides every eligibility condition except those that
  would make the row meaningless: naming at a level already held (by a studio
  neither revoked nor closed), and demonstrating a studio that does not hold
  the level or is already demonstrative at it.  A forced row keeps the reason
  in its ``reason`` column; the audit entry says ``forced``, the reason and the
  conditions overridden.
* Manual transitions (allowed from): rectify — named, warned; warn — named,
  rectification; revoke — any state holding a level (with ``level``: that
  level must be held); close — any state but closed.  Their year is the year
  of their date; ``rectify``'s default deadline is the profile's (30 June of
  the next year in henan-2015).
* Revoking without a level writes one revoke row per level held (each with
  its level: the import format requires a level for 摘牌, and revocation
  notices are per level).  ``award apply`` revokes every level held.
* ``award apply`` records each recommendation of year Y as a designation dated
  the apply date (default today), year Y, reason "Y年度考核…" (this prefix is
  the marker that makes apply idempotent: a studio that already has a
  revoke/rectify/warn/restore row of year Y with that reason is skipped).
  rectify — also for a studio already in rectification (the new deadline
  replaces the old; the 通报 that goes with rectification is part of the same
  row, not a separate warn row); warn — also for a warned studio (each year's
  通报 is its own decision); revoke/rectify/warn are skipped, with a note, for a
  studio not holding a naming (revoked, closed).  A studio in rectification or
  warned whose assessment for Y recommends nothing is restored when the
  rectification/warning is dated on or before 31 December of Y (so Y's
  assessment came after it) and, for a rectification, its deadline has passed
  by the apply date; otherwise it is listed as skipped with the reason.
  Imported assessment rows carry no recommendation and are not applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from laomo.enums import GRADE, LEVEL, STATUS
from laomo.errors import LaomoError, NotFound
from laomo.rules.engine import engine_for

#: Actions that ``apply`` writes; with the reason prefix of :func:`_marker` they make it idempotent.
APPLY_ACTIONS = ("revoke", "rectify", "warn", "restore")
ACTION_TEXT = {"name": "命名", "demonstrate": "命名示范性", "rectify": "限期整改", "warn": "通报",
               "restore": "恢复命名", "revoke": "摘牌", "close": "撤销"}


# --------------------------------------------------------------------------- input values


def _usage(message: str) -> LaomoError:
    return LaomoError(message, exit_code=2)


def parse_level(value: Any) -> str:
    """A level in Chinese or English → its English value; a usage error otherwise."""
    text = "" if value is None else str(value)
    level = LEVEL.parse(text) if text.strip() else None
    if level is None:
        raise _usage(f"级别「{text}」无效，应为 {LEVEL.choices_text()}（或 {' '.join(LEVEL.values)}）")
    return level


def _date(value: Any, option: str) -> dt.date | None:
    from laomo.ledger.values import Invalid, parse_date

    if value is None or value == "":
        return None
    try:
        return parse_date(value)
    except Invalid as exc:
        raise _usage(f"{option}「{value}」无效：{exc}") from None


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise _usage(f"年度「{value}」无效，应为 4 位数字") from None
    if not 1900 <= year <= 2200:
        raise _usage(f"年度 {year} 超出范围 1900–2200")
    return year


def _amount(value: Any) -> int | None:
    from laomo.ledger.values import Invalid, parse_amount

    if value is None or value == "":
        return None
    try:
        return parse_amount(value)
    except Invalid as exc:
        raise _usage(f"--amount「{value}」无效：{exc}") from None


def _text(value: Any, option: str, max_len: int) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > max_len:
        raise _usage(f"{option} 过长（{len(text)} 个字符，最多 {max_len} 个）")
    return text


def _reason(value: Any, what: str = "--reason") -> str:
    text = _text(value, what, 1000)
    if not text:
        raise _usage(f"必须用 {what} 说明原因")
    return text


def _today() -> dt.date:
    return dt.date.today()


# --------------------------------------------------------------------------- studios, profile, states


@dataclass
class _Studio:
    id: int
    code: str
    name: str


def _conn(session):  # type: ignore[no-untyped-def]
    return session.connection()


def _studios(session, codes: Iterable[str]) -> list[_Studio]:  # type: ignore[no-untyped-def]
    """The studios of ``codes`` in the order given (duplicates dropped); NotFound names every unknown code."""
    from sqlalchemy import select

    from laomo.models import Studio

    wanted = list(dict.fromkeys(c.strip() for c in codes if c and c.strip()))
    if not wanted:
        raise _usage("请给出至少一个工作室编号")
    t = Studio.__table__
    found: dict[str, _Studio] = {}
    for i in range(0, len(wanted), 500):
        for r in _conn(session).execute(select(t.c.id, t.c.code, t.c.name).where(t.c.code.in_(wanted[i:i + 500]))):
            found[r.code] = _Studio(r.id, r.code, r.name)
    missing = [c for c in wanted if c not in found]
    if missing:
        raise NotFound(f"没有编号为 {'、'.join(missing)} 的工作室")
    return [found[c] for c in wanted]


def _profile(session, profile: Any):  # type: ignore[no-untyped-def]
    from laomo.assess import resolve_profile

    return resolve_profile(session, profile)


def _naming_of(prof):  # type: ignore[no-untyped-def]
    if prof.naming is None:
        raise LaomoError(f"规则 {prof.name} 没有命名条件（[naming] 部分），无法判断命名资格；"
                         "请在规则文件中加上 [naming]，或使用继承 henan-2015 的规则")
    return prof.naming


#: The most studio ids passed to one ``IN (…)``; above it, every studio is read and the rest ignored.
_MAX_IN = 500


def _states(session, as_of: dt.date | None, ids: Iterable[int] | None = None):  # type: ignore[no-untyped-def]
    from laomo.domain.status import studio_states

    if ids is not None:
        ids = list(ids)
        if len(ids) > _MAX_IN:
            ids = None
    return studio_states(_conn(session), as_of=as_of, studio_ids=ids)


def _state_of(session, studio_id: int, as_of: dt.date | None = None):  # type: ignore[no-untyped-def]
    from laomo.domain.status import State

    return _states(session, as_of, [studio_id]).get(studio_id) or State()


def _state_text(state) -> str:  # type: ignore[no-untyped-def]
    text = STATUS.label(state.status)
    if state.status == "rectification" and state.deadline:
        text += f"（整改期限 {state.deadline.isoformat()}）"
    held = "、".join(LEVEL.label(lv) for lv in state.levels_held)
    if held and state.status not in ("revoked",):
        text += f"，持有{held}命名"
    return text


def _state_json(state) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {"status": state.status, "level": state.level, "levels_held": state.levels_held,
            "demonstrative_levels": sorted(state.demonstrative_levels, key=LEVEL.rank),
            "deadline": state.deadline.isoformat() if state.deadline else None}


# --------------------------------------------------------------------------- eligibility


@dataclass
class Verdict:
    """One studio considered for a naming (or a demonstrative title) at a level."""

    studio_id: int
    code: str
    name: str
    reasons: list[str] = field(default_factory=list)  # every failed condition, in order
    fixed: list[str] = field(default_factory=list)    # the ones --force cannot override

    @property
    def eligible(self) -> bool:
        return not self.reasons


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _evaluate(session, prof, level: str, demonstrative: bool, as_of: dt.date,  # type: ignore[no-untyped-def]
              ids: Sequence[int] | None = None) -> list[Verdict]:
    """Every studio (or ``ids``) judged for ``level`` as of ``as_of``, sorted by code."""
    from laomo.domain.status import State
    from laomo.facts import add_naming_facts, compute_facts

    naming = _naming_of(prof)
    engine = engine_for(prof)
    conn = _conn(session)
    wanted = None if ids is None else set(ids)
    if ids is not None and len(ids) > _MAX_IN:  # too many for an IN list: compute for all, keep those wanted
        ids = None
    facts = compute_facts(conn, as_of=as_of, studio_ids=ids)
    if wanted is not None and ids is None:
        facts = {sid: f for sid, f in facts.items() if sid in wanted}
    add_naming_facts(conn, facts, as_of, significant_benefit=naming.significant_benefit, studio_ids=ids)
    states = _states(session, as_of, ids)
    label = LEVEL.label(level)
    rank = LEVEL.rank(level)
    out = []
    for sid, f in sorted(facts.items(), key=lambda kv: kv[1]["code"]):
        engine.derive(f)
        engine.derive_naming(f, level)
        st = states.get(sid) or State()
        v = Verdict(sid, f["code"], f["name"])
        reasons, fixed = v.reasons, v.fixed
        # 1. the creation standards (and the common checks L, F)
        checks = engine.check(f)
        reasons += [f"未通过 {t}" for t in engine.failure_texts(f, checks)]
        # 2. the leader ladder
        if not f.get(f"leader_qualifies_{level}"):
            why = "；".join(engine.ladder_failures(f, level))
            reasons.append(f"领衔人不符合{label}工作室的条件" + (f"：{why}" if why else ""))
        # 3. the current state
        if st.status in naming.blocking_statuses:
            reasons.append(f"当前状态为{_state_text(st)}")
        active = st.status not in ("revoked", "closed")
        if demonstrative:
            if not (active and level in st.named_since):
                text = f"未持有{label}命名，不能命名为{label}示范性工作室"
                reasons.append(text)
                fixed.append(text)
            elif level in st.demonstrative_levels:
                text = f"已是{label}示范性工作室"
                reasons.append(text)
                fixed.append(text)
        elif active and st.level is not None and LEVEL.rank(st.level) >= rank:
            if level in st.named_since:
                text = f"已是{label}工作室（{st.named_since[level].isoformat()} 命名）"
                reasons.append(text)
                fixed.append(text)
            else:
                top = st.level
                reasons.append(f"已获{LEVEL.label(top)}命名（{st.named_since[top].isoformat()}），"
                               f"不再命名为较低的{label}")
        # 4. the latest stored grade
        grade = f.get("latest_grade")
        if grade is not None and grade in naming.blocking_grades:
            year = f.get("latest_grade_year")
            reasons.append(f"最近一次考核（{year} 年度）为{GRADE.label(grade)}" if year
                           else f"最近一次考核为{GRADE.label(grade)}")
        # 5. time at a lower level / the demonstrative conditions
        if demonstrative:
            results = engine.demonstrative_check(f)
            reasons += [f"未满足示范性条件 {t}" for t in engine.demonstrative_failures(f, results)]
        elif level not in naming.entry_levels:
            need = naming.climb_years
            lower = {lv: d for lv, d in st.named_since.items() if LEVEL.rank(lv) < rank} if active else {}
            cutoff = _years_before(as_of, need)
            if not lower:
                reasons.append(f"未持有较低级别的命名（{label}不是起步级别，须先在较低级别命名"
                               + (f"满 {need} 年）" if need else "）"))
            elif min(lower.values()) > cutoff:
                lv, d = min(lower.items(), key=lambda kv: kv[1])
                reasons.append(f"在较低级别命名未满 {need} 年（{LEVEL.label(lv)} {d.isoformat()} 命名，"
                               f"须不晚于 {cutoff.isoformat()}）")
        out.append(v)
    return out


def candidates(session, level: str, demonstrative: bool = False, as_of: Any = None,  # type: ignore[no-untyped-def]
               profile: Any = None) -> dict[str, Any]:
    """Who may be named at ``level`` (or made demonstrative there) as of ``as_of`` (default today)."""
    level = parse_level(level)
    day = _date(as_of, "--as-of") or _today()
    prof = _profile(session, profile)
    verdicts = _evaluate(session, prof, level, demonstrative, day)
    return {
        "level": level, "demonstrative": bool(demonstrative), "as_of": day.isoformat(),
        "profile": prof.name, "profile_hash": prof.hash,
        "candidates": [{"studio": v.code, "name": v.name} for v in verdicts if v.eligible],
        "ineligible": [{"studio": v.code, "name": v.name, "reasons": v.reasons} for v in verdicts if not v.eligible],
    }


# --------------------------------------------------------------------------- writing designations


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write(session, rows: list[dict[str, Any]], audits: list[tuple[str, str, Any, Any]]) -> int:  # type: ignore[no-untyped-def]
    """Insert designation rows and their audit entries in the caller's transaction."""
    from sqlalchemy import insert

    from laomo.models import Designation
    from laomo.store import audit

    if not rows:
        return 0
    conn = _conn(session)
    now, user = _now(), audit.os_user()
    full = [{"level": None, "batch": None, "doc": None, "amount": None, "reason": None, "deadline": None,
             **r, "operator": user, "created_at": now} for r in rows]
    for i in range(0, len(full), 1000):
        conn.execute(insert(Designation.__table__), full[i:i + 1000])
    audit.record_many(conn, audits)
    return len(full)


def _row_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items() if k != "studio_id"}


def _refuse(verdicts: list[Verdict], what: str, force: bool) -> None:
    bad = [v for v in verdicts if (v.fixed if force else v.reasons)]
    if not bad:
        return
    lines = [f"{v.code} {v.name}：{r}" for v in bad for r in (v.fixed if force else v.reasons)]
    if force or all(v.fixed for v in bad):
        hint = "（这些情形即使 --force 也不能办理）"
    elif any(v.fixed for v in bad):
        hint = "（其中部分情形即使 --force 也不能办理；其余确需办理的，请加 --force --reason \"理由\"）"
    else:
        hint = "；确需办理请加 --force --reason \"理由\"（将记入操作日志）"
    codes = "、".join(v.code for v in bad)
    raise LaomoError(f"{len(bad)} 个工作室（{codes}）不符合{what}条件，未作任何改动{hint}", lines=lines)


def _award(session, action: str, codes: Iterable[str], level: Any, year: Any, *, batch: Any = None,  # type: ignore[no-untyped-def]
           doc: Any = None, date: Any = None, amount: Any = None, force: bool = False, reason: Any = None,
           as_of: Any = None, profile: Any = None) -> dict[str, Any]:
    demonstrative = action == "demonstrate"
    level = parse_level(level)
    year = _year(year)
    day = _date(date, "--date")
    check_day = _date(as_of, "as_of") or day or _today()
    day = day or check_day
    batch, doc = _text(batch, "--batch", 100), _text(doc, "--doc", 100)
    amount = _amount(amount)
    reason = _text(reason, "--reason", 1000)
    if force and not reason:
        raise _usage("使用 --force 时必须用 --reason 说明理由（将记入操作日志）")
    studios = _studios(session, codes)
    prof = _profile(session, profile)
    label = LEVEL.label(level) + ("示范性工作室" if demonstrative else "工作室")
    verdicts = _evaluate(session, prof, level, demonstrative, check_day, [s.id for s in studios])
    by_id = {v.studio_id: v for v in verdicts}
    ordered = [by_id[s.id] for s in studios]
    _refuse(ordered, f"命名为{label}的", force)
    states = _states(session, day, [s.id for s in studios])
    rows, audits, done = [], [], []
    from laomo.domain.status import State

    for v in ordered:
        row = {"studio_id": v.studio_id, "action": action, "level": level, "year": year, "date": day,
               "batch": batch, "doc": doc, "amount": amount, "reason": reason}
        rows.append(row)
        forced = bool(v.reasons)
        after = {**_row_json(row), "as_of": check_day.isoformat(), "profile": prof.name}
        if forced:
            after.update(forced=True, force_reason=reason, overridden=v.reasons)
        audits.append(("designation", v.code, _state_json(states.get(v.studio_id) or State()), after))
        done.append({"studio": v.code, "name": v.name, "forced": forced, "overridden": v.reasons})
    written = _write(session, rows, audits)
    return {"action": action, "level": level, "year": year, "date": day.isoformat(), "batch": batch, "doc": doc,
            "amount": amount, "as_of": check_day.isoformat(), "profile": prof.name, "written": written,
            "studios": done, "forced": any(d["forced"] for d in done)}


def name(session, codes: Iterable[str], level: Any, year: Any, batch: Any = None, doc: Any = None,  # type: ignore[no-untyped-def]
         date: Any = None, amount: Any = None, force: bool = False, reason: Any = None, as_of: Any = None,
         profile: Any = None) -> dict[str, Any]:
    """Name studios at ``level`` for ``year`` — all or none; refuses the ineligible with every reason.

    ``date`` (default ``as_of``, else today) is the naming's date; eligibility is
    judged as of ``as_of`` (default the naming date).
    """
    return _award(session, "name", codes, level, year, batch=batch, doc=doc, date=date, amount=amount,
                  force=force, reason=reason, as_of=as_of, profile=profile)


def demonstrate(session, codes: Iterable[str], level: Any, year: Any, doc: Any = None, date: Any = None,  # type: ignore[no-untyped-def]
                force: bool = False, reason: Any = None, as_of: Any = None, profile: Any = None,
                batch: Any = None, amount: Any = None) -> dict[str, Any]:
    """Make studios demonstrative (示范性) at ``level`` — all or none, like :func:`name`."""
    return _award(session, "demonstrate", codes, level, year, batch=batch, doc=doc, date=date, amount=amount,
                  force=force, reason=reason, as_of=as_of, profile=profile)


# --------------------------------------------------------------------------- single-studio transitions


def _transition(session, code: str, action: str, rows: list[dict[str, Any]], state) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    studio_id = rows[0]["studio_id"]
    audits = [("designation", code, _state_json(state), _row_json(r)) for r in rows]
    _write(session, rows, audits)
    day = rows[0]["date"]
    after = _state_of(session, studio_id, None)
    return {"studio": code, "action": action, "date": day.isoformat(), "year": rows[0]["year"],
            "levels": [r.get("level") for r in rows],
            "deadline": rows[0]["deadline"].isoformat() if rows[0].get("deadline") else None,
            "reason": rows[0].get("reason"), "doc": rows[0].get("doc"),
            "status_before": state.status, "status": after.status, "level": after.level}


def _one(session, code: str, as_of: dt.date):  # type: ignore[no-untyped-def]
    (s,) = _studios(session, [code])
    return s, _state_of(session, s.id, as_of)


def _refuse_state(s: _Studio, state, what: str, why: str) -> LaomoError:  # type: ignore[no-untyped-def]
    return LaomoError(f"{s.code} {s.name}{why}，不能{what}（当前状态：{_state_text(state)}）")


def rectify(session, code: str, reason: Any, deadline: Any = None, doc: Any = None, date: Any = None,  # type: ignore[no-untyped-def]
            profile: Any = None) -> dict[str, Any]:
    """限期整改 a named (or warned) studio; the deadline defaults to the profile's (30 June next year)."""
    reason = _reason(reason)
    day = _date(date, "--date") or _today()
    limit = _date(deadline, "--deadline")
    doc = _text(doc, "--doc", 100)
    s, st = _one(session, code, day)
    if st.status == "rectification":
        raise _refuse_state(s, st, "再次限期整改", "已在限期整改中")
    if st.status not in ("named", "warned"):
        raise _refuse_state(s, st, "限期整改", {"registered": "尚未命名", "revoked": "已摘牌",
                                               "closed": "已撤销"}.get(st.status, ""))
    if limit is None:
        limit = _profile(session, profile).rectify_deadline(day.year)
        if limit is None:
            raise _usage("所用规则没有规定整改期限，请用 --deadline 指定")
    if limit <= day:
        raise _usage(f"整改期限 {limit.isoformat()} 应晚于处理日期 {day.isoformat()}")
    row = {"studio_id": s.id, "action": "rectify", "level": st.level, "year": day.year, "date": day,
           "doc": doc, "reason": reason, "deadline": limit}
    return _transition(session, s.code, "rectify", [row], st)


def warn(session, code: str, reason: Any, doc: Any = None, date: Any = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """通报 a named studio (or one in rectification)."""
    reason = _reason(reason)
    day = _date(date, "--date") or _today()
    doc = _text(doc, "--doc", 100)
    s, st = _one(session, code, day)
    if st.status not in ("named", "rectification"):
        why = {"registered": "尚未命名", "warned": "已被通报", "revoked": "已摘牌", "closed": "已撤销"}.get(st.status, "")
        raise _refuse_state(s, st, "再次通报" if st.status == "warned" else "通报", why)
    row = {"studio_id": s.id, "action": "warn", "level": st.level, "year": day.year, "date": day,
           "doc": doc, "reason": reason}
    return _transition(session, s.code, "warn", [row], st)


def revoke(session, code: str, reason: Any, doc: Any = None, date: Any = None,  # type: ignore[no-untyped-def]
           level: Any = None) -> dict[str, Any]:
    """摘牌: remove ``level`` (default: every level held); revoked when no level is left."""
    reason = _reason(reason)
    day = _date(date, "--date") or _today()
    doc = _text(doc, "--doc", 100)
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
             "reason": reason} for x in levels]
    return _transition(session, s.code, "revoke", rows, st)


def close(session, code: str, reason: Any, date: Any = None, doc: Any = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """撤销 a studio (enterprise closed, leader left): from any state but closed."""
    reason = _reason(reason)
    day = _date(date, "--date") or _today()
    doc = _text(doc, "--doc", 100)
    s, st = _one(session, code, day)
    if st.status == "closed":
        raise _refuse_state(s, st, "重复撤销", "已撤销")
    row = {"studio_id": s.id, "action": "close", "level": st.level, "year": day.year, "date": day,
           "doc": doc, "reason": reason}
    return _transition(session, s.code, "close", [row], st)


# --------------------------------------------------------------------------- apply the year's recommendations


def _marker(year: int) -> str:
    return f"{year}年度考核"


def _num(x: Any) -> Any:
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def plan_apply(session, year: Any, as_of: Any = None, profile: Any = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """What :func:`apply` would write (nothing is written)."""
    from sqlalchemy import and_, select

    from laomo.domain.status import State
    from laomo.models import Assessment, Designation, Studio

    year = _year(year)
    day = _date(as_of, "--date") or _today()
    conn = _conn(session)
    a, s, d = Assessment.__table__, Studio.__table__, Designation.__table__
    rows = conn.execute(
        select(a.c.studio_id, s.c.code, s.c.name, a.c.grade, a.c.total, a.c.recommendation, a.c.reasons,
               a.c.standards, a.c.imported)
        .select_from(a.join(s, s.c.id == a.c.studio_id)).where(a.c.year == year).order_by(s.c.code)).all()
    runs = [r for r in rows if r.recommendation is not None]
    if not runs:
        raise LaomoError(f"{year} 年度没有考核结果" + ("（只有导入的历史等级，没有处理建议）" if rows else "")
                         + f"，请先运行 laomo assess run --year {year}")
    marker = _marker(year)
    done = {r.studio_id for r in conn.execute(
        select(d.c.studio_id).where(and_(d.c.year == year, d.c.action.in_(APPLY_ACTIONS),
                                         d.c.reason.startswith(marker, autoescape=True))).distinct())}
    states = _states(session, day, [r.studio_id for r in runs])
    year_end = dt.date(year, 12, 31)
    prof = None
    actions: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    already: list[str] = []
    for r in runs:
        if r.studio_id in done:
            already.append(r.code)
            continue
        st = states.get(r.studio_id) or State()
        rec = r.recommendation
        head = f"{marker}{GRADE.label(r.grade)}（{_num(r.total)} 分）"
        base = {"studio_id": r.studio_id, "studio": r.code, "name": r.name, "year": year, "date": day,
                "status": st.status, "recommendation": rec}
        if rec in ("revoke", "rectify", "warn"):
            if not st.active:
                skipped.append({"studio": r.code, "name": r.name, "recommendation": rec,
                                "reason": f"当前状态为{_state_text(st)}，不执行{ACTION_TEXT[rec]}"})
                continue
            reason = f"{head}：{'；'.join(r.reasons or [])}"[:1000]
            if rec == "revoke":
                for lv in reversed(st.levels_held):
                    actions.append({**base, "action": "revoke", "level": lv, "deadline": None, "reason": reason})
                continue
            deadline = None
            if rec == "rectify":
                stored = (r.standards or {}).get("deadline")
                if stored:
                    deadline = dt.date.fromisoformat(stored)
                else:
                    prof = prof or _profile(session, profile)
                    deadline = prof.rectify_deadline(year)
            actions.append({**base, "action": rec, "level": st.level, "deadline": deadline, "reason": reason})
        elif rec == "none" and st.status in ("rectification", "warned"):
            since = st.status_date
            what = "整改" if st.status == "rectification" else "通报"
            if since is not None and since > year_end:
                skipped.append({"studio": r.code, "name": r.name, "recommendation": rec,
                                "reason": f"{what}始于 {since.isoformat()}，晚于 {year} 年度，"
                                          f"{year} 年度考核不作为其后的考核，暂不恢复"})
                continue
            if st.status == "rectification" and st.deadline is not None and st.deadline > day:
                skipped.append({"studio": r.code, "name": r.name, "recommendation": rec,
                                "reason": f"整改期限 {st.deadline.isoformat()} 未到，暂不恢复"})
                continue
            actions.append({**base, "action": "restore", "level": st.level, "deadline": None,
                            "reason": f"{head}，无处理建议：恢复命名"})
    by_action: dict[str, int] = {}
    for x in actions:
        by_action[x["action"]] = by_action.get(x["action"], 0) + 1
    return {"year": year, "date": day.isoformat(), "assessed": len(runs), "actions": actions,
            "by_action": by_action, "skipped": skipped, "already_applied": already}


def _plan_key(plan: Mapping[str, Any]) -> list[tuple[Any, ...]]:
    return [(x["studio"], x["action"], x["level"]) for x in plan["actions"]]


def apply(session, year: Any, as_of: Any = None, profile: Any = None, dry_run: bool = False,  # type: ignore[no-untyped-def]
          expect: Sequence[tuple[Any, ...]] | None = None) -> dict[str, Any]:
    """Carry out the stored recommendations of ``year`` (idempotent); ``as_of`` is the rows' date.

    ``expect``: the ``plan_key`` of a plan the user confirmed; if the data changed
    since, nothing is written and the user is asked to run again.
    """
    plan = plan_apply(session, year, as_of, profile)
    key = _plan_key(plan)
    plan["plan_key"] = key
    if dry_run:
        plan.update(dry_run=True, written=0)
        return _plan_json(plan)
    if expect is not None and [tuple(k) for k in expect] != key:
        raise LaomoError("确认期间数据已发生变化，未作任何改动；请重新执行 laomo award apply")
    states = _states(session, None, {x["studio_id"] for x in plan["actions"]})
    from laomo.domain.status import State

    rows, audits = [], []
    for x in plan["actions"]:
        row = {k: x[k] for k in ("studio_id", "action", "level", "year", "date", "reason", "deadline")}
        rows.append(row)
        audits.append(("designation", x["studio"], _state_json(states.get(x["studio_id"]) or State()),
                       {**_row_json(row), "source": f"award apply --year {plan['year']}"}))
    plan.update(dry_run=False, written=_write(session, rows, audits))
    return _plan_json(plan)


def _plan_json(plan: dict[str, Any]) -> dict[str, Any]:
    out = dict(plan)
    out["actions"] = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in x.items() if k != "studio_id"}
                      for x in plan["actions"]]
    out["plan_key"] = [list(k) for k in plan["plan_key"]]
    return out


# --------------------------------------------------------------------------- history


def history(session, code: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A studio's designations (oldest first), its current status and highest level held."""
    from sqlalchemy import select

    from laomo.models import Designation

    (s,) = _studios(session, [code])
    t = Designation.__table__
    rows = _conn(session).execute(
        select(t.c.action, t.c.level, t.c.year, t.c.date, t.c.batch, t.c.doc, t.c.amount, t.c.reason,
               t.c.deadline, t.c.operator).where(t.c.studio_id == s.id).order_by(t.c.date, t.c.id)).all()
    st = _state_of(session, s.id, None)
    return {
        "studio": s.code, "name": s.name, "status": st.status, "level": st.level,
        "levels_held": st.levels_held, "demonstrative_levels": sorted(st.demonstrative_levels, key=LEVEL.rank),
        "deadline": st.deadline.isoformat() if st.deadline else None,
        "designations": [
            {"action": r.action, "level": r.level, "year": r.year, "date": r.date.isoformat(), "batch": r.batch,
             "doc": r.doc, "amount": r.amount, "reason": r.reason,
             "deadline": r.deadline.isoformat() if r.deadline else None}
            for r in rows
        ],
    }


# --------------------------------------------------------------------------- the demo (quickstart)


def apply_and_name(session, year: int, levels: Sequence[str] = ("city", "county"), as_of: Any = None,  # type: ignore[no-untyped-def]
                   profile: Any = None, batch: Any = None, doc: Any = None,
                   amount: Any = None) -> dict[str, Any]:
    """Apply ``year``'s recommendations, then name every candidate at each of ``levels`` for ``year``.

    For ``laomo quickstart``; idempotent (a second call writes nothing).  ``doc``
    and ``amount`` may be one value or a mapping level → value.  Everything is
    dated ``as_of`` (default today) and judged as of that date.
    """
    day = _date(as_of, "as_of") or _today()
    applied = apply(session, year, as_of=day, profile=profile)
    named: dict[str, list[str]] = {}
    for level in levels:
        lv = parse_level(level)
        found = candidates(session, lv, as_of=day, profile=profile)["candidates"]
        codes = [c["studio"] for c in found]
        if codes:
            pick = (lambda v: v.get(lv) if isinstance(v, Mapping) else v)  # noqa: E731
            name(session, codes, lv, year, batch=batch, doc=pick(doc), date=day, amount=pick(amount),
                 profile=profile)
        named[lv] = codes
    return {"year": year, "date": day.isoformat(), "apply": applied, "named": named}
