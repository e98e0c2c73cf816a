"""The studio status derived from designations (domain.md lifecycle)."""

from __future__ import annotations

import datetime as dt

from support.assess import load, studio

from laomo.domain.status import State, fold

D = dt.date


def _fold(*rows: tuple) -> State:
    return fold((1, *r) for r in rows)[1]


def test_name_and_climb():
    s = _fold(("name", "county", D(2021, 12, 1), None), ("name", "city", D(2023, 11, 20), None))
    assert s.status == "named" and s.level == "city" and s.levels_held == ["county", "city"]
    assert s.first_named == D(2021, 12, 1) and s.named_since["city"] == D(2023, 11, 20)


def test_revoking_one_level_keeps_the_others():
    s = _fold(("name", "county", D(2021, 1, 1), None), ("name", "city", D(2023, 1, 1), None),
              ("revoke", "city", D(2024, 1, 1), None))
    assert s.status == "named" and s.level == "county" and s.active


def test_revoking_the_last_level_or_without_level_revokes():
    s = _fold(("name", "county", D(2021, 1, 1), None), ("revoke", "county", D(2024, 1, 1), None))
    assert s.status == "revoked" and s.level is None and not s.active
    s = _fold(("name", "county", D(2021, 1, 1), None), ("name", "city", D(2022, 1, 1), None),
              ("revoke", None, D(2024, 1, 1), None))
    assert s.status == "revoked" and s.levels_held == []


def test_rectify_warn_restore_close_demonstrate():
    s = _fold(("name", "county", D(2021, 1, 1), None), ("rectify", None, D(2025, 2, 1), D(2026, 6, 30)))
    assert s.status == "rectification" and s.deadline == D(2026, 6, 30) and s.active
    s.apply("warn", None, D(2025, 3, 1))
    assert s.status == "warned"
    s.apply("restore", None, D(2026, 2, 1))
    assert s.status == "named" and s.deadline is None
    s.apply("demonstrate", "county", D(2026, 3, 1))
    assert s.demonstrative and s.demonstrative_levels == {"county"}
    s.apply("close", None, D(2026, 5, 1))
    assert s.status == "closed" and not s.active
    s.apply("revoke", "county", D(2026, 6, 1))
    assert s.status == "closed"


def test_held_on_uses_the_naming_date():
    s = _fold(("name", "county", D(2026, 1, 5), None))
    assert not s.held_on(D(2025, 12, 31)) and s.held_on(D(2026, 12, 31))
    s = _fold(("name", "county", D(2021, 1, 1), None), ("revoke", "county", D(2023, 1, 1), None),
              ("name", "county", D(2026, 1, 5), None))
    assert s.status == "named" and not s.held_on(D(2025, 12, 31))


def test_states_from_the_database_as_of(engine):
    from laomo.domain.studios import states
    from laomo.store.db import read_session

    load(engine, studio("T1", named=[("county", "2021-12-01")], designations=[
        {"action": "rectify", "year": 2025, "date": "2025-02-01", "reason": "考核不合格"},
        {"action": "restore", "year": 2026, "date": "2026-02-01"}]))
    load(engine, studio("T2", named=None))
    with read_session(engine) as session:
        now = states(session)
        then = states(session, as_of=D(2025, 12, 31))
    ids = {st.status for st in now.values()}
    assert ids == {"named"} and len(now) == 1  # T2 has no designation: registered, absent
    assert [st.status for st in then.values()] == ["rectification"]


def test_find_studios_by_code_in_chunks(engine, monkeypatch):
    """One lookup by code: order given, blanks and duplicates dropped, every unknown code named,
    codes read in IN lists of at most MAX_IN; no code is a usage mistake only when one is required."""
    import pytest

    from laomo.domain import studios
    from laomo.errors import NotFound, UsageError
    from laomo.store.db import read_session

    for code in ("F1", "F2", "F3"):
        load(engine, studio(code, named=None))
    monkeypatch.setattr(studios, "MAX_IN", 2)
    with read_session(engine) as session:
        found = studios.find(session, [" F3", "F1", "", "F3 ", "F2"])
        assert [s.code for s in found] == ["F3", "F1", "F2"]
        assert len({s.id for s in found}) == 3 and all(s.name for s in found)
        assert studios.find(session.connection(), ["F2"]) == [found[2]]
        assert studios.find(session, [" "]) == []
        assert studios.find_one(session, " F1 ") == found[1]
        with pytest.raises(NotFound, match=r"^没有编号为 X1、X2 的工作室$"):
            studios.find(session, ["X1", "F1", "X2", "X1"])
        with pytest.raises(UsageError, match="请给出至少一个工作室编号"):
            studios.find(session, [" "], required=True)
        with pytest.raises(UsageError):
            studios.find_one(session, "")
