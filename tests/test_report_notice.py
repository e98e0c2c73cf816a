"""laomo report notice: the decision document (naming / revocation) in md, html and docx, and a union's own templates."""

from __future__ import annotations

import pytest
from support.assess import load
from support.db import execute, query

NAMINGS = [
    {"studio": "S0023", "action": "命名", "level": "县级", "year": 2025, "date": "2025-12-20",
     "batch": "2025年第一批", "doc": "示例县总工〔2026〕3号", "amount": 20000},
    {"studio": "S0034", "action": "命名", "level": "县级", "year": 2025, "date": "2025-12-20",
     "batch": "2025年第一批", "doc": "示例县总工〔2026〕3号", "amount": 20000},
    {"studio": "S0004", "action": "命名", "level": "市级", "year": 2025, "date": "2025-11-20", "doc": "市总工〔2025〕9号"},
    {"studio": "S0001", "action": "摘牌", "level": "县级", "year": 2025, "date": "2025-12-28",
     "doc": "示例县总工〔2026〕5号", "reason": "2024、2025年度连续考核不合格"},
    {"studio": "S0007", "action": "摘牌", "level": "县级", "year": 2025, "date": "2025-12-28",
     "doc": "示例县总工〔2026〕5号", "reason": "连续三年无创新成果"},
]


@pytest.fixture
def decided(cli, assessed):
    """The assessed sample county with 2025 namings and revocations, kept by 示例县总工会."""
    from laomo.store.db import open_engine

    load(open_engine(str(assessed)), {"designations": NAMINGS})
    assert cli("init", "--union", "示例县总工会").code == 0
    return assessed


def _names(db):
    return {c: (n, u) for c, n, u in query(db, "SELECT code, name, unit FROM studio")}


def test_naming_notice_md(cli, decided):
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "县级")
    assert r.code == 0, r
    md = r.out
    names = _names(decided)
    assert "# 关于命名2025年度县级劳模和工匠人才创新工作室的决定" in md  # one 劳模, one 工匠 studio
    assert "示例县总工〔2026〕3号" in md
    assert "各乡镇（街道）工会" in md  # 主送
    assert f"决定命名{names['S0023'][0]}等2个工作室为" in md
    assert "示例县总工会\n\n2025年12月20日" in md  # 落款: union and date
    assert "附件：2025年度县级劳模和工匠人才创新工作室名单" in md
    assert "### 一、采矿业（1个）" in md and "### 二、交通运输、仓储和邮政业（1个）" in md
    for code in ("S0023", "S0034"):
        name, unit = names[code]
        assert f"- {name}（{unit}）" in md
    assert names["S0004"][0] not in md  # the city naming is another decision


def test_several_levels_need_level_and_doc_override(cli, decided):
    r = cli("report", "notice", "--year", "2025", "--kind", "naming")
    assert r.code == 2 and "--level" in r.err and "县级" in r.err and "市级" in r.err
    r = cli("report", "notice", "--year", "2025", "--kind", "命名", "--level", "city", "--doc", "某市总工〔2026〕1号")
    assert r.code == 0, r
    assert "关于命名2025年度市级劳模创新工作室的决定" in r.out and "某市总工〔2026〕1号" in r.out
    assert "市总工〔2025〕9号" not in r.out
    missing = cli("report", "notice", "--year", "2024", "--kind", "naming")
    assert missing.code == 1 and "没有" in missing.err
    assert cli("report", "notice", "--year", "2025", "--kind", "nonsense").code == 2
    assert cli("report", "notice", "--year", "2025").code == 2


def test_revocation_lists_the_reason_per_studio(cli, decided):
    r = cli("report", "notice", "--year", "2025", "--kind", "revocation", "--format", "json")
    data = r.json
    assert data["title"] == "关于撤销部分县级劳模创新工作室命名的决定"
    assert data["doc"] == "示例县总工〔2026〕5号" and data["count"] == 2 and data["date"] == "2025-12-28"
    lines = {s["studio"]: s for g in data["groups"] for s in g["studios"]}
    assert lines["S0001"]["reason"] == "2024、2025年度连续考核不合格"
    md = cli("report", "notice", "--year", "2025", "--kind", "revocation").out
    names = _names(decided)
    assert f"- {names['S0001'][0]}（{names['S0001'][1]}）　撤销原因：2024、2025年度连续考核不合格" in md
    assert "撤销原因：连续三年无创新成果" in md


