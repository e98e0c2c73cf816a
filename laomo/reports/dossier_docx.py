"""工作室档案的 Word 文件：放进申报材料纸质档案的那一份。

:func:`build_studio` lays the dossier out for printing on A4 (portrait,
2.5 cm margins): the union keeping the ledger above the title
(工作室名称 + 档案), the studio's code and the date made; 一、基本情况 as a
bordered two-pair table (the same facts as the other formats,
:func:`laomo.reports.tables.studio_facts`); then one numbered section per
table of :func:`laomo.reports.tables.studio_tables` — 成员, 荣誉, 创新成果,
活动, 师带徒, 考核, 命名与处理记录 and, when there are any, the voided records
(kept on the paper file, counted nowhere) — each a bordered table whose
header row repeats on every page and whose rows never split over a page
(an empty section says 无).  Numbers are shown by
:mod:`laomo.reports.numbers` (years never grouped); personal data is masked
by the data layer unless asked for.  The document ends with a note in a
paragraph of text, never with an empty page; page numbers "— 1 —" stand in
the footer as on the notice (:mod:`laomo.reports.docx`).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # python-docx ships no type hints: these name what is passed, for the reader
    from docx.document import Document
    from docx.table import Table as DocxTable
    from docx.table import _Cell

    from laomo.reports.tables import Table

from laomo.reports.docx import FANGSONG, HEITI, LATIN, SONG, XIAOBIAOSONG, _page_number_footer, _para, _set_font
from laomo.reports.numbers import cell_text

#: The printable width of the page: A4 less 2.5 cm on either side (mm).
PAGE_MM = 210
MARGIN_MM = 25
WIDTH_PT = (PAGE_MM - 2 * MARGIN_MM) / 25.4 * 72
LANDSCAPE_PT = (297 - 2 * MARGIN_MM) / 25.4 * 72
#: Left and right padding of a table cell (pt).
PAD_PT = 2.5
HEADING_PT = 14  # 四号
TABLE_PT = 10.5  # 五号
SIZES = (TABLE_PT, 9.0, 8.0)  # 五号, 小五, and 8 pt for the widest tables
GREY = "E7E6E6"


def _cn(n: int) -> str:
    from laomo.reports.tables import cn_number

    return cn_number(n)


def _setup(doc: Document, data: dict[str, Any], title: str) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGIN_MM), Mm(MARGIN_MM)
    section.left_margin, section.right_margin = Mm(MARGIN_MM), Mm(MARGIN_MM)
    section.header_distance, section.footer_distance = Mm(12), Mm(12)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(TABLE_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), SONG)
    core = doc.core_properties
    core.title, core.author, core.subject = title, data.get("union") or "", data["studio"]


def _xml(parent: Any, tag: str, **attrs: str) -> Any:
    """Append ``<w:tag w:key="value" …/>`` to ``parent``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    parent.append(el)
    return el


