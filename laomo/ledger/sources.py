"""读取导入文件（兼容入口）：the readers live in :mod:`laomo.ledger.readers`.

``from laomo.ledger.sources import open_source, Source, ENCODINGS`` keeps working.
"""

from __future__ import annotations

from laomo.ledger.readers import (
    ENCODINGS,
    HEADER_ROWS,
    MAX_XLSX_PART,
    MAX_XLSX_RATIO,
    MAX_XLSX_TOTAL,
    CsvSource,
    Probe,
    Source,
    WorkbookSource,
    check_archive,
    detect_encoding,
    open_source,
    sheet_names,
)

__all__ = [
    "ENCODINGS",
    "HEADER_ROWS",
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
