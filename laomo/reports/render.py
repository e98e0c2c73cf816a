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
* csv is UTF-8 with a BOM and CRLF line ends; xlsx is laid out for printing
  (:mod:`laomo.reports.xlsx`: title rows, a frozen header repeated on every
  page, borders, fit to the page's width).  Every text cell of both goes
  through :func:`laomo.safe.neutralise`.
* numbers are shown by :mod:`laomo.reports.numbers`, one function per kind.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

    from laomo.reports.xlsx import Heading

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
from laomo.reports import numbers
from laomo.reports import tables as tb
from laomo.reports.records import LedgerRecord
from laomo.safe import FORMULA_CHARS, FORMULA_PREFIXES, neutralise

TEMPLATES = Path(__file__).with_name("templates")

#: The formats each report offers (cli.md), ``text`` being the CLI's own.
FORMATS: dict[str, tuple[str, ...]] = {
    "summary": ("text", "md", "html", "json", "xlsx"),
    "ledger": ("text", "csv", "xlsx", "md", "json"),
    "assessment": ("text", "md", "html", "csv", "xlsx", "json"),
    "notice": ("md", "html", "docx", "json"),
    "studio": ("text", "md", "html", "json", "docx"),
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


#: The (report, format) pairs written as a stream (:func:`stream`): the data's rows are an iterator.
STREAMED = frozenset((report, fmt) for report in ("ledger", "assessment") for fmt in ("csv", "xlsx", "json"))


def stream(report: str, fmt: str, data: dict[str, Any]) -> Iterator[bytes]:
    """The file of a ledger or assessment list as pieces of bytes, written as its rows are read
    (``data`` from :func:`laomo.reports.data.ledger_stream` / ``assessment_stream``; a materialised
    ``data`` gives the same bytes as :func:`render`)."""
    if (report, fmt) not in STREAMED:
        raise LaomoError(f"报表 {report} 的格式 {fmt} 不能流式写出", exit_code=2)
    if fmt == "json":
        if report == "ledger":
            return json_chunks({**data, "studios": map(LedgerRecord._asdict, data["studios"])}, "studios")
        return json_chunks(data, "results")
    if report == "ledger":
        table, title = tb.ledger_table(data), ledger_title(data)
        scope = f"{ledger_filters_text(data)}：共 {data['count']} 个工作室"
    else:
        table, title = tb.assessment_table(data), assessment_title(data)
        scope = f"参加考核：{data['assessed']} 个工作室"
    if fmt == "csv":
        return csv_chunks(table)
    return xlsx_chunks([table], title, _heading(title, data, scope))


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


# one function per kind of number, shared by every renderer (laomo.reports.numbers)
num = numbers.count
money = numbers.yuan
wan = numbers.wan
year = numbers.year
share = numbers.share


def label(value: Any, enum: str) -> str:
    if value is None or value == "":
        return ""
    return ENUMS[enum].label(value)


def yesno(value: Any) -> str:
    return tb.yes_no(value)


cellfmt = numbers.cell_text


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
    env.filters.update(num=num, money=money, wan=wan, year=year, pct=share, label=label, yesno=yesno,
                       cn=tb.cn_number)
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


#: Rows (csv) or items (json) written out at a time by the streaming writers: a piece whose text
#: stays in the processor's cache while it is written, searched and encoded (250 ledger rows are
#: about 70 KB of text).  Measured on the ledger of 150,000 studios, CPU best of 3: csv 6.04 s with
#: pieces of 1,000 rows, 5.27 s with 250; json 10.10 s and 9.42 s.
CHUNK_ROWS = 250


#: First characters of a text cell that :func:`laomo.safe.neutralise` may change (or white space).
_RISKY = re.compile("[" + re.escape("".join(FORMULA_PREFIXES)) + r"]|\s")


#: Cells ``csv.writer`` writes as :func:`_csv_cell` would (None as empty, numbers as they are).
_AS_IS = frozenset({int, float, type(None)})


def _csv_row(values: list[Any]) -> list[Any]:
    """:func:`_csv_cell` of every value; plain text and numbers (nearly every cell) are passed as they are."""
    return [v if (c := v.__class__) in _AS_IS or (c is str and not _RISKY.match(v)) else _csv_cell(v)
            for v in values]


#: Where, in text written by ``csv.writer`` (comma, CRLF), a cell starts with what :data:`_RISKY`
#: matches: after a line start or a comma, ``"`` maybe, then a formula character or white space — but
#: not the line end after a last empty cell.  A match may be a false alarm (a negative number, a comma
#: or line break inside a quoted cell); no cell that needs neutralising is missed.  The start of a
#: cell (:data:`_RISKY_START`) is searched after a line break or comma, a set of two characters the
#: regular expression engine skips to (twice as fast as an alternative with ``^``); the first cell of
#: the text is matched on its own (:func:`_may_need_neutralising`).
_RISKY_START = re.compile("\"[" + re.escape("".join(FORMULA_CHARS)) + "\\s]|[" +
                          re.escape("".join(FORMULA_CHARS)) + "]|(?!\r\n)\\s")
_RISKY_CELL = re.compile(f"[\n,](?:{_RISKY_START.pattern})")


def _may_need_neutralising(text: str, start: int) -> bool:
    """Whether a cell of the csv text written from ``start`` (a line start) may need neutralising."""
    return bool(_RISKY_START.match(text, start) or _RISKY_CELL.search(text, start))


def csv_chunks(table: tb.Table) -> Iterator[bytes]:
    """:func:`to_csv` written row by row (the table's rows may be a stream), in pieces.

    The rows of a piece are written as they are, then the text is searched once for a cell that
    may need neutralising; only a piece where one may be is written again cell by cell
    (:func:`_csv_row`).  So the table's rows hold text, numbers and None (a date is written as
    its ISO text either way; a bool must be 是/否 already — :func:`laomo.reports.tables.yes_no`)."""
    import csv

    yield b"\xef\xbb\xbf"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in table.headers])
    rows = iter(table.iter_rows())
    while piece := list(islice(rows, CHUNK_ROWS)):
        start = buf.tell()
        writer.writerows(piece)
        if _may_need_neutralising(buf.getvalue(), start):
            buf.seek(start)
            buf.truncate()
            writer.writerows(map(_csv_row, piece))
        yield buf.getvalue().encode("utf-8")
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue().encode("utf-8")


