"""决定（命名/撤销）的 Word 文件：按党政机关公文格式（GB/T 9704-2012）排版，或填入工会自己的 .docx 模板。

:func:`build_notice` lays the notice out as union offices do: A4 with
margins 37/35/28/26 mm; the issuing union's red masthead (发文机关标志) and
the document number (文号) above a red rule; the title in 2号小标宋; 主送
flush left; the body in 3号仿宋, first lines indented two characters, exact
28 pt line spacing; the attachment note; the issuing union centred over the
date, which stands four characters from the right (落款); page numbers
"— 1 —" in the footer; then, on a new page, 附件 in 黑体, the list's title,
and the studios grouped (一、示例县（5个）) one per line as "NAME（UNIT）" — in
a revocation notice each followed by its reason.

:func:`fill_template` fills a union's own .docx instead.  Placeholders are
``{{ name }}`` anywhere in the body, tables, headers or footers (a
placeholder split over several runs is found too; the paragraph then takes
the formatting of its first run):

* one value: ``title 标题``, ``doc 文号``, ``header 版头``, ``addressees 主送``,
  ``union 落款``, ``date 日期``, ``year 年度``, ``level 级别``, ``count 数量``,
  ``attachment_title 附件标题``;
* several paragraphs, when the placeholder is alone in its paragraph (the
  paragraph is repeated, keeping its formatting): ``body 正文`` and
  ``list 名单`` (group headings and studio lines);
* one table row per studio, when a row holds any of ``no 序号``, ``name 名称``,
  ``unit 单位``, ``county 区县``, ``industry 行业``, ``group 分组``,
  ``reason 原因``, ``code 编号``.

An unknown placeholder is an error that lists the known ones, so a typo never
prints silently into an official document.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # python-docx ships no type hints: these name what is passed, for the reader
    from docx.document import Document
    from docx.section import Section
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

from laomo.errors import LaomoError

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
SONG = "宋体"
LATIN = "Times New Roman"
RED = "D40000"
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
LINE_PT = 28


def _cn(n: int) -> str:
    from laomo.reports.tables import cn_number

    return cn_number(n)


def _em(text: str) -> float:
    """Width in characters (em): CJK one, digits and Latin half."""
    return sum(1 if ord(ch) > 0x2E80 else 0.5 for ch in text)


def _set_font(run: Run, name: str, size: float | None = None, bold: bool | None = None,
              color: str | None = None, latin: str = LATIN) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    run.font.name = latin
    rfonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    rfonts.set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = RGBColor.from_string(color)


def _para(doc: Document, text: str = "", font: str = FANGSONG, size: float = BODY_PT, align: str | None = None,
          indent_chars: float = 0, right_chars: float = 0, line: float | None = LINE_PT, color: str | None = None,
          before: float = 0, after: float = 0, keep_next: bool = False) -> Paragraph:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    p = doc.add_paragraph()
    pf = p.paragraph_format
    if align:
        pf.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    if indent_chars:
        pf.first_line_indent = Pt(size * indent_chars)
    if right_chars:
        pf.right_indent = Pt(size * right_chars)
    if line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(line)
    pf.space_before, pf.space_after = Pt(before), Pt(after)
    pf.keep_with_next = keep_next
    if text:
        _set_font(p.add_run(text), font, size, color=color)
    return p


def _red_rule(paragraph: Paragraph) -> None:
    """A red line under the masthead: the paragraph's bottom border."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", RED)):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _page_number_footer(section: Section) -> None:
    """Footer "— N —" (4号宋体, centred) with a PAGE field."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
    p.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _set_font(p.add_run("— "), SONG, 14)
    run = p.add_run()
    _set_font(run, SONG, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)
    _set_font(p.add_run(" —"), SONG, 14)


def attachment_lines(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The attachment as (kind, text): ``group`` headings, ``item`` lines, ``reason`` lines."""
    out: list[tuple[str, str]] = []
    for i, g in enumerate(data["groups"], 1):
        out.append(("group", f"{_cn(i)}、{g['name']}（{g['count']}个）"))
        for s in g["studios"]:
            out.append(("item", s["line"]))
            if data["action"] == "revoke" and s.get("reason"):
                out.append(("reason", f"撤销原因：{s['reason']}"))
    return out


def _title_size(text: str, width_pt: float = 156 / 25.4 * 72 - 12) -> float:
    """二号 (22 pt), unless that would leave one or two characters alone on the last line:
    then the largest size (down to 小二, 18 pt) that keeps the title on one line less."""
    em = _em(text)
    lines = em * TITLE_PT / width_pt
    tail = (lines - int(lines)) * width_pt / TITLE_PT  # characters on the last line
    if int(lines) >= 1 and 0 < tail < 3:
        fit = width_pt * int(lines) / em
        if fit >= 18:
            return float(int(fit * 2) / 2)
    return TITLE_PT


