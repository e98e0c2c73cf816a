"""Hand-built studios for the assessment, facts and award tests, and shortcuts to run them.

Hand-built studios go through the real import path (``RecordSource`` +
``import_source``), so they are validated exactly like user data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from support.sample import ORDER

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def load(engine: Engine, records: dict[str, list[dict[str, Any]]]) -> None:
    """Import record dicts (column keys → raw values) kind by kind, in dependency order."""
    from laomo.ledger.importer import RecordSource, import_source
    from laomo.store.db import write_session

    with write_session(engine) as session:
        for kind in ORDER:
            rows = records.get(kind)
            if rows:
                result = import_source(session, RecordSource(kind, rows), kind=kind)
                assert result.rejected == 0, [e.as_dict() for e in result.errors]


def merge(*parts: dict[str, list[Any]]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for part in parts:
        for kind, rows in part.items():
            out.setdefault(kind, []).extend(rows)
    return out


def studio(code: str, *, team: int = 3, frontline: int | None = None, leader_frontline: bool = True,
           leader_skill: str | None = "senior_technician", honor: str | None = "city_model_worker",
           honor_year: int = 2015, founded: str | None = "2015-01-01", area: Any = 50, funds: Any = 100000,
           sign: bool = True, rules: bool = True, plan: bool = True, display: bool = True,
           records: bool = True, facilities: bool = True,
           named: Sequence[tuple[str, str]] | None = (("county", "2020-12-01"),),
           designations: Sequence[dict[str, Any]] = (), achievements: Sequence[dict[str, Any]] = (),
           activities: Sequence[tuple[str, str, int]] = (), mentorships: Sequence[dict[str, Any]] = (),
           inspections: dict[tuple[int, str], float] | None = None, members: Sequence[dict[str, Any]] = (),
           assessments: Sequence[tuple[int, str, float]] = ()) -> dict[str, list[Any]]:
    """Records for one studio that passes every henan-2015 standard unless told otherwise.

    ``team`` members besides the leader (``frontline`` of them front-line, default all);
    ``achievements``: dicts with type/date/benefit/stage; ``activities``: (kind, date, participants);
    ``mentorships``: dicts with start/end/agreement/promoted_on (one new apprentice each).
    """
    frontline = team if frontline is None else frontline
    people = [{"code": f"{code}-L", "name": f"{code}领衔人", "frontline": leader_frontline,
               "skill_grade": leader_skill}]
    member_rows = []
    for i in range(team):
        pc = f"{code}-M{i + 1}"
        people.append({"code": pc, "name": f"{code}成员{i + 1}", "frontline": i < frontline})
        member_rows.append({"studio": code, "person": pc, "role": "member", "joined": "2016-01-01"})
    member_rows.extend(members)
    honors = [{"person": f"{code}-L", "kind": honor, "year": honor_year}] if honor else []
    studio_row = {"code": code, "name": f"{code}创新工作室", "leader": f"{code}-L", "unit": f"{code}单位",
                  "industry": "C", "county": "测试县", "founded": founded, "area": area, "funds": funds,
                  "has_sign": sign, "has_rules": rules, "has_plan": plan, "has_display": display,
                  "has_records": records, "has_facilities": facilities}
    desig = [{"studio": code, "action": "name", "level": lv, "year": int(d[:4]), "date": d}
             for lv, d in (named or ())]
    desig += [dict(d, studio=code) for d in designations]
    achv = []
    for i, a in enumerate(achievements):
        achv.append({"code": f"{code}-A{i + 1}", "studio": code, "title": f"成果{i + 1}",
                     "type": a.get("type", "技术革新"), "date": a["date"], "benefit": a.get("benefit", 0),
                     "stage": a.get("stage"), "frontline_led": a.get("frontline_led")})
    acts = [{"studio": code, "kind": k, "date": d, "title": f"活动{i + 1}", "participants": p}
            for i, (k, d, p) in enumerate(activities)]
    ments = []
    for i, m in enumerate(mentorships):
        ac = f"{code}-T{i + 1}"
        people.append({"code": ac, "name": f"{code}徒弟{i + 1}", "frontline": True})
        ments.append({"studio": code, "mentor": f"{code}-L", "apprentice": ac, "start": m["start"],
                      "end": m.get("end"), "agreement": m.get("agreement"), "promoted_on": m.get("promoted_on")})
    ins = [{"studio": code, "year": y, "item": item, "score": score}
           for (y, item), score in (inspections or {}).items()]
    assess = [{"studio": code, "year": y, "grade": g, "score": s} for y, g, s in assessments]
    return {"people": people, "honors": honors, "studios": [studio_row], "members": member_rows,
            "achievements": achv, "activities": acts, "mentorships": ments, "inspections": ins,
            "designations": desig, "assessments": assess}


def facts_of(engine: Engine, year: int | None = None, as_of: dt.date | None = None,
             profile: str | None = None) -> dict[str, dict[str, Any]]:
    """Facts by studio code (with the profile's ladder facts)."""
    from laomo.facts import compute_facts
    from laomo.rules import load_profile
    from laomo.rules.engine import engine_for
    from laomo.store.db import read_session

    prof = load_profile(profile)
    with read_session(engine) as session:
        facts = compute_facts(session, year, as_of=as_of)
    out = {}
    for f in facts.values():
        engine_for(prof).derive(f)
        out[f["code"]] = f
    return out


def run(engine: Engine, year: int, profile: str | None = None, dry_run: bool = False) -> dict[str, dict[str, Any]]:
    """Run the assessment; results by studio code."""
    from laomo.assess import run_assessment
    from laomo.store.db import write_session

    with write_session(engine) as session:
        out = run_assessment(session, year=year, profile=profile, dry_run=dry_run)
    assert out.results is not None
    return {r["studio"]: r for r in out.results}


def worker_starts(monkeypatch: Any, forced: bool) -> list[int]:
    """A large run for the sample county (the worker's threshold lowered); the split of every
    worker start, listed.  ``forced``: ``LAOMO_ASSESS_WORKER=1`` (whatever the load), else unset."""
    import laomo.assess.worker as worker

    monkeypatch.setattr(worker, "PARALLEL_MIN_STUDIOS", 2)
    if forced:
        monkeypatch.setenv("LAOMO_ASSESS_WORKER", "1")
    else:
        monkeypatch.delenv("LAOMO_ASSESS_WORKER", raising=False)
    seen: list[int] = []
    real = worker.Child.__init__

    def spy(self: Any, conn: Any, part: Any, split: int) -> None:
        seen.append(split)
        real(self, conn, part, split)

    monkeypatch.setattr(worker.Child, "__init__", spy)
    return seen
