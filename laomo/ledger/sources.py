"""读取导入文件：CSV（自动识别编码）、XLSX、标准输入，逐行流式产出。

A :class:`Source` yields ``(line_number, cells)`` one row at a time, so an
import never holds the file in memory.  Encoding detection (``auto``): a
UTF-8 or UTF-16 byte-order mark is honoured; otherwise the whole file is
decoded strictly as UTF-8, then as GB18030 (a superset of GBK), in a cheap
streaming pre-pass; if neither decodes, the import stops and asks for the
encoding (``encoding=``).  The same pre-pass computes the file's SHA-256 for
the audit log.  Standard input (``-``) is spooled to a temporary file first
(in memory up to 8 MB), because detection needs a second pass.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import hashlib
import io
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from laomo.errors import LaomoError, UsageError
from laomo.safe import readable

ENCODINGS = ("auto", "utf-8", "gb18030", "utf-16")
_BLOCK = 1 << 20
csv.field_size_limit(1 << 24)


class Source:
    """One import file: its display name, encoding, header and rows."""

    name: str
    encoding: str
    sha256: str
    header: list[str]
    size: int | None = None  # bytes, when known

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        raise NotImplementedError

    def fraction(self) -> float:
        """How much of the file has been read, 0–1 (for progress display)."""
        return 0.0

    def rows_again(self) -> Iterator[tuple[int, list[Any]]]:
        """The data rows once more from the start (used only on the error path)."""
        raise NotImplementedError

    def close(self) -> None:
        pass

    def __enter__(self) -> Source:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _first_bad_line(fp: IO[bytes], encoding: str) -> int | None:
    """The line holding the first byte sequence ``encoding`` cannot decode, or None.

    A streaming pass over the whole file; lines are counted in the decoded text,
    so this is right for every encoding, UTF-16 included.
    """
    fp.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 1
    while True:
        block = fp.read(_BLOCK)
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeError as exc:  # UnicodeDecodeError, or UTF-16 without a byte-order mark
            good = block[: max(getattr(exc, "start", 0), 0)]
            with contextlib.suppress(UnicodeError):
                lines += decoder.decode(good).count("\n") if good else 0
            return lines
        lines += text.count("\n")
        if not block:
            return None


def _utf8_text_before_failure(fp: IO[bytes]) -> int | None:
    """The line where UTF-8 decoding fails if the text before it holds a character that only a
    3- or 4-byte UTF-8 sequence makes (Chinese, say): then the file is UTF-8 with foreign lines,
    not a GBK file (GBK bytes rarely form even one such sequence by chance).  None otherwise."""
    fp.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines = 1
    wide = False
    while block := fp.read(_BLOCK):
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError as exc:
            good = block[: max(exc.start, 0)]
            with contextlib.suppress(UnicodeError):
                text = decoder.decode(good)
                wide = wide or any(ord(ch) >= 0x800 for ch in text)
                lines += text.count("\n")
            return lines if wide else None
        wide = wide or any(ord(ch) >= 0x800 for ch in text)
        lines += text.count("\n")
    return None


def _strict_decodes(fp: IO[bytes], encoding: str) -> bool:
    return _first_bad_line(fp, encoding) is None


def _sha256(fp: IO[bytes]) -> str:
    fp.seek(0)
    h = hashlib.sha256()
    while block := fp.read(_BLOCK):
        h.update(block)
    return h.hexdigest()


def detect_encoding(fp: IO[bytes], name: str) -> str:
    fp.seek(0)
    head = fp.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _strict_decodes(fp, "utf-8"):
        return "utf-8"
    mixed = _utf8_text_before_failure(fp)
    if mixed is not None:  # UTF-8 Chinese, then a line that is not: never read it all as GB18030
        raise LaomoError(
            f"{name}:{mixed}: 文件编码不一致：前面的行是 UTF-8，第 {mixed} 行起不是（可能混入了 GBK 的行），"
            "为免存成乱码，导入未开始；请在 Excel/WPS 中统一另存为 UTF-8 或 GBK，"
            "确认整个文件是 GBK 时可指定编码 gb18030", option="encoding")
    if _strict_decodes(fp, "gb18030"):
        return "gb18030"
    line = _first_bad_line(fp, "utf-8")
    raise LaomoError(
        f"{name}:{line}: 无法识别文件编码（既不是 UTF-8 也不是 GB18030/GBK，第 {line} 行起无法按 UTF-8 解码）。"
        "请确认文件内容，或指定编码（utf-16 / gb18030 / utf-8）",
        option="encoding",
    )


class CsvSource(Source):
    def __init__(self, fp: IO[bytes], name: str, encoding: str = "auto", size: int | None = None):
        self.name = name
        self._fp = fp
        self.sha256 = _sha256(fp)
        self._size = self.size = size if size is not None else fp.tell()
        if encoding == "auto":
            encoding = detect_encoding(fp, name)
        else:
            if encoding not in ENCODINGS:
                raise UsageError(f"不支持的编码 {encoding}，可选：{'、'.join(ENCODINGS)}", option="encoding")
            if encoding == "utf-8":
                encoding = "utf-8-sig"  # a BOM is never data
            bad = _first_bad_line(fp, encoding)
            if bad is not None:
                raise LaomoError(f"{name}:{bad}: 按 {encoding} 解码失败，请指定正确的编码"
                                 "（auto、utf-8、gb18030 或 utf-16）", option="encoding")
        self.encoding = encoding
        fp.seek(0)
        self._text = io.TextIOWrapper(fp, encoding=encoding, errors="strict", newline="")
        self._reader = csv.reader(self._text)
        first = next(self.rows(), None)
        if first is None:
            raise LaomoError(f"{name}: 文件为空，没有表头行")
        self.header = [str(c) for c in first[1]]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        reader = self._reader
        start = reader.line_num + 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except UnicodeError:
            raise LaomoError(
                f"{self.name}:{start}: 按 {self.encoding} 解码失败，请指定正确的编码", option="encoding"
            ) from None
        except csv.Error as exc:
            raise LaomoError(f"{self.name}:{start}: CSV 格式错误：{exc}") from None

    def rows_again(self) -> Iterator[tuple[int, list[Any]]]:
        self._text.detach()
        self._fp.seek(0)
        self._text = io.TextIOWrapper(self._fp, encoding=self.encoding, errors="strict", newline="")
        self._reader = csv.reader(self._text)
        next(self._reader, None)  # the header
        return self.rows()

    def fraction(self) -> float:
        try:
            pos = self._fp.tell()
        except (OSError, ValueError):
            return 0.0
        return min(1.0, pos / self._size) if self._size else 1.0

    def close(self) -> None:
        with contextlib.suppress(ValueError):  # already detached
            self._text.detach()
        self._fp.close()


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time() else value
    return value


#: Bounds on a workbook, checked in its zip directory before anything is decompressed: an .xlsx
#: of a few hundred KB can hold gigabytes of XML (a "zip bomb"), which openpyxl would read whole.
MAX_XLSX_PART = 256 << 20  # uncompressed bytes of one part (a worksheet, the shared strings)
MAX_XLSX_TOTAL = 512 << 20  # uncompressed bytes of all parts
MAX_XLSX_RATIO = 100  # uncompressed / compressed, for parts above 1 MB


def check_archive(path: Path, name: str) -> None:
    """Refuse a workbook whose parts decompress beyond the bounds above (one line naming the file)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LaomoError(f"{name}: 不是有效的 .xlsx 文件（无法作为压缩包读取：{exc}）") from None
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