def build_notice(data: dict[str, Any]) -> bytes:
    """The notice as a .docx in the official-document layout."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    core = doc.core_properties
    core.title, core.author, core.subject = data["title"], data["union"], data.get("doc") or ""

    if data.get("header"):
        _para(doc, data["header"], XIAOBIAOSONG, 36, "center", line=None, color=RED, after=12)
    rule = _para(doc, data.get("doc") or "", FANGSONG, BODY_PT, "center", after=24)
    _red_rule(rule)
    _para(doc, data["title"], XIAOBIAOSONG, _title_size(data["title"]), "center", line=36, after=LINE_PT)
    _para(doc, data["addressees"], FANGSONG)
    # the last paragraph, the attachment note and 落款 stay on one page (a signature never stands alone)
    for i, text in enumerate(data["body"]):
        _para(doc, text, FANGSONG, align="justify", indent_chars=2, keep_next=i == len(data["body"]) - 1)
    _para(doc, keep_next=True)
    _para(doc, f"附件：{data['attachment_title']}", FANGSONG, indent_chars=2, keep_next=True)
    _para(doc, keep_next=True)
    union, date = data["union"], data["date_text"]
    # 成文日期右空四字；发文机关署名以成文日期为准居中（GB/T 9704-2012 7.3.5.1）
    uw, dw = _em(union), _em(date)
    date_right = 4.0
    union_right = date_right + (dw - uw) / 2
    if union_right < 0:
        date_right, union_right = date_right - union_right, 0.0
    _para(doc, union, FANGSONG, align="right", right_chars=union_right, keep_next=True)
    _para(doc, date, FANGSONG, align="right", right_chars=date_right)

    # the attachment starts a new page: 附件 itself breaks the page, so a full first page is never
    # followed by an empty one (a break in a paragraph of its own would spill onto a page of its own)
    _para(doc, "附件", HEITI).paragraph_format.page_break_before = True
    _para(doc, data["attachment_title"], XIAOBIAOSONG, _title_size(data["attachment_title"]), "center", line=36,
          before=12, after=18)
    for kind, text in attachment_lines(data):
        if kind == "group":
            _para(doc, text, HEITI, indent_chars=2, keep_next=True)
        elif kind == "item":
            _para(doc, text, FANGSONG, indent_chars=2)
        else:
            _para(doc, text, FANGSONG, indent_chars=4)
    _page_number_footer(section)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- a union's own .docx

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*)\s*\}\}")

SCALARS = {
    "title": ("标题",), "doc": ("文号",), "header": ("版头",), "addressees": ("主送",), "union": ("落款",),
    "date": ("日期",), "year": ("年度",), "level": ("级别",), "count": ("数量",),
    "attachment_title": ("附件标题",),
}
MULTI = {"body": ("正文",), "list": ("名单",)}
ROW = {"no": ("序号",), "name": ("名称",), "unit": ("单位",), "county": ("区县",), "industry": ("行业",),
       "group": ("分组",), "reason": ("原因",), "code": ("编号",)}


def _aliases(table: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    out = {}
    for key, names in table.items():
        out[key] = key
        for n in names:
            out[n] = key
    return out


_SCALAR_NAMES, _MULTI_NAMES, _ROW_NAMES = _aliases(SCALARS), _aliases(MULTI), _aliases(ROW)


def _values(data: dict[str, Any]) -> tuple[dict[str, str], dict[str, list[str]], list[dict[str, str]]]:
    from laomo.enums import INDUSTRY

    scalars = {
        "title": data["title"], "doc": data.get("doc") or "", "header": data.get("header") or "",
        "addressees": data["addressees"], "union": data["union"], "date": data["date_text"],
        "year": str(data["year"]), "level": data.get("level_label") or "", "count": str(data["count"]),
        "attachment_title": data["attachment_title"],
    }
    multi = {"body": list(data["body"]), "list": [text for _, text in attachment_lines(data)]}
    rows = []
    n = 0
    for g in data["groups"]:
        for s in g["studios"]:
            n += 1
            rows.append({"no": str(n), "name": s["name"], "unit": s["unit"], "county": s["county"],
                         "industry": INDUSTRY.label(s["industry"]), "group": g["name"], "reason": s.get("reason") or "",
                         "code": s["studio"]})
    return scalars, multi, rows


def _set_text(paragraph: Paragraph, text: str) -> None:
    """Put ``text`` in the paragraph's first run (keeping its formatting) and empty the others."""
    runs = paragraph.runs
    if not runs:
        paragraph.add_run(text)
        return
    runs[0].text = text
    for r in runs[1:]:
        r.text = ""


