"""命令行的公共部分：全局状态、输出、错误处理、进度显示、必填项提示。

Only the command modules (``laomo/cli*.py``) import this; core modules never
import Typer or Rich.  Everything heavy is imported lazily so that
``laomo --help`` stays fast.
"""

from __future__ import annotations

import errno
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NoReturn

import typer


@dataclass
class State:
    db: str | None = None
    quiet: bool = False
    argv: list[str] = field(default_factory=list)


STATE = State()

PII_OPTIONS = ("--id-number", "--phone")


def masked_argv(argv: list[str]) -> str:
    """The command line for the audit log, with personal data masked."""
    from laomo.safe import mask_id_number

    out: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            out.append(mask_id_number(arg))
            mask_next = False
            continue
        name, eq, value = arg.partition("=")
        if name in PII_OPTIONS:
            if eq:
                out.append(f"{name}={mask_id_number(value)}")
            else:
                out.append(arg)
                mask_next = True
            continue
        out.append(arg)
    from laomo.safe import scrub

    return scrub("laomo " + " ".join(out))  # a personal number given anywhere else is masked too


def engine(check: bool = True):  # type: ignore[no-untyped-def]
    from laomo.store import audit, db
    audit.set_command(masked_argv(STATE.argv))
    return db.open_engine(STATE.db, check=check)


def err_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def out_console():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def info(message: str, quiet: bool = False) -> None:
    """A diagnostic line on stderr, unless --quiet."""
    if not (quiet or STATE.quiet):
        typer.echo(message, err=True)


def error(message: str) -> None:
    """One Chinese error line (or a few): control characters from echoed input are shown as escapes."""
    from laomo.safe import visible

    message = "\n".join(visible(line) for line in message.split("\n"))
    typer.echo(message if message.startswith("错误") else f"错误：{message}", err=True)


def fail(message: str, code: int = 1) -> NoReturn:
    error(message)
    raise typer.Exit(code)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def need(value: Any, option: str, label: str, *, convert: Callable[[str], Any] = str) -> Any:
    """A required option: prompt for it on a terminal, else a usage error (exit 2)."""
    if value is not None and value != "":
        return value
    if sys.stdin.isatty() and sys.stderr.isatty():
        return convert(typer.prompt(f"{label}（{option}）"))
    fail(f"缺少必需的选项 {option}（{label}）", 2)


class Progress:
    """A Rich progress bar on a terminal; a plain line every 10% elsewhere; nothing with --quiet."""

    def __init__(self, label: str, quiet: bool = False):
        self.quiet = quiet or STATE.quiet
        self.label = label
        self.tty = sys.stderr.isatty()
        self._bar = None
        self._task = None
        self._next_tenth = 1

    def __enter__(self) -> Progress:
        if not self.quiet and self.tty:
            from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn(self.label), BarColumn(), TaskProgressColumn(),
                                     TimeElapsedColumn(), console=err_console(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=1.0)
        return self

    def __call__(self, fraction: float) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(self._task, completed=fraction)
            return
        while fraction * 10 >= self._next_tenth and self._next_tenth <= 10:
            typer.echo(f"{self.label}：{self._next_tenth * 10}%", err=True)
            self._next_tenth += 1

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()


def handle_errors(func: Callable[[], Any]) -> int:
    """Run the app; turn user errors and database failures into one Chinese line and an exit code.

    ``func`` runs the Typer app with ``standalone_mode=False``: it returns the
    exit code of ``typer.Exit`` and lets Click's usage errors through, which
    are shown here in Chinese (exit 2).  Anything else is a bug: a short
    Chinese line and the stack (never the frames' local variables, personal
    data masked in the exception texts), exit 1.
    """
    from laomo.errors import LaomoError

    click_errors = tuple(m.ClickException for m in _click_modules())
    aborts = (typer.Abort, *(m.Abort for m in _click_modules() if hasattr(m, "Abort")))
    try:
        rv = func()
    except LaomoError as exc:
        for line in exc.lines:
            typer.echo(line, err=True)
        flag = "--" + exc.option.replace("_", "-") if exc.option else ""
        error(f"{exc}（{flag}）" if flag and flag not in str(exc) else str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("已中断，未提交的改动已回滚", err=True)
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
        message = database_message(exc) or file_message(exc)
        if message is None:
            typer.echo(bug_report(exc), err=True)
            return 1
        error(message)
        return 1
    if rv == 130:  # Typer itself turns Ctrl-C inside a command into exit code 130
        typer.echo("已中断，未提交的改动已回滚", err=True)
    return rv if isinstance(rv, int) and not isinstance(rv, bool) else 0


def bug_report(exc: BaseException) -> str:
    """A bug's report: a Chinese line, then the stack without local variables, personal data masked."""
    import traceback

    from laomo.safe import scrub

    stack = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))  # no locals
    return ("错误：程序内部错误（这是 laomo 的缺陷，不是输入或操作的问题），未提交的改动已回滚。"
            "请把以下信息发给维护者：\n" + scrub(stack).rstrip())


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


def _click_modules() -> list[Any]:
    """The modules of Click's exception classes: Typer's own copy of Click, and Click itself."""
    mods = [sys.modules[typer.BadParameter.__module__]]
    try:
        import click.exceptions

        if click.exceptions not in mods:
            mods.append(click.exceptions)
    except ImportError:  # pragma: no cover - Typer without Click
        pass
    return mods


