"""Issue 15 item 5: ``report studio CODE --format docx`` — the studio dossier as a Word file for the
application's paper file, read back with python-docx: the title names the studio, every section
is there, personal data is masked as in the other formats, a voided record is kept apart and
marked, years are never grouped, nothing ends on an empty page."""

from __future__ import annotations

import re
import zipfile

import pytest
from support.db import query

SECTIONS = ("基本情况", "成员", "荣誉", "创新成果", "活动", "师带徒", "考核", "命名与处理记录")


def _full_ids(db, code):
    rows = query(db, "SELECT p.id_number FROM person p JOIN member m ON m.person_id = p.id "
                     "JOIN studio s ON s.id = m.studio_id WHERE s.code = :c", {"c": code})
    return [r[0] for r in rows if r[0]]


def _document_xml(path):
    with zipfile.ZipFile(path) as z:
        return z.read("word/document.xml").decode("utf-8")


def _table_after(document, heading):
    """The table that follows the paragraph starting with ``heading`` in the body."""
    from docx.table import Table

    body = document.element.body
    seen = False
    for el in body.iterchildren():
        if el.tag.endswith("}p") and "".join(el.itertext()).startswith(heading):
            seen = True
        elif seen and el.tag.endswith("}tbl"):
            return Table(el, document)
    raise AssertionError(f"no table after {heading}")


def test_the_dossier_as_word(cli, assessed, tmp_path):
    import docx

    assert cli("init", "--union", "示例县总工会").code == 0
    data = cli("report", "studio", "S0004", "--json").json
    out = tmp_path / "档案.docx"
    r = cli("report", "studio", "S0004", "--format", "docx", "--out", out)
    assert r.code == 0, r
    assert r.out.strip() == str(out.resolve())

    d = docx.Document(out)
    texts = [p.text for p in d.paragraphs]
    assert f"{data['name']}档案" in texts and "示例县总工会" in texts
    headings = [t for t in texts if re.match(r"^[一二三四五六七八九十]+、", t)]
    for title in SECTIONS:
        assert any(h.split("、", 1)[1].startswith(title) for h in headings), (title, headings)
    assert any(h.startswith(f"二、成员（{len(data['members'])}）") for h in headings)

    facts = "\n".join(c.text for row in d.tables[0].rows for c in row.cells)
    for label in ("编号", "类型", "领衔人", "所在单位", "行业", "区县", "成立日期", "场所面积", "年度经费", "状态", "级别"):
        assert label in facts
    assert data["studio"] in facts and data["unit"] in facts

    members = _table_after(d, "二、成员")
    header = [c.text for c in members.rows[0].cells]
    assert header[:2] == ["编号", "姓名"] and "身份证号" in header
    rows = [[c.text for c in row.cells] for row in members.rows[1:]]
    assert [row[1] for row in rows] == [m["name"] for m in data["members"]]
    ids = [row[header.index("身份证号")] for row in rows]
    assert ids == [m["id_number"] for m in data["members"]] and all("*" in i for i in ids if i)

    xml = _document_xml(out)
    full = _full_ids(assessed, "S0004")
    assert full and not [i for i in full if i in xml]
    # the header row repeats on every page, rows are not split over a page
    assert members.rows[0]._tr.trPr.find(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblHeader") is not None
    # years are never grouped (出生年, 年度, 年份), amounts are
    years = [row.cells[i].text for t in d.tables for i, h in enumerate(c.text for c in t.rows[0].cells)
             if h in ("出生年", "年度", "年份") for row in t.rows[1:]]
    assert "2021" in years and all(re.fullmatch(r"\d{4}", y) for y in years if y), years
    assert "2,021" not in xml and "2,023" not in xml and "20,000 元" in xml
    assert d.paragraphs[-1].text.strip()  # the document ends on text, not on an empty paragraph


def test_a_voided_achievement_is_marked_apart(cli, sample_db, tmp_path):
    import docx

    assert cli("register", "void", "成果", "S0001/A00001", "--reason", "重复登记").code == 0
    out = tmp_path / "s.docx"
    assert cli("report", "studio", "S0001", "--out", out).code == 0  # the format from the extension
    d = docx.Document(out)
    heading = next(p.text for p in d.paragraphs if "已作废的记录" in p.text)
    assert "不计入统计" in heading and heading.endswith("（1）")
    voided = _table_after(d, heading)
    assert [c.text for c in voided.rows[1].cells][:2] == ["成果", "S0001/A00001"]
    assert "重复登记" in [c.text for c in voided.rows[1].cells]
    achievements = _table_after(d, next(p.text for p in d.paragraphs if "、创新成果" in p.text))
    assert "A00001" not in [row.cells[0].text for row in achievements.rows]


def test_no_empty_page_and_no_page_break_alone(cli, assessed, tmp_path):
    import docx
    from docx.oxml.ns import qn

    out = tmp_path / "s.docx"
    assert cli("report", "studio", "S0040", "--format", "docx", "--out", out).code == 0
    d = docx.Document(out)
    for p in d.paragraphs:
        breaks = [br for br in p._p.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
        assert not (breaks and not p.text.strip())
    # a section break (the landscape page of a wide table) sits in a paragraph one point high
    for p in d.paragraphs:
        if p._p.pPr is not None and p._p.pPr.sectPr is not None:
            assert not p.text and p.paragraph_format.line_spacing.pt <= 1
    section = d.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert round(section.left_margin.mm) == 25 and round(section.top_margin.mm) == 25
    assert d.paragraphs[-1].text.startswith("注：")


def test_show_pii_shows_the_full_number_and_keeps_the_file_private(cli, assessed, tmp_path):
    out = tmp_path / "s.docx"
    assert cli("report", "studio", "S0004", "--format", "docx", "--out", out, "--show-pii").code == 0
    full = _full_ids(assessed, "S0004")
    assert all(i in _document_xml(out) for i in full)
    assert out.stat().st_mode & 0o777 == 0o600


def test_without_out_and_for_an_unknown_studio(cli, assessed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("report", "studio", "S0004", "--format", "docx")
    assert r.code == 0, r
    assert r.out.strip() == str((tmp_path / "工作室档案-S0004.docx").resolve())
    assert "未指定 --out" in r.err and (tmp_path / "工作室档案-S0004.docx").stat().st_size > 5000

    r = cli("report", "studio", "S9999", "--format", "docx", "--out", tmp_path / "x.docx")
    assert r.code == 1 and "S9999" in r.err and "不存在" in r.err and "Traceback" not in r.err
    assert not (tmp_path / "x.docx").exists()
    r = cli("report", "studio", "S0004", "--format", "docx", "--out", tmp_path / "x.md")
    assert r.code == 2 and "扩展名" in r.err


@pytest.mark.parametrize("fmt", ["docx"])
def test_docx_is_offered_in_the_help(cli, fmt):
    assert fmt in cli("report", "studio", "--help").out
