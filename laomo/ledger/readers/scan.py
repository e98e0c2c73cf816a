"""Looking inside a workbook's parts before a reader unpacks them.

The fast reader (python-calamine) holds a sheet as a dense grid: the rectangle from the first
to the last cell that has a value.  A few kilobytes of XML can name two cells a million rows
and a hundred columns apart (or, in an .ods, repeat one cell that often), and the grid would
take gigabytes.  So each sheet's part is first streamed through (decompressed block by block,
looked at with regular expressions, never parsed into objects) to bound that rectangle:

* **.xlsx**: the last row and the widest column holding a cell with a value.  Where the part
  is written otherwise than Excel, WPS, LibreOffice and the usual libraries write it (a cell
  without its ``r`` reference first, a namespace prefix), the bound is unknown.  The merged
  ranges (``<mergeCell>``) are collected on the way.
* **.ods**: rows and cells are counted with their ``number-rows-repeated`` /
  ``number-columns-repeated``; cells with a value (``office:value-type``) give the
  rectangle; ``number-rows-spanned`` gives the merged ranges (the reader reports none for
  .ods).  A Python step per element: .ods files are small, and this pass is what makes a
  LibreOffice sheet's 1,048,567 repeated empty rows cost nothing.
"""

from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from functools import cache, lru_cache
from xml.etree import ElementTree

_BLOCK = 1 << 20


@dataclass
class Bounds:
    """A sheet's extent: ``rows`` × ``cols`` bounds its cells with a value (None: unknown)."""

    rows: int | None = 0
    cols: int | None = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # 1-based (top, left, bottom, right)

    @property
    def cells(self) -> int | None:
        return None if self.rows is None or self.cols is None else self.rows * self.cols


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


@cache
def _greater_number(n: int) -> str:
    """A pattern for the decimal numbers greater than ``n`` (without leading zeros)."""
    s = str(n)
    alts = [f"[0-9]{{{len(s) + 1},}}"]
    for i, d in enumerate(s):
        if d != "9":
            alts.append(f"{s[:i]}[{int(d) + 1}-9][0-9]{{{len(s) - i - 1}}}")
    return "(?:" + "|".join(alts) + ")"


@cache
def _greater_column(letters: str) -> str:
    """A pattern for the column letters after ``letters`` (``B``…, ``AA``… after ``A``)."""
    alts = [f"[A-Z]{{{len(letters) + 1},}}"]
    for i, ch in enumerate(letters):
        if ch != "Z":
            alts.append(f"{letters[:i]}[{chr(ord(ch) + 1)}-Z][A-Z]{{{len(letters) - i - 1}}}")
    return "(?:" + "|".join(alts) + ")"


# A cell with content: neither ``<c r="A1" s="3"/>`` nor ``<c r="A1" s="3"></c>`` (only formatting).
_VALUED = rb'"[^>]*(?<!/)>(?!</c>)'
_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})' + _VALUED)
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"')


@lru_cache(maxsize=64)
def _unusual(rows: int, cols: str) -> re.Pattern[bytes]:
    """A cell with a value below row ``rows`` or right of column ``cols``, or a cell tag whose
    reference does not come first (then its position is not read here)."""
    return re.compile(rb'<c(?: r="(?:' + _greater_column(cols).encode() + rb"[0-9]+|[A-Z]{1,3}"
                      + _greater_number(rows).encode() + rb")" + _VALUED + rb'|(?! r=")[\s>/])')


