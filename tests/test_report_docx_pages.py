"""Issue 15 item 2: a short naming notice has no empty page 2 — the attachment starts its page by
itself (page break before 附件), never through a page break standing in an empty paragraph of
its own, which spills onto a blank page when page 1 is full."""

from __future__ import annotations

from support.assess import load

NAMINGS = [
    {"studio": code, "action": "命名", "level": "县级", "year": 2025, "date": "2025-12-20",
     "batch": "2025年第一批", "doc": "示例县总工〔2026〕3号"} for code in ("S0023", "S0034")
]


def _page_breaks_alone(document):
    from docx.oxml.ns import qn

    out = []
    for p in document.paragraphs:
        breaks = [br for br in p._p.iter(qn("w:br")) if br.get(qn("w:type")) == "page"]
        if breaks and not p.text.strip():
            out.append(p)
    return out


def test_the_attachment_breaks_its_own_page_and_no_paragraph_holds_only_a_page_break(cli, assessed, tmp_path):
    import docx

    from laomo.store.db import open_engine

    load(open_engine(str(assessed)), {"designations": NAMINGS})
    assert cli("init", "--union", "示例县总工会").code == 0
    out = tmp_path / "决定.docx"
    assert cli("report", "notice", "--year", "2025", "--kind", "naming", "--out", out).code == 0

    d = docx.Document(out)
    assert _page_breaks_alone(d) == []
    attachment = next(p for p in d.paragraphs if p.text == "附件")
    assert attachment.paragraph_format.page_break_before
    assert d.paragraphs[-1].text.strip()  # nothing empty after the last studio either
