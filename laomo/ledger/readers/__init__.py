"""读取导入文件：CSV/制表符分隔文本（自动识别编码和分隔符）、.xlsx、.xls、.ods、标准输入，逐行产出。

``open_source(file, encoding, sheet, probe)`` gives a :class:`Source`: the header row found
(not assumed) and the records after it, one at a time, so an import never holds a text file
in memory.  What kind of file it is comes from its content, not its name: a zip is an .xlsx
(or an .ods when its ``mimetype`` says so), an OLE2 compound file is an .xls (so is WPS's .et
when saved in that format), anything else is text.  The name only shapes the messages (a text
file named .xlsx is refused as not a workbook) and breaks a tie in the delimiter of a text file.

:mod:`.base` finds the header and skips the rows that are not records; :mod:`.text` reads text
files; :mod:`.workbook` reads workbooks; :mod:`.scan` bounds a workbook's sheets before they are
read.  Standard input (``-``) is text only; it is spooled to a temporary file first (in memory
up to 8 MB), because encoding detection needs a second pass.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from laomo.errors import LaomoError
from laomo.ledger.readers.base import HEADER_ROWS, MAX_SKIPPED_LINES, Probe, Source
from laomo.ledger.readers.text import ENCODINGS, CsvSource, detect_encoding
from laomo.ledger.readers.workbook import (
    MAX_GRID_CELLS,
    MAX_XLSX_PART,
    MAX_XLSX_RATIO,
    MAX_XLSX_TOTAL,
    OLE2,
    WORKBOOK_SUFFIXES,
    ZIP,
    WorkbookSource,
    check_archive,
    looks_like_html,
    sniff,
)
from laomo.ledger.readers.workbook import sheet_names as _sheet_names
from laomo.safe import readable

__all__ = [
    "ENCODINGS",
    "HEADER_ROWS",
    "MAX_GRID_CELLS",
    "MAX_SKIPPED_LINES",
    "MAX_XLSX_PART",
    "MAX_XLSX_RATIO",
    "MAX_XLSX_TOTAL",
    "CsvSource",
    "Probe",
    "Source",
    "WorkbookSource",
    "check_archive",
    "detect_encoding",
    "open_source",
    "sheet_names",
]

STDIN = "<标准输入>"


def _path(file: str) -> tuple[Path, str]:
    path = Path(file)
    shown = readable(file)  # the name as messages, the audit log and JSON show it (a GBK file name)
    if not path.exists():
        raise LaomoError(f"文件不存在：{shown}")
    if path.is_dir():
        raise LaomoError(f"{shown} 是目录，不是文件")
    return path, shown


def open_source(file: str, encoding: str = "auto", sheet: str | None = None, probe: Probe | None = None) -> Source:
    """Open ``file`` (a path, or ``-`` for text on standard input) for import.

    ``probe(cells)`` says whether a row is the header of the kind being imported (it holds every
    required column); the header is the first such row among the first HEADER_ROWS rows, and in a
    workbook without ``sheet`` the data sheet is the first that has one.  Without a probe the
    header is the first non-empty row (of the first sheet that has one).  ``encoding`` applies to
    text files, ``sheet`` to workbooks (given for a text file: a usage mistake, not ignored).
    """
    if file == "-":
        _no_sheet(sheet, STDIN)
        spool = tempfile.SpooledTemporaryFile(max_size=8 << 20)  # noqa: SIM115 - the source owns and closes it
        try:
            shutil.copyfileobj(sys.stdin.buffer, spool)
            size = spool.tell()
            spool.seek(0)
            if spool.read(8).startswith((ZIP, OLE2)):
                raise LaomoError(f"{STDIN}: 标准输入只能是 CSV 或制表符分隔的文本；工作簿请给出文件名")
            return CsvSource(spool, STDIN, encoding, size=size, probe=probe)
        except BaseException:
            spool.close()
            raise
    path, shown = _path(file)
    kind = sniff(path, shown)
    suffix = path.suffix.lower()
    if kind != "text":
        return WorkbookSource(path, shown, kind, sheet, probe)
    if suffix in WORKBOOK_SUFFIXES and looks_like_html(path):
        raise LaomoError(f"{shown}: 不是有效的 {suffix} 文件：内容是网页（HTML）或 XML 表格，不是 Excel/WPS 工作簿；"
                         "请在 Excel/WPS 中打开后另存为 .xlsx 或 CSV")
    if suffix in WORKBOOK_SUFFIXES:
        raise LaomoError(f"{shown}: 不是有效的 {suffix} 文件：内容是文本，不是 Excel/WPS 工作簿；"
                         "如果是 CSV 或制表符分隔的文本，请把扩展名改为 .csv 或 .txt")
    _no_sheet(sheet, shown)
    try:
        fp = open(path, "rb")  # noqa: SIM115 - the source owns and closes it
    except OSError as exc:
        raise LaomoError(f"无法打开文件 {shown}：{exc.strerror}") from None
    try:
        return CsvSource(fp, shown, encoding, size=path.stat().st_size, probe=probe, suffix=suffix)
    except BaseException:
        fp.close()
        raise


def _no_sheet(sheet: str | None, shown: str) -> None:
    """A sheet named for a text file: refused rather than silently ignored."""
    if sheet is not None:
        from laomo.errors import UsageError

        raise UsageError(f"{shown} 是文本文件（CSV 或制表符分隔），没有工作表；工作表名「{sheet}」只用于工作簿，"
                         "导入文本文件时请不要指定工作表", option="sheet")


def sheet_names(file: str) -> list[str]:
    """The data sheets of the workbook ``file`` in order (visible worksheets; chart sheets are not)."""
    path, shown = _path(file)
    kind = sniff(path, shown)
    if kind == "text":
        raise LaomoError(f"{shown}: 是文本（CSV）文件，不是工作簿；一次导入多种数据需要 .xlsx、.xls 或 .ods 工作簿，"
                         "每种数据一个工作表")
    return _sheet_names(path, shown, kind)
