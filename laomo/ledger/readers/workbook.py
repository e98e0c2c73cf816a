"""Workbooks: .xlsx/.xlsm, .xls (and WPS .et saved as such) and .ods, recognised by content.

Read with python-calamine (Rust), which reads all three formats, gives date cells as dates,
reports merged ranges (.xlsx, .xls) and trims a used range that runs past the data; an
import of 200,000 rows takes a third of the time it takes through openpyxl's streaming
reader (nine times faster reading alone; bench/bench_import_xlsx.py).  It holds a sheet as a grid of cells (32 bytes each, plus
their text), so before it is given one the workbook is looked at:

* an .xlsx sheet's XML is streamed through (:mod:`.scan`) to bound the grid; a sheet of
  more than :data:`MAX_GRID_CELLS` cells (from its first row and column to its last cell
  with a value: some 250,000 rows of 10 columns), or one whose XML is written so that the
  bound cannot be read cheaply, is read with openpyxl's streaming reader instead: slower,
  and holding the workbook's shared strings, but never a grid (a 5 KB .xlsx with two cells
  a million rows apart would otherwise take gigabytes);
* an .ods whose tables together are that large (LibreOffice's repeated rows and cells
  expanded; calamine unpacks them all when it opens the file) is refused;
* an .xls (binary; at most 65,536 rows × 256 columns a sheet) is first read once in a child
  process with bounded memory (:func:`try_xls`): a damaged one can make the parser ask for
  tens of gigabytes, which aborts a process rather than raising.

Chart sheets and hidden sheets are never searched for data (a hidden sheet can still be
named).  Each unreadable workbook is one line naming the file (:class:`~laomo.errors.LaomoError`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError
from laomo.ledger.readers.base import HEADER_ROWS, Header, Merges, Probe, Raw, Source, find_header, no_header
from laomo.ledger.readers.scan import Bounds, ods_bounds, xlsx_bounds, xlsx_sheet_parts
from laomo.ledger.readers.text import sha256

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

#: Bounds on a workbook, checked in its zip directory before anything is decompressed: an .xlsx
#: of a few hundred KB can hold gigabytes of XML (a "zip bomb").
MAX_XLSX_PART = 256 << 20  # uncompressed bytes of one part (a worksheet, the shared strings)
MAX_XLSX_TOTAL = 512 << 20  # uncompressed bytes of all parts
MAX_XLSX_RATIO = 100  # uncompressed / compressed, for parts above 1 MB
#: Cells of the grid calamine may hold for one sheet (32 bytes each, plus their text).
MAX_GRID_CELLS = 2_500_000

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
LABELS = {"xlsx": ".xlsx", "xls": ".xls", "ods": ".ods"}
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".ods", ".xlsb")


def sniff(path: Path, name: str) -> str:
    """``xlsx``, ``ods``, ``xls`` or ``text``, by the file's first bytes (and, for a zip, its members)."""
    try:
        with open(path, "rb") as fp:
            head = fp.read(8)
    except OSError as exc:
        raise LaomoError(f"无法打开文件 {name}：{exc.strerror}") from None
    if head.startswith(OLE2):
        return "xls"
    if not head.startswith(ZIP):
        return "text"
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.getinfo("mimetype").file_size < 256 \
                    and archive.read("mimetype").strip() == ODS_MIME:
                return "ods"
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError) as exc:
        raise LaomoError(f"{name}: 不是有效的工作簿（无法作为压缩包读取：{exc}）") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        raise LaomoError(f"{name}: 不支持 .xlsb（Excel 二进制工作簿），请在 Excel 中另存为 .xlsx")
    raise LaomoError(f"{name}: 是压缩包，但不是 Excel（.xlsx）或 OpenDocument（.ods）工作簿")


def looks_like_html(path: Path) -> bool:
    """Whether a text file is a web page (what many systems export and name .xls)."""
    with open(path, "rb") as fp:
        head = fp.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<html" in head


