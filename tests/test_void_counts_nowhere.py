"""Voided records count nowhere (rules.md "Who is assessed for Y"; cli.md "Safety").

One record of each kind is voided (``register void`` / ``award void``) in a copy of the
assessed sample county, and the same record is deleted outright by SQL in another copy.
Everything a user sees — the facts of every studio (yearly and naming phase), the
assessment, its explanation, the candidates, the apply plan, every report, the notices, the
status — must then be the same in both, while the void did change the facts it feeds.  Each
record is chosen so that it feeds every statement that reads its table: a statement that
forgot the in-force condition would still count it and make the two copies differ.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from support.db import copy_db, execute, query

TODAY = dt.date.today()
#: The days naming-phase facts are computed on: Y-1 of 2026-12-31 is 2025 (activities of earlier years).
DAYS = (dt.date(2025, 12, 31), dt.date(2026, 12, 31), TODAY)


def _pick_member(ref: Any) -> tuple[int, str, str]:
    rid, studio, person = query(ref, """
        SELECT m.id, s.code, p.code FROM member m JOIN studio s ON s.id = m.studio_id
        JOIN person p ON p.id = m.person_id
        WHERE m.role <> 'leader' AND m."left" IS NULL AND m.joined <= '2025-01-01'
        ORDER BY s.code, p.code""")[0]
    return rid, studio, f"{studio}/{person}"


def _pick_honor(ref: Any) -> tuple[int, str, str]:
    rid, studio, person, kind, year = query(ref, """
        SELECT h.id, s.code, p.code, h.kind, h.year FROM honor h JOIN studio s ON s.leader_id = h.person_id
        JOIN person p ON p.id = h.person_id
        WHERE h.year <= 2025 AND h.person_id IN (SELECT person_id FROM honor GROUP BY person_id HAVING count(*) = 1)
        ORDER BY s.code""")[0]
    return rid, studio, f"{person}/{kind}/{year}"


def _pick_achievement(ref: Any) -> tuple[int, str, str]:
    rid, studio, code = query(ref, """
        SELECT a.id, s.code, a.code FROM achievement a JOIN studio s ON s.id = a.studio_id
        WHERE a.date >= '2025-01-01' AND a.date <= '2025-12-31' AND a.benefit >= 100000
        ORDER BY a.benefit DESC, a.id""")[0]
    return rid, studio, f"{studio}/{code}"


def _pick_activity(ref: Any) -> tuple[int, str, str]:
    rid, studio, date, kind, title, seq = query(ref, """
        SELECT a.id, s.code, a.date, a.kind, a.title, a.seq FROM activity a JOIN studio s ON s.id = a.studio_id
        WHERE a.date >= '2025-01-01' AND a.date <= '2025-12-31' AND a.kind = 'training'
        ORDER BY s.code, a.date, a.seq""")[0]
    return rid, studio, f"{studio}/{date}/培训/{title}" + (f"#{seq}" if seq != 1 else "")


def _pick_mentorship(ref: Any) -> tuple[int, str, str]:
    rid, studio, mentor, apprentice = query(ref, """
        SELECT m.id, s.code, a.code, b.code FROM mentorship m JOIN studio s ON s.id = m.studio_id
        JOIN person a ON a.id = m.mentor_id JOIN person b ON b.id = m.apprentice_id
        WHERE m.start <= '2025-12-31' AND (m."end" IS NULL OR m."end" >= '2025-01-01')
        AND m.promoted_on >= '2025-01-01' AND m.promoted_on <= '2025-12-31'
        ORDER BY s.code, a.code, b.code""")[0]
    return rid, studio, f"{studio}/{mentor}/{apprentice}"


def _pick_inspection(ref: Any) -> tuple[int, str, str]:
    rid, studio, year, item = query(ref, """
        SELECT i.id, s.code, i.year, i.item FROM inspection i JOIN studio s ON s.id = i.studio_id
        WHERE i.year = 2025 ORDER BY s.code, i.item""")[0]
    return rid, studio, f"{studio}/{year}/{item.lower()}"


def _pick_naming(ref: Any) -> tuple[int, str, str]:
    """The only designation of a studio: a 2022 county naming (the 2022 notice lists 20)."""
    rid, studio = query(ref, """
        SELECT d.id, s.code FROM designation d JOIN studio s ON s.id = d.studio_id
        WHERE d.action = 'name' AND d.year = 2022 AND d.level = 'county'
        AND d.studio_id IN (SELECT studio_id FROM designation GROUP BY studio_id HAVING count(*) = 1)
        ORDER BY s.code""")[0]
    return rid, studio, str(rid)


def _pick_applied(ref: Any) -> tuple[int, str, str]:
    """A revocation written by ``award apply --year 2025``."""
    rid, studio = query(ref, """
        SELECT d.id, s.code FROM designation d JOIN studio s ON s.id = d.studio_id
        WHERE d.action = 'revoke' AND d.year = 2025 ORDER BY s.code, d.id""")[0]
    return rid, studio, str(rid)


#: kind → (table, how to pick the record, the facts of its studio that must change, at which day)
CASES: dict[str, tuple[str, Any, dict[Any, tuple[str, ...]]]] = {
    "member": ("member", _pick_member, {2025: ("active_members", "team_size")}),
    "honor": ("honor", _pick_honor, {2025: ("leader_honor_level",)}),
    "achievement": ("achievement", _pick_achievement, {
        2025: ("achievements_in_year", "achievements_total", "benefit_in_year"),
        DAYS[0]: ("significant_achievements_total",)}),
    "activity": ("activity", _pick_activity, {
        2025: ("activities_in_year", "activities_in_year_training"),
        DAYS[1]: ("activities_year_minus_1_training",)}),
    "mentorship": ("mentorship", _pick_mentorship, {2025: ("mentorships_active", "apprentices_promoted_in_year")}),
    "inspection": ("inspection", _pick_inspection, {2025: ("inspection_D2",)}),
    "naming": ("designation", _pick_naming, {2025: ("named_level", "years_named")}),
    "applied": ("designation", _pick_applied, {TODAY: ("named_level",)}),
}


def _facts(ref: Any) -> dict[Any, dict[int, dict[str, Any]]]:
    """The facts of every studio for 2025, and as of each of DAYS with the naming-phase facts."""
    from laomo.facts import add_naming_facts, compute_facts
    from laomo.rules import load_profile
    from laomo.store.db import open_engine

    naming = load_profile("henan-2015").naming
    assert naming is not None
    out: dict[Any, dict[int, dict[str, Any]]] = {}
    with open_engine(str(ref)).connect() as conn:
        out[2025] = compute_facts(conn, 2025)
        for day in DAYS:
            facts = compute_facts(conn, as_of=day)
            add_naming_facts(conn, facts, day, significant_benefit=naming.significant_benefit)
            out[day] = facts
    return out


def _seen(cli: Any, ref: Any, studio: str) -> dict[str, Any]:
    """What a user sees, command by command (the JSON, or the text, or the refusal)."""
    commands = {
        "summary 2025": ("report", "summary", "--year", "2025", "--json"),
        "summary": ("report", "summary", "--json"),
        "ledger": ("report", "ledger", "--json"),
        "dossier": ("report", "studio", studio, "--json"),
        "assessment list": ("report", "assessment", "--year", "2025", "--json"),
        "assess dry run": ("assess", "run", "--year", "2025", "--dry-run", "--json"),
        "explain": ("assess", "explain", studio, "--year", "2025", "--json"),
        "county candidates": ("award", "candidates", "--level", "county", "--as-of", "2025-12-31", "--json"),
        "city candidates": ("award", "candidates", "--level", "city", "--json"),
        "apply plan": ("award", "apply", "--year", "2025", "--dry-run", "--json"),
        "history": ("award", "history", studio, "--json"),
        "naming notice": ("report", "notice", "--year", "2022", "--kind", "naming", "--level", "county",
                          "--format", "md"),
        "revocation notice": ("report", "notice", "--year", "2025", "--kind", "revocation", "--format", "md"),
    }
    seen: dict[str, Any] = {}
    for name, args in commands.items():
        r = cli(*args, "--db", str(ref))
        out: Any = r.out
        if r.code == 0 and "--json" in args:
            out = json.loads(r.out)
        if name == "history" and r.code == 0:  # a voided designation stays listed, marked
            out["designations"] = [d for d in out["designations"] if d["voided"] is None]
        if name == "dossier" and r.code == 0:  # and the dossier lists the voided records apart
            seen["dossier: voided"] = out.pop("voided")
        seen[name] = (r.code, out, r.err)
    return seen


@pytest.mark.parametrize("case", list(CASES))
def test_a_voided_record_counts_as_if_it_had_never_been_entered(case, cli, assessed, assessed_template, make_db):
    table, pick, changed = CASES[case]
    deleted = copy_db(assessed_template, make_db("deleted"))
    if case == "applied":
        for ref in (assessed, deleted):
            assert cli("award", "apply", "--year", "2025", "--yes", "--db", str(ref)).code == 0
    rid, studio, key = pick(assessed)
    before = _facts(assessed)

    if table == "designation":
        r = cli("award", "void", key, "--reason", "误录")
    else:
        r = cli("register", "void", table, key, "--reason", "误录")
    assert r.code == 0, r
    execute(deleted, f"DELETE FROM {table} WHERE id = {rid}")

    after = _facts(assessed)
    sid = query(assessed, "SELECT id FROM studio WHERE code = :c", {"c": studio})[0][0]
    for when, names in changed.items():  # the void had the effect a deletion has
        assert [n for n in names if before[when][sid].get(n) == after[when][sid].get(n)] == [], (when, names)
    assert after == _facts(deleted)
    seen, expected = _seen(cli, assessed, studio), _seen(cli, deleted, studio)
    assert expected.pop("dossier: voided") == []
    assert [(v["kind"], v["reason"]) for v in seen.pop("dossier: voided")] == [(table, "误录")]
    assert seen == expected
    # the record itself is still there, marked
    assert query(assessed, f"SELECT void_reason FROM {table} WHERE id = {rid}") == [("误录",)]


def test_the_demo_counts_and_notices_leave_voided_ones_out(cli, sample_engine, sample_db, tmp_path):
    """quickstart's counts, and its naming notice: of the latest year whose namings are in force."""
    from laomo.demo.quickstart import write_reports
    from laomo.ledger.records import ledger_counts
    from laomo.store.db import read_session

    with read_session(sample_engine) as session:
        before = ledger_counts(session)
    (city,) = query(sample_db, "SELECT id FROM designation WHERE action = 'name' AND level = 'city'")[0]
    assert cli("award", "void", str(city), "--reason", "误录").code == 0  # the only naming of 2023
    assert cli("register", "void", "成果", "S0001/A00001", "--reason", "误录").code == 0
    with read_session(sample_engine) as session:
        assert ledger_counts(session) == {**before, "designation": before["designation"] - 1,
                                          "achievement": before["achievement"] - 1}
    notices = [p.name for _, p in write_reports(sample_engine, tmp_path) if p.name.endswith("命名决定.docx")]
    assert notices and all("2022" in n for n in notices)
