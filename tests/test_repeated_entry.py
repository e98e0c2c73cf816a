"""Repeated entry (cli.md "Safety"): registering an achievement or activity identical to one already
stored — same studio, title (achievement) or kind and title (activity), and date — says so and adds
nothing unless ``--again``.  The same values again: a note on stderr and exit 0 (nothing changed; a
script run twice must not fail).  Other values: exit 1, nothing written, the differing values named.
A voided record is not "already stored"."""

from __future__ import annotations

import pytest
from support.db import dump, query

ACHIEVEMENT = ("register", "achievement", "--studio", "S1", "--title", "一种新型夹具", "--type", "发明专利",
               "--date", "2025-03-01", "--benefit", "5万")
ACTIVITY = ("register", "activity", "--studio", "S1", "--kind", "培训", "--date", "2025-03-02",
            "--title", "安全培训", "--participants", "30")


@pytest.fixture
def studio(cli, laomo_db):
    assert cli("init").code == 0
    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0
    assert cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
               "--industry", "C", "--county", "县").code == 0
    return laomo_db


def _achievements(ref):
    return query(ref, "SELECT code, benefit, voided_at IS NOT NULL FROM achievement ORDER BY code")


def _activities(ref):
    return query(ref, "SELECT seq, participants, voided_at IS NOT NULL FROM activity ORDER BY seq")


def test_the_same_achievement_twice_is_stored_once(cli, studio):
    assert cli(*ACHIEVEMENT).code == 0
    before = dump(studio)
    r = cli(*ACHIEVEMENT)
    assert r.code == 0, r
    assert "未重复登记：已有相同成果 S1/A00001" in r.err and "--again" in r.err
    assert dump(studio) == before  # nothing written, not even an audit entry
    assert cli("report", "summary", "--year", "2025", "--json").json["achievements"]["count"] == 1


def test_the_same_achievement_with_other_values_is_refused(cli, studio):
    assert cli(*ACHIEVEMENT).code == 0
    before = dump(studio)
    r = cli(*ACHIEVEMENT[:-1], "6万", "--stage", "推广转化")
    assert r.code == 1, r
    assert "S1/A00001" in r.err and "经济效益" in r.err and "阶段" in r.err
    assert "--code A00001" in r.err and "--again" in r.err
    assert dump(studio) == before


def test_again_registers_a_second_achievement(cli, studio):
    assert cli(*ACHIEVEMENT).code == 0
    r = cli(*ACHIEVEMENT, "--again")
    assert r.code == 0 and "已登记成果 S1/A00002" in r.out
    assert _achievements(studio) == [("A00001", 50000, 0), ("A00002", 50000, 0)]
    assert cli("report", "summary", "--year", "2025", "--json").json["achievements"]["count"] == 2


def test_a_voided_achievement_is_not_already_stored(cli, studio):
    assert cli(*ACHIEVEMENT).code == 0
    assert cli("register", "void", "成果", "S1/A00001", "--reason", "名称录错").code == 0
    r = cli(*ACHIEVEMENT)
    assert r.code == 0 and "已登记成果 S1/A00002" in r.out
    assert _achievements(studio) == [("A00001", 50000, 1), ("A00002", 50000, 0)]


def test_the_code_of_a_voided_achievement_is_not_reused(cli, studio):
    assert cli(*ACHIEVEMENT, "--code", "A7").code == 0
    assert cli("register", "void", "成果", "S1/A7", "--reason", "名称录错").code == 0
    before = dump(studio)
    r = cli("register", "achievement", "--studio", "S1", "--title", "另一项", "--type", "工法",
            "--date", "2025-04-01", "--code", "A7")
    assert r.code == 1 and "已于" in r.err and "作废" in r.err and "名称录错" in r.err and "--code" in r.err
    assert dump(studio) == before


def test_the_same_activity_twice_is_stored_once(cli, studio):
    assert cli(*ACTIVITY).code == 0
    before = dump(studio)
    r = cli(*ACTIVITY)
    assert r.code == 0, r
    assert "未重复登记：已有相同活动 S1 2025-03-02 培训「安全培训」" in r.err and "--again" in r.err
    assert dump(studio) == before


def test_the_same_activity_with_other_figures_is_refused(cli, studio):
    assert cli(*ACTIVITY).code == 0
    before = dump(studio)
    r = cli(*ACTIVITY[:-1], "31")
    assert r.code == 1 and "人次" in r.err and "--again" in r.err and "register void" in r.err
    assert dump(studio) == before


def test_again_registers_the_next_session_of_the_day(cli, studio):
    assert cli(*ACTIVITY).code == 0
    r = cli(*ACTIVITY, "--again")
    assert r.code == 0 and "已登记活动 S1 2025-03-02 培训「安全培训」第 2 场" in r.out
    assert _activities(studio) == [(1, 30, 0), (2, 30, 0)]
    assert cli("report", "summary", "--year", "2025", "--json").json["training"] == {
        "sessions": 2, "participants": 60}
    # the second session is audited under its own key, and can be voided by it
    assert query(studio, "SELECT count(*) FROM audit WHERE entity = 'activity' "
                         "AND key = 'S1/2025-03-02/training/安全培训#2'") == [(1,)]
    assert cli("register", "void", "活动", "S1/2025-03-02/培训/安全培训#2", "--reason", "重复").code == 0


def test_a_voided_session_is_not_already_stored(cli, studio):
    assert cli(*ACTIVITY).code == 0
    assert cli("register", "void", "活动", "S1/2025-03-02/培训/安全培训", "--reason", "日期录错").code == 0
    r = cli(*ACTIVITY)
    assert r.code == 0 and "已登记活动 S1 2025-03-02 培训「安全培训」第 2 场" in r.out
    assert _activities(studio) == [(1, 30, 1), (2, 30, 0)]  # the voided one is left as it was
    assert cli("report", "summary", "--year", "2025", "--json").json["training"] == {
        "sessions": 1, "participants": 30}


def test_a_script_run_twice_changes_nothing_the_second_time(cli, studio):
    script = (ACHIEVEMENT, ACTIVITY)
    assert [cli(*command).code for command in script] == [0, 0]
    before = dump(studio)
    assert [cli(*command).code for command in script] == [0, 0]
    assert dump(studio) == before