def check_archive(path: Path, name: str, kind: str = "xlsx") -> None:
    """Refuse a workbook whose parts decompress beyond the bounds above (one line naming the file)."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LaomoError(f"{name}: 不是有效的 {LABELS.get(kind, kind)} 文件（无法作为压缩包读取：{exc}）") from None
    total = 0
    for part in parts:
        total += part.file_size
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > MAX_XLSX_PART or (part.file_size > 1 << 20 and ratio > MAX_XLSX_RATIO):
            raise LaomoError(f"{name}: 工作簿中的 {part.filename} 解压后达 {part.file_size / 2**20:.0f} MB"
                             f"（压缩比 {ratio:.0f}），超出读取上限，拒绝导入；请另存为 CSV 后再导入")
    if total > MAX_XLSX_TOTAL:
        raise LaomoError(f"{name}: 工作簿解压后共 {total / 2**20:.0f} MB，超出读取上限 "
                         f"{MAX_XLSX_TOTAL >> 20} MB，拒绝导入；请另存为 CSV 后再导入")


def _label(name: str, kind: str) -> str:
    """The format as the message names it: WPS's own .et is an .xls only when saved as one."""
    return ".et" if kind == "xls" and name.lower().endswith(".et") else LABELS[kind]


def _advice(name: str, kind: str) -> str:
    if _label(name, kind) == ".et":
        return "请在 WPS 中打开后另存为 .xlsx 或 .xls（WPS 自己的 .et 格式无法读取）"
    return "请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV"


def _broken(name: str, kind: str, exc: BaseException, line: int | None = None) -> LaomoError:
    where = f"{name}:{line}" if line else name
    detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return LaomoError(f"{where}: 无法读取 {_label(name, kind)} 文件（{detail}）；{_advice(name, kind)}")


@contextlib.contextmanager
def calamine_errors(name: str, kind: str) -> Iterator[None]:
    """Whatever the Rust reader raises on a broken file, as one line naming the file (besides its
    own errors it can panic: a ``PanicException``, which is no ``Exception``)."""
    try:
        yield
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError, LaomoError):
        raise
    except BaseException as exc:  # CalamineError and its kinds, pyo3's PanicException, ValueError …
        raise _broken(name, kind, exc) from None


#: Address space the trial reading of an .xls may add (a full .xls sheet is 65,536 × 256 cells).
XLS_TRIAL_MEMORY = 1536 << 20


def try_xls(path: Path, name: str) -> None:
    """Read the whole .xls once in a child process first.  A damaged .xls can make calamine's
    parser ask for tens of gigabytes, and a failed allocation aborts the process (Rust does not
    raise): the child, its memory bounded, dies instead and the file is refused in one line.
    Where there is no ``fork`` the file is read directly."""
    if not hasattr(os, "fork"):
        return
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's cleanup
        code = 1
        try:
            _limit_memory(XLS_TRIAL_MEMORY)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)  # a panic's report is not for the user
            import faulthandler

            faulthandler.disable()  # (it writes to its own copy of stderr: under pytest, -X faulthandler)
            from python_calamine import CalamineWorkbook

            book = CalamineWorkbook.from_path(str(path))
            for sheet in book.sheet_names:
                for _row in book.get_sheet_by_name(sheet).iter_rows():
                    pass
            code = 0
        finally:  # whatever went wrong, the exit code says it
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    if status != 0:
        raise LaomoError(f"{name}: 无法读取 {_label(name, 'xls')} 文件（文件已损坏）；{_advice(name, 'xls')}")


def _limit_memory(extra: int) -> None:
    import resource

    try:
        with open("/proc/self/status", encoding="ascii") as fp:
            size = next(int(line.split()[1]) * 1024 for line in fp if line.startswith("VmSize:"))
        resource.setrlimit(resource.RLIMIT_AS, (size + extra, resource.RLIM_INFINITY))
    except (OSError, ValueError, StopIteration):  # no /proc: the child runs unbounded
        pass


