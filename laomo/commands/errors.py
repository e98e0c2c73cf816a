"""How the command line reports a failure: one Chinese line (or a few) on stderr and the
exit code of cli.md — 1 for a refusal or a failure, 2 for a usage mistake, 130 for Ctrl-C.

* A :class:`laomo.errors.LaomoError` is printed as ``错误：<message>``; when it is about one
  argument (``option="date"``) the flag is added: ``错误：<message>（--date）``.  A
  :class:`laomo.errors.UsageError` exits with 2.
* Click's own usage errors (unknown option, bad value, missing argument) are shown in Chinese.
* A database or file failure is explained by :func:`laomo.store.errors.explain`.
* Anything else is a bug: a short Chinese line and the stack (never the frames' local
  variables, personal data masked).
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any, NoReturn

import typer

from laomo.commands.state import STATE

if TYPE_CHECKING:
    from laomo.errors import LaomoError

INTERRUPTED = "已中断，未提交的改动已回滚"


def error(message: str) -> None:
    """One Chinese error line (or a few): control characters from echoed input are shown as escapes."""
    from laomo.safe import visible

    message = "\n".join(visible(line) for line in message.split("\n"))
    typer.echo(message if message.startswith("错误") else f"错误：{message}", err=True)


def fail(message: str, code: int = 1) -> NoReturn:
    error(message)
    raise typer.Exit(code)


# arguments that are given together: naming one names both (forcing needs a reason, cli.md)
_FLAGS_TOGETHER = {"force": "--force --reason"}


def flag(option: str) -> str:
    """The command-line flag of a keyword name: ``on_error`` → ``--on-error``."""
    return _FLAGS_TOGETHER.get(option) or "--" + option.replace("_", "-")


def message_of(exc: LaomoError) -> str:
    """The error's text; for an error about one argument, its flag appended to the first line
    (``日期「x」无效（--date）``) unless the text already names it."""
    message = str(exc)
    if not exc.option:
        return message
    name = flag(exc.option)
    if re.search(re.escape(name) + r"(?![\w-])", message):
        return message
    first, newline, rest = message.partition("\n")
    return f"{first}（{name}）{newline}{rest}"


def handle_errors(func: Callable[[], Any]) -> int:
    """Run the app; turn user errors and database failures into one Chinese line and an exit code.

    ``func`` runs the Typer app with ``standalone_mode=False``: it returns the
    exit code of ``typer.Exit`` and lets Click's usage errors through, which
    are shown here in Chinese (exit 2).
    """
    from laomo.errors import LaomoError, UsageError

    click_errors = tuple(m.ClickException for m in _click_modules())
    aborts = (typer.Abort, *(m.Abort for m in _click_modules() if hasattr(m, "Abort")))
    try:
        rv = func()
    except LaomoError as exc:
        for line in exc.lines:
            typer.echo(line, err=True)
        error(message_of(exc))
        return 2 if isinstance(exc, UsageError) else exc.exit_code
    except KeyboardInterrupt:
        typer.echo(INTERRUPTED, err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except click_errors as exc:
        try:
            return usage_error(exc)
        except Exception:  # never let the translation itself fail: Click's own text then
            error(f"命令行有误（{getattr(exc, 'message', exc)}）")
            return 2
    except aborts:
        typer.echo("已取消，未做任何改动", err=True)
        return 1
    except Exception as exc:  # database-level and file-system failures get a clear message
        message = failure_message(exc)
        if message is None:
            typer.echo(bug_report(exc), err=True)
            return 1
        error(message)
        return 1
    if rv == 130:  # Typer itself turns Ctrl-C inside a command into exit code 130
        typer.echo(INTERRUPTED, err=True)
    return rv if isinstance(rv, int) and not isinstance(rv, bool) else 0


def failure_message(exc: BaseException) -> str | None:
    """A Chinese line for a failure of the database (``--db``/``LAOMO_DB``) or of a file; None for a bug."""
    from laomo.store import db
    from laomo.store.errors import explain

    try:
        url = db.resolve_url(STATE.db)
    except Exception:  # pragma: no cover - a URL that cannot even be resolved
        url = ""
    path = db.sqlite_path(url) if url else None
    return explain(exc, path=path, busy_seconds=db.BUSY_TIMEOUT_MS // 1000, where="--db 或 LAOMO_DB")


def bug_report(exc: BaseException) -> str:
    """A bug's report: a Chinese line, then the stack without local variables, personal data masked."""
    import traceback

    from laomo.safe import scrub

    stack = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))  # no locals
    return ("错误：程序内部错误（这是 laomo 的缺陷，不是输入或操作的问题），未提交的改动已回滚。"
            "请把以下信息发给维护者：\n" + scrub(stack).rstrip())


