"""Dates from the future are refused for records of things that happened (cli.md "Safety").

An import row or a single ``register`` record dated after today (achievements, activities,
joining, mentorship start and promotion, designations) is a row problem; an ``award`` command
dated after today is a usage error naming ``--date``.  Today itself is accepted, and dates that
may be planned (a member's leave, a mentorship's end, a studio's founding) are not checked.
"""

from __future__ import annotations

import datetime as dt

import pytest
from support.db import dump, query

from laomo.ledger import values
from laomo.ledger.columns import KINDS

TODAY = dt.date.today()
TOMORROW = TODAY + dt.timedelta(days=1)

PAST_ONLY = [("achievements", "date"), ("activities", "date"), ("members", "joined"),
             ("mentorships", "start"), ("mentorships", "promoted_on"), ("designations", "date")]
MAY_BE_PLANNED = [("members", "left"), ("mentorships", "end"), ("studios", "founded")]


@pytest.mark.parametrize("kind, key", PAST_ONLY)
def test_columns_of_things_that_happened_refuse_tomorrow(kind, key):
    parse = KINDS[kind].column(key).parse
    assert parse(TODAY.isoformat()) == TODAY
    with pytest.raises(values.Invalid, match=f"晚于今天（{TODAY.isoformat()}），不能登记尚未发生的事"):
        parse(TOMORROW.isoformat())


@pytest.mark.parametrize("kind, key", MAY_BE_PLANNED)
def test_planned_dates_are_not_checked(kind, key):
    assert KINDS[kind].column(key).parse(TOMORROW.isoformat()) == TOMORROW


def test_today_is_injectable(monkeypatch):
    monkeypatch.setattr(values, "today", lambda: dt.date(2025, 6, 30))
    assert values.parse_past_date("2025年6月30日") == dt.date(2025, 6, 30)
    with pytest.raises(values.Invalid, match=r"日期 2025-07-01 晚于今天（2025-06-30）"):
        values.parse_past_date("2025-07-01")


def _studio(cli) -> None:
    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0
    assert cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
               "--industry", "C", "--county", "县").code == 0


def _activities(tmp_path, *days: dt.date):
    path = tmp_path / "activities.csv"
    lines = ["工作室编号,日期,类型,主题"] + [f"S1,{d.isoformat()},培训,第{i}次培训" for i, d in enumerate(days)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_row_dated_tomorrow_is_refused_and_nothing_written(cli, laomo_db, tmp_path):
    _studio(cli)
    before = dump(laomo_db)
    path = _activities(tmp_path, TODAY, TOMORROW)
    r = cli("register", "import", "activities", path)
    assert r.code == 1, r
    expected = (f"{path}:3: 列「日期」值「{TOMORROW.isoformat()}」: 日期 {TOMORROW.isoformat()} "
                f"晚于今天（{TODAY.isoformat()}），不能登记尚未发生的事")
    assert expected in r.err.splitlines(), r
    assert "Traceback" not in r.err
    assert dump(laomo_db) == before


def test_import_row_dated_today_is_accepted(cli, laomo_db, tmp_path):
    _studio(cli)
    r = cli("register", "import", "activities", _activities(tmp_path, TODAY), "--quiet")
    assert r.code == 0, r
    assert query(laomo_db, "SELECT date FROM activity") == [(TODAY.isoformat(),)]


def test_register_achievement_dated_tomorrow_is_refused(cli, laomo_db):
    _studio(cli)
    r = cli("register", "achievement", "--studio", "S1", "--title", "甲", "--type", "发明专利",
            "--date", TOMORROW.isoformat())
    assert r.code == 1, r
    assert "--date" in r.err and "晚于今天" in r.err and "Traceback" not in r.err
    assert query(laomo_db, "SELECT count(*) FROM achievement") == [(0,)]
    r = cli("register", "achievement", "--studio", "S1", "--title", "甲", "--type", "发明专利",
            "--date", TODAY.isoformat())
    assert r.code == 0, r


AWARD = [
    ("name", "S0023", "--level", "县级", "--year", "2025"),
    ("demonstrate", "S0023", "--level", "县级", "--year", "2025"),
    ("rectify", "S0002", "--reason", "x"),
    ("warn", "S0005", "--reason", "x"),
    ("revoke", "S0001", "--reason", "x"),
    ("close", "S0034", "--reason", "x"),
    ("apply", "--year", "2025", "--yes"),
]


@pytest.mark.parametrize("args", AWARD, ids=[a[0] for a in AWARD])
def test_award_dated_tomorrow_is_a_usage_error(cli, sample_db, args):
    before = dump(sample_db)
    r = cli("award", *args, "--date", TOMORROW.isoformat())
    assert r.code == 2, r
    assert f"日期 {TOMORROW.isoformat()} 晚于今天（{TODAY.isoformat()}）" in r.err and "（--date）" in r.err, r
    assert "Traceback" not in r.err
    assert dump(sample_db) == before


def test_award_revoke_uses_the_injected_today(cli, sample_db, monkeypatch):
    monkeypatch.setattr(values, "today", lambda: dt.date(2025, 11, 30))
    r = cli("award", "revoke", "S0001", "--reason", "x", "--date", "2025-12-01")
    assert r.code == 2 and "晚于今天（2025-11-30）" in r.err and "（--date）" in r.err, r
    r = cli("award", "revoke", "S0001", "--reason", "x", "--date", "2025-11-30")
    assert r.code != 2, r
