"""The command-line options that several commands share, each declared once.

Use them as parameter types (Typer's ``Annotated`` style)::

    def run_cmd(year: YearOpt = None, rules: RulesOpt = None, json_out: JsonOpt = False) -> None:

Two checks live here and nowhere else in the command layer:

* a **required option** (:func:`required_option`, :func:`need`): its help ends with
  （必填）; when it is missing a ``register`` command asks for it on a terminal, every other
  command (cron-safe) stops with ``缺少必需的选项 --x（…）`` and exit 2;
* a **year** (:func:`year_option`): ``--year`` outside 1900–2200 is a usage error (exit 2).

Both run as Click callbacks while the command line is parsed, before the command starts.
Only Typer and the standard library are imported here.
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Optional, TypeVar

import typer

from laomo.commands.errors import fail

T = TypeVar("T")
Callback = Callable[..., Any]

RULES_HELP = ("规则：内置名称（henan-2015、anyang-8、enterprise-5、hebei-2021）或 .toml 文件路径；"
              "默认取数据库设置，否则 henan-2015")
LEVEL_HELP = "级别：企业级/县级/市级/省级/全国（或 enterprise/county/city/province/national）"
OUT_HELP = "写入文件并输出其路径（不指定时文本格式输出到屏幕，xlsx/docx 写入当前目录下的默认文件名）"
PII_HELP = "显示完整的身份证号和手机号（默认隐去部分数字）"
REQUIRED = "（必填）"
DB_HELP = "数据库文件路径或 SQLAlchemy 地址（默认取 LAOMO_DB，否则 ./laomo.db）"


# --------------------------------------------------------------------------- the two checks


def need(value: T | None, flag: str, label: str, *, prompt: bool = False) -> T:
    """A required option's value: asked for on a terminal when ``prompt``, else a usage error (exit 2)."""
    if value is not None and value != "":
        return value
    if prompt and sys.stdin.isatty() and sys.stderr.isatty():
        answer: T = typer.prompt(f"{label}（{flag}）")
        return answer
    fail(f"缺少必需的选项 {flag}（{label}）", 2)


def check_year(year: int | None, flag: str = "--year") -> int | None:
    """A year given on the command line, or a usage error (exit 2) when it is outside the ledger's
    range of years (:data:`laomo.domain.numbers.FIRST_YEAR`–``LAST_YEAR``; imported here, not at
    start-up)."""
    from laomo.domain.numbers import FIRST_YEAR, LAST_YEAR

    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        fail(f"{flag} {year} 超出范围 {FIRST_YEAR}–{LAST_YEAR}", 2)
    return year


def _flag(param: typer.CallbackParam) -> str:
    return next((o for o in param.opts if o.startswith("--")), param.opts[0])


def _required_callback(label: str, prompt: bool, then: Callable[[Any, str], Any] | None = None) -> Callback:
    def callback(ctx: typer.Context, param: typer.CallbackParam, value: Any) -> Any:
        if ctx.resilient_parsing:
            return value
        value = need(value, _flag(param), label, prompt=prompt)
        return then(value, _flag(param)) if then else value
    return callback


def _year_callback(ctx: typer.Context, param: typer.CallbackParam, value: int | None) -> int | None:
    return value if ctx.resilient_parsing else check_year(value, _flag(param))


def required_option(*decls: str, help: str, label: str, prompt: bool = False) -> Any:
    """An option that must be given; ``label`` names it in the prompt and the error, and
    ``（必填）`` is added to ``help``."""
    return typer.Option(*decls, help=help + REQUIRED, callback=_required_callback(label, prompt))


def year_option(help: str, *, required: str | None = None) -> Any:
    """``--year``, checked to lie in 1900–2200; ``required``: the label of a required year."""
    if required is None:
        return typer.Option("--year", help=help, callback=_year_callback)
    return typer.Option("--year", help=help + REQUIRED, callback=_required_callback(required, False, check_year))


def format_option(*formats: str) -> Any:
    """``--format``/``-f`` of a report; the first of ``formats`` is the default."""
    offered = "、".join([f"{formats[0]}（默认）", *formats[1:]])
    return typer.Option("--format", "-f", help=f"格式：{offered}")


# --------------------------------------------------------------------------- the shared options


JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON")]
JsonSummaryOpt = Annotated[bool, typer.Option("--json", help="输出 JSON 摘要")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="只输出错误")]
DbOpt = Annotated[Optional[str], typer.Option("--db", help=DB_HELP)]
RulesOpt = Annotated[Optional[str], typer.Option("--rules", help=RULES_HELP)]
AsOfOpt = Annotated[Optional[str], typer.Option("--as-of", help="检查日期（默认今天），如 2025-11-22")]
ItemsOpt = Annotated[bool, typer.Option("--items", help="终端表格中列出各分项得分")]

#: The assessment year, required.
YearOpt = Annotated[Optional[int], year_option("考核年度，如 2025", required="考核年度，如 2025")]
#: The year of a naming, required.
NamingYearOpt = Annotated[Optional[int], year_option("命名年度，如 2025", required="命名年度")]

#: A studio's code as the command's argument.
StudioArg = Annotated[str, typer.Argument(help="工作室编号")]
#: A rules profile as the command's argument.
ProfileArg = Annotated[str, typer.Argument(help="规则名称或 .toml 文件路径")]

#: Reports: where to write, how, and whether to show personal numbers in full.
OutOpt = Annotated[Optional[Path], typer.Option("--out", "-o", help=OUT_HELP)]
ReportJsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（等同 --format json）")]
ShowPiiOpt = Annotated[bool, typer.Option("--show-pii", help=PII_HELP)]

#: Naming and dynamic management.
LevelOpt = Annotated[Optional[str], required_option("--level", help=LEVEL_HELP, label="级别")]
ReasonOpt = Annotated[Optional[str], required_option("--reason", help="原因", label="原因")]
DocOpt = Annotated[Optional[str], typer.Option("--doc", help="文号")]
