"""报表渲染：(报表, 格式) → 渲染函数的登记表，以及 md/html（Jinja2）、json、csv、xlsx 的写法。

The registry :data:`RENDERERS` maps ``(report, format)`` to a function
``(data, template=None) -> str | bytes``; :func:`render` looks it up.  Text
formats return ``str``, binary formats (xlsx, docx) ``bytes``.  The terminal
format ``text`` (Rich) lives in the CLI layer, not here: nothing in this
package imports Typer or Rich.

* md and html come from one Jinja2 template per report in ``templates/``:
  html with autoescape on; md with every ``{{ … }}`` escaped for Markdown
  (``| * _ < >`` … get a backslash, line breaks become spaces) unless marked
  ``|safe``.  A union's own template (``--template``, notices) is rendered in a
  :class:`jinja2.sandbox.ImmutableSandboxedEnvironment` with the same
  escaping, no loader (no include/import of other files) and plain data only.
* csv is UTF-8 with a BOM and CRLF line ends; xlsx has a bold, frozen header,
  column widths from the content, ``#,##0"元"`` for amounts and real dates.
  Every text cell of both goes through :func:`laomo.safe.neutralise`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

from laomo.enums import (
    ACHIEVEMENT_TYPE,
    ACTION,
    ACTIVITY_KIND,
    GENDER,
    GRADE,
    HONOR_KIND,
    INDUSTRY,
    LEVEL,
    RECOMMENDATION,
    ROLE,
    SKILL_GRADE,
    STAGE,
    STATUS,
    STUDIO_KIND,
)
from laomo.errors import LaomoError
from laomo.reports import tables as tb
from laomo.safe import neutralise

TEMPLATES = Path(__file__).with_name("templates")

#: The formats each report offers (cli.md), ``text`` being the CLI's own.
FORMATS: dict[str, tuple[str, ...]] = {
    "summary": ("text", "md", "html", "json", "xlsx"),
    "ledger": ("text", "csv", "xlsx", "md", "json"),
    "assessment": ("text", "md", "html", "csv", "xlsx", "json"),
    "notice": ("md", "html", "docx", "json"),
    "studio": ("text", "md", "html", "json"),
}
BINARY = frozenset({"xlsx", "docx"})
EXTENSIONS = {"text": "txt", "md": "md", "html": "html", "json": "json", "csv": "csv", "xlsx": "xlsx",
              "docx": "docx"}

ENUMS = {
    "level": LEVEL, "status": STATUS, "grade": GRADE, "recommendation": RECOMMENDATION, "industry": INDUSTRY,
    "studio_kind": STUDIO_KIND, "achievement_type": ACHIEVEMENT_TYPE, "activity_kind": ACTIVITY_KIND,
    "action": ACTION, "role": ROLE, "stage": STAGE, "skill_grade": SKILL_GRADE, "gender": GENDER,
    "honor": HONOR_KIND,
}

Renderer = Callable[..., "str | bytes"]
RENDERERS: dict[tuple[str, str], Renderer] = {}


def renderer(report: str, *formats: str) -> Callable[[Renderer], Renderer]:
    def register(func: Renderer) -> Renderer:
        for fmt in formats:
            RENDERERS[(report, fmt)] = func
        return func
    return register


def render(report: str, fmt: str, data: dict[str, Any], template: Path | None = None) -> str | bytes:
    """Render ``data`` (from :mod:`laomo.reports.data`) of ``report`` as ``fmt``."""
    func = RENDERERS.get((report, fmt))
    if func is None:
        offered = "、".join(f for f in FORMATS.get(report, ()) if f != "text")
        raise LaomoError(f"报表 {report} 不支持格式 {fmt}（可选：{offered}）", exit_code=2)
    if template is not None:
        return func(data, template=template)
    return func(data)


# --------------------------------------------------------------------------- value formatting


def num(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def money(value: Any) -> str:
    return "" if value is None or value == "" else f"{num(value)} 元"


def wan(value: Any) -> str:
    """An amount in 万元 with two decimals (for headline figures)."""
    return "" if value is None else f"{int(value) / 10000:,.2f}"


def label(value: Any, enum: str) -> str:
    if value is None or value == "":
        return ""
    return ENUMS[enum].label(value)


def yesno(value: Any) -> str:
    return tb.yes_no(value)


def cellfmt(value: Any, kind: str) -> str:
    if value is None or value == "":
        return ""
    if kind == "money":
        return money(value)
    if kind in ("int", "num"):
        return num(value)
    if kind == "pct":
        return f"{value:.1%}"
    return str(value)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]{}<>|#&!~])")


def md_escape(value: Any) -> str:
    """Text for Markdown: punctuation that Markdown or HTML would act on gets a backslash; no line breaks."""
    if value is None:
        return ""
    text = str(value)
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\s*[\r\n]+\s*", " ", text)


def _md_finalize(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, Markup):
        return value
    return md_escape(value)


def _install(env: Environment) -> None:
    env.filters.update(num=num, money=money, wan=wan, label=label, yesno=yesno, cn=tb.cn_number)
    env.globals.update(cellfmt=cellfmt)


@cache
def environment(fmt: str) -> Environment:
    """The environment of the bundled templates (trusted files of this package)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    options: dict[str, Any] = dict(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined,
                                   trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    if fmt == "html":
        env = Environment(autoescape=True, **options)
    else:
        env = Environment(autoescape=False, finalize=_md_finalize, **options)
    _install(env)
    return env


def render_template(name: str, fmt: str, context: dict[str, Any]) -> str:
    return environment(fmt).get_template(f"{name}.{fmt}").render(**context)


def render_user_template(path: Path, fmt: str, context: dict[str, Any]) -> str:
    """Render a union's own .md/.html template in the bounded sandbox (``laomo.reports.sandbox``)."""
    from laomo.reports import sandbox

    return sandbox.render_user_template(path, fmt, context, install=_install, finalize=_md_finalize)


def generated_at() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- json, csv, xlsx


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return tb.yes_no(value)
    return neutralise(value if isinstance(value, (int, float)) else str(value))


def to_csv(table: tb.Table) -> bytes:
    """UTF-8 with BOM, CRLF, header row first; formula-looking text cells neutralised."""
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


XLSX_FORMATS = {"money": '#,##0"元"', "int": "#,##0", "year": "0", "num": "General", "date": "yyyy-mm-dd",
                "pct": "0.0%"}
_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")


def _display_width(value: Any) -> float:
    text = value if isinstance(value, str) else (f"{value:,}" if isinstance(value, (int, float)) else str(value))
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _xlsx_value(value: Any, kind: str) -> Any:
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


def to_xlsx(tables: list[tb.Table], title: str = "") -> bytes:
    """One sheet per table: bold frozen header, widths from the content, 元/date/number formats.

    Write-only mode, so a ledger of 150,000 studios streams instead of
    building every cell object in memory.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    if title:
        wb.properties.title = title
    wb.properties.creator = "laomo"
    used: set[str] = set()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F2F2F2")
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for t in tables:
        name = _BAD_SHEET.sub("", t.sheet or t.title)[:31] or "Sheet"
        base, k = name, 2
        while name in used:
            suffix = f"({k})"
            name, k = base[: 31 - len(suffix)] + suffix, k + 1
        used.add(name)
        ws = wb.create_sheet(title=name)
        kinds = [c.kind for c in t.columns]
        widths = [_display_width(h) for h in t.headers]
        for row in t.rows[:2000]:
            for i, v in enumerate(row):
                if v is None:
                    continue
                shown = cellfmt(v, kinds[i]) if isinstance(v, (int, float)) else v
                widths[i] = max(widths[i], _display_width(shown))
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = min(max(w + 2, 6), 60)
        ws.freeze_panes = "A2"
        header = []
        for h in t.headers:
            cell = WriteOnlyCell(ws, value=neutralise(h))
            cell.font, cell.fill, cell.alignment = bold, fill, center
            header.append(cell)
        ws.append(header)
        formats = [XLSX_FORMATS.get(k) for k in kinds]
        for row in t.rows:
            out = []
            for v, kind, fmt in zip(row, kinds, formats):
                value = _xlsx_value(v, kind)
                if fmt and value is not None and not isinstance(value, str):
                    cell = WriteOnlyCell(ws, value=value)
                    cell.number_format = fmt
                    out.append(cell)
                else:
                    out.append(value)
            ws.append(out)
    if not tables:
        wb.create_sheet("Sheet")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- contexts and titles


def summary_title(data: dict[str, Any]) -> str:
    where = data.get("county") or ""
    return f"{where}{data['year']}年度劳模和工匠人才创新工作室统计报告"


def _summary_tables(data: dict[str, Any]) -> dict[str, Any]:
    ts = tb.summary_tables(data)
    names = ("overview", "by_status", "by_level", "by_industry", "by_county", "by_grade", "achievements",
             "activities", "trends")
    out: dict[str, Any] = dict(zip(names, ts))
    out["all"] = ts
    return out


def summary_context(data: dict[str, Any], charts: bool = False) -> dict[str, Any]:
    ctx: dict[str, Any] = {"d": data, "title": summary_title(data), "generated": generated_at(), "tables": _summary_tables(data)}
    if charts:
        from laomo.reports.charts import summary_charts

        ctx["charts"] = summary_charts(data)
    return ctx


def ledger_title(data: dict[str, Any]) -> str:
    return "劳模和工匠人才创新工作室台账"


def ledger_filters_text(data: dict[str, Any]) -> str:
    f = data["filters"]
    parts = []
    if f.get("county"):
        parts.append(f"区县：{f['county']}")
    if f.get("status"):
        parts.append(f"状态：{STATUS.label(f['status'])}")
    if f.get("level"):
        parts.append(f"级别：{LEVEL.label(f['level'])}")
    return "，".join(parts) or "全部工作室"


def assessment_title(data: dict[str, Any]) -> str:
    return f"{data['year']}年度劳模和工匠人才创新工作室考核结果"


def studio_title(data: dict[str, Any]) -> str:
    return f"{data['name']}档案"


# --------------------------------------------------------------------------- the renderers


@renderer("summary", "json")
@renderer("ledger", "json")
@renderer("assessment", "json")
@renderer("notice", "json")
@renderer("studio", "json")
def render_json(data: dict[str, Any]) -> str:
    return to_json(data)


@renderer("summary", "html")
def summary_html(data: dict[str, Any]) -> str:
    return render_template("summary", "html", summary_context(data, charts=True))


@renderer("summary", "md")
def summary_md(data: dict[str, Any]) -> str:
    return render_template("summary", "md", summary_context(data))


@renderer("summary", "xlsx")
def summary_xlsx(data: dict[str, Any]) -> bytes:
    return to_xlsx(tb.summary_tables(data), summary_title(data))


def _ledger_context(data: dict[str, Any]) -> dict[str, Any]:
    return {"d": data, "title": ledger_title(data), "filters": ledger_filters_text(data),
            "table": tb.ledger_table(data), "generated": generated_at()}


@renderer("ledger", "md")
def ledger_md(data: dict[str, Any]) -> str:
    return render_template("ledger", "md", _ledger_context(data))


@renderer("ledger", "csv")
def ledger_csv(data: dict[str, Any]) -> bytes:
    return to_csv(tb.ledger_table(data))


@renderer("ledger", "xlsx")
def ledger_xlsx(data: dict[str, Any]) -> bytes:
    return to_xlsx([tb.ledger_table(data)], ledger_title(data))


def _assessment_context(data: dict[str, Any]) -> dict[str, Any]:
    return {"d": data, "title": assessment_title(data), "table": tb.assessment_table(data),
            "generated": generated_at()}


@renderer("assessment", "md")
def assessment_md(data: dict[str, Any]) -> str:
    return render_template("assessment", "md", _assessment_context(data))


@renderer("assessment", "html")
def assessment_html(data: dict[str, Any]) -> str:
    return render_template("assessment", "html", _assessment_context(data))


@renderer("assessment", "csv")
def assessment_csv(data: dict[str, Any]) -> bytes:
    return to_csv(tb.assessment_table(data))


@renderer("assessment", "xlsx")
def assessment_xlsx(data: dict[str, Any]) -> bytes:
    return to_xlsx([tb.assessment_table(data)], assessment_title(data))


def notice_context(data: dict[str, Any]) -> dict[str, Any]:
    """What a notice template sees: the notice's fields at the top level, and as ``d``."""
    return {**data, "d": data, "generated": generated_at()}


def _notice_text(fmt: str) -> Renderer:
    def render_notice(data: dict[str, Any], template: Path | None = None) -> str:
        if template is not None:
            return render_user_template(template, fmt, notice_context(data))
        return render_template("notice", fmt, notice_context(data))
    render_notice.__name__ = f"notice_{fmt}"
    return render_notice


renderer("notice", "md")(_notice_text("md"))
renderer("notice", "html")(_notice_text("html"))


@renderer("notice", "docx")
def notice_docx(data: dict[str, Any], template: Path | None = None) -> bytes:
    from laomo.reports.docx import build_notice, fill_template

    return fill_template(template, data) if template is not None else build_notice(data)


def _studio_context(data: dict[str, Any]) -> dict[str, Any]:
    ts = tb.studio_tables(data)
    return {"d": data, "title": studio_title(data), "facts": tb.studio_facts(data), "tables": ts,
            "generated": generated_at()}


@renderer("studio", "md")
def studio_md(data: dict[str, Any]) -> str:
    return render_template("studio", "md", _studio_context(data))


@renderer("studio", "html")
def studio_html(data: dict[str, Any]) -> str:
    return render_template("studio", "html", _studio_context(data))