def test_docx_reads_back_in_the_official_layout(cli, decided, tmp_path):
    import docx
    from docx.shared import Mm

    out = tmp_path / "决定.docx"
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--out", out)
    assert r.code == 0, r
    assert r.out.strip() == str(out.resolve())
    d = docx.Document(out)
    section = d.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert abs(section.top_margin - Mm(37)) < Mm(1) and abs(section.left_margin - Mm(28)) < Mm(1)
    paragraphs = [p.text for p in d.paragraphs]
    assert paragraphs[0] == "示例县总工会文件"
    assert "示例县总工〔2026〕3号" in paragraphs
    assert "关于命名2025年度县级劳模和工匠人才创新工作室的决定" in paragraphs
    assert any(p.startswith("各乡镇（街道）工会") and p.endswith("：") for p in paragraphs)
    assert any("等2个工作室" in p for p in paragraphs)
    assert "示例县总工会" in paragraphs and "2025年12月20日" in paragraphs
    names = _names(decided)
    att = paragraphs.index("附件")
    listed = paragraphs[att:]
    assert "一、采矿业（1个）" in listed and "二、交通运输、仓储和邮政业（1个）" in listed
    for code in ("S0023", "S0034"):
        assert f"{names[code][0]}（{names[code][1]}）" in listed
    title = d.paragraphs[paragraphs.index("关于命名2025年度县级劳模和工匠人才创新工作室的决定")]
    assert title.runs[0].font.size.pt >= 18
    body = d.paragraphs[paragraphs.index(next(p for p in paragraphs if "等2个工作室" in p))]
    assert body.paragraph_format.first_line_indent.pt == 32  # two characters of 三号
    assert "PAGE" in section.footer.paragraphs[0]._p.xml
    # the same through --format with a default file name
    r = cli("report", "notice", "--year", "2025", "--kind", "revocation", "--format", "docx", "--out", tmp_path / "r.docx")
    texts = [p.text for p in docx.Document(tmp_path / "r.docx").paragraphs]
    assert "撤销原因：连续三年无创新成果" in texts


def test_html_notice_and_grouping_by_county(cli, decided, tmp_path):
    execute(decided, "UPDATE studio SET county = '示例新区' WHERE code = 'S0034'")
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "县级", "--format", "html")
    assert r.code == 0, r
    html = r.out
    assert html.startswith("<!DOCTYPE html>") and "<h1" in html
    assert "一、示例县（1个）" in html and "二、示例新区（1个）" in html
    assert "size: A4" in html and "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "县级", "--group-by", "industry",
            "--format", "json")
    assert [g["name"] for g in r.json["groups"]] == ["采矿业", "交通运输、仓储和邮政业"]


def test_warnings_without_union_or_common_doc(cli, assessed):
    from laomo.store.db import open_engine

    rows = [dict(NAMINGS[0]), dict(NAMINGS[1], doc="另一个文号〔2026〕1号")]
    load(open_engine(str(assessed)), {"designations": rows})
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--format", "json")
    assert r.code == 0, r
    assert r.json["doc"] == ""
    assert "文号不一致" in r.err and "laomo init --union" in r.err


