"""laomo report：统计汇总、台账、考核结果、命名/撤销决定、工作室档案。

Only Typer is imported at module level; the data layer, Jinja2, openpyxl,
python-docx and Rich are imported inside the commands, so ``laomo --help``
stays fast.  The core (``laomo.reports``) returns data and rendered files;
this module chooses the format, renders ``text`` with Rich and writes files.

Output rules (cli.md): ``--out FILE`` writes the file and prints its absolute
path; without it text formats go to stdout, and xlsx/docx — which a terminal
cannot show — are written to a default file name in the current folder
(e.g. ``台账.xlsx``) whose path is printed.  Without ``--format`` the
format follows the extension of ``--out`` (or of ``--template``), else
``text`` (``md`` for notices).  ``--json`` is ``--format json``.
"""

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from laomo.commands.common import STATE, engine, fail, info
from laomo.commands.errors import flag
from laomo.commands.group import Group
from laomo.commands.options import (
    ItemsOpt,
    OutOpt,
    ReportJsonOpt,
    ShowPiiOpt,
    YearOpt,
    format_option,
    required_option,
    year_option,
)

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from rich.console import Console
    from sqlmodel import Session

    from laomo.commands.output import TextTable
    from laomo.reports.tables import Table

app = Group(help="报表：统计汇总、台账、考核结果、命名/撤销决定、工作室档案（文本、Markdown、HTML、JSON、CSV、Excel、Word）。",
                  no_args_is_help=True)

_EXT_FORMATS = {".md": "md", ".markdown": "md", ".html": "html", ".htm": "html", ".json": "json", ".csv": "csv",
                ".xlsx": "xlsx", ".docx": "docx", ".txt": "text"}


# --------------------------------------------------------------------------- option helpers


def _enum(value: Optional[str], enum_name: str, option: str) -> Optional[str]:
    if value is None or value == "":
        return None
    from laomo import enums
    enum = getattr(enums, enum_name)
    parsed = enum.parse(value)
    if parsed is None:
        fail(f"{option}「{value}」不是有效的{enum.name}（可选：{enum.choices_text()}，或英文 "
             f"{'/'.join(enum.values)}）", 2)
    return parsed


def _format(report: str, fmt: Optional[str], json_out: bool, out: Optional[Path],
            template: Optional[Path] = None) -> str:
    from laomo.reports.render import FORMATS

    offered = FORMATS[report]
    if json_out:
        if fmt and fmt.lower() != "json":
            fail(f"--json 与 --format {fmt} 不能同时使用", 2)
        fmt = "json"
    inferred = None
    if template is not None:
        inferred = _EXT_FORMATS.get(template.suffix.lower())
        if inferred not in ("md", "html", "docx"):
            fail(f"--template 只接受 .md、.html（Jinja2 模板）或 .docx（Word 模板），不是「{template.name}」", 2)
        if fmt and fmt.lower() != inferred:
            fail(f"--format {fmt} 与模板 {template.name} 的格式（{inferred}）不一致", 2)
    elif out is not None and not fmt:
        inferred = _EXT_FORMATS.get(out.suffix.lower())
        if inferred not in offered:
            inferred = None
    fmt = (fmt or inferred or ("md" if report == "notice" else "text")).lower()
    if fmt not in offered:
        fail(f"--format {fmt} 不适用于 report {report}（可选：{'、'.join(offered)}）", 2)
    if out is not None and out.suffix and _EXT_FORMATS.get(out.suffix.lower()) != fmt:
        fits = "、".join(ext for ext, f in _EXT_FORMATS.items() if f == fmt)
        fail(f"--out {out.name} 的扩展名 {out.suffix} 与格式 {fmt} 不符（{fmt} 用 {fits}）；"
             f"请改文件名，或用 --format 选择格式（可选：{'、'.join(offered)}）", 2)
    if out is not None:  # refused before the database is opened or anything computed
        from laomo.store.targets import check_target, database_files

        check_target(out, label="输出文件", database=database_files(STATE.db), template=template)
    return fmt


def _write(out: Path, content: "str | bytes | Iterable[bytes]", *, private: bool,
           template: Optional[Path] = None) -> Path:
    """Write a report file: never the database in use, the template, a link, a directory or a device."""
    from laomo.reports import write_file
    from laomo.store.targets import database_files

    return write_file(out, content, private=private, database=database_files(STATE.db), template=template)


