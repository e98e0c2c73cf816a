"""The creation-standards check (达标检查): each studio's standards as of a day, passed or not, and
why not.

Without codes every studio is checked, whatever its status; the day defaults to today.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.assess.profiles import ProfileArg, resolve_profile
from laomo.rules.engine import engine_for

if TYPE_CHECKING:
    from sqlmodel import Session


@dataclass(frozen=True, slots=True)
class StandardsResult:
    """One studio's check: each standard passed or not, the failures in words, its status now."""

    studio: str
    name: str
    passed: bool
    checks: dict[str, bool]
    failures: list[str]
    status: str
    level: str | None

    def to_json(self) -> dict[str, Any]:
        return {"studio": self.studio, "name": self.name, "passed": self.passed, "checks": self.checks,
                "failures": self.failures, "status": self.status, "level": self.level}


@dataclass(frozen=True)
class StandardsCheck:
    """cli.md's ``assess check``: the profile, the day, one result per studio sorted by code."""

    profile: str
    profile_hash: str
    as_of: dt.date
    results: list[StandardsResult]

    def to_json(self) -> dict[str, Any]:
        return {"profile": self.profile, "profile_hash": self.profile_hash, "as_of": self.as_of.isoformat(),
                "results": [r.to_json() for r in self.results]}


def check_standards(session: Session, *, codes: Iterable[str] | None = None, profile: ProfileArg = None,
                    as_of: dt.date | None = None) -> StandardsCheck:
    """The creation-standards check of some (``codes``) or all studios as of a day (default today)."""
    from laomo.domain.status import State
    from laomo.domain.studios import find
    from laomo.facts import iter_facts

    prof = resolve_profile(session, profile)
    engine = engine_for(prof)
    as_of = as_of or dt.date.today()
    ids = [s.id for s in find(session, codes)] if codes else None
    results = []
    for _, f, state in iter_facts(session.connection(), as_of=as_of, studio_ids=ids, state_now=True):
        engine.derive(f)
        checks = engine.check(f)
        passed = all(checks.values())
        state = state or State()
        results.append(StandardsResult(f["code"], f["name"], passed, checks,
                                       [] if passed else engine.failure_texts(f, checks),
                                       state.status, state.level))
    results.sort(key=lambda r: r.studio)
    return StandardsCheck(prof.name, prof.hash, as_of, results)
