"""Who is assessed for Y is fixed as of 31 December of Y (rules.md "Who is assessed for Y"): every
studio that on that day held a naming dated on or before it and had not been revoked or closed by
then.  Designations dated after 31 December do not change it; voided designations count nowhere."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from support.assess import load, merge, run, studio
from support.db import execute

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def _county(engine: Engine) -> None:
    load(engine, merge(
        studio("P1", named=[("county", "2021-12-01")]),
        studio("P2", named=[("county", "2026-01-05")]),  # named only in 2026
        studio("P3", named=[("county", "2021-12-01")],  # revoked in January after the year
               designations=[{"action": "revoke", "level": "county", "year": 2026, "date": "2026-01-10",
                              "reason": "2025年度考核不合格"}]),
        studio("P4", named=[("county", "2021-12-01")],  # closed in 2026
               designations=[{"action": "close", "year": 2026, "date": "2026-02-01", "reason": "企业关闭"}]),
        studio("P5", named=[("county", "2021-12-01")],  # revoked within the year
               designations=[{"action": "revoke", "level": "county", "year": 2025, "date": "2025-12-31",
                              "reason": "2024年度考核不合格"}]),
    ))


def test_a_studio_named_in_2026_is_not_in_2025s_run_and_one_revoked_on_2026_01_10_is(cli, engine):
    _county(engine)
    r = cli("assess", "run", "--year", 2025, "--json")
    assert r.code == 0, r
    assert [x["studio"] for x in r.json["results"]] == ["P1", "P3", "P4"]
    assert r.json["assessed"] == 3
    # the same on a re-run (nothing applied): the population does not move with later decisions
    again = cli("assess", "run", "--year", 2025, "--json")
    assert [x["studio"] for x in again.json["results"]] == ["P1", "P3", "P4"]
    # as of 31 December 2026: P2 is named, P3 revoked, P4 closed
    dry = cli("assess", "run", "--year", 2026, "--dry-run", "--json")
    assert [x["studio"] for x in dry.json["results"]] == ["P1", "P2"]


def test_explain_says_a_studio_revoked_after_the_year_is_due(cli, engine):
    _county(engine)
    data = cli("assess", "explain", "P3", "--year", 2025, "--json").json
    assert data["due"] is True and data["stored"] is False
    assert not any("考核范围" in n for n in data["notes"])
    later = cli("assess", "explain", "P2", "--year", 2025, "--json").json
    assert later["due"] is False and any("不在 2025 年度的考核范围内" in n for n in later["notes"])


def test_voided_designations_count_nowhere_in_who_is_assessed(laomo_db, engine):
    load(engine, merge(
        studio("V1", named=[("county", "2021-12-01")]),  # its only naming was entered by mistake
        studio("V2", named=[("county", "2021-12-01")],  # a revocation entered by mistake
               designations=[{"action": "revoke", "level": "county", "year": 2025, "date": "2025-06-01",
                              "reason": "误录"}]),
        studio("V3", named=[("county", "2021-12-01")]),
    ))
    assert sorted(run(engine, 2025, dry_run=True)) == ["V1", "V3"]
    execute(laomo_db, "UPDATE designation SET voided_at = CURRENT_TIMESTAMP, void_reason = '录入错误' "
                      "WHERE (action = 'name' AND studio_id = (SELECT id FROM studio WHERE code = 'V1')) "
                      "OR action = 'revoke'")
    got = run(engine, 2025)
    assert sorted(got) == ["V2", "V3"]
    assert got["V2"]["items"]["A2"] == got["V3"]["items"]["A2"]  # V2 counts as named at county


def test_the_facts_stream_hands_back_the_state_on_31_december(engine):
    """The run reads the population from the facts' own designation stream (one query, set-based)."""
    from laomo.domain.studios import states
    from laomo.facts import iter_facts
    from laomo.store.db import read_session

    _county(engine)
    with read_session(engine) as session:
        conn = session.connection()
        seen: dict[str, Any] = {f["code"]: st for _, f, st in iter_facts(conn, 2025, state_on_day=True,
                                                                          with_state_only=True)}
        on_d = states(conn, as_of=dt.date(2025, 12, 31))
    assert sorted(seen) == ["P1", "P3", "P4", "P5"]  # P2 has no designation dated in 2025
    assert {c: st.status for c, st in seen.items()} == {"P1": "named", "P3": "named", "P4": "named",
                                                         "P5": "revoked"}
    assert sorted(st.as_dict()["status"] for st in on_d.values()) == sorted(st.status for st in seen.values())