class Book:
    """An open workbook: its sheets, and a reader for each."""

    def __init__(self, path: Path, name: str, kind: str):
        from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

        self.path, self.name, self.kind = path, name, kind
        self._bounds: dict[str, Bounds] | None = None
        if kind in ("xlsx", "ods"):
            check_archive(path, name, kind)
        if kind == "ods":  # calamine unpacks every table of an .ods when it opens it: bound them all first
            self._check_ods()
        if kind == "xls":
            try_xls(path, name)
        with calamine_errors(name, kind):
            self.calamine: CalamineWorkbook = CalamineWorkbook.from_path(str(path))
            meta = self.calamine.sheets_metadata
        self.sheets = [m.name for m in meta]
        self.charts = {m.name for m in meta if m.typ != SheetTypeEnum.WorkSheet}
        self.data = [m.name for m in meta if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
        self._parts: dict[str, str] | None = None
        self._openpyxl: Any = None

    def _check_ods(self) -> None:
        try:
            with zipfile.ZipFile(self.path) as archive:
                self._bounds = ods_bounds(archive)
        except Exception as exc:  # a broken zip member, no content.xml …
            raise _broken(self.name, self.kind, exc) from None
        total = sum(b.cells or 0 for b in self._bounds.values())
        if total > MAX_GRID_CELLS:
            bounds = self._bounds
            sheet = max(bounds, key=lambda t: bounds[t].cells or 0)
            raise LaomoError(f"{self.name}: 工作表「{sheet}」展开重复的行和列后超过 {MAX_GRID_CELLS:,} 个单元格，"
                             "超出读取上限，拒绝导入；请另存为 .xlsx 或 CSV 后再导入")

    def bounds(self, sheet: str) -> Bounds:
        """The sheet's grid bounds and merged ranges (nothing is known of an .xls: calamine's own)."""
        if self.kind == "xls":
            return Bounds()
        try:
            if self.kind == "ods":
                return (self._bounds or {}).get(sheet, Bounds())
            with zipfile.ZipFile(self.path) as archive:
                if self._parts is None:
                    self._parts = xlsx_sheet_parts(archive)
                part = self._parts.get(sheet)
                if part is None or part not in archive.namelist():
                    raise _broken(self.name, self.kind, ValueError(f"工作表「{sheet}」的内容缺失"))
                return xlsx_bounds(archive, part)
        except LaomoError:
            raise
        except Exception as exc:  # a broken zip member, unreadable workbook.xml …
            raise _broken(self.name, self.kind, exc) from None

    def reader(self, sheet: str) -> SheetReader:
        bounds = self.bounds(sheet)
        cells = bounds.cells
        if self.kind == "xlsx" and (cells is None or cells > MAX_GRID_CELLS):
            return _OpenpyxlSheet(self, sheet, bounds)
        return _CalamineSheet(self, sheet, bounds)

    def workbook(self) -> Any:
        """openpyxl's streaming reader of this .xlsx (opened once)."""
        if self._openpyxl is None:
            self._openpyxl = _read_workbook(self.path, self.name)
        return self._openpyxl

    def close(self) -> None:
        with contextlib.suppress(Exception):  # already closed
            self.calamine.close()
        if self._openpyxl is not None:
            self._openpyxl.close()


class SheetReader:
    """One sheet's physical rows, from row 1, as lists; and how far they have been read."""

    name: str
    height = 0
    merges: Merges

    def raw(self) -> Raw:
        raise NotImplementedError


def _merges(ranges: list[tuple[int, int, int, int]], first_col: int) -> Merges:
    """Vertical merged ranges ``(top, left, bottom, right)`` (1-based) by top row, as cell indexes."""
    merges: Merges = {}
    for top, left, bottom, _right in ranges:
        if bottom > top and left > first_col:
            merges.setdefault(top, []).append((left - 1 - first_col, bottom))
    return merges


class _CalamineSheet(SheetReader):
    def __init__(self, book: Book, name: str, bounds: Bounds):
        self.book, self.name = book, name
        with calamine_errors(book.name, book.kind):
            self._sheet = book.calamine.get_sheet_by_name(name)
            start = self._sheet.start
            ranges = self._sheet.merged_cell_ranges
        first_col = start[1] if start else 0  # calamine's rows begin at the first column with a value
        self.height = self._sheet.end[0] + 1 if self._sheet.end else 0
        if ranges is not None:
            spans = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ranges]
        else:
            spans = bounds.merges
        self.merges = _merges(spans, first_col)

    def raw(self) -> Raw:
        rows = self._sheet.iter_rows()
        if self.book.kind == "ods":
            return ((line, [_day(c) for c in cells]) for line, cells in enumerate(rows, start=1))
        return enumerate(rows, start=1)


class _OpenpyxlSheet(SheetReader):
    def __init__(self, book: Book, name: str, bounds: Bounds):
        self.book, self.name = book, name
        wb = book.workbook()
        try:
            ws = wb[name]
        except KeyError:
            raise _broken(book.name, book.kind, ValueError(f"工作表「{name}」无法读取")) from None
        try:
            self.height = ws.max_row or 0
        except Exception:  # a dimension the file states wrongly: progress is then unknown
            self.height = 0
        # The stored dimension may claim A1:XFD1048576 for one formatted empty cell: openpyxl would
        # then pad every row to 16,384 cells.  Forgotten, rows come as wide as their own cells.
        ws.reset_dimensions()
        self._ws = ws
        self.merges = _merges(bounds.merges, 0)

    def raw(self) -> Raw:
        """The rows; a worksheet whose XML is broken is one line naming the file and row.
        (A loop over ``next``, not ``yield from``: closing this generator must not close the sheet's.)"""
        rows = self._ws.iter_rows(values_only=True)
        line = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception as exc:  # ParseError, an entity the parser refuses, a bad cell type…
                raise LaomoError(f"{self.book.name}:{line + 1}: 工作表内容损坏，无法读取"
                                 f"（{type(exc).__name__}）；请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV") from None
            line += 1
            yield line, [_day(c) for c in cells]


