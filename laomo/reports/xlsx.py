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
cells in memory.  (openpyxl's write-only workbook was measured against it on the
150,000-studio ledger, with the same layout: slower and larger at its peak, see
``bench/bench_xlsx_writers.py``.)
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
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
    plain = [fm.cell(k, i in wraps, False) for i, k in enumerate(kinds)]
    bold = [fm.cell(k, i in wraps, True) for i, k in enumerate(kinds)]
    for values in chain(sample, rows):
        row += 1
        formats = bold if values and values[0] == "合计" else plain
        lines = max([_lines(_text_width(values[i]), widths[i]) for i in wraps if isinstance(values[i], str)] + [1])
        if lines > 1:  # wrapped text: the row as tall as its longest cell (no program refits rows on opening)
            ws.set_row(row, LINE_HEIGHT * lines)
        for i, (v, kind) in enumerate(zip(values, kinds)):
            value = _value(v, kind)
            if value is None:
                ws.write_blank(row, i, None, formats[i])
            elif isinstance(value, str):
                ws.write_string(row, i, value, formats[i])
            elif isinstance(value, dt.date):
                ws.write_datetime(row, i, value, formats[i])
            else:
                ws.write_number(row, i, value, formats[i])


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
