"""Who may be named at a level (or made demonstrative there): every condition, every failure.

Eligibility reads the ``[naming]`` section of the rules profile (``entry_levels``,
``climb_years``, ``blocking_statuses``, ``blocking_grades``, ``significant_benefit`` and
the ``[[naming.demonstrative]]`` checks), the profile's standards and its leader ladder;
the facts come from :func:`laomo.facts.compute_facts` and
:func:`laomo.facts.add_naming_facts` as of the check date.  Nothing here hard-codes a
threshold.

* The state judged is the fold of the designations dated on or before the check date,
  so a back-dated action is judged against the state on that day.
* Every studio is listed: eligible ones, and ineligible ones with every failed
  condition, in the order standards, leader ladder, current state, latest grade, time at
  a lower level (demonstrative: the ``[[naming.demonstrative]]`` checks instead).
* Demonstrative at L asks for a naming at L held on the check date, not yet
  demonstrative at L, plus the naming conditions that still make sense for a named
  studio and every ``[[naming.demonstrative]]`` check.  "Named at a lower level for N
  years" counts complete years: a naming dated on or before the same day N years before
  the check date.
* Some failures are *fixed*: forcing cannot override them, because the row would be
  meaningless (naming at a level already held, demonstrating a studio that does not
  hold the level or already is demonstrative at it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.award.records import connection, naming_rules, rules_profile, state_text, states, wanted_ids
from laomo.award.values import DateLike, parse_day, parse_level
from laomo.domain.numbers import years_before
from laomo.enums import GRADE, LEVEL

if TYPE_CHECKING:
    from sqlmodel import Session

    from laomo.domain.status import State
    from laomo.rules import Profile
    from laomo.rules.engine import Engine
    from laomo.rules.profile import Naming


@dataclass(frozen=True)
class Verdict:
    """One studio considered for a naming (or a demonstrative title) at a level."""

    studio_id: int
    code: str
    name: str
    reasons: tuple[str, ...] = ()  # every failed condition, in order
    fixed: tuple[str, ...] = ()    # the ones forcing cannot override

    @property
    def eligible(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class Candidates:
    """The answer of :func:`candidates`: every studio judged, sorted by code."""

    level: str
    demonstrative: bool
    as_of: dt.date
    profile: str
    profile_hash: str
    verdicts: tuple[Verdict, ...]

    @property
    def eligible(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if v.eligible)

    @property
    def ineligible(self) -> tuple[Verdict, ...]:
        return tuple(v for v in self.verdicts if not v.eligible)

    def to_json(self) -> dict[str, Any]:
        """cli.md "award candidates"."""
        return {
            "level": self.level, "demonstrative": self.demonstrative, "as_of": self.as_of.isoformat(),
            "profile": self.profile, "profile_hash": self.profile_hash,
            "candidates": [{"studio": v.code, "name": v.name} for v in self.eligible],
            "ineligible": [{"studio": v.code, "name": v.name, "reasons": list(v.reasons)} for v in self.ineligible],
        }


def candidates(session: Session, *, level: str, demonstrative: bool = False, as_of: DateLike | None = None,
               profile: str | Profile | None = None) -> Candidates:
    """Who may be named at ``level`` (or made demonstrative there) as of ``as_of`` (default today)."""
    level = parse_level(level)
    day = parse_day(as_of, label="检查日期", option="as_of") or dt.date.today()
    prof = rules_profile(session, profile)
    verdicts = evaluate(session, prof, level=level, demonstrative=demonstrative, as_of=day)
    return Candidates(level=level, demonstrative=bool(demonstrative), as_of=day, profile=prof.name,
                      profile_hash=prof.hash, verdicts=tuple(verdicts))


def evaluate(session: Session, prof: Profile, *, level: str, demonstrative: bool, as_of: dt.date,
             ids: Sequence[int] | None = None) -> list[Verdict]:
    """Every studio (or those of ``ids``) judged for ``level`` as of ``as_of``, sorted by code."""
    from laomo.domain.status import State
    from laomo.facts import add_naming_facts, compute_facts
    from laomo.rules.engine import engine_for

    naming = naming_rules(prof)
    engine = engine_for(prof)
    conn = connection(session)
    listed = wanted_ids(ids)  # None: too many for an IN list, so compute for all and keep those wanted
    facts = compute_facts(conn, as_of=as_of, studio_ids=listed)
    if ids is not None and listed is None:
        wanted = set(ids)
        facts = {sid: f for sid, f in facts.items() if sid in wanted}
    add_naming_facts(conn, facts, as_of, significant_benefit=naming.significant_benefit, studio_ids=listed)
    found = states(session, as_of, listed)
    judge = _Judge(engine, naming, level, demonstrative, as_of)
    return [judge(sid, f, found.get(sid) or State()) for sid, f in sorted(facts.items(), key=lambda kv: kv[1]["code"])]


class _Judge:
    """Judges one studio's facts and state for a naming at one level."""

    def __init__(self, engine: Engine, naming: Naming, level: str, demonstrative: bool, as_of: dt.date):
        self.engine, self.naming, self.level, self.demonstrative, self.as_of = (
            engine, naming, level, demonstrative, as_of)
        self.label = LEVEL.label(level)
        self.rank = LEVEL.rank(level)

    def __call__(self, studio_id: int, f: dict[str, Any], st: State) -> Verdict:
        engine, level = self.engine, self.level
        engine.derive(f)
        engine.derive_naming(f, level)
        reasons: list[str] = []
        fixed: list[str] = []
        # 1. the creation standards (and the common checks L, F)
        reasons += [f"未通过 {t}" for t in engine.failure_texts(f, engine.check(f))]
        # 2. the leader ladder
        if not f.get(f"leader_qualifies_{level}"):
            why = "；".join(engine.ladder_failures(f, level))
            reasons.append(f"领衔人不符合{self.label}工作室的条件" + (f"：{why}" if why else ""))
        # 3. the current state
        if st.status in self.naming.blocking_statuses:
            reasons.append(f"当前状态为{state_text(st)}")
        for text, is_fixed in self._held(st):
            reasons.append(text)
            if is_fixed:
                fixed.append(text)
        # 4. the latest stored grade
        reasons += self._grade(f)
        # 5. time at a lower level / the demonstrative conditions
        if self.demonstrative:
            results = engine.demonstrative_check(f)
            reasons += [f"未满足示范性条件 {t}" for t in engine.demonstrative_failures(f, results)]
        else:
            reasons += self._climb(st)
        return Verdict(studio_id, f["code"], f["name"], tuple(reasons), tuple(fixed))

    def _held(self, st: State) -> list[tuple[str, bool]]:
        """What the levels held say: ``(failure, fixed)`` pairs."""
        label, level = self.label, self.level
        active = st.status not in ("revoked", "closed")
        if self.demonstrative:
            if not (active and level in st.named_since):
                return [(f"未持有{label}命名，不能命名为{label}示范性工作室", True)]
            if level in st.demonstrative_levels:
                return [(f"已是{label}示范性工作室", True)]
            return []
        if active and st.level is not None and LEVEL.rank(st.level) >= self.rank:
            if level in st.named_since:
                return [(f"已是{label}工作室（{st.named_since[level].isoformat()} 命名）", True)]
            top = st.level
            return [(f"已获{LEVEL.label(top)}命名（{st.named_since[top].isoformat()}），不再命名为较低的{label}", False)]
        return []

    def _grade(self, f: Mapping[str, Any]) -> list[str]:
        grade = f.get("latest_grade")
        if grade is None or grade not in self.naming.blocking_grades:
            return []
        year = f.get("latest_grade_year")
        return [f"最近一次考核（{year} 年度）为{GRADE.label(grade)}" if year else f"最近一次考核为{GRADE.label(grade)}"]

    def _climb(self, st: State) -> list[str]:
        """A level above the entry levels asks for a lower naming held for ``climb_years``."""
        if self.level in self.naming.entry_levels:
            return []
        need = self.naming.climb_years
        active = st.status not in ("revoked", "closed")
        lower = {lv: d for lv, d in st.named_since.items() if LEVEL.rank(lv) < self.rank} if active else {}
        cutoff = years_before(self.as_of, need)
        if not lower:
            return [f"未持有较低级别的命名（{self.label}不是起步级别，须先在较低级别命名"
                    + (f"满 {need} 年）" if need else "）")]
        if min(lower.values()) > cutoff:
            lv, d = min(lower.items(), key=lambda kv: kv[1])
            return [f"在较低级别命名未满 {need} 年（{LEVEL.label(lv)} {d.isoformat()} 命名，"
                    f"须不晚于 {cutoff.isoformat()}）"]
        return []