def _day(value: Any) -> Any:
    if value.__class__ is dt.datetime and value.time() == dt.time():
        return value.date()
    return value


def _read_workbook(path: Path, name: str) -> Any:
    """``openpyxl.load_workbook(path, read_only=True, data_only=True)``, except that chart sheets are
    skipped: openpyxl's read-only reader fails on them, and a chart is never data."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.utils.exceptions import InvalidFileException

    class _Reader(ExcelReader):
        def read_chartsheet(self, sheet: Any, rel: Any) -> None:
            pass

    try:
        reader = _Reader(str(path), read_only=True, data_only=True)
        reader.read()
    except (InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise LaomoError(f"{name}: 不是有效的 .xlsx 文件（{exc}）") from None
    except Exception as exc:  # zipfile.BadZipFile and friends
        raise LaomoError(f"{name}: 无法读取 .xlsx 文件（{type(exc).__name__}）") from None
    return reader.wb


class WorkbookSource(Source):
    """The data sheet of a workbook: the one named, or the first whose first rows hold the header."""

    def __init__(self, path: Path, name: str, kind: str, sheet: str | None = None, probe: Probe | None = None):
        self.name = name
        self.encoding = kind
        with open(path, "rb") as fp:
            self.sha256 = sha256(fp)
        self.size = path.stat().st_size
        self._book = Book(path, name, kind)
        try:
            self._open(sheet, probe)
        except BaseException:
            self._book.close()
            raise

    def _open(self, sheet: str | None, probe: Probe | None) -> None:
        book = self._book
        if sheet is not None:
            if sheet in book.charts:
                raise LaomoError(f"{self.name}: 「{sheet}」是图表工作表，没有数据；请指定数据所在的工作表",
                                 option="sheet")
            if sheet not in book.sheets:
                raise LaomoError(f"{self.name}: 没有名为「{sheet}」的工作表，现有：{'、'.join(book.sheets)}",
                                 option="sheet")
            self._use(book.reader(sheet))
            self._start(probe, where=sheet)
            return
        if not book.data:
            raise LaomoError(f"{self.name}: 工作簿中没有可读的工作表" +
                             (f"（{'、'.join(book.sheets)} 都是图表或隐藏的工作表）" if book.sheets else ""))
        firsts: list[Header] = []
        for name in book.data:
            self._use(book.reader(name))
            self._raw_iter = self._raw()
            found = find_header(self._raw_iter, probe)
            if found.line:
                self._start(probe, found)
                return
            firsts.append(found)
        if len(book.data) == 1:
            raise no_header(self.name, firsts[0], book.data[0])
        if probe is None or all(f.first is None for f in firsts):
            raise LaomoError(f"{self.name}: 各工作表（{'、'.join(book.data)}）的前 {HEADER_ROWS} 行都是空的，没有表头行")
        raise LaomoError(f"{self.name}: 工作表 {'、'.join(book.sheets)} 的前 {HEADER_ROWS} 行中都没有含全部必需的列的一行，"
                         "找不到数据所在的工作表；请指定工作表", option="sheet")

    def _use(self, reader: SheetReader) -> None:
        self._reader = reader
        self.sheet = reader.name
        self._merges = reader.merges
        self._line = 0

    def _raw(self) -> Raw:
        return self._counted(self._reader.raw())

    def _counted(self, raw: Raw) -> Iterator[tuple[int, list[Any]]]:
        for line, cells in raw:
            self._line = line
            yield line, cells

    def fraction(self) -> float:
        height = self._reader.height
        return min(1.0, self._line / height) if height else 0.0

    def close(self) -> None:
        self._book.close()


def sheet_names(path: Path, name: str, kind: str) -> list[str]:
    """The data sheets of a workbook (visible worksheets, not charts), in order."""
    book = Book(path, name, kind)
    try:
        return list(book.data)
    finally:
        book.close()