def _emit(report: str, fmt: str, data: dict[str, Any], content: "str | bytes | Iterable[bytes] | None",
          out: Optional[Path], template: Optional[Path] = None) -> None:
    """Write to --out (printing the path), to a default file for binary formats, or to stdout."""
    from laomo.reports import default_filename
    from laomo.reports.render import BINARY

    if out is None and fmt in BINARY:
        out = Path(default_filename(report, fmt, data))
        info(f"{fmt} 是二进制格式，未指定 --out，写入 {out}")
    if out is not None:
        assert content is not None
        path = _write(out, content, private=bool(data.get("pii")), template=template)
        typer.echo(str(path))
        return
    if isinstance(content, str):
        typer.echo(content, nl=not content.endswith("\n"))
        return
    import sys

    assert content is not None
    sys.stdout.flush()  # csv: keep the BOM so that `> file.csv` opens in Excel
    for piece in [content] if isinstance(content, bytes) else content:  # a stream: piece by piece
        sys.stdout.buffer.write(piece)
    sys.stdout.buffer.flush()


def _text_out(out: Optional[Path], draw: Callable[["Console"], None], private: bool = False) -> None:
    """Draw to the terminal; when stdout is not a terminal, tables as tab-separated lines (print_table) and
    the rest 200 columns wide; to --out, as a 200-column terminal page without colour (mode 0600 when
    ``private``)."""
    if out is None:
        from rich.console import Console

        console = Console(highlight=False, markup=False, emoji=False, soft_wrap=False)
        if not console.is_terminal:
            console.width = 200
        draw(console)
        return
    import io

    from laomo.commands.output import page_console

    buf = io.StringIO()
    draw(page_console(buf, width=200))
    typer.echo(str(_write(out, buf.getvalue(), private=private)))


def _text_table(t: "Table", only: Optional[list[str]] = None) -> "TextTable":
    """A terminal table from a laomo.reports.tables.Table (optionally only some columns, by header): numbers,
    dates and years are kept whole, names and other text fold but keep at least four characters a line."""
    from laomo.commands.output import Column, TextTable
    from laomo.reports.render import cellfmt

    idx = [i for i, c in enumerate(t.columns) if only is None or c.header in only]
    table = TextTable([Column(t.columns[i].header, short=t.columns[i].kind in _SHORT_KINDS,
                              min_width=_MIN_WIDTHS.get(t.columns[i].header, 8),
                              justify="right" if t.columns[i].kind in ("int", "num", "money", "pct") else "left")
                       for i in idx], title=t.title)
    for row in t.rows:
        table.add_row(*(cellfmt(row[i], t.columns[i].kind) for i in idx))
    if not t.rows:
        table.add_row(*(["无"] + [""] * (len(idx) - 1)))
    return table


#: Column kinds of a report table kept on one line in a terminal table.
_SHORT_KINDS = frozenset({"int", "num", "money", "date", "year", "pct"})

#: Cells a report column keeps at least in a terminal table (others: 8); codes are short whole words.
_MIN_WIDTHS = {"编号": 6, "序号": 4, "文号": 16, "等级": 4, "状态": 6, "级别": 4}


def _print_tables(console: "Console", tables: list["Table"], only: Optional[list[str]] = None) -> None:
    from laomo.commands.output import print_table

    for t in tables:
        print_table(_text_table(t, only), console)


def _county_note(session: "Session", county: Optional[str]) -> None:
    """Say on stderr when no studio is in ``--county`` (the report is then empty), naming the counties."""
    from laomo.domain.studios import county_unmatched

    note = county_unmatched(session, county=county)
    if note:
        info(f"注意：{note}（--county）")


def _session() -> "AbstractContextManager[Session]":
    from laomo.store.db import read_session

    return read_session(engine())


# --------------------------------------------------------------------------- summary


@app.command("summary")
def summary_cmd(
    year: Annotated[Optional[int], year_option("统计年度（默认：数据中最近的年度）")] = None,
    county: Annotated[Optional[str], typer.Option("--county", help="只统计该区县的工作室")] = None,
    fmt: Annotated[Optional[str], format_option("text", "md", "html", "json", "xlsx")] = None,
    out: OutOpt = None,
    json_out: ReportJsonOpt = False,
) -> None:
    """统计汇总：按状态、级别、行业、区县、考核等级计数；成果、培训、师带徒；历年趋势（HTML 含图表）。"""
    from laomo.reports import data as d
    from laomo.reports.render import render

    fmt = _format("summary", fmt, json_out, out)
    with _session() as session:
        _county_note(session, county)
        data = d.summary(session, year=year, county=county or None)
    years = [t["year"] for t in data["trends"]]
    if years and data["year"] not in years:  # say so: the figures of the year are all zero
        info(f"提示：{data['year']} 年度没有成果、活动、考核或命名记录（有记录的年度：{'、'.join(map(str, years))}）")
    if fmt == "text":
        _text_out(out, lambda console: _summary_text(console, data))
        return
    _emit("summary", fmt, data, render("summary", fmt, data), out)