def _table_look(table: DocxTable) -> None:
    """Single borders all round and inside; narrow cell padding; a fixed layout (the widths given)."""
    from docx.oxml.ns import qn

    tblpr = table._tbl.tblPr
    for old in tblpr.findall(qn("w:tblBorders")) + tblpr.findall(qn("w:tblCellMar")):
        tblpr.remove(old)
    borders = _xml(tblpr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _xml(borders, side, val="single", sz="4", space="0", color="000000")
    _xml(tblpr, "tblLayout", type="fixed")
    margins = _xml(tblpr, "tblCellMar")
    for side in ("left", "right"):
        _xml(margins, side, w=str(int(PAD_PT * 20)), type="dxa")
    for side in ("top", "bottom"):
        _xml(margins, side, w="20", type="dxa")


def _cell(cell: _Cell, text: str, size: float, *, bold: bool = False, align: str = "left",
          shade: bool = False) -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = cell.paragraphs[0]
    pf = p.paragraph_format
    pf.alignment = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                    "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    if text:
        _set_font(p.add_run(text), SONG, size, bold=bold or None)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    if shade:
        _xml(cell._tc.get_or_add_tcPr(), "shd", val="clear", color="auto", fill=GREY)


def _ems(text: str) -> float:
    """Printed width in em: CJK one; Latin and digits 0.65 (Times takes 0.5; a wider substitute font still fits)."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.65 for ch in text)


def _least(text: str, header: bool) -> float:
    """The narrowest a cell may get (em): its longest run without a break (a code, a date, an ID
    number stays whole); CJK text wraps anywhere, but a header takes at most two lines."""
    if header:
        return max(_ems(text) / 2, 1.0)
    runs = re.findall(r"[\x21-\x7e\u00a0-\u2e7f*]+|[^\x21-\x7e\u00a0-\u2e7f*\s]{1,2}", text)
    return max([_ems(r) for r in runs] + [1.0])


def _widths(texts: list[list[str]], size: float, width: float = WIDTH_PT, headers: int = 1) -> list[float] | None:
    """Column widths (pt) filling the page, or None when the table does not fit at ``size``:
    every column gets its narrowest, then the room left goes to the columns that would wrap,
    then to all in proportion."""
    ncol = len(texts[0])
    pad = 2 * PAD_PT + 2
    least = [max(_least(r[i], n < headers) for n, r in enumerate(texts)) * size + pad for i in range(ncol)]
    full = [max(max((_ems(r[i]) for r in texts[headers:]), default=0), _least(texts[0][i], True)) * size + pad
            for i in range(ncol)]
    full = [max(f, m) for f, m in zip(full, least)]
    room = width - sum(least)
    if room < 0:
        return None
    if sum(full) <= width:
        return [f * (width / sum(full)) for f in full]
    # the columns that would wrap, those wanting least first: a name or a role is kept on one line
    # before a long title gets its room
    widths = list(least)
    wrapping = sorted((i for i in range(ncol) if full[i] > least[i]), key=lambda i: full[i] - least[i])
    for n, i in enumerate(wrapping):
        share = room / (len(wrapping) - n)
        give = min(full[i] - least[i], share)
        widths[i] += give
        room -= give
    return widths


def _grid(doc: Document, texts: list[list[str]], widths: list[float], size: float, *, header_rows: int,
          align: list[str], label_columns: tuple[int, ...] = ()) -> DocxTable:
    """A bordered table: ``header_rows`` shaded, bold and repeated on each page; rows never split."""
    from docx.shared import Pt

    table = doc.add_table(rows=len(texts), cols=len(widths))
    table.autofit = False
    _table_look(table)
    for col, w in zip(table.columns, widths):
        col.width = Pt(w)
    for r, (row, values) in enumerate(zip(table.rows, texts)):
        trpr = row._tr.get_or_add_trPr()
        _xml(trpr, "cantSplit")
        if r < header_rows:
            _xml(trpr, "tblHeader")
        for c, (cell, text) in enumerate(zip(row.cells, values)):
            cell.width = Pt(widths[c])
            head = r < header_rows or c in label_columns
            _cell(cell, text, size, bold=head, align="center" if head else align[c], shade=head)
    return table


def _layout(t: Table) -> tuple[list[list[str]], list[float], float, bool]:
    """The table's cells as text, its column widths, its type size, and whether it needs a landscape
    page: 五号 or 小五 across the portrait page, every cell on one line if it can, else text wrapping
    in its cell while every code, date and ID number stays whole; a table too wide for that goes on
    a landscape page (成员, with its ID numbers, phones and dates, is such a table)."""
    texts = [t.headers] + [[cell_text(v, c.kind) for v, c in zip(row, t.columns)] for row in t.rows]
    ncol = len(t.columns)
    for size in SIZES[:2]:  # on one line each, 五号 or 小五
        full = [max(_ems(r[i]) for r in texts) * size + 2 * PAD_PT + 2 for i in range(ncol)]
        if sum(full) <= WIDTH_PT:
            return texts, [f * WIDTH_PT / sum(full) for f in full], size, False
    for width, landscape, sizes in ((WIDTH_PT, False, SIZES[1:2]), (LANDSCAPE_PT, True, SIZES)):
        for size in sizes:  # text wrapping in its cell, codes, dates and ID numbers whole
            widths = _widths(texts, size, width)
            if widths is not None:
                return texts, widths, size, landscape
    least = [max(_least(r[i], n == 0) for n, r in enumerate(texts)) for i in range(len(t.columns))]
    return texts, [w * LANDSCAPE_PT / sum(least) for w in least], SIZES[-1], True


def _section_table(doc: Document, texts: list[list[str]], widths: list[float], size: float, t: Table) -> None:
    align = ["right" if c.kind in ("int", "num", "money", "wan", "pct") else
             "center" if c.kind in ("date", "year") else "left" for c in t.columns]
    _grid(doc, texts, widths, size, header_rows=1, align=align)


def _turn(doc: Document, landscape: bool) -> None:
    """A new page in the other orientation (a section break; footer and page numbers carry on).
    The break's own paragraph is one point high, so it never spills onto a page of its own."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    holder = doc.paragraphs[-1]  # the paragraph python-docx added to carry the break
    pf = holder.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = Pt(1)
    ppr = holder._p.get_or_add_pPr()
    mark = _xml(ppr, "rPr")
    mark.append(_size_xml(1))
    ppr.remove(mark)
    ppr.find(qn("w:sectPr")).addprevious(mark)  # rPr comes before sectPr in a paragraph's properties
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Mm(297), Mm(PAGE_MM)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)


