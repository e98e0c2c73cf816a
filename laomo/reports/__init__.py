"""报表：统计汇总、台账、考核结果、命名/撤销决定、工作室档案（核心部分，不依赖 Typer/Rich）。

* :mod:`laomo.reports.data`    — the one data layer: a function per report returning plain data;
* :mod:`laomo.reports.render`  — the renderer registry ``(report, format) → function``, and
  md/html (Jinja2 templates in ``templates/``), json, csv and xlsx;
* :mod:`laomo.reports.notice_text` — the wording of a decision notice (titles, 主送, body);
* :mod:`laomo.reports.docx` — the Word notice and .docx templates;
* :mod:`laomo.reports.dossier_docx` — the studio dossier as a Word file;
* :mod:`laomo.reports.charts`  — inline SVG chart geometry;
* :mod:`laomo.reports.tables`  — the tabular form shared by csv, xlsx, md, html and the terminal.

This module is imported by the CLI at start-up only through
``laomo.commands.report``'s functions, so it imports nothing heavy itself.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection
    from sqlmodel import Session



def collect(session: Session | Connection, report: str, **params: Any) -> dict[str, Any]:
    """The data of ``report`` (see :mod:`laomo.reports.data` for the parameters)."""
    from laomo.reports import data

    return getattr(data, report)(session, **params)


def default_filename(report: str, fmt: str, data: dict[str, Any]) -> str:
    """A file name for a report written without ``--out`` (binary formats), in the clerk's words:
    ``2025年度统计报告.html``, ``台账.xlsx``, ``2025年度考核结果.xlsx``, ``2025年度县级命名决定.docx``,
    ``工作室档案-S0001.html``."""
    from laomo.enums import LEVEL
    from laomo.reports.render import EXTENSIONS

    ext = EXTENSIONS[fmt]
    if report == "summary":
        stem = f"{data['year']}年度统计报告" + (f"-{data['county']}" if data.get("county") else "")
    elif report == "assessment":
        stem = f"{data['year']}年度考核结果"
    elif report == "notice":
        level = LEVEL.label(data["level"]) if data.get("level") else ""
        what = "命名决定" if data["kind"] == "naming" else "撤销命名决定"
        stem = f"{data['year']}年度{level}{what}"
    elif report == "studio":
        stem = f"工作室档案-{data['studio']}"
    else:
        stem = "台账"
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)
    return f"{stem}.{ext}"


def write_file(path: Path, content: str | bytes | Iterable[bytes], private: bool = False, *,
               database: Iterable[Path] = (), template: Path | None = None) -> Path:
    """Write atomically (a temporary file in the same folder, then rename); returns the absolute path.

    ``content`` may be pieces of bytes (a report written as a stream): each is written as it comes,
    and the file appears under its name only once the last one is written.

    ``private``: the file holds unmasked personal data (``--show-pii``) and is
    readable by its owner only (mode 0600); other reports are 0644.  The target
    is checked first (``laomo.store.targets.check_target``): never one of
    ``database``'s files or the ``template``, a symbolic link, a directory or a device.
    """
    from laomo.errors import LaomoError
    from laomo.store.targets import check_target

    path = check_target(Path(path), label="输出文件", database=database, template=template)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise LaomoError(f"无法写入 {path}：目录 {folder} 不存在")
    pieces = [content.encode("utf-8")] if isinstance(content, str) else [content] if isinstance(content, bytes) \
        else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(folder))
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in pieces:
                fh.write(piece)
        os.chmod(tmp, 0o600 if private else 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LaomoError(f"无法写入 {path}：{exc.strerror or exc}") from None
    except BaseException:  # a stream that failed on the way (the database, an interrupt): no half file
        Path(tmp).unlink(missing_ok=True)
        raise
    return path.resolve()
