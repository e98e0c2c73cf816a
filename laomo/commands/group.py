"""The command groups of ``laomo``: every command accepts the global options where a user
types them (cli.md, Conventions).

* ``--db`` and ``--quiet/-q`` are accepted before the subcommand (``laomo --db x.db award
  apply``) and after it (``laomo award apply --db x.db``); a value given after the
  subcommand overrides the one before it;
* ``--json`` before the subcommand (``laomo --json report summary``) is the command's own
  ``--json``; a command that has no ``--json`` refuses it (exit 2) rather than print text;
* ``-h`` is ``--help``;
* the help is Chinese throughout, Click's own words too: ``用法：``, ``选项``, ``参数``, ``命令``,
  ``[默认：…]``, ``[必填]`` and the help option's ``显示本帮助并退出``; a group's one-line
  description in its parent's list is cut at a comma, never left as ``...``.

Use :class:`Group` instead of ``typer.Typer``; its ``command`` decorator adds the options.
Only Typer and the standard library are imported here.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import typer
import typer.core

from laomo.commands.errors import fail
from laomo.commands.options import DbOpt, QuietOpt
from laomo.commands.state import STATE

F = TypeVar("F", bound=Callable[..., Any])

#: ``-h`` is ``--help``, on the program and every group and command.
CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}

#: The options every command accepts after its name, unless it declares its own.
_GLOBAL = (
    inspect.Parameter("db", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=DbOpt),
    inspect.Parameter("quiet", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=QuietOpt),
)


def with_global_options(fn: F) -> F:
    """``fn`` with ``--db`` and ``--quiet`` added to its options (where it has none of its own),
    and the global options applied to :data:`STATE` and to its own ``quiet``/``json_out``."""
    sig = inspect.signature(fn, eval_str=True)
    own = sig.parameters
    added = [p for p in _GLOBAL if p.name not in own]
    names = {p.name for p in added}

    @functools.wraps(fn)
    def command(**kwargs: Any) -> Any:
        db = kwargs.pop("db") if "db" in names else kwargs.get("db")
        if db is not None:
            STATE.db = db  # after the subcommand wins over before it
        quiet = kwargs.pop("quiet") if "quiet" in names else kwargs["quiet"]
        STATE.quiet = bool(quiet) or STATE.quiet
        if "quiet" in own:
            kwargs["quiet"] = STATE.quiet
        if STATE.json:
            if "json_out" not in own:
                fail("该命令没有 --json 选项", 2)
            kwargs["json_out"] = True
        return fn(**kwargs)

    params = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in own.values()]
    command.__signature__ = sig.replace(parameters=[*params, *added])  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in (*params, *added)
                               if p.annotation is not inspect.Parameter.empty}
    return command  # type: ignore[return-value]  # same call as fn, by keyword


# --------------------------------------------------------------------------- Chinese help

#: Click's and Typer's own words in a help page, in Chinese.
CLICK_WORDS = {
    "Usage: ": "用法：",
    "Arguments": "参数",
    "Options": "选项",
    "Commands": "命令",
    "required": "必填",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "(dynamic)": "（动态）",
    "Missing command.": "缺少子命令。",
    "[OPTIONS]": "[选项]",
    "COMMAND [ARGS]...": "命令 [参数]...",
}

HELP_OPTION_HELP = "显示本帮助并退出"


def chinese(message: str) -> str:
    """Click's or Typer's own English phrase in Chinese (unchanged when it is not one of them)."""
    return CLICK_WORDS.get(message, message)


# Typer writes its section titles and the ``[default: …]``/``[required]`` notes through
# gettext's ``_``, bound in typer.core; route them through :func:`chinese` instead.
if callable(getattr(typer.core, "_", None)):
    typer.core._ = chinese  # typer.core's private gettext alias


class ChineseFormatter(typer.core._click.HelpFormatter):
    """Click's help formatter with a Chinese usage line and section titles."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, chinese(prefix or "Usage: "))

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{chinese(heading)}：\n")


class ChineseContext(typer.core._click.Context):
    formatter_class = ChineseFormatter


def short_help(text: str, limit: int) -> str:
    """The first line of ``text`` within ``limit`` characters: cut after the last comma-like mark
    that fits (Click's own shortening leaves ``...`` for Chinese, which has no spaces)."""
    first = text.strip().split("\n", 1)[0].strip()
    if len(first) <= limit:
        return first
    cut = max(first.rfind(mark, 0, limit) for mark in "，、；：")
    return (first[:cut] if cut > 0 else first[:limit - 1]) + "…"


class _ChineseHelp:
    """What a command and a group share: the Chinese context, help option and one-line description."""

    context_class: type[typer.core._click.Context] = ChineseContext
    short_help: str | None
    help: str | None

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]  # a Click command's method
        if option is not None:
            option.help = HELP_OPTION_HELP
        return option

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [chinese(piece) for piece in super().collect_usage_pieces(ctx)]  # type: ignore[misc]  # as above

    def get_short_help_str(self, limit: int = 45) -> str:
        if self.short_help or not self.help:
            return super().get_short_help_str(limit)  # type: ignore[misc]  # as above
        return short_help(self.help, limit)


class ChineseCommand(_ChineseHelp, typer.core.TyperCommand):
    """A Typer command whose help is Chinese throughout."""


class ChineseGroup(_ChineseHelp, typer.core.TyperGroup):
    """A Typer group whose help is Chinese throughout."""


class Group(typer.Typer):
    """A ``typer.Typer`` whose commands take the global options and ``-h``, with Chinese help."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", CONTEXT_SETTINGS)
        kwargs.setdefault("cls", ChineseGroup)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", ChineseCommand)
        register = super().command(name, **kwargs)

        def decorator(fn: F) -> F:
            register(with_global_options(fn))
            return fn
        return decorator
