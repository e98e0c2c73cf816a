"""What every reader shares: the header found, not assumed, and only records handed on.

A reader (:mod:`.text`, :mod:`.workbook`) provides ``_raw()``: every physical row of the
file or sheet, from the first, as ``(line, cells)`` (``line`` 1-based: the line a CSV record
starts on, or the sheet's row number).  :class:`Source` does the rest, the same for all
formats:

* **The header row** is the first row, among the first :data:`HEADER_ROWS` rows of the
  file or sheet (physical rows: empty ones count, as the row numbers a clerk sees in Excel
  do), that the caller's ``probe`` accepts; without a probe, the first non-empty row among
  them.  Every row above it is skipped and counted (title, unit and date lines, and empty
  rows there too).
* **Rows that are not records** after the header are skipped and counted: a wholly empty
  row (cells ``None``, ``''`` or white space) that lies before a later non-empty row, and a
  row whose first non-empty cell begins with 合计, 总计, 小计, 填表人 or 审核人, or is 注
  alone or followed by ``：``, ``:``, ``、``, white space, a digit or 意 (注意…).  That rule
  for 注 is narrow on purpose: a studio may be named 注塑车间…, 注册…; those are records.
  Empty rows at the end (a used range that runs past the data) are neither handed on nor
  counted, and cost one counter increment each: they are never stored.
* **Merged cells** (ranges from the reader, as ``{top line: [(cell index, bottom line)]}``):
  a range that starts below the header gives every row of the range its top-left value, in
  the range's first column; the other columns of a range stay as they are (empty).  A
  merged header cell thus names the range's first column only; a range that starts at or
  above the header is not filled into the data.  A row whose only content would be such a
  filled value is an empty row.

Cost per row: one look at the first cell (a string test only when it is a string that
begins with one of the characters above or with white space); rows whose first cell is
empty look further, up to their first non-empty cell.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from laomo.errors import LaomoError
from laomo.safe import scrub, visible

Cells = list[Any]
Raw = Iterator[tuple[int, Cells]]
#: Given the cells of a row, whether it is the KIND's header (holds every required column).
Probe = Callable[[list[Any]], bool]
#: ``{top line: [(cell index, bottom line), …]}``: the vertical merged ranges of a sheet.
Merges = dict[int, list[tuple[int, int]]]

HEADER_ROWS = 10  # the header is looked for in this many rows
MAX_SKIPPED_LINES = 1000  # skipped rows are all counted; the first this many are listed

_MARKS = ("合计", "总计", "小计", "填表人", "审核人")
# A first cell that may mark a skipped row: one test per row whose first cell is a string.
_QUICK = (*_MARKS, "注", " ", "\u3000", "\t", "\r", "\n", "\xa0")
_NOTE_RE = re.compile(r"注(?:$|[：:、\s\d意])")

EMPTY, NOTE, RECORD = 0, 1, 2


def classify(cells: Sequence[Any]) -> int:
    """EMPTY, NOTE (a total or signature row) or RECORD, by the row's first non-empty cell."""
    for c in cells:
        if c is None:
            continue
        if c.__class__ is str:
            s = c.strip()
            if not s:
                continue
            return NOTE if s.startswith(_MARKS) or _NOTE_RE.match(s) else RECORD
        return RECORD
    return EMPTY


def text(cell: Any) -> str:
    """A header cell as text: '' for an empty cell, ``2024`` (not ``2024.0``) for a whole number."""
    if cell is None:
        return ""
    if cell.__class__ is float and cell.is_integer():
        return str(int(cell))
    return str(cell)


def shortened(cells: Sequence[Any], limit: int = 60) -> str:
    """A row as one short line for a message (personal numbers masked)."""
    shown = " | ".join(text(c).strip() for c in cells if text(c).strip())
    shown = visible(scrub(shown))
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class Header:
    """What a search of a file's (or sheet's) first rows found."""

    __slots__ = ("best", "cells", "first", "line", "skipped")

    def __init__(self) -> None:
        self.line = 0  # the header's line, 0 when not found
        self.cells: Cells = []
        self.skipped: list[int] = []  # the lines above the header
        self.first: tuple[int, Cells] | None = None  # the first non-empty row seen
        #: the row holding the most known headers (a probe with ``score``), when none is the header
        self.best: tuple[int, Cells, Probe] | None = None


def find_header(raw: Raw, probe: Probe | None) -> Header:
    """Read rows from ``raw`` (up to HEADER_ROWS) until one is the header; ``raw`` is then left
    just after it.  ``found.line`` is 0 when none of those rows is."""
    found = Header()
    for n, (line, cells) in enumerate(raw, start=1):
        if classify(cells) != EMPTY:
            if found.first is None:
                found.first = (line, cells)
            if probe is None or probe(cells):
                found.line, found.cells = line, cells
                return found
            score = getattr(probe, "score", None)
            if score is not None and score(cells) > (score(found.best[1]) if found.best else 0):
                found.best = (line, cells, probe)
        found.skipped.append(line)
        if n >= HEADER_ROWS:
            break
    return found