def to_csv(table: tb.Table) -> bytes:
    """UTF-8 with BOM, CRLF, header row first; formula-looking text cells neutralised."""
    return b"".join(csv_chunks(table))


#: Stands for the list in the JSON text of the rest of a streamed report (split there).
_ITEMS = "\x1flaomo-items\x1f"


def json_chunks(data: dict[str, Any], key: str) -> Iterator[bytes]:
    """:func:`to_json` of ``data`` whose top-level ``key`` is an iterable of items, written item by
    item: the same text, byte for byte, as the list would give."""
    before, after = to_json({**data, key: _ITEMS}).split(json.dumps(_ITEMS, ensure_ascii=False), 1)
    yield before.encode("utf-8")
    parts: list[str] = []
    opened = False
    for item in data[key]:
        text = json.dumps(item, ensure_ascii=False, indent=2, default=str).replace("\n", "\n    ")
        parts.append((",\n    " if opened else "[\n    ") + text)
        opened = True
        if len(parts) >= CHUNK_ROWS:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n  ]" if opened else "[]")
    yield ("".join(parts) + after).encode("utf-8")


def to_xlsx(tables: list[tb.Table], title: str = "", heading: Heading | None = None) -> bytes:
    """One printable sheet per table (:mod:`laomo.reports.xlsx`)."""
    from laomo.reports.xlsx import to_xlsx as write

    return write(tables, title, heading)


def xlsx_chunks(tables: list[tb.Table], title: str = "", heading: Heading | None = None) -> Iterator[bytes]:
    """:func:`to_xlsx` for tables whose rows are streams, in pieces (:func:`laomo.reports.xlsx.xlsx_chunks`)."""
    from laomo.reports.xlsx import xlsx_chunks as write

    return write(tables, title, heading)


def _heading(title: str, data: dict[str, Any], scope: str = "") -> Heading:
    """A sheet's title rows: the report, the union keeping the ledger, the scope and the date made."""
    from laomo.reports.xlsx import Heading

    return Heading(title=title, union=data.get("union"), scope=scope, date=dt.date.today().isoformat())


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
    scope = f"统计年度：{data['year']}年" + (f"　区县：{data['county']}" if data.get("county") else "")
    return to_xlsx(tb.summary_tables(data), summary_title(data), _heading(summary_title(data), data, scope))


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
    scope = f"{ledger_filters_text(data)}：共 {data['count']} 个工作室"
    return to_xlsx([tb.ledger_table(data)], ledger_title(data), _heading(ledger_title(data), data, scope))


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
    scope = f"参加考核：{data['assessed']} 个工作室"
    return to_xlsx([tb.assessment_table(data)], assessment_title(data),
                   _heading(assessment_title(data), data, scope))


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


@renderer("studio", "docx")
def studio_docx(data: dict[str, Any]) -> bytes:
    from laomo.reports.dossier_docx import build_studio

    return build_studio(data)
