"""What the commands print: Rich consoles, diagnostic lines, JSON, progress.

Rich is imported only when something is drawn, so that ``laomo --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

import typer

from laomo.commands.state import STATE

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def out_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, markup=False, soft_wrap=True)


def info(message: str, quiet: bool = False) -> None:
    """A diagnostic line on stderr, unless --quiet."""
    if not (quiet or STATE.quiet):
        typer.echo(message, err=True)


def emit_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


class Progress:
    """A Rich progress bar on a terminal; elsewhere (a pipe, a log) a plain line at most every 10 %,
    and only once the work has run ``PLAIN_AFTER`` seconds (cli.md: a small import says nothing but
    its summary); nothing with --quiet."""

    PLAIN_AFTER = 2.0

    def __init__(self, label: str, quiet: bool = False):
        self.quiet = quiet or STATE.quiet
        self.label = label
        self.tty = sys.stderr.isatty()
        self._bar: RichProgress | None = None
        self._task: TaskID | None = None
        self._next_tenth = 1
        self._started = time.monotonic()

    def __enter__(self) -> Progress:
        if not self.quiet and self.tty:
            from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(TextColumn("{task.description}", markup=False), BarColumn(), TaskProgressColumn(),
                                     TimeElapsedColumn(), console=err_console(), transient=True)
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=1.0)
        return self

    def __call__(self, fraction: float) -> None:
        if self.quiet:
            return
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=fraction)
            return
        if time.monotonic() - self._started < self.PLAIN_AFTER:
            return
        tenth = min(int(fraction * 10), 10)
        if tenth >= self._next_tenth:
            typer.echo(f"{self.label}：{tenth * 10}%", err=True)
            self._next_tenth = tenth + 1

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
