"""命令行的公共部分：全局状态、输出、错误处理、进度显示、必填项提示。

Only the command modules (``laomo/cli*.py``) import this; core modules never
import Typer or Rich.  Everything heavy is imported lazily so that
``laomo --help`` stays fast.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, NoReturn

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
    from .validate import mask_id_number

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
    return "laomo " + " ".join(out)


def engine(check: bool = True):  # type: ignore[no-untyped-def]
    from . import audit, db

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

    def __enter__(self) -> "Progress":
        if not self.quiet and self.tty:
            from rich.progress import BarColumn, Progress as RichProgress, TaskProgressColumn, TextColumn, TimeElapsedColumn

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
    """Run the app; turn user errors and database failures into one Chinese line and an exit code."""
    from .errors import LaomoError

    try:
        func()
    except LaomoError as exc:
        for line in exc.lines:
            typer.echo(line, err=True)
        error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        typer.echo("已中断，未提交的改动已回滚", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except Exception as exc:  # database-level failures get a clear message
        message = database_message(exc)
        if message is None:
            raise
        error(message)
        return 1
    return 0


def database_message(exc: BaseException) -> str | None:
    """A Chinese explanation of a database failure, or None for a bug."""
    try:
        from sqlalchemy.exc import DBAPIError, OperationalError
    except ImportError:  # pragma: no cover
        return None
    if not isinstance(exc, DBAPIError):
        if isinstance(exc, OSError) and exc.errno == 28:
            return "磁盘已满，操作未完成，数据库未改动"
        return None
    text = str(exc.orig) if exc.orig is not None else str(exc)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return "数据库正被其他程序占用（等待超时），请稍后重试；本次操作未改动数据库"
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


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