def _summary_text(console: "Console", data: dict[str, Any]) -> None:
    from rich.columns import Columns
    from rich.panel import Panel

    from laomo.reports import tables as tb
    from laomo.reports.render import num, summary_title, wan

    st = data["studios"]
    figures = [
        ("工作室总数", num(st["total"])), ("命名在册", num(sum(st["by_level"].values()))),
        ("创新成果（项）", num(data["achievements"]["count"])), ("经济效益（万元）", wan(data["achievements"]["benefit"])),
        ("培训（场次）", num(data["training"]["sessions"])), ("培训（人次）", num(data["training"]["participants"])),
        ("在带师徒（对）", num(data["mentorships"]["active"])), ("徒弟晋级（人）", num(data["mentorships"]["promoted"])),
    ]
    head = f"{data.get('union') or ''}  状态截至 {data['as_of']}".strip()
    from rich.text import Text

    console.print(Panel(Columns([Text.assemble((v, "bold"), "\n", k) for k, v in figures], expand=True, equal=True),
                        title=Text(summary_title(data)), subtitle=Text(head)))
    from laomo.commands.output import is_plain, table_renderable

    ts = tb.summary_tables(data)
    if is_plain(console):
        _print_tables(console, ts[1:])
        return
    console.print(Columns([table_renderable(_text_table(t), console) for t in ts[1:6]], expand=False))
    _print_tables(console, ts[6:])


# --------------------------------------------------------------------------- ledger


LEDGER_TEXT_COLUMNS = ["编号", "名称", "领衔人", "领衔人手机", "所在单位", "区县", "状态", "级别", "在册成员", "成果数",
                       "最近考核等级"]


@app.command("ledger")
def ledger_cmd(
    status: Annotated[Optional[str], typer.Option(
        "--status", help="按状态筛选：已登记、已命名、限期整改、通报、已摘牌、已撤销")] = None,
    level: Annotated[Optional[str], typer.Option("--level", help="按最高级别筛选：企业级、县级、市级、省级、全国")] = None,
    county: Annotated[Optional[str], typer.Option("--county", help="按区县筛选")] = None,
    fmt: Annotated[Optional[str], format_option("text", "csv", "xlsx", "md", "json")] = None,
    out: OutOpt = None,
    show_pii: ShowPiiOpt = False,
    json_out: ReportJsonOpt = False,
) -> None:
    """工作室台账：每个工作室一行（领衔人、单位、状态、级别、成员、成果、最近考核），可筛选。"""
    from laomo.reports import data as d
    from laomo.reports.render import STREAMED, render, stream

    fmt = _format("ledger", fmt, json_out, out)
    with _session() as session:
        _county_note(session, county)
        status, level = _enum(status, "STATUS", "--status"), _enum(level, "LEVEL", "--level")
        if ("ledger", fmt) in STREAMED:  # rows written as they are read: flat memory at any size
            data = d.ledger_stream(session, status=status, level=level, county=county or None,
                                   show_pii=show_pii, counted=fmt != "csv", statuses=fmt == "json")
            _emit("ledger", fmt, data, stream("ledger", fmt, data), out)
            return
        data = d.ledger(session, status=status, level=level, county=county or None, show_pii=show_pii)
    if fmt == "text":
        def draw(console: "Console") -> None:
            from laomo.reports import tables as tb
            from laomo.reports.render import ledger_filters_text

            _print_tables(console, [tb.ledger_table(data)], LEDGER_TEXT_COLUMNS)
            console.print(f"{ledger_filters_text(data)}：共 {data['count']} 个工作室")
        _text_out(out, draw, private=show_pii)
        return
    _emit("ledger", fmt, data, render("ledger", fmt, data), out)


# --------------------------------------------------------------------------- assessment


@app.command("assessment")
def assessment_cmd(
    year: YearOpt = None,
    fmt: Annotated[Optional[str], format_option("text", "md", "html", "csv", "xlsx", "json")] = None,
    out: OutOpt = None,
    items: ItemsOpt = False,
    json_out: ReportJsonOpt = False,
) -> None:
    """考核结果名单：每个工作室的分项得分、总分、等级、处理建议及原因。"""
    from laomo.reports import data as d
    from laomo.reports.render import STREAMED, render, stream

    assert year is not None  # required: checked while parsing
    fmt = _format("assessment", fmt, json_out, out)
    with _session() as session:
        if ("assessment", fmt) in STREAMED:  # rows written as they are read: flat memory at any size
            data = d.assessment_stream(session, year=year)
            _emit("assessment", fmt, data, stream("assessment", fmt, data), out)
            return
        data = d.assessment(session, year=year)
    if fmt == "text":
        def draw(console: "Console") -> None:
            from laomo.enums import GRADE
            from laomo.reports import tables as tb

            t = tb.assessment_table(data)
            cols = None if items else ["序号", "编号", "名称", "总分", "等级", "处理建议", "原因"]
            _print_tables(console, [t], cols)
            grades = "，".join(f"{GRADE.label(g)} {n}" for g, n in data["by_grade"].items())
            console.print(f"参加考核 {data['assessed']} 个" + (f"：{grades}" if grades else ""))
        _text_out(out, draw)
        return
    _emit("assessment", fmt, data, render("assessment", fmt, data), out)


