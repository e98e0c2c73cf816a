"""laomo report studio CODE: the dossier with people, honors, results, activities, 师带徒, assessments and designations."""

from __future__ import annotations

from support.db import query
from support.sample import EXPECTED


def _count(db, sql, sid=None):
    return query(db, sql, {"sid": sid})[0][0]


def test_json_dossier_matches_the_ledger(cli, assessed):
    r = cli("report", "studio", "S0004", "--json")
    assert r.code == 0, r
    d = r.json
    sid = _count(assessed, "SELECT id FROM studio WHERE code = 'S0004'")
    assert d["studio"] == "S0004" and d["status"] == "named" and d["level"] == "city"
    assert d["levels_held"] == ["county", "city"]
    assert len(d["members"]) == _count(assessed, "SELECT count(*) FROM member WHERE studio_id = :sid", sid)
    assert len(d["achievements"]) == _count(assessed, "SELECT count(*) FROM achievement WHERE studio_id = :sid", sid)
    assert len(d["activities"]) == _count(assessed, "SELECT count(*) FROM activity WHERE studio_id = :sid", sid)
    assert len(d["mentorships"]) == _count(assessed, "SELECT count(*) FROM mentorship WHERE studio_id = :sid", sid)
    assert [x["action"] for x in d["designations"]] == ["name", "name"]
    assessments = {a["year"]: a for a in d["assessments"]}
    assert assessments[2025]["grade"] == EXPECTED["2025"]["S0004"]["grade"]
    assert assessments[2025]["total"] == EXPECTED["2025"]["S0004"]["total"]
    assert assessments[2023]["imported"] is True
    assert d["members"][0]["role"] == "leader" and d["members"][0]["code"] == d["leader"]["code"]
    assert d["honors"], "the leader's honors are listed"
    assert d["totals"]["achievements"] == len(d["achievements"])


def test_text_md_html(cli, assessed, tmp_path):
    text = cli("report", "studio", "S0040")
    assert text.code == 0, text
    name = cli("report", "studio", "S0040", "--json").json["name"]
    assert name in text.out and "已摘牌" in text.out and "摘牌" in text.out
    md = cli("report", "studio", "S0040", "--format", "md").out
    assert md.startswith(f"# {name}档案") and "## 命名与处理记录" in md and "| 状态 | 已摘牌 |" in md
    out = tmp_path / "dossier.html"
    r = cli("report", "studio", "S0040", "--out", out)
    assert r.code == 0 and r.out.strip() == str(out.resolve())
    html = out.read_text(encoding="utf-8")
    for title in ("成员", "荣誉", "创新成果", "活动", "师带徒", "考核", "命名与处理记录"):
        assert f"<h2>{title}（" in html
    assert "<script" not in html and "http" not in html


def test_unknown_studio(cli, assessed):
    r = cli("report", "studio", "S9999")
    assert r.code == 1 and "S9999" in r.err and "不存在" in r.err and "Traceback" not in r.err
    assert cli("report", "studio", "S0001", "--format", "xlsx").code == 2