def xlsx_bounds(archive: zipfile.ZipFile, part: str) -> Bounds:
    """Stream one worksheet part: the bounds of its cells with a value, and its merged ranges.

    Per block of XML: the last cell gives the last row so far (rows come in order); one search
    finds any cell beyond that row or the widest column so far, and only then is every cell of
    the block looked at.  So a well-formed sheet costs about one regular-expression pass.
    """
    bounds = Bounds()
    rows, cols = 0, "A"
    tail = b""
    with archive.open(part) as fp:
        while True:
            block = fp.read(_BLOCK)
            data = tail + block
            cut = data.rfind(b">") + 1 if block else len(data)
            tail = data[cut:]
            if data.find(b":c>", 0, cut) >= 0:
                return Bounds(None, None)  # cells with a namespace prefix: not bounded here
            last = data.rfind(b'<c r="', 0, cut)
            found = _CELL_REF.match(data, last, cut) if last >= 0 else None
            if found is not None and int(found.group(2)) > rows:
                rows = int(found.group(2))
            unusual = _unusual(rows, cols).search(data, 0, cut)
            if unusual is not None:  # a cell out of order, or a wider row: look at each
                if not unusual.group().startswith(b'<c r="'):
                    return Bounds(None, None)  # a cell without its reference first
                for col, row in _CELL_REF.findall(data, 0, cut):
                    rows = max(rows, int(row))
                    if (len(col), col) > (len(cols), cols.encode()):
                        cols = col.decode()
            if data.find(b"<mergeCell ", 0, cut) >= 0:
                bounds.merges += [(int(r0), column_number(c0.decode()), int(r1), column_number(c1.decode()))
                                  for c0, r0, c1, r1 in _MERGE.findall(data, 0, cut)]
            if not block:
                break
    bounds.rows, bounds.cols = rows, column_number(cols) if rows else 0
    return bounds


_ODS_TAG = re.compile(rb"<table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>")
_ATTR = re.compile(rb'table:(number-rows-repeated|number-columns-repeated|number-rows-spanned|name)="([^"]*)"')


def ods_bounds(archive: zipfile.ZipFile) -> dict[str, Bounds]:
    """Stream ``content.xml``: for each table (sheet) by name, its bounds and merged ranges."""
    result: dict[str, Bounds] = {}
    sheet = _OdsTable(Bounds())  # content outside a table is not looked at
    tail = b""
    with archive.open("content.xml") as fp:
        while True:
            block = fp.read(_BLOCK)
            data = tail + block
            cut = data.rfind(b">") + 1 if block else len(data)
            data, tail = data[:cut], data[cut:]
            for tag, attrs in _ODS_TAG.findall(data):
                values = dict(_ATTR.findall(attrs)) if b"table:" in attrs else {}
                if tag == b"table":
                    name = html.unescape(values.get(b"name", b"").decode("utf-8", "replace"))
                    sheet = _OdsTable(result.setdefault(name, Bounds()))
                else:
                    sheet.element(tag, attrs, values)
            if not block:
                break
    return result


class _OdsTable:
    """The position in one table while its elements stream by."""

    def __init__(self, bounds: Bounds):
        self.bounds = bounds
        self.next_row = 0  # 0-based index of the next row
        self.row = 0  # the current row's index, and how often it repeats
        self.repeat = 1
        self.col = 0

    def element(self, tag: bytes, attrs: bytes, values: dict[bytes, bytes]) -> None:
        if tag == b"table-row":
            self.row, self.repeat, self.col = self.next_row, _count(values, b"number-rows-repeated"), 0
            self.next_row += self.repeat
            return
        repeat = _count(values, b"number-columns-repeated")
        if b"office:value-type" in attrs or not attrs.rstrip().endswith(b"/"):  # not only formatting
            b = self.bounds
            b.rows = max(b.rows or 0, self.row + self.repeat)
            b.cols = max(b.cols or 0, self.col + repeat)
            spanned = _count(values, b"number-rows-spanned")
            if spanned > 1:
                b.merges.append((self.row + 1, self.col + 1, self.row + spanned, self.col + 1))
        self.col += repeat


def _count(values: dict[bytes, bytes], key: bytes) -> int:
    raw = values.get(key)
    if raw is None or not raw.isdigit():
        return 1
    return int(raw) if len(raw) <= 18 else 10**18


_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def xlsx_sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """The part of each sheet of an .xlsx by the sheet's name (``xl/worksheets/sheet1.xml``)."""
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    parts: dict[str, str] = {}
    for sheet in book.iter():
        if sheet.tag.endswith("}sheet") and sheet.get("name") is not None:
            target = targets.get(sheet.get(_REL_NS), "")
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            parts[sheet.get("name", "")] = _normalise(target)
    return parts


def _normalise(path: str) -> str:
    out: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if out:
                out.pop()
        elif piece not in ("", "."):
            out.append(piece)
    return "/".join(out)