# --------------------------------------------------------------------------- notice


_KINDS = {"naming": "naming", "命名": "naming", "revocation": "revocation", "撤销": "revocation",
          "摘牌": "revocation", "revoke": "revocation", "name": "naming"}


@app.command("notice")
def notice_cmd(
    year: Annotated[Optional[int], year_option("年度，如 2025", required="年度，如 2025")] = None,
    kind: Annotated[Optional[str], required_option(
        "--kind", help="naming（命名）或 revocation（撤销命名）", label="naming 命名 或 revocation 撤销")] = None,
    level: Annotated[Optional[str], typer.Option("--level", help="级别：县级、市级……（该年度有多个级别时必填）")] = None,
    fmt: Annotated[Optional[str], format_option("md", "html", "docx")] = None,
    template: Annotated[Optional[Path], typer.Option(
        "--template", help="本单位的模板：.md/.html（Jinja2，沙箱中渲染）或 .docx（填充 {{占位符}}）")] = None,
    out: OutOpt = None,
    doc: Annotated[Optional[str], typer.Option(
        "--doc", help="文号，如 示例县总工〔2026〕3号（默认取命名/处理记录中的文号）")] = None,
    group_by: Annotated[str, typer.Option(
        "--group-by", help="附件名单分组：auto（跨区县时按区县，否则按行业）、county、industry")] = "auto",
    json_out: ReportJsonOpt = False,
) -> None:
    """命名或撤销命名的决定（公文格式）：标题、文号、主送、正文、落款和附件名单。"""
    from laomo.reports import data as d
    from laomo.reports.render import render

    assert year is not None and kind is not None  # required: checked while parsing
    k = _KINDS.get(kind.strip().lower()) or _KINDS.get(kind.strip())
    if k is None:
        fail(f"--kind「{kind}」无效（可选：naming 命名、revocation 撤销）", 2)
    if template is not None and not template.is_file():
        fail(f"模板文件 {template} 不存在", 1)
    fmt = _format("notice", fmt, json_out, out, template)
    with _session() as session:
        data = d.notice(session, year=year, kind=k, level=_enum(level, "LEVEL", "--level"), doc=doc,
                        group_by=group_by.lower())
    for warning in data["warnings"]:
        how = "laomo init --union" if warning["option"] == "union" else flag(warning["option"])
        info(f"提示：{warning['text']}（{how}）")
    _emit("notice", fmt, data, render("notice", fmt, data, template), out, template)


# --------------------------------------------------------------------------- studio


@app.command("studio")
def studio_cmd(
    code: Annotated[str, typer.Argument(help="工作室编号，如 S0001")],
    fmt: Annotated[Optional[str], format_option("text", "md", "html", "json", "docx")] = None,
    out: OutOpt = None,
    show_pii: ShowPiiOpt = False,
    json_out: ReportJsonOpt = False,
) -> None:
    """工作室档案：基本情况、成员、荣誉、成果、活动、师带徒、考核和命名/处理记录。"""
    from laomo.reports import data as d
    from laomo.reports.render import render

    fmt = _format("studio", fmt, json_out, out)
    with _session() as session:
        data = d.studio(session, code=code.strip(), show_pii=show_pii)
    if fmt == "text":
        _text_out(out, lambda console: _studio_text(console, data), private=show_pii)
        return
    _emit("studio", fmt, data, render("studio", fmt, data), out)


def _studio_text(console: "Console", data: dict[str, Any]) -> None:
    from rich.panel import Panel
    from rich.table import Table

    from laomo.reports import tables as tb
    from laomo.reports.render import money

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    facts = tb.studio_facts(data)
    for i in range(0, len(facts), 2):
        pair = facts[i:i + 2] + [("", "")] * (2 - len(facts[i:i + 2]))
        grid.add_row(pair[0][0], pair[0][1], pair[1][0], pair[1][1])
    t = data["totals"]
    from rich.text import Text

    # a Panel reads a str title as markup whatever the console says: stored text goes in as Text
    console.print(Panel(grid, title=Text(f"{data['name']}（{data['studio']}）档案"),
                        subtitle=Text(f"成果 {t['achievements']} 项，效益 {money(t['benefit'])}；"
                                      f"活动 {t['activities']} 场；师带徒 {t['mentorships']} 对")))
    _print_tables(console, [table for table in tb.studio_tables(data) if table.rows])
