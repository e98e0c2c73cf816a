"""报表的 Excel 文件：按单位打印报送的样子排版（标题、表头重复、边框、横向适应页宽），流式写出。

Each :class:`laomo.reports.tables.Table` becomes one sheet laid out for
printing as a union office sends it:

* a title row (the report's title, bold) and a line under it naming the
  union keeping the ledger, the scope (filters, year) and the date made
  (:class:`Heading`); without a heading the table starts in the first row;
* the header row: bold, shaded, wrapped, frozen (with the table's key
  columns, e.g. 编号 and 名称) and repeated at the top of every printed page;
  it stays a plain row of column names, so the ledger imports back as
  studios (the importer finds a header under title rows);
* thin borders on every cell of the table; a 合计 row in bold;
* A4, landscape when the table is wider than a portrait page, always
  scaled to one page wide (as many pages tall as it takes), narrow margins,
  page numbers "第 N 页 共 M 页" in the footer;
* column widths from the content of the first 2,000 rows (:data:`SAMPLE_ROWS`: the only rows
  held in memory when a ledger or list is written as a stream; a longer table's later rows do
  not widen a column — their longer text wraps), between 6 and 30 characters; longer text
  wraps and its row grows;
* numbers as numbers in the formats of :data:`laomo.reports.numbers.XLSX_FORMATS`
  (元, counts, years never grouped, dates as dates, shares as %).

Every text cell goes through :func:`laomo.safe.neutralise` and is written as
a string (never a formula).  The workbook is written by XlsxWriter in
constant-memory mode: rows stream to disk as they are read from the database
(:func:`xlsx_chunks`), so a ledger of 150,000 studios never holds its rows or
cells in memory.  XlsxWriter rather than openpyxl's write-only workbook: writing the
150,000-studio ledger with this layout (``bench/bench_xlsx_writers.py``, best of 3) took
openpyxl 89 s, XlsxWriter's cell methods 24 s and XlsxWriter with the rows' XML written
straight into its row file (:func:`_fast_rows`, the same XML) 10 s, each under 120 MB.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, TYPE_CHECKING, Any

from laomo.reports import numbers
from laomo.reports import tables as tb
from laomo.safe import neutralise

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
#: Widths (in characters) of a column: at least, at most (longer text wraps onto more lines).
MIN_WIDTH, MAX_WIDTH = 6, 30
#: The height (points) of one line of text.
LINE_HEIGHT = 14.5
#: Wider than this (sum of column widths), a sheet prints landscape.
PORTRAIT_WIDTH = 100
#: Rows read to size the columns.
SAMPLE_ROWS = 2000
A4 = 9  # the paper size code of A4


@dataclass(frozen=True)
class Heading:
    """What a printed sheet says above its table."""

    title: str
    union: str | None = None
    scope: str = ""
    date: str = ""

    def line(self) -> str:
        parts = [f"制表单位：{self.union}" if self.union else "", self.scope,
                 f"制表日期：{self.date}" if self.date else ""]
        return "　　".join(p for p in parts if p)


def display_width(value: Any) -> float:
    """Width in characters of a shown value (CJK characters count two)."""
    text = value if isinstance(value, str) else str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _value(value: Any, kind: str) -> Any:
    """The cell's value: None, a number, a date or neutralised text."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return tb.yes_no(value)
    if kind == "date" and isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return neutralise(value)
    if isinstance(value, (int, float)):
        return value
    return neutralise(str(value))