# --------------------------------------------------------------------------- Click's usage errors


_CLICK_REASONS = (  # fragments of Click/Typer conversion messages -> Chinese
    ("valid integer", "应为整数"),
    ("is not a valid integer", "应为整数"),
    ("valid float", "应为数字"),
    ("is not a valid float", "应为数字"),
    ("is not a valid boolean", "应为 true/false"),
    ("does not exist", "不存在"),
    ("is a directory", "是目录"),
    ("is a file", "是文件"),
    ("is not one of", "不是可选值之一"),
    ("is not a valid choice", "不是可选值之一"),
)


def _click_modules() -> list[ModuleType]:
    """The modules of Click's exception classes: Typer's own copy of Click, and Click itself."""
    mods = [sys.modules[typer.BadParameter.__module__]]
    try:
        click_exceptions = importlib.import_module("click.exceptions")
    except ImportError:  # Typer that carries its own Click
        return mods
    if click_exceptions not in mods:
        mods.append(click_exceptions)
    return mods


def _is(exc: BaseException, name: str) -> bool:
    return any(isinstance(exc, getattr(m, name)) for m in _click_modules() if hasattr(m, name))


def usage_error(exc: Any) -> int:
    """Show a Click usage error (unknown option or command, bad value, missing argument) in Chinese."""
    if _is(exc, "NoArgsIsHelpError"):
        exc.show()
        return int(exc.exit_code)
    error(_usage_message(exc))
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        typer.echo(f"用法见 {ctx.command_path} --help", err=True)
    return exc.exit_code if isinstance(getattr(exc, "exit_code", None), int) else 2


def _param_hint(exc: Any) -> str | None:
    """The option or argument a bad or missing value belongs to, as the user typed it."""
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        hint = " / ".join(getattr(param, "opts", []) or []) or param.human_readable_name
    if isinstance(hint, (list, tuple)):
        hint = " / ".join(hint)
    return hint.replace("'", "") if hint else None


def _usage_message(exc: Any) -> str:
    text = getattr(exc, "message", "") or str(exc)
    if _is(exc, "NoSuchOption"):
        message = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            message += f"（是否想用：{'、'.join(sorted(exc.possibilities))}）"
        return message
    if _is(exc, "MissingParameter"):
        param = getattr(exc, "param", None)
        hint = _param_hint(exc)
        argument = getattr(param, "param_type_name", "") == "argument"
        if argument:
            hint = (getattr(param, "name", None) or "").upper()
        return f"缺少必需的{'参数' if argument else '选项'} {hint or ''}".rstrip()
    if _is(exc, "BadParameter"):
        reason = next((zh for en, zh in _CLICK_REASONS if en in text), None)
        return f"{_param_hint(exc) or '参数'} 的值无效：{reason or text}"
    if _is(exc, "BadOptionUsage") and "requires an argument" in text:
        return f"选项 {exc.option_name} 后面缺少值"
    if _is(exc, "FileError"):
        return f"无法打开文件 {exc.ui_filename}：{exc.message}"
    if text.startswith("No such command"):
        name = text.split("'", 2)[1] if text.count("'") >= 2 else text
        return f"没有命令「{name}」"
    if text.startswith("Got unexpected extra argument"):
        extra = text[text.rfind("(") + 1:text.rfind(")")] if "(" in text else text
        return f"多余的参数：{extra}"
    return f"命令行有误（{text}）"