def _is(exc: BaseException, name: str) -> bool:
    return any(isinstance(exc, getattr(m, name)) for m in _click_modules() if hasattr(m, name))


def usage_error(exc: Any) -> int:
    """Show a Click usage error (unknown option or command, bad value, missing argument) in Chinese."""
    ctx = getattr(exc, "ctx", None)
    if _is(exc, "NoArgsIsHelpError"):
        exc.show()  # type: ignore[attr-defined]
        return exc.exit_code  # type: ignore[attr-defined]
    text = getattr(exc, "message", "") or str(exc)
    hint = None
    param = getattr(exc, "param", None)
    if _is(exc, "BadParameter") or _is(exc, "MissingParameter"):
        hint = getattr(exc, "param_hint", None)
        if hint is None and param is not None:
            hint = " / ".join(getattr(param, "opts", []) or []) or (param.human_readable_name if param else None)
        if isinstance(hint, (list, tuple)):
            hint = " / ".join(hint)
        if hint:
            hint = hint.replace("'", "")
    if _is(exc, "NoSuchOption"):
        message = f"没有选项 {exc.option_name}"
        if exc.possibilities:
            message += f"（是否想用：{'、'.join(sorted(exc.possibilities))}）"
    elif _is(exc, "MissingParameter"):
        argument = getattr(param, "param_type_name", "") == "argument"
        if argument:
            hint = (getattr(param, "name", None) or "").upper()
        message = f"缺少必需的{'参数' if argument else '选项'} {hint or ''}".rstrip()
    elif _is(exc, "BadParameter"):
        reason = next((zh for en, zh in _CLICK_REASONS if en in text), None)
        message = f"{hint or '参数'} 的值无效：{reason or text}"
    elif _is(exc, "BadOptionUsage") and "requires an argument" in text:
        message = f"选项 {exc.option_name} 后面缺少值"
    elif _is(exc, "FileError"):
        message = f"无法打开文件 {exc.ui_filename}：{exc.message}"
    elif text.startswith("No such command"):
        name = text.split("'", 2)[1] if text.count("'") >= 2 else text
        message = f"没有命令「{name}」"
    elif text.startswith("Got unexpected extra argument"):
        extra = text[text.rfind("(") + 1:text.rfind(")")] if "(" in text else text
        message = f"多余的参数：{extra}"
    else:
        message = f"命令行有误（{text}）"
    error(message)
    if ctx is not None:
        typer.echo(f"用法见 {ctx.command_path} --help", err=True)
    return exc.exit_code if isinstance(getattr(exc, "exit_code", None), int) else 2


def database_message(exc: BaseException) -> str | None:
    """A Chinese explanation of a database failure, or None for a bug."""
    try:
        from sqlalchemy.exc import DBAPIError, OperationalError
    except ImportError:  # pragma: no cover
        return None
    from laomo.store import db
    try:
        url = db.resolve_url(STATE.db)
    except Exception:  # pragma: no cover - a URL that cannot even be resolved
        url = ""
    explained = db.explain_failure(exc, url) if url else None
    if explained:
        return explained
    if not isinstance(exc, DBAPIError):
        if isinstance(exc, OSError) and exc.errno == 28:
            return f"磁盘空间不足：无法写入 {exc.filename or '文件'}（所在磁盘已满），操作未完成，数据库未改动"
        return None
    text = str(exc.orig) if exc.orig is not None else str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low or "lock timeout" in low:
        return "数据库正被其他程序占用（等待超时），请稍后重试；本次操作未改动数据库"
    if "could not serialize" in low or "deadlock detected" in low:
        return "与其他程序同时写入发生冲突，本次操作未改动数据库，请重试"
    if ("connection failed" in low or "could not connect" in low or "connection refused" in low
            or "server closed the connection" in low or "terminating connection" in low):
        return f"无法连接数据库服务器（请检查 --db 或 LAOMO_DB 中的地址、端口、用户和库名，以及服务器是否在运行）：{text.splitlines()[0]}"
    if "readonly" in low or "read-only" in low:
        return "数据库文件只读（没有写权限），本次操作未改动数据库"
    if "disk" in low and ("full" in low or "i/o" in low):
        return "磁盘已满或读写出错，本次操作未改动数据库"
    if "unable to open" in low:
        return "无法打开数据库文件（目录不存在或没有权限）"
    if "malformed" in low or "not a database" in low:
        return "数据库文件已损坏或不是 SQLite 数据库，请用 laomo db check 检查并从备份恢复"
    if isinstance(exc, OperationalError):
        return f"数据库操作失败：{text.splitlines()[0]}"
    return None


_OS_REASONS = {
    errno.ENOENT: "文件或目录不存在", errno.EACCES: "没有权限", errno.EPERM: "没有权限",
    errno.ENOTDIR: "路径中有一部分不是目录", errno.EISDIR: "这是一个目录", errno.EEXIST: "已存在",
    errno.EROFS: "文件系统只读", errno.ENAMETOOLONG: "路径过长", errno.ENOSPC: "磁盘已满",
}


def file_message(exc: BaseException) -> str | None:
    """A Chinese line for a file the user named that cannot be read or written (not a bug), else None."""
    if not isinstance(exc, OSError) or exc.errno not in _OS_REASONS or not exc.filename:
        return None
    return f"无法访问 {exc.filename}：{_OS_REASONS[exc.errno]}，操作未完成，未提交的改动已回滚"