def _size_xml(pt: float) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement("w:sz")
    el.set(qn("w:val"), str(int(pt * 2)))
    return el


def _facts_table(doc: Document, facts: list[tuple[str, str]]) -> None:
    """基本情况 as label/value pairs, two pairs a row (a long value — 名称, 所在单位, 备注 — takes a row)."""
    from docx.shared import Pt

    rows: list[list[str]] = []
    pending: list[str] = []
    for key, value in facts:
        if _ems(value) > 14:
            if pending:
                rows.append(pending + ["", ""])
                pending = []
            rows.append([key, value, "", ""])
        else:
            pending += [key, value]
            if len(pending) == 4:
                rows.append(pending)
                pending = []
    if pending:
        rows.append(pending + ["", ""])
    label = max(_ems(k) for k, _ in facts) * TABLE_PT + 2 * PAD_PT + 2
    field = (WIDTH_PT - 2 * label) / 2
    widths = [label, field, label, field]
    table = _grid(doc, rows, widths, TABLE_PT, header_rows=0, align=["left"] * 4, label_columns=(0, 2))
    for row, values in zip(table.rows, rows):
        if values[2] == "" and values[3] == "" and _ems(values[1]) > 14:
            merged = row.cells[1].merge(row.cells[3])
            merged.width = Pt(WIDTH_PT - label)
            for extra in merged.paragraphs[1:]:  # the merge keeps the empty cells' paragraphs
                extra._p.getparent().remove(extra._p)
        elif values[2] == "":
            _xml(row.cells[2]._tc.get_or_add_tcPr(), "shd", val="clear", color="auto", fill="FFFFFF")


def _heading(doc: Document, text: str) -> None:
    _para(doc, text, HEITI, HEADING_PT, line=None, before=12, after=6, keep_next=True)


def build_studio(data: dict[str, Any]) -> bytes:
    """The studio's dossier as a .docx (see the module docstring)."""
    from docx import Document

    from laomo.reports import tables as tb
    from laomo.reports.notice_text import cn_date
    from laomo.reports.numbers import count, yuan

    title = f"{data['name']}档案"
    doc = Document()
    _setup(doc, data, title)
    if data.get("union"):
        _para(doc, data["union"], FANGSONG, 16, "center", line=None, after=6)
    _para(doc, title, XIAOBIAOSONG, 22, "center", line=None, after=6)
    _para(doc, f"编号：{data['studio']}　　　制表日期：{cn_date(dt.date.today())}", FANGSONG, 12, "center",
          line=None, after=12)

    _heading(doc, "一、基本情况")
    _facts_table(doc, tb.studio_facts(data))
    t = data["totals"]
    _para(doc, f"合计：成果 {count(t['achievements'])} 项，经济效益 {yuan(t['benefit'])}；活动 {count(t['activities'])} 场、"
               f"{count(t['participants'])} 人次；师带徒 {count(t['mentorships'])} 对，晋级 {count(t['promoted'])} 人。",
          FANGSONG, 12, line=None, before=6)

    landscape = False
    for n, table in enumerate(tb.studio_tables(data), 2):
        texts, widths, size, wide = _layout(table)
        if table.rows and wide != landscape:
            _turn(doc, wide)
            landscape = wide
        _heading(doc, f"{_cn(n)}、{table.title}（{len(table.rows)}）")
        if table.rows:
            _section_table(doc, texts, widths, size, table)
        else:
            _para(doc, "无", FANGSONG, 12, line=None)

    notes = ["作废的记录只留档备查，不计入任何统计。"] if data.get("voided") else []
    if not data.get("pii"):
        notes.append("身份证号、手机已隐去部分数字。")
    notes.append(f"本档案由工作室台账生成，生成时间 {dt.datetime.now():%Y-%m-%d %H:%M}。")
    _para(doc, "注：" + "".join(notes), FANGSONG, 10.5, line=None, before=12)
    _page_number_footer(doc.sections[0])
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