def _read_workbook(path: Path, charts: list[str]) -> Any:
    """``openpyxl.load_workbook(path, read_only=True, data_only=True)``, except that chart sheets are
    skipped (their names put in ``charts``): openpyxl's read-only reader fails on them, and a chart
    is never data — a workbook with one must still import from its data sheet."""
    from openpyxl.reader.excel import ExcelReader

    class _Reader(ExcelReader):
        def read_chartsheet(self, sheet: Any, rel: Any) -> None:
            charts.append(sheet.name)

    reader = _Reader(str(path), read_only=True, data_only=True)
    reader.read()
    return reader.wb


class XlsxSource(Source):
    def __init__(self, path: Path, name: str, sheet: str | None = None):
        from openpyxl.utils.exceptions import InvalidFileException

        self.name = name
        self.encoding = "xlsx"
        with open(path, "rb") as fp:
            self.sha256 = _sha256(fp)
        self.size = path.stat().st_size
        check_archive(path, name)
        charts: list[str] = []
        try:
            self._wb = _read_workbook(path, charts)
        except (InvalidFileException, KeyError, OSError, ValueError) as exc:
            raise LaomoError(f"{name}: 不是有效的 .xlsx 文件（{exc}）") from None
        except Exception as exc:  # zipfile.BadZipFile and friends
            raise LaomoError(f"{name}: 无法读取 .xlsx 文件（{type(exc).__name__}）") from None
        if sheet is not None and sheet in charts:
            raise LaomoError(f"{name}: 「{sheet}」是图表工作表，没有数据；请用 --sheet 指定数据所在的工作表")
        if sheet is not None and sheet not in self._wb.sheetnames:
            raise LaomoError(f"{name}: 没有名为「{sheet}」的工作表，现有：{'、'.join(self._wb.sheetnames)}")
        if not self._wb.worksheets:
            raise LaomoError(f"{name}: 工作簿中没有工作表")
        ws = self._wb[sheet] if sheet else self._wb.worksheets[0]
        if not hasattr(ws, "iter_rows"):
            raise LaomoError(f"{name}: 「{ws.title}」是图表工作表，没有数据；请用 --sheet 指定数据所在的工作表")
        try:
            self._total = ws.max_row or 0
        except Exception:  # a dimension the file states wrongly: progress is then unknown
            self._total = 0
        # The stored dimension may claim A1:XFD1048576 for one formatted empty cell: openpyxl would
        # then pad every row to 16,384 cells.  Forgotten, rows come as wide as their own cells.
        ws.reset_dimensions()
        self._ws = ws
        self._iter = ws.iter_rows(values_only=True)
        self._line = 0
        first = next(self._guarded(), None)
        if first is None:
            raise LaomoError(f"{name}: 工作表为空，没有表头行")
        self._line = 1
        self.header = ["" if c is None else str(c) for c in first]

    def _guarded(self) -> Iterator[tuple[Any, ...]]:
        """The sheet's rows; a worksheet whose XML is broken is one line naming the file and row.
        (A loop over ``next``, not ``yield from``: closing this generator must not close the sheet's.)"""
        while True:
            try:
                row = next(self._iter)
            except StopIteration:
                return
            except Exception as exc:  # ParseError, an entity the parser refuses, a bad cell type…
                raise LaomoError(f"{self.name}:{self._line + 1}: 工作表内容损坏，无法读取"
                                 f"（{type(exc).__name__}）；请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV") from None
            yield row

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        for cells in self._guarded():
            self._line += 1
            yield self._line, [_cell(c) for c in cells]

    def rows_again(self) -> Iterator[tuple[int, list[Any]]]:
        self._iter = self._ws.iter_rows(values_only=True)
        next(self._iter, None)
        self._line = 1
        return self.rows()

    def fraction(self) -> float:
        return min(1.0, self._line / self._total) if self._total else 0.0

    def close(self) -> None:
        self._wb.close()


def open_source(file: str, encoding: str = "auto", sheet: str | None = None, probe: Any = None) -> Source:
    """Open ``file`` (a path, or ``-`` for CSV on standard input) for import."""
    if file == "-":
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - the source owns and closes it
        shutil.copyfileobj(sys.stdin.buffer, spool)
        size = spool.tell()
        return CsvSource(spool, "<标准输入>", encoding, size=size)
    path = Path(file)
    file = readable(file)  # the name as messages, the audit log and JSON show it (a GBK file name)
    if not path.exists():
        raise LaomoError(f"文件不存在：{file}")
    if path.is_dir():
        raise LaomoError(f"{file} 是目录，不是文件")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return XlsxSource(path, file, sheet)
    if suffix in (".xls", ".et"):
        raise LaomoError(f"{file}: 不支持旧版 .xls 格式，请在 Excel/WPS 中另存为 .xlsx 或 CSV")
    try:
        fp = open(path, "rb")  # noqa: SIM115 - the source owns and closes it
    except OSError as exc:
        raise LaomoError(f"无法打开文件 {file}：{exc.strerror}") from None
    try:
        return CsvSource(fp, file, encoding, size=path.stat().st_size)
    except BaseException:
        fp.close()
        raise