def test_union_md_template_in_the_sandbox(cli, decided, tmp_path):
    tpl = tmp_path / "我的模板.md"
    tpl.write_text("{{ title }}\n{{ doc }}\n共{{ count }}个\n{% for g in groups %}{{ loop.index|cn }}、{{ g.name }}"
                   "{% for s in g.studios %}\n{{ s.line }}{% endfor %}\n{% endfor %}落款：{{ union }} {{ date_text }}\n",
                   encoding="utf-8")
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--template", tpl)
    assert r.code == 0, r
    names = _names(decided)
    assert r.out.startswith("关于命名2025年度县级劳模和工匠人才创新工作室的决定\n示例县总工〔2026〕3号\n共2个\n一、采矿业\n")
    assert f"{names['S0023'][0]}（{names['S0023'][1]}）" in r.out
    assert "落款：示例县总工会 2025年12月20日" in r.out
    html_tpl = tmp_path / "t.html"
    html_tpl.write_text("<h1>{{ title }}</h1>{% for g in groups %}<p>{{ g.name }}</p>{% endfor %}", encoding="utf-8")
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--template", html_tpl,
            "--out", tmp_path / "out.html")
    assert r.code == 0, r
    assert (tmp_path / "out.html").read_text(encoding="utf-8").startswith("<h1>关于命名2025年度")
    # the format follows the template; a contradicting --format is a usage error
    assert cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--template", tpl,
               "--format", "docx").code == 2
    bad = tmp_path / "bad.md"
    bad.write_text("{% for x in %}", encoding="utf-8")
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--template", bad)
    assert r.code == 1 and "第 1 行" in r.err and "Traceback" not in r.err
    assert cli("report", "notice", "--year", "2025", "--kind", "naming", "--template", tmp_path / "none.md").code == 1


def _docx_template(path):
    import docx

    d = docx.Document()
    d.add_paragraph("{{ 标题 }}")
    p = d.add_paragraph()
    p.add_run("文号：{{")  # a placeholder split over runs, as Word often stores it
    p.add_run("doc")
    p.add_run("}}，共{{数量}}个")
    d.add_paragraph("{{正文}}")
    d.add_paragraph("{{ list }}")
    table = d.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("序号", "名称", "单位")):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ("{{序号}}", "{{名称}}", "{{单位}}")):
        cell.text = text
    d.add_paragraph("{{落款}}　{{日期}}")
    d.save(path)


def test_union_docx_template_is_filled(cli, decided, tmp_path):
    import docx

    tpl = tmp_path / "模板.docx"
    _docx_template(tpl)
    out = tmp_path / "filled.docx"
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--template", tpl,
            "--out", out)
    assert r.code == 0, r
    d = docx.Document(out)
    texts = [p.text for p in d.paragraphs]
    names = _names(decided)
    assert texts[0] == "关于命名2025年度县级劳模和工匠人才创新工作室的决定"
    assert texts[1] == "文号：示例县总工〔2026〕3号，共2个"
    assert any(t.startswith("为大力弘扬劳模精神") for t in texts) and any(t.startswith("希望被命名") for t in texts)
    assert "一、采矿业（1个）" in texts and f"{names['S0023'][0]}（{names['S0023'][1]}）" in texts
    assert "示例县总工会　2025年12月20日" in texts
    rows = [[c.text for c in row.cells] for row in d.tables[0].rows]
    assert rows[0] == ["序号", "名称", "单位"]
    assert rows[1:] == [["1", names["S0023"][0], names["S0023"][1]], ["2", names["S0034"][0], names["S0034"][1]]]
    assert not any("{{" in t for t in texts)

    bad = tmp_path / "bad.docx"
    d = docx.Document()
    d.add_paragraph("{{ 签发人 }}")
    d.save(bad)
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--template", bad,
            "--out", tmp_path / "x.docx")
    assert r.code == 1 and "签发人" in r.err and not (tmp_path / "x.docx").exists()
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--template", junk,
            "--out", tmp_path / "y.docx")
    assert r.code == 1 and "Word" in r.err


def test_docx_template_never_reads_the_data_as_placeholders(cli, decided, tmp_path):
    """Issue 12 item 14: `--doc '市工发{{ union }}号'` came out as 市工发示例县总工会号, and data holding an
    unknown placeholder was refused as a template error."""
    import docx

    tpl = tmp_path / "模板.docx"
    _docx_template(tpl)
    execute(decided, "UPDATE studio SET name = '{{ 签发人 }}工作室' WHERE code = 'S0023'")
    out = tmp_path / "filled.docx"
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--level", "county", "--template", tpl,
            "--doc", "市工发{{ union }}号", "--out", out)
    assert r.code == 0, r
    d = docx.Document(out)
    texts = [p.text for p in d.paragraphs]
    assert texts[1] == "文号：市工发{{ union }}号，共2个"
    rows = [[c.text for c in row.cells] for row in d.tables[0].rows]
    assert rows[1][1] == "{{ 签发人 }}工作室"
    assert not any("\ue000" in t for t in texts)