def _replace(paragraph: Paragraph, lookup: Callable[[str], str]) -> None:
    """Replace placeholders run by run when each lies within one run, else over the joined text."""
    for run in paragraph.runs:
        if "{{" in run.text and _PLACEHOLDER.search(run.text):
            run.text = _PLACEHOLDER.sub(lambda m: lookup(m.group(1)), run.text)
    text = paragraph.text
    if _PLACEHOLDER.search(text):
        _set_text(paragraph, _PLACEHOLDER.sub(lambda m: lookup(m.group(1)), text))


def _containers(doc: Document) -> Iterator[Any]:
    """The document body, every header and footer (each has .paragraphs and .tables)."""
    yield doc
    for section in doc.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer,
                     section.even_page_header, section.even_page_footer):
            if part is not None and not part.is_linked_to_previous:
                yield part


def _cells(container: Any) -> Iterator[Any]:
    for table in container.tables:
        for row in table.rows:
            for cell in row.cells:
                yield cell
                yield from _cells(cell)


def fill_template(path: Path, data: dict[str, Any]) -> bytes:
    """Fill a union's own .docx template with the notice (see the module docstring for the placeholders)."""
    from docx import Document

    try:
        doc = Document(str(path))
    except Exception as exc:  # not a zip / not a Word document
        raise LaomoError(f"模板 {path} 不是有效的 Word（.docx）文件：{exc}") from None
    scalars, multi, rows = _values(data)
    scalars = {k: _protect(v) for k, v in scalars.items()}
    multi = {k: [_protect(v) for v in vs] for k, vs in multi.items()}
    rows = [{k: _protect(str(v)) for k, v in row.items()} for row in rows]
    unknown: set[str] = set()

    def lookup(name: str) -> str:
        if name in _SCALAR_NAMES:
            return scalars[_SCALAR_NAMES[name]]
        if name in _MULTI_NAMES:
            return "\n".join(multi[_MULTI_NAMES[name]])
        unknown.add(name)
        return "{{" + name + "}}"

    # 1. table rows holding per-studio placeholders: one copy per studio
    for container in list(_containers(doc)):
        for table in _all_tables(container):
            for row in list(table.rows):
                names = set(_PLACEHOLDER.findall("".join(c.text for c in row.cells)))
                if not names & set(_ROW_NAMES):
                    continue
                template_tr = row._tr
                anchor = template_tr
                for values in rows:
                    tr = copy.deepcopy(template_tr)
                    anchor.addnext(tr)
                    anchor = tr
                    from docx.table import _Row

                    new_row = _Row(tr, table)
                    for cell in new_row.cells:
                        for p in cell.paragraphs:
                            def cell_value(n: str, v: Any = values) -> str:
                                return str(v[_ROW_NAMES[n]]) if n in _ROW_NAMES else lookup(n)

                            _replace(p, cell_value)
                template_tr.getparent().remove(template_tr)

    # 2. paragraphs: several-paragraph placeholders alone in a paragraph, then inline replacement
    for container in list(_containers(doc)):
        paragraphs = list(container.paragraphs) + [p for cell in _cells(container) for p in cell.paragraphs]
        for p in paragraphs:
            text = p.text
            if "{{" not in text:
                continue
            m = _PLACEHOLDER.fullmatch(text.strip())
            if m and m.group(1) in _MULTI_NAMES:
                anchor = p._p
                for value in multi[_MULTI_NAMES[m.group(1)]]:
                    el = copy.deepcopy(p._p)
                    anchor.addnext(el)
                    anchor = el
                    from docx.text.paragraph import Paragraph

                    _set_text(Paragraph(el, p._parent), value)
                p._p.getparent().remove(p._p)
                continue
            _replace(p, lookup)
    if unknown:
        known = "、".join(f"{{{{{k}}}}}（{'/'.join(v)}）" for k, v in {**SCALARS, **MULTI, **ROW}.items())
        raise LaomoError(f"模板 {path} 中有不认识的占位符：{'、'.join(sorted('{{' + u + '}}' for u in unknown))}",
                         lines=[f"可用的占位符：{known}"])
    _unprotect(doc)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


#: Braces in the data are held as this private-use character while placeholders are filled, so
#: a value such as 文号 ``市工发{{ union }}号`` is never read as a placeholder itself.
_HELD = "\ue000"


def _protect(value: str) -> str:
    return value.replace(_HELD, "").replace("{", _HELD)


def _unprotect(doc: Document) -> None:
    """Put the data's braces back, in every run of the body, tables, headers and footers."""
    for container in list(_containers(doc)):
        for p in list(container.paragraphs) + [p for cell in _cells(container) for p in cell.paragraphs]:
            for run in p.runs:
                if _HELD in run.text:
                    run.text = run.text.replace(_HELD, "{")


def _all_tables(container: Any) -> Iterator[Any]:
    for table in container.tables:
        yield table
        for row in table.rows:
            for cell in row.cells:
                yield from _all_tables(cell)
