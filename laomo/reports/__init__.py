"""报表：统计汇总、台账、考核结果、命名/撤销决定、工作室档案（核心部分，不依赖 Typer/Rich）。

* :mod:`laomo.reports.data`    — the one data layer: a function per report returning plain data;
* :mod:`laomo.reports.render`  — the renderer registry ``(report, format) → function``, and
  md/html (Jinja2 templates in ``templates/``), json, csv and xlsx;
* :mod:`laomo.reports.docx` — the Word notice and .docx templates;
* :mod:`laomo.reports.charts`  — inline SVG chart geometry;
* :mod:`laomo.reports.tables`  — the tabular form shared by csv, xlsx, md, html and the terminal.

This module is imported by the CLI at start-up only through
``laomo.commands.report``'s functions, so it imports nothing heavy itself.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

REPORTS = ("summary", "ledger", "assessment", "notice", "studio")


def collect(session, report: str, **params: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The data of ``report`` (see :mod:`laomo.reports.data` for the parameters)."""
    from laomo.reports import data

    return getattr(data, report)(session, **params)


def produce(session, report: str, fmt: str, template: Path | None = None,  # type: ignore[no-untyped-def]
            **params: Any) -> tuple[dict[str, Any], str | bytes]:
    """Collect and render: ``(data, content)``; content is bytes for xlsx/docx, str otherwise."""
    from laomo.reports.render import render

    data = collect(session, report, **params)
    return data, render(report, fmt, data, template)


def default_filename(report: str, fmt: str, data: dict[str, Any]) -> str:
    """A file name for a report written without ``--out`` (binary formats)."""
    from laomo.reports.render import EXTENSIONS

    ext = EXTENSIONS[fmt]
    if report == "summary":
        stem = f"summary-{data['year']}" + (f"-{data['county']}" if data.get("county") else "")
    elif report == "assessment":
        stem = f"assessment-{data['year']}"
    elif report == "notice":
        stem = f"notice-{data['kind']}-{data['year']}" + (f"-{data['level']}" if data.get("level") else "")
    elif report == "studio":
        stem = f"studio-{data['studio']}"
    else:
        stem = "ledger"
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in stem)
    return f"{stem}.{ext}"


def write_file(path: Path, content: str | bytes, private: bool = False) -> Path:
    """Write atomically (a temporary file in the same folder, then rename); returns the absolute path.

    ``private``: the file holds unmasked personal data (``--show-pii``) and is
    readable by its owner only (mode 0600); other reports are 0644.
    """
    from laomo.errors import LaomoError

    path = Path(path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise LaomoError(f"无法写入 {path}：目录 {folder} 不存在")
    if path.is_dir():
        raise LaomoError(f"无法写入 {path}：这是一个目录")
    payload = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(folder))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o600 if private else 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise LaomoError(f"无法写入 {path}：{exc.strerror or exc}") from None
    return path.resolve()


def write_quickstart_reports(engine, directory: Path, year: int | None = None) -> list[tuple[str, Path]]:  # type: ignore[no-untyped-def]
    """Write the demo reports into ``directory`` and return ``[(中文名称, path), …]``.

    * ``summary-Y.html`` — the summary (Y = ``year``, else the latest year with data);
    * ``ledger.xlsx`` — the whole ledger (personal data masked);
    * ``assessment-Y.xlsx`` — the result list of the latest assessed year ≤ Y (skipped when none);
    * ``notice-naming-Y-LEVEL.docx`` — the naming decision of the latest year ≤ Y with
      namings, one file per level named that year (skipped when none).
    """
    from sqlalchemy import func, select

    from laomo.enums import LEVEL
    from laomo.models import Assessment, Designation
    from laomo.reports import data as d
    from laomo.reports.render import render
    from laomo.store.db import read_session

    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    out: list[tuple[str, Path]] = []
    with read_session(engine) as session:
        summary = d.summary(session, year)
        y = summary["year"]
        out.append((f"{y}年度统计报告（HTML）", write_file(directory / default_filename("summary", "html", summary),
                                                         render("summary", "html", summary))))
        ledger = d.ledger(session)
        out.append(("工作室台账（Excel）", write_file(directory / "ledger.xlsx", render("ledger", "xlsx", ledger))))
        conn = session.connection()
        t = Assessment.__table__
        ay = conn.execute(select(func.max(t.c.year)).where(t.c.year <= y)).scalar()
        if ay is not None:
            res = d.assessment(session, int(ay))
            out.append((f"{ay}年度考核结果（Excel）", write_file(directory / default_filename("assessment", "xlsx", res),
                                                            render("assessment", "xlsx", res))))
        dt_ = Designation.__table__
        ny = conn.execute(select(func.max(dt_.c.year)).where(dt_.c.action == "name", dt_.c.year <= y)).scalar()
        if ny is not None:
            levels = [r[0] for r in conn.execute(select(dt_.c.level).where(dt_.c.action == "name", dt_.c.year == ny)
                                                 .group_by(dt_.c.level)) if r[0]]
            for level in sorted(levels, key=LEVEL.rank):
                notice = d.notice(session, int(ny), "naming", level)
                out.append((f"{ny}年度{LEVEL.label(level)}命名决定（Word）",
                            write_file(directory / default_filename("notice", "docx", notice),
                                       render("notice", "docx", notice))))
    return out