def no_header(name: str, found: Header, where: str = "") -> LaomoError:
    """The error for a file (or sheet ``where``) whose first rows hold no header."""
    place = f"工作表「{where}」" if where else "文件"
    if found.first is None:
        return LaomoError(f"{name}: {place}为空，没有表头行" if not found.skipped
                          else f"{name}: {place}前 {HEADER_ROWS} 行都是空行，没有表头行")
    explain = getattr(found.best[2], "explain", None) if found.best is not None else None
    if found.best is not None and explain is not None:  # a header row that lacks required columns
        line, cells, _ = found.best
        return LaomoError(f"{name}:{line}: " + (f"工作表「{where}」" if where else "") + explain(cells))
    line, cells = found.first
    return LaomoError(f"{name}:{line}: {place}前 {HEADER_ROWS} 行中没有一行含有全部必需的列，找不到表头；"
                      f"第一个非空行（第 {line} 行）是：{shortened(cells)}")


class Source:
    """One import file (or one sheet of a workbook): its name, encoding, header and records.

    ``header`` holds the header row's cells as text, ``header_line`` its 1-based line (CSV) or
    row (sheet), ``sheet`` the sheet's name (None for a text file).  ``rows()`` yields
    ``(line, cells)`` for every record after the header, once; ``skipped`` counts the rows
    that were not records (above the header, empty and total rows among the data) and is
    complete once ``rows()`` is exhausted; ``skipped_lines`` lists the first
    MAX_SKIPPED_LINES of them.
    """

    name: str
    encoding: str
    sha256: str
    header: list[str]
    header_line: int = 1
    sheet: str | None = None
    skipped: int = 0
    skipped_lines: Sequence[int] = ()
    size: int | None = None  # bytes, when known
    #: every cell :meth:`rows` yields is text (a CSV file's): the importer's row parser then tests no
    #: cell's type (``laomo.ledger.rowparser.compile_row_parser``)
    text_cells: bool = False
    _raw_iter: Raw
    _merges: Merges | None = None

    def _raw(self) -> Raw:
        """Every physical row from the start: ``(line, cells)``."""
        raise NotImplementedError

    def _start(self, probe: Probe | None, found: Header | None = None, where: str = "") -> None:
        """Find the header (or take the one ``found`` in ``self._raw_iter``) and count what lies above it."""
        if found is None:
            self._raw_iter = self._raw()
            found = find_header(self._raw_iter, probe)
        if not found.line:
            raise no_header(self.name, found, where)
        self.header = [text(c) for c in found.cells]
        self.header_line = found.line
        self.skipped = len(found.skipped)
        self.skipped_lines = found.skipped[:MAX_SKIPPED_LINES]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The records after the header (once), counting the rows skipped among them."""
        return self._select(self._raw_iter, count=True)

    def rows_again(self) -> Iterator[tuple[int, list[Any]]]:
        """The records once more from the start, with the same lines (used only on the error path)."""
        raw = self._raw()
        for line, _cells in raw:
            if line >= self.header_line:
                break
        return self._select(raw, count=False)

    def _select(self, raw: Raw, *, count: bool) -> Iterator[tuple[int, list[Any]]]:
        merges = {top: ranges for top, ranges in (self._merges or {}).items() if top > self.header_line}
        active: list[tuple[int, int, Any]] = []  # (cell index, bottom line, value) of the ranges being filled
        pending = 0  # empty rows not yet known to lie before a record (never listed beyond the limit)
        pending_lines: list[int] = []
        for line, cells in raw:
            first = cells[0] if cells else None
            if first is None or first == "" or (first.__class__ is str and first.startswith(_QUICK)):
                kind = classify(cells)
                if kind != RECORD:
                    if merges or active:
                        active = _fill(cells, line, merges, active, empty=True)
                    if kind == EMPTY:
                        pending += 1
                        if len(pending_lines) < MAX_SKIPPED_LINES:
                            pending_lines.append(line)
                        continue
                    pending += 1  # a total or signature row: itself and the empty rows before it
                    pending_lines.append(line)
                    if count:
                        self._skip(pending, pending_lines)
                    pending, pending_lines = 0, []
                    continue
            if pending:
                if count:
                    self._skip(pending, pending_lines)
                pending, pending_lines = 0, []
            if merges or active:
                active = _fill(cells, line, merges, active, empty=False)
            yield line, cells

    def _skip(self, n: int, lines: list[int]) -> None:
        self.skipped += n
        room = MAX_SKIPPED_LINES - len(self.skipped_lines)
        if room > 0:
            if not isinstance(self.skipped_lines, list):
                self.skipped_lines = list(self.skipped_lines)
            self.skipped_lines.extend(lines[:room])

    def fraction(self) -> float:
        """How much of the file has been read, 0–1 (for progress display)."""
        return 0.0

    def close(self) -> None:
        pass

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _fill(cells: Cells, line: int, merges: Merges, active: list[tuple[int, int, Any]],
          *, empty: bool) -> list[tuple[int, int, Any]]:
    """Give the row its merged ranges' values (unless it is ``empty``, then it stays so) and
    start the ranges whose top row it is."""
    active = [a for a in active if a[1] >= line]
    if not empty:
        for idx, _bottom, value in active:
            if idx >= len(cells):
                cells.extend([None] * (idx + 1 - len(cells)))
            cells[idx] = value
    for idx, bottom in merges.get(line, ()):
        active.append((idx, bottom, cells[idx] if idx < len(cells) else None))
    return active
