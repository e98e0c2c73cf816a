"""Single-record updates patch (cli.md, Safety; issue 11 item 6).

``register studio|person|… --code EXISTING`` changes only the options given; a new code still
needs the required options, and the message lists what is missing (asked for on a terminal).
"""

from __future__ import annotations

import types

import pytest
from support.db import dump, query

STUDIO = ["--name", "甲工作室", "--leader", "P1", "--unit", "示例厂", "--industry", "C", "--county", "示例县"]


@pytest.fixture
def ledger(cli, laomo_db):
    assert cli("init").code == 0
    for code in ("P1", "P2"):
        assert cli("register", "person", "--code", code, "--name", f"人{code}", "--phone", "13812345678").code == 0
    r = cli("register", "studio", "--code", "S0001", *STUDIO, "--area", "80", "--funds", "5万", "--sign")
    assert r.code == 0, r
    return laomo_db


def test_a_stored_studio_changes_only_the_options_given(cli, ledger):
    r = cli("register", "studio", "--code", "S0001", "--area", "160")

    assert r.code == 0 and "已更新工作室 S0001" in r.out, r
    assert query(ledger, "SELECT name, unit, industry, county, area, funds, has_sign FROM studio") == [
        ("甲工作室", "示例厂", "C", "示例县", 160.0, 50000, 1)]


def test_a_stored_person_changes_only_the_options_given(cli, ledger):
    r = cli("register", "person", "--code", "P1", "--unit", "新厂")

    assert r.code == 0 and "已更新人员 P1" in r.out, r
    assert query(ledger, "SELECT name, phone, unit FROM person WHERE code = 'P1'") == [("人P1", "13812345678", "新厂")]


def test_a_stored_mentorship_changes_without_its_start(cli, ledger):
    r = cli("register", "mentorship", "--studio", "S0001", "--mentor", "P1", "--apprentice", "P2",
            "--start", "2024-01-01")
    assert r.code == 0, r

    r = cli("register", "mentorship", "--studio", "S0001", "--mentor", "P1", "--apprentice", "P2",
            "--promoted-on", "2025-06-01")

    assert r.code == 0 and "已更新" in r.out, r
    assert query(ledger, "SELECT start, promoted_on FROM mentorship") == [("2024-01-01", "2025-06-01")]


def test_a_new_code_still_needs_the_required_options(cli, ledger):
    before = dump(ledger)

    r = cli("register", "studio", "--code", "S0002", "--area", "160", "--unit", "乙厂")

    assert r.code == 2, r
    assert "工作室 S0002 尚未登记，新登记须提供：名称、领衔人编号、行业、区县" in r.err, r
    assert "--name --leader --industry --county" in r.err, r
    assert dump(ledger) == before


def test_a_new_record_asks_for_what_it_lacks_on_a_terminal(cli, ledger, monkeypatch):
    from laomo.commands import register

    terminal = types.SimpleNamespace(isatty=lambda: True)
    monkeypatch.setattr(register, "sys", types.SimpleNamespace(stdin=terminal, stderr=terminal))

    r = cli("register", "person", "--code", "P3", "--unit", "丙厂", stdin="丙\n")

    assert r.code == 0 and "已登记人员 P3" in r.out, r
    assert query(ledger, "SELECT name, unit FROM person WHERE code = 'P3'") == [("丙", "丙厂")]


def test_the_library_names_the_fields_a_new_record_needs(ledger):
    from laomo.ledger.importer import MissingFields
    from laomo.ledger.records import register_record
    from laomo.store import db

    engine = db.open_engine(str(ledger))
    with pytest.raises(MissingFields) as caught, db.write_session(engine) as session:
        register_record(session, kind="studios", record={"code": "S0009", "area": "12"})
    assert caught.value.fields == ("name", "leader", "unit", "industry", "county")
    assert "--" not in str(caught.value)
    with db.write_session(engine) as session:
        result = register_record(session, kind="studios", record={"code": "S0001", "notes": "补记"})
    assert result.updated == 1
    assert query(ledger, "SELECT notes, area FROM studio") == [("补记", 80.0)]
