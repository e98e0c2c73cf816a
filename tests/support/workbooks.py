"""Workbooks written for the reader tests: the enterprise files' folder, and .ods files by hand
(no office suite here): the XML LibreOffice writes, with its repeated rows and cells."""

from __future__ import annotations

import zipfile
from pathlib import Path

from support.sample import SHARED

ENTERPRISE = SHARED / "data" / "enterprise-files"

_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_MIME}"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             "</manifest:manifest>")


def cell(value: object, repeat: int = 1, spanned: int = 1) -> str:
    """One ``table:table-cell``: text (str), a number, a date (``date:2025-03-18``), or empty (None)."""
    attrs = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    attrs += f' table:number-rows-spanned="{spanned}"' if spanned > 1 else ""
    if value is None:
        return f"<table:table-cell{attrs}/>"
    if isinstance(value, str) and value.startswith("date:"):
        day = value[5:]
        return (f'<table:table-cell{attrs} office:value-type="date" office:date-value="{day}">'
                f"<text:p>{day}</text:p></table:table-cell>")
    if isinstance(value, int | float):
        return (f'<table:table-cell{attrs} office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return f'<table:table-cell{attrs} office:value-type="string"><text:p>{value}</text:p></table:table-cell>'


def row(*cells: str, repeat: int = 1) -> str:
    attrs = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attrs}>{''.join(cells)}</table:table-row>"


def text_rows(rows: list[list[object]], width: int = 16384) -> str:
    """Rows of values as LibreOffice writes them: each padded with empty cells to ``width``
    columns, the sheet ending in one empty row repeated to row 1,048,576."""
    out = []
    for values in rows:
        pad = width - len(values)
        out.append(row(*(cell(v) for v in values), *([cell(None, repeat=pad)] if pad > 0 else [])))
    out.append(row(cell(None, repeat=width), repeat=1_048_576 - len(rows)))
    return "".join(out)


def write_ods(path: Path, sheets: dict[str, str], *, extra: dict[str, bytes] | None = None) -> Path:
    """An .ods whose tables are ``{name: rows XML}`` (see :func:`row`, :func:`cell`)."""
    body = "".join(f'<table:table table:name="{name}">{rows}</table:table>' for name, rows in sheets.items())
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_NS}><office:body>'
               f"<office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), _MIME)  # stored, first, as the format asks
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
        archive.writestr("content.xml", content)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path
