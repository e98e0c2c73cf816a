"""The lifecycle (domain.md): name, climb, demonstrate, rectify, warn, revoke, close — and every refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from support.assess import load, merge, studio
from support.award import audit_entries, designations, refused, rw, snapshot, state

from laomo import award
from laomo.award import records
from laomo.errors import UsageError

D = dt.date


def _strong(code: str, **kw):  # type: ignore[no-untyped-def]
    """Eligible for city as of 2025-11-22 and demonstrative at county."""
    args = dict(
        named=[("county", "2021-12-01")],
        achievements=[{"date": f"202{i}-05-01", "benefit": 200000} for i in (1, 3, 5)],
        activities=[("培训", "2023-03-01", 20), ("培训", "2023-09-01", 20),
                    ("技术交流", "2024-03-01", 20), ("培训", "2024-04-01", 20)],
        mentorships=[{"start": "2021-01-01", "promoted_on": f"202{i}-06-01"} for i in (2, 3, 4)],
    )
    args.update(kw)
    return studio(code, **args)


@pytest.fixture
def county(engine):
    """A: named county 2021 (city candidate); B: unnamed (county candidate); C: team of two; R: revoked."""
    load(engine, merge(_strong("A"), studio("B", named=None), studio("C", team=2, named=None),
                       studio("R", named=[("county", "2021-01-01")], designations=[
                           {"action": "revoke", "level": "county", "year": 2023, "date": "2023-03-01",
                            "reason": "摘牌"}])))
    return engine


# --------------------------------------------------------------------------- name


def test_name_writes_one_designation_and_an_audit_entry(county):
    before = len(audit_entries(county))
    out = rw(county, award.name, codes=["B"], level="县级", year=2025, batch="2025年第一批", doc="某县总工〔2025〕3号",
             date="2025-11-22", amount="2万")
    assert out.written == 1 and out.to_json() == {
        "action": "name", "level": "county", "year": 2025, "date": "2025-11-22", "batch": "2025年第一批",
        "doc": "某县总工〔2025〕3号", "amount": 20000, "as_of": "2025-11-22", "profile": "henan-2015", "written": 1,
        "studios": [{"studio": "B", "name": "B创新工作室", "forced": False, "overridden": []}], "forced": False}
    assert list(out.to_json()) == ["action", "level", "year", "date", "batch", "doc", "amount", "as_of", "profile",
                                   "written", "studios", "forced"]  # the order the JSON prints in
    (row,) = designations(county, "B")
    assert (row["action"], row["level"], row["year"], row["date"], row["batch"], row["doc"], row["amount"]) == (
        "name", "county", 2025, "2025-11-22", "2025年第一批", "某县总工〔2025〕3号", 20000)
    assert row["operator"] and row["created_at"]
    st = state(county, "B")
    assert (st.status, st.level) == ("named", "county")
    entries = audit_entries(county)
    assert len(entries) == before + 1
    assert entries[-1]["key"] == "B" and entries[-1]["before"]["status"] == "registered"
    assert entries[-1]["after"]["action"] == "name" and "forced" not in entries[-1]["after"]


def test_created_at_is_aware_utc(county):
    from sqlmodel import select

    from laomo.models import Designation
    from laomo.store.db import read_session

    rw(county, award.name, codes=["B"], level="county", year=2025, date="2025-11-22")
    with read_session(county) as session:
        row = session.exec(select(Designation).where(Designation.action == "name",
                                                     Designation.date == D(2025, 11, 22))).one()
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=dt.UTC)
    assert abs(dt.datetime.now(dt.UTC) - created) < dt.timedelta(minutes=5)


def test_climbing_keeps_the_lower_naming_in_history(county):
    rw(county, award.name, codes=["A"], level="市级", year=2025, date="2025-11-22")
    st = state(county, "A")
    assert (st.status, st.level, st.levels_held) == ("named", "city", ["county", "city"])
    assert [(d["action"], d["level"]) for d in designations(county, "A")] == [("name", "county"), ("name", "city")]


def test_name_refuses_with_every_reason_and_changes_nothing(county):
    err = refused(county, award.name, codes=["C"], level="city", year=2025, date="2025-11-22")
    assert err.exit_code == 1
    assert err.lines == ["C C创新工作室：未通过 S3 有固定团队：团队人数（不含领衔人） 2，要求至少 3",
                         "C C创新工作室：未持有较低级别的命名（市级不是起步级别，须先在较低级别命名满 1 年）"]
    assert "确需办理请强制办理并写明理由" in str(err) and err.option == "force" and "--" not in str(err)


def test_naming_several_studios_is_all_or_nothing(county):
    err = refused(county, award.name, codes=["B", "C"], level="county", year=2025, date="2025-11-22")
    assert "1 个工作室（C）" in str(err)
    assert designations(county, "B") == []
    out = rw(county, award.name, codes=["B", "A", "B"], level="enterprise", year=2025, date="2025-11-22",
             force=True, reason="补录")
    assert [s.studio for s in out.studios] == ["B", "A"]  # duplicates dropped, order kept


def test_unknown_studio_is_not_found(county):
    err = refused(county, award.name, codes=["B", "NOPE", "NADA"], level="county", year=2025)
    assert err.exit_code == 1 and "NOPE、NADA" in str(err)


@pytest.mark.parametrize("kwargs, text, option", [
    (dict(level="州级"), "级别「州级」无效", "level"),
    (dict(date="2025-13-01"), "日期「2025-13-01」无效", "date"),
    (dict(amount="很多"), "金额「很多」无效", "amount"),
    (dict(year=1800), "超出范围", "year"),
    (dict(doc="号" * 101), "文号过长（101 个字符，最多 100 个）", "doc"),
    (dict(force=True), "强制办理时必须写明理由", "reason"),
    (dict(force=True, reason="  "), "强制办理时必须写明理由", "reason"),
])
def test_invalid_values_are_usage_errors(county, kwargs, text, option):
    args: dict[str, Any] = dict(level="county", year=2025)
    args.update(kwargs)
    err = refused(county, award.name, codes=["B"], **args)
    assert isinstance(err, UsageError) and err.exit_code == 2
    assert text in str(err) and err.option == option and "--" not in str(err)


def test_force_names_an_ineligible_studio_and_is_audited(county):
    from laomo.store.audit import os_user

    out = rw(county, award.name, codes=["C"], level="county", year=2025, date="2025-11-22", force=True, reason="县委特批")
    assert out.forced and out.studios[0].overridden == ("未通过 S3 有固定团队：团队人数（不含领衔人） 2，要求至少 3",)
    (row,) = designations(county, "C")
    assert row["reason"] == "县委特批" and row["operator"] == os_user()
    entry = audit_entries(county)[-1]
    assert entry["os_user"] == os_user() and entry["key"] == "C"
    assert entry["after"]["forced"] is True and entry["after"]["force_reason"] == "县委特批"
    assert entry["after"]["overridden"] == ["未通过 S3 有固定团队：团队人数（不含领衔人） 2，要求至少 3"]


def test_force_renames_a_revoked_studio(county):
    refused(county, award.name, codes=["R"], level="county", year=2025, date="2025-11-22")
    rw(county, award.name, codes=["R"], level="county", year=2025, date="2025-11-22", force=True, reason="整改到位后重新命名")
    assert state(county, "R").status == "named"


def test_force_cannot_name_at_a_level_already_held(county):
    err = refused(county, award.name, codes=["A"], level="county", year=2025, force=True, reason="再来一次")
    assert err.lines == ["A A创新工作室：已是县级工作室（2021-12-01 命名）"] and "即使强制办理也不能办理" in str(err)


def test_the_naming_date_is_the_check_date(county):
    # One day short of a year at county level on 2022-11-30; a full year on 2022-12-01.
    refused(county, award.name, codes=["A"], level="city", year=2022, date="2022-11-30")
    rw(county, award.name, codes=["A"], level="city", year=2022, date="2022-12-01")
    assert state(county, "A").level == "city"


# --------------------------------------------------------------------------- demonstrate


def test_demonstrate(county):
    out = rw(county, award.demonstrate, codes=["A"], level="county", year=2025, doc="某县总工〔2025〕9号", date="2025-11-22")
    assert out.action == "demonstrate" and out.written == 1
    st = state(county, "A")
    assert st.demonstrative and st.demonstrative_levels == {"county"} and st.status == "named"
    assert designations(county, "A")[-1]["action"] == "demonstrate"


def test_demonstrate_refusals(county):
    err = refused(county, award.demonstrate, codes=["B"], level="county", year=2025, date="2025-11-22")
    assert "未持有县级命名，不能命名为县级示范性工作室" in err.lines[0]
    refused(county, award.demonstrate, codes=["B"], level="county", year=2025, date="2025-11-22", force=True, reason="x")
    rw(county, award.demonstrate, codes=["A"], level="county", year=2025, date="2025-11-22")
    err = refused(county, award.demonstrate, codes=["A"], level="county", year=2025, date="2025-11-23", force=True, reason="x")
    assert err.lines == ["A A创新工作室：已是县级示范性工作室"]


def test_demonstrate_refuses_a_studio_short_of_the_thresholds_unless_forced(county):
    load(county, _strong("S", named=[("county", "2023-01-01")], mentorships=[]))
    err = refused(county, award.demonstrate, codes=["S"], level="county", year=2025, date="2025-11-22")
    assert [line.split("：", 1)[1][:11] for line in err.lines] == ["未满足示范性条件 D1", "未满足示范性条件 D4"]
    rw(county, award.demonstrate, codes=["S"], level="county", year=2025, date="2025-11-22", force=True, reason="市里点名")
    assert audit_entries(county)[-1]["after"]["forced"] is True


# --------------------------------------------------------------------------- rectify, warn, restore by apply


def test_rectify_with_the_default_deadline(county):
    out = rw(county, award.rectify, code="A", reason="台账不全", date="2025-03-01")
    assert out.deadline == D(2026, 6, 30) and (out.status_before, out.status) == ("named", "rectification")
    assert out.to_json() == {"studio": "A", "action": "rectify", "date": "2025-03-01", "year": 2025,
                             "levels": ["county"], "deadline": "2026-06-30", "reason": "台账不全", "doc": None,
                             "status_before": "named", "status": "rectification", "level": "county"}
    row = designations(county, "A")[-1]
    assert (row["action"], row["year"], row["deadline"], row["reason"]) == ("rectify", 2025, "2026-06-30", "台账不全")
    assert state(county, "A").deadline == D(2026, 6, 30)
    assert audit_entries(county)[-1]["after"]["deadline"] == "2026-06-30"


def test_rectify_with_a_deadline_and_from_warned(county):
    rw(county, award.warn, code="A", reason="疑似翻牌", date="2025-02-01")
    out = rw(county, award.rectify, code="A", reason="翻牌整改", deadline="2025年9月30日", date="2025-03-01")
    assert out.deadline == D(2025, 9, 30) and out.status_before == "warned"


@pytest.mark.parametrize("code, prep, text", [
    ("B", None, "B B创新工作室尚未命名，不能限期整改"),
    ("R", None, "已摘牌，不能限期整改"),
    ("A", "rectify", "已在限期整改中，不能再次限期整改"),
    ("A", "close", "已撤销，不能限期整改"),
])
def test_rectify_refusals(county, code, prep, text):
    if prep == "rectify":
        rw(county, award.rectify, code=code, reason="第一次", date="2025-03-01")
    elif prep == "close":
        rw(county, award.close, code=code, reason="企业关闭", date="2025-03-01")
    err = refused(county, award.rectify, code=code, reason="整改", date="2025-04-01")
    assert text in str(err) and err.exit_code == 1


def test_rectify_deadline_must_follow_the_date(county):
    err = refused(county, award.rectify, code="A", reason="整改", deadline="2025-03-01", date="2025-03-01")
    assert err.exit_code == 2 and "应晚于处理日期" in str(err) and err.option == "deadline"


def test_warn_from_named_and_from_rectification(county):
    assert rw(county, award.warn, code="A", reason="一线占比低", doc="某县总工〔2025〕5号", date="2025-03-01").status == "warned"
    load(county, _strong("A2"))
    rw(county, award.rectify, code="A2", reason="整改", date="2025-03-01")
    out = rw(county, award.warn, code="A2", reason="整改期间通报", date="2025-04-01")
    assert (out.status_before, out.status) == ("rectification", "warned")
    assert designations(county, "A")[-1]["doc"] == "某县总工〔2025〕5号"


@pytest.mark.parametrize("code, prep, text", [
    ("B", None, "尚未命名，不能通报"),
    ("R", None, "已摘牌，不能通报"),
    ("A", "warn", "已被通报，不能再次通报"),
    ("A", "close", "已撤销，不能通报"),
])
def test_warn_refusals(county, code, prep, text):
    if prep == "warn":
        rw(county, award.warn, code=code, reason="第一次", date="2025-03-01")
    elif prep == "close":
        rw(county, award.close, code=code, reason="企业关闭", date="2025-03-01")
    assert text in str(refused(county, award.warn, code=code, reason="通报", date="2025-04-01"))


def test_reason_is_required(county):
    for fn, reason in ((award.rectify, ""), (award.warn, " "), (award.revoke, None), (award.close, "")):
        err = refused(county, fn, code="A", reason=reason)
        assert isinstance(err, UsageError) and err.exit_code == 2
        assert str(err) == "必须说明原因" and err.option == "reason"


# --------------------------------------------------------------------------- revoke


def test_revoke_every_level_writes_one_row_per_level(county):
    rw(county, award.name, codes=["A"], level="city", year=2025, date="2025-11-22")
    out = rw(county, award.revoke, code="A", reason="连续两年不合格", doc="某县总工〔2026〕1号", date="2026-02-01")
    assert out.levels == ("city", "county") and out.status == "revoked" and out.level is None
    assert out.to_json()["levels"] == ["city", "county"]
    rows = designations(county, "A")[-2:]
    assert [(r["action"], r["level"], r["doc"]) for r in rows] == [
        ("revoke", "city", "某县总工〔2026〕1号"), ("revoke", "county", "某县总工〔2026〕1号")]
    assert len([e for e in audit_entries(county) if e["key"] == "A"]) == 3  # the naming and two revocations


def test_revoking_one_level_leaves_the_others(county):
    rw(county, award.name, codes=["A"], level="city", year=2025, date="2025-11-22")
    out = rw(county, award.revoke, code="A", reason="市级考核不合格", level="市级", date="2026-02-01")
    assert (out.status, out.level) == ("named", "county")
    err = refused(county, award.revoke, code="A", reason="再摘", level="city", date="2026-02-02")
    assert "未持有市级命名，不能摘去市级的牌" in str(err)


def test_revoke_from_rectification_and_warned(county):
    rw(county, award.rectify, code="A", reason="整改", date="2025-03-01")
    assert rw(county, award.revoke, code="A", reason="整改不到位", date="2025-08-01").status_before == "rectification"


@pytest.mark.parametrize("code, prep, text", [
    ("B", None, "未持有任何命名，不能摘牌"),
    ("R", None, "已摘牌，不能摘牌"),
    ("A", "close", "已撤销，不能摘牌"),
])
def test_revoke_refusals(county, code, prep, text):
    if prep == "close":
        rw(county, award.close, code=code, reason="企业关闭", date="2025-03-01")
    assert text in str(refused(county, award.revoke, code=code, reason="摘牌", date="2025-04-01"))


# --------------------------------------------------------------------------- close


@pytest.mark.parametrize("code, before", [("B", "registered"), ("A", "named"), ("R", "revoked")])
def test_close_from_any_state_but_closed(county, code, before):
    out = rw(county, award.close, code=code, reason="领衔人调离", date="2025-05-01")
    assert (out.status_before, out.status) == (before, "closed")
    err = refused(county, award.close, code=code, reason="再撤销", date="2025-06-01")
    assert "已撤销，不能重复撤销" in str(err)


def test_close_from_rectification(county):
    rw(county, award.rectify, code="A", reason="整改", date="2025-03-01")
    assert rw(county, award.close, code="A", reason="企业关闭", date="2025-04-01").status_before == "rectification"


# --------------------------------------------------------------------------- judged on the action's date


def test_a_backdated_action_is_judged_on_its_date(county):
    # B is named on 2025-11-22: a warning dated before that finds nothing to warn.
    rw(county, award.name, codes=["B"], level="county", year=2025, date="2025-11-22")
    assert "尚未命名" in str(refused(county, award.warn, code="B", reason="x", date="2025-01-01"))
    assert rw(county, award.warn, code="B", reason="x", date="2025-11-23").status == "warned"


def test_every_transition_is_a_new_row_and_audited(county):
    steps = [
        (award.name, dict(codes=["B"], level="county", year=2025, date="2025-01-10")),
        (award.warn, dict(code="B", reason="通报", date="2025-02-01")),
        (award.rectify, dict(code="B", reason="整改", date="2025-03-01")),
        (award.revoke, dict(code="B", reason="摘牌", date="2025-04-01")),
        (award.name, dict(codes=["B"], level="county", year=2025, date="2025-05-01", force=True, reason="重新命名")),
        (award.close, dict(code="B", reason="撤销", date="2025-06-01")),
    ]
    statuses = []
    for fn, kw in steps:
        before = snapshot(county)
        rw(county, fn, **kw)
        after = snapshot(county)
        assert after["designation"][:len(before["designation"])] == before["designation"]  # nothing rewritten
        assert len(after["designation"]) == len(before["designation"]) + 1
        assert len(after["audit"]) == len(before["audit"]) + 1
        statuses.append(state(county, "B").status)
    assert statuses == ["named", "warned", "rectification", "revoked", "named", "closed"]
    h = rw(county, award.history, code="B")
    assert [d.action for d in h.designations] == ["name", "warn", "rectify", "revoke", "name", "close"]
    assert h.status == "closed" and h.to_json()["designations"][1]["reason"] == "通报"
    assert list(h.to_json()) == ["studio", "name", "status", "level", "levels_held", "demonstrative_levels",
                                 "deadline", "designations"]
    assert list(h.to_json()["designations"][0]) == ["id", "action", "level", "year", "date", "batch", "doc",
                                                    "amount", "reason", "deadline", "voided", "approximate"]


def test_many_studios_at_once_read_everything_instead_of_a_long_in_list(county, monkeypatch):
    monkeypatch.setattr(records, "MAX_IN", 1)
    err = refused(county, award.name, codes=["B", "C"], level="county", year=2025, date="2025-11-22")
    assert [line.split(" ", 1)[0] for line in err.lines] == ["C"]
    out = rw(county, award.name, codes=["B", "A"], level="city", year=2025, date="2025-11-22", force=True, reason="批量")
    assert [(s.studio, s.forced) for s in out.studios] == [("B", True), ("A", False)]
    assert state(county, "B").level == "city" and state(county, "A").level == "city"
