"""Messages speak the clerk's language: Chinese labels instead of English enumeration values,
Chinese default file names (issue 15, item 6)."""

from __future__ import annotations

import pytest


@pytest.fixture
def studio(cli, laomo_db):
    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0
    assert cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
               "--industry", "C", "--county", "县").code == 0
    return laomo_db


def test_a_registered_activity_reads_in_chinese(cli, studio):
    r = cli("register", "activity", "--studio", "S1", "--kind", "培训", "--date", "2025-03-02",
            "--title", "安全培训")
    assert r.code == 0, r
    assert r.out.strip() == "已登记活动 S1 2025-03-02 培训「安全培训」"
    assert "training" not in r.out


def test_a_registered_honor_reads_in_chinese(cli, studio):
    r = cli("register", "honor", "--person", "P1", "--kind", "省部级劳动模范", "--year", "2020")
    assert r.code == 0, r
    assert r.out.strip() == "已登记荣誉 P1 省部级劳动模范 2020年"
    assert "province_model_worker" not in r.out


def test_a_refused_repeat_names_the_void_key_in_chinese(cli, studio):
    activity = ("register", "activity", "--studio", "S1", "--kind", "培训", "--date", "2025-03-02",
                "--title", "安全培训", "--participants")
    assert cli(*activity, "30").code == 0
    r = cli(*activity, "31")
    assert r.code == 1
    assert "register void 活动 S1/2025-03-02/培训/安全培训 " in r.err and "training" not in r.err