def _lines(width: float, column: float) -> int:
    """Lines that text ``width`` characters wide takes in a column ``column`` wide."""
    return max(1, -int(-width // max(column - 1.5, 1)))


def column_widths(table: tb.Table, sample: list[list[Any]] | None = None) -> list[float]:
    """Per column: the widest shown value of the first :data:`SAMPLE_ROWS` rows (``sample``: those
    rows when the table is a stream; the header may take two lines, a number's header three),
    between :data:`MIN_WIDTH` and :data:`MAX_WIDTH`."""
    kinds = [c.kind for c in table.columns]
    widths = [0.0] * len(kinds)
    for row in table.rows[:SAMPLE_ROWS] if sample is None else sample[:SAMPLE_ROWS]:
        for i, v in enumerate(row):
            if v is not None and v != "":
                widths[i] = max(widths[i], display_width(numbers.cell_text(v, kinds[i])))
    out = []
    for w, header, kind in zip(widths, table.headers, kinds):
        h = display_width(header)
        lines = 3 if kind in ("int", "num", "money", "year", "pct") else 2
        need = max(w, h if h <= 8 else max(8.0, h / lines + 1))
        out.append(min(max(need + 2, MIN_WIDTH), MAX_WIDTH))
    return out


def _text_width(text: str) -> int:
    """:func:`display_width` at C speed (GBK takes two bytes for a CJK character, one for ASCII)."""
    return len(text.encode("gbk", "replace"))


def _sheet_name(table: tb.Table, used: set[str]) -> str:
    name = _BAD_SHEET.sub("", table.sheet or table.title)[:31] or "Sheet"
    base, k = name, 2
    while name in used:
        suffix = f"({k})"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    used.add(name)
    return name


class _Formats:
    """The workbook's cell formats, made once each."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.cache: dict[tuple[str, bool, bool], Format] = {}
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.line = wb.add_format({"font_size": 9})
        self.header = wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1, "align": "center",
                                     "valign": "vcenter", "text_wrap": True})

    def cell(self, kind: str, wrap: bool, total: bool) -> Format:
        key = (kind, wrap, total)
        fmt = self.cache.get(key)
        if fmt is None:
            props: dict[str, Any] = {"border": 1, "valign": "top"}
            if kind in numbers.XLSX_FORMATS:
                props["num_format"] = numbers.XLSX_FORMATS[kind]
            if wrap:
                props["text_wrap"] = True
            if total:
                props.update(bold=True, top=2)
            fmt = self.cache[key] = self.wb.add_format(props)
        return fmt


def _print_setup(ws: Worksheet, table: tb.Table, widths: list[float], header_row: int) -> None:
    ws.set_paper(A4)
    if sum(widths) > PORTRAIT_WIDTH:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.repeat_rows(header_row)
    ws.freeze_panes(header_row + 1, min(table.key_columns, len(widths)))
    ws.set_footer("&C第 &P 页 共 &N 页")
    ws.center_horizontally()


def _write_table(ws: Worksheet, fm: _Formats, table: tb.Table, heading: Heading | None, several: bool) -> None:
    rows = table.iter_rows()
    sample = list(islice(rows, SAMPLE_ROWS))  # the widths' sample: the only rows held at a time
    widths = column_widths(table, sample)
    kinds = [c.kind for c in table.columns]
    for i, w in enumerate(widths):
        ws.set_column(i, i, w)
    row = 0
    if heading is not None:
        title = f"{heading.title}——{table.title}" if several and table.title != heading.title else heading.title
        ws.write_string(0, 0, neutralise(title), fm.title)
        ws.set_row(0, 24)
        ws.write_string(1, 0, neutralise(heading.line()), fm.line)
        row = 2
    _print_setup(ws, table, widths, row)
    ws.set_row(row, LINE_HEIGHT * max(_lines(display_width(h), w) for h, w in zip(table.headers, widths)))
    for i, h in enumerate(table.headers):
        ws.write_string(row, i, neutralise(h), fm.header)
    wraps = [i for i, (w, k) in enumerate(zip(widths, kinds)) if w >= MAX_WIDTH and k == "text"]
    layout = _Layout(kinds, widths, wraps, [fm.cell(k, i in wraps, False) for i, k in enumerate(kinds)],
                     [fm.cell(k, i in wraps, True) for i, k in enumerate(kinds)])
    body = chain(sample, rows)
    if fast_rows_supported(ws):
        _fast_rows(ws, row, body, layout)
    else:
        _api_rows(ws, row, body, layout)


@dataclass(frozen=True)
class _Layout:
    """How a table's rows are written: kinds and widths of the columns, the wrapped ones, the formats."""

    kinds: list[str]
    widths: list[float]
    wraps: list[int]
    plain: list[Format]
    bold: list[Format]  # a 合计 row

    def formats(self, values: list[Any]) -> list[Format]:
        return self.bold if values and values[0] == "合计" else self.plain

    def lines(self, values: list[Any]) -> int:
        """Lines of the row's tallest wrapped cell (no program refits rows on opening).  A text of at
        most half a line's width in characters fits on one line whatever they are (GBK: two bytes
        at most), so only longer texts are measured."""
        most = 1
        for i in self.wraps:
            v = values[i]
            if isinstance(v, str) and len(v) * 2 > self.widths[i] - 1.5:
                most = max(most, _lines(_text_width(v), self.widths[i]))
        return most


def _api_rows(ws: Worksheet, row: int, rows: Iterable[list[Any]], layout: _Layout) -> None:
    """The rows after the header row ``row``, cell by cell through XlsxWriter's writing methods."""
    for values in rows:
        row += 1
        formats = layout.formats(values)
        lines = layout.lines(values)
        if lines > 1:
            ws.set_row(row, LINE_HEIGHT * lines)
        for i, (v, kind) in enumerate(zip(values, layout.kinds)):
            value = _value(v, kind)
            if value is None:
                ws.write_blank(row, i, None, formats[i])
            elif isinstance(value, str):
                ws.write_string(row, i, value, formats[i])
            elif isinstance(value, dt.date):
                ws.write_datetime(row, i, value, formats[i])
            else:
                ws.write_number(row, i, value, formats[i])


def fast_rows_supported(ws: Worksheet) -> bool:
    """Whether :func:`_fast_rows` can write this sheet: XlsxWriter in constant-memory mode, with the
    row file and methods it relies on (else the rows go through :func:`_api_rows`)."""
    return bool(getattr(ws, "constant_memory", False)) and all(
        hasattr(ws, name) for name in ("fh", "previous_row", "_write_single_row", "_check_dimensions",
                                       "_convert_date_time"))


def _xml_text(value: str) -> str:
    """A text cell's ``<is>`` content exactly as XlsxWriter writes an inline string: at most 32,767
    UTF-16 units, control characters as ``_xHHHH_``, markup characters escaped, ``xml:space`` kept for
    leading or trailing blanks.  (XlsxWriter would copy a text that looks like ``<r>…</r>`` unescaped;
    here every text is escaped.)"""
    if len(value) <= XLS_STRMAX // 2 and not _ANY_CARE.search(value):
        return f"<t>{value}</t>"  # nearly every cell
    if len(value) > XLS_STRMAX // 2:
        from xlsxwriter.utility import _utf16_len, _utf16_truncate

        if _utf16_len(value) > XLS_STRMAX:
            value = _utf16_truncate(value, XLS_STRMAX)
    if _NEEDS_CARE.search(value):
        from xlsxwriter.xmlwriter import re_control_chars_1, re_control_chars_2

        value = re_control_chars_1.sub(r"_x005F\1", value)
        value = re_control_chars_2.sub(lambda m: f"_x{ord(m.group(1)):04X}_", value)
        value = value.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    if _MARKUP.search(value):
        value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    preserve = ' xml:space="preserve"' if value and (value[0].isspace() or value[-1].isspace()) else ""
    return f"<t{preserve}>{value}</t>"


XLS_STRMAX = 32767
_NEEDS_CARE = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_")
_MARKUP = re.compile(r"[&<>]")
_ANY_CARE = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
#: A text cell that :func:`laomo.safe.neutralise` leaves as it is and :func:`_xml_text` writes as
#: ``<t>text</t>``: no white space or formula character first, no white space last, no markup, control
#: character or ``_`` (which might start an ``_xHHHH_`` escape) anywhere — nearly every cell, checked once.
_PLAIN = re.compile(r"[^\s=+\-@&<>_\x00-\x1f\ufffe\uffff](?:[^&<>_\x00-\x08\x0b-\x1f\ufffe\uffff]*"
                    r"[^\s&<>_\x00-\x1f\ufffe\uffff])?")
_PLAIN_MAX = XLS_STRMAX // 2
#: Distinct date texts whose serials one sheet remembers (memory stays bounded).
_SERIALS_MAX = 100_000
#: Rows gathered before they are written to the sheet's row file.
FAST_BATCH = 500


def _fast_rows(ws: Worksheet, row: int, rows: Iterable[list[Any]], layout: _Layout) -> None:
    """The rows after the header row ``row``, written as sheet XML straight into XlsxWriter's
    constant-memory row file: the very XML its cell methods write (tests compare both), without
    their per-cell bookkeeping (about four times faster for a 150,000-studio ledger).

    A row whose cells are plain text (see :data:`_PLAIN`), numbers, blanks and ISO dates in date
    columns — nearly every row — is one ``str.format`` of a template made once per combination of
    cell types (:func:`_row_template`); any other row is written cell by cell (:meth:`_Sheet.cells_xml`)."""
    from xlsxwriter.utility import xl_col_to_name

    ws._write_single_row(row + 1)  # the header row (and the title rows) written out first
    ncols = len(layout.kinds)
    sheet = _Sheet(ws, layout, [xl_col_to_name(i) for i in range(ncols)])
    batch: list[str] = []
    for values in rows:
        row += 1
        n = row + 1
        lines = layout.lines(values)
        height = f' ht="{int(LINE_HEIGHT * lines * 4.0 / 3.0 + 0.5) * 0.75:.16g}" customHeight="1"' if lines > 1 else ""
        xfs = sheet.xfs(layout.formats(values))
        xml = sheet.templated(values, n, height, xfs)
        if xml is None:
            batch.append(f'<row r="{n}"{height}>')
            batch.extend(sheet.cells_xml(values, n, xfs))
            batch.append("</row>")
        else:
            batch.append(xml)
        if len(batch) > FAST_BATCH:
            ws.fh.write("".join(batch))
            batch = []
    ws.fh.write("".join(batch))
    ws.previous_row = row
    ws._check_dimensions(row, ncols - 1)


_NONE = type(None)
#: All the text cells of a row joined by ``\x1f`` (which no plain text holds), each plain.
_PLAIN_ROW = re.compile(f"{_PLAIN.pattern}(?:\x1f{_PLAIN.pattern})*")
#: Row templates one sheet remembers (a template per combination of cell types and formats).
_TEMPLATES_MAX = 1000


class _Sheet:
    """What :func:`_fast_rows` remembers while it writes one sheet: the formats' xf indices, the
    date texts' serials and the row templates."""

    def __init__(self, ws: Worksheet, layout: _Layout, letters: list[str]) -> None:
        self.ws, self.kinds, self.letters = ws, layout.kinds, letters
        self.dates = [i for i, k in enumerate(layout.kinds) if k == "date"]
        self.styles: dict[int, list[int]] = {}  # per list of formats (plain, bold): their xf indices
        self.serials: dict[str, str] = {}  # ISO date text -> its Excel serial as written
        self.templates: dict[tuple[Any, ...], tuple[str, Any, int] | None] = {}

    def xfs(self, formats: list[Format]) -> list[int]:
        xfs = self.styles.get(id(formats))
        if xfs is None:  # a format counts as used (styles.xml) only once a cell has it, as with the API
            xfs = self.styles[id(formats)] = [f._get_xf_index() for f in formats]
        return xfs

    def serial(self, text: str) -> str | None:
        """The Excel serial of an ISO date text as written (None when the text is no date)."""
        serial = self.serials.get(text)
        if serial is None:
            try:
                serial = f"{self.ws._convert_date_time(dt.date.fromisoformat(text)):.16G}"
            except ValueError:
                return None
            if len(self.serials) < _SERIALS_MAX:
                self.serials[text] = serial
        return serial

    def templated(self, values: list[Any], n: int, height: str, xfs: list[int]) -> str | None:
        """The row's XML from its template, or None when the row must be written cell by cell."""
        cells = values
        if self.dates:
            cells = list(values)
            serials = self.serials
            for i in self.dates:
                v = cells[i]
                if v.__class__ is str and v:
                    if (s := serials.get(v) or self.serial(v)) is None:
                        return None
                    cells[i] = s
        # the cells' types and truth: an empty text (false) is a blank cell, any other text inline
        key = (tuple(map(type, cells)), tuple(map(bool, cells)), id(xfs))
        try:
            made = self.templates[key]
        except KeyError:
            made = _row_template(key[0], key[1], self.kinds, self.letters, xfs)
            if len(self.templates) < _TEMPLATES_MAX:
                self.templates[key] = made
        if made is None:
            return None
        template, texts, ntexts = made
        if texts is not None:
            joined = "\x1f".join(texts(cells))
            # as many separators as joins: a text holding \x1f itself is no plain text
            if len(joined) > _PLAIN_MAX or joined.count("\x1f") != ntexts - 1 or not _PLAIN_ROW.fullmatch(joined):
                return None
        return template.format(n, height, *cells)

    def cells_xml(self, values: list[Any], n: int, xfs: list[int]) -> Iterator[str]:
        """The row's cells one by one, each as XlsxWriter writes it."""
        for v, kind, letter, xf in zip(values, self.kinds, self.letters, xfs):
            cell = f'<c r="{letter}{n}" s="{xf}"'
            if v.__class__ is str and kind != "date":
                if not v:
                    yield cell + "/>"
                elif len(v) <= _PLAIN_MAX and _PLAIN.fullmatch(v):  # neither neutralised nor escaped
                    yield f'{cell} t="inlineStr"><is><t>{v}</t></is></c>'
                else:
                    yield f'{cell} t="inlineStr"><is>{_xml_text(neutralise(v))}</is></c>'
                continue
            if kind == "date" and v.__class__ is str and v and (serial := self.serial(v)) is not None:
                yield f"{cell}><v>{serial}</v></c>"
                continue
            value = _value(v, kind)
            if value is None:
                yield cell + "/>"
            elif isinstance(value, str):
                yield f'{cell} t="inlineStr"><is>{_xml_text(value)}</is></c>'
            elif isinstance(value, dt.date):
                yield f"{cell}><v>{self.ws._convert_date_time(value):.16G}</v></c>"
            else:
                yield f"{cell}><v>{value:.16G}</v></c>"


def _row_template(types: tuple[type, ...], truths: tuple[bool, ...], kinds: list[str], letters: list[str],
                  xfs: list[int]) -> tuple[str, Any, int] | None:
    """A ``str.format`` template of a row whose cells have these types and truth values (field 0 the
    row number, 1 its height attribute, 2… the cells; a date column's text already its serial), a
    getter of its (non-empty) text cells and their number; None when a cell is of a type only
    :meth:`_Sheet.cells_xml` writes (a bool, a date…)."""
    from operator import itemgetter

    parts, texts = ['<row r="{0}"{1}>'], []
    for i, (t, truth, kind, letter, xf) in enumerate(zip(types, truths, kinds, letters, xfs)):
        cell = f'<c r="{letter}{{0}}" s="{xf}"'
        if t is _NONE or (t is str and not truth):
            parts.append(cell + "/>")
        elif t is str and kind == "date":
            parts.append(f"{cell}><v>{{{i + 2}}}</v></c>")
        elif t is str:
            parts.append(f'{cell} t="inlineStr"><is><t>{{{i + 2}}}</t></is></c>')
            texts.append(i)
        elif t is int or t is float:
            parts.append(f"{cell}><v>{{{i + 2}:.16G}}</v></c>")
        else:
            return None
    parts.append("</row>")
    getter = None
    if texts:  # a list of one text by its slice (itemgetter of one index gives the text itself)
        getter = itemgetter(*texts) if len(texts) > 1 else itemgetter(slice(texts[0], texts[0] + 1))
    return "".join(parts), getter, len(texts)


def to_xlsx(tables: list[tb.Table], title: str = "", heading: Heading | None = None) -> bytes:
    """One printable sheet per table (see the module docstring)."""
    buf = io.BytesIO()
    write_xlsx(buf, tables, title, heading)
    return buf.getvalue()


def xlsx_chunks(tables: list[tb.Table], title: str = "", heading: Heading | None = None,
                size: int = 1 << 20) -> Iterator[bytes]:
    """:func:`to_xlsx` for tables whose rows are streams: the workbook is written to a temporary file
    as the rows come, then read back in pieces of ``size`` bytes (never whole in memory)."""
    import tempfile

    with tempfile.TemporaryFile() as fh:
        write_xlsx(fh, tables, title, heading)
        fh.seek(0)
        while chunk := fh.read(size):
            yield chunk


def write_xlsx(target: IO[bytes], tables: list[tb.Table], title: str = "", heading: Heading | None = None) -> None:
    """Write the workbook of :func:`to_xlsx` to ``target`` (a binary file), row by row."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"title": title, "author": "laomo"} if title else {"author": "laomo"})
    fm = _Formats(wb)
    used: set[str] = set()
    for t in tables:
        _write_table(wb.add_worksheet(_sheet_name(t, used)), fm, t, heading, len(tables) > 1)
    if not tables:
        wb.add_worksheet("Sheet")
    wb.close()
