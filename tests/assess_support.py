"""Helpers for the assessment tests: the sample county, and hand-built studios.

Hand-built studios go through the real import path (``RecordSource`` +
``import_source``), so they are validated exactly like user data.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from conftest import copy_db, seal_db

from laomo.rules.engine import engine_for

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "sample-county"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
ORDER = EXPECTED["order"]


def import_sample(path) -> None:  # type: ignore[no-untyped-def]
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store.db import open_engine, write_session

    engine = open_engine(str(path))
    for kind in ORDER:
        with write_session(engine) as session, open_source(str(SAMPLE / f"{kind}.csv")) as src:
            result = import_source(session, src, kind=kind)
            assert result.rejected == 0, result.errors
    engine.dispose()


@pytest.fixture(scope="session")
def sample_template(make_session_db):  # type: ignore[no-untyped-def]
    """The sample county imported once per test session (a closed database, see conftest.copy_db)."""
    path = make_session_db("sample")
    import_sample(path)
    return seal_db(path)


@pytest.fixture(scope="session")
def assessed_template(sample_template, make_session_db):  # type: ignore[no-untyped-def]
    """The sample county assessed for 2024 and then 2025 (as expected.json says), once per session."""
    from laomo.assess import run_assessment
    from laomo.store.db import open_engine, write_session

    path = copy_db(sample_template, make_session_db("assessed"))
    engine = open_engine(str(path))
    for year in (2024, 2025):
        with write_session(engine) as session:
            run_assessment(session, year=year)
    return seal_db(path)


@pytest.fixture
def assessed(assessed_template, laomo_db):  # type: ignore[no-untyped-def]
    """A private copy of the assessed sample county at LAOMO_DB."""
    return copy_db(assessed_template, laomo_db)


@pytest.fixture
def assessed_engine(assessed_template, laomo_db):  # type: ignore[no-untyped-def]
    """The same private copy, and its engine."""
    from laomo.store.db import open_engine

    copy_db(assessed_template, laomo_db)
    return open_engine(str(laomo_db))


@pytest.fixture
def sample_engine(sample_template, laomo_db):
    """A private copy of the sample county at LAOMO_DB, and its engine."""
    from laomo.store.db import open_engine

    copy_db(sample_template, laomo_db)
    return open_engine(str(laomo_db))


@pytest.fixture
def engine(laomo_db):
    """An empty database at LAOMO_DB."""
    from laomo.store.db import open_engine

    return open_engine(str(laomo_db))


def load(engine, records: dict[str, list[dict[str, Any]]]) -> None:  # type: ignore[no-untyped-def]
    """Import record dicts (column keys → raw values) kind by kind, in dependency order."""
    from laomo.ledger.importer import RecordSource, import_source
    from laomo.store.db import write_session

    with write_session(engine) as session:
        for kind in ORDER:
            rows = records.get(kind)
            if rows:
                result = import_source(session, RecordSource(kind, rows), kind=kind)
                assert result.rejected == 0, [e.as_dict() for e in result.errors]


def merge(*parts: dict[str, list]) -> dict[str, list]:
    out: dict[str, list] = {}
    for part in parts:
        for kind, rows in part.items():
            out.setdefault(kind, []).extend(rows)
    return out


def studio(code: str, *, team: int = 3, frontline: int | None = None, leader_frontline: bool = True,
           leader_skill: str | None = "senior_technician", honor: str | None = "city_model_worker",
           honor_year: int = 2015, founded: str | None = "2015-01-01", area: Any = 50, funds: Any = 100000,
           sign: bool = True, rules: bool = True, plan: bool = True, display: bool = True,
           records: bool = True, facilities: bool = True,
           named: list[tuple[str, str]] | None = (("county", "2020-12-01"),),  # type: ignore[assignment]
           designations: list[dict] = (), achievements: list[dict] = (), activities: list[tuple] = (),
           mentorships: list[dict] = (), inspections: dict[tuple[int, str], float] | None = None,
           members: list[dict] = (), assessments: list[tuple[int, str, float]] = ()) -> dict[str, list]:
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


def facts_of(engine, year: int | None = None, as_of: dt.date | None = None, profile: str | None = None):  # type: ignore[no-untyped-def]
    """Facts by studio code (with the profile's ladder facts)."""
    from laomo.facts import compute_facts
    from laomo.rules import load_profile
    from laomo.store.db import read_session

    prof = load_profile(profile)
    with read_session(engine) as session:
        facts = compute_facts(session, year, as_of=as_of)
    out = {}
    for f in facts.values():
        engine_for(prof).derive(f)
        out[f["code"]] = f
    return out


def run(engine, year: int, profile: str | None = None, dry_run: bool = False) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Run the assessment; results by studio code."""
    from laomo.assess import run_assessment
    from laomo.store.db import write_session

    with write_session(engine) as session:
        out = run_assessment(session, year=year, profile=profile, dry_run=dry_run)
    assert out.results is not None
    return {r["studio"]: r for r in out.results}
