"""What the commands print: Rich consoles, diagnostic lines, JSON, progress.

Rich is imported only when something is drawn, so that ``laomo --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import typer

from laomo.commands.state import STATE

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID


def err_console() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def out_console() -> Console:
    from rich.console import Console

    return Console(highlight=False, markup=False, soft_wrap=True)


def page_console(file: Any, width: int = 200) -> Console:
    """A console writing a text file (``--out``): tables are laid out as on a terminal ``width`` columns
    wide, without colour or other control codes."""
    from rich.console import Console

    return Console(file=file, width=width, force_terminal=True, color_system=None, highlight=False, markup=False,
                   emoji=False, soft_wrap=True)


# --------------------------------------------------------------------------- tables

#: A column never gets fewer cells than this unless its widest value is shorter.
MIN_COLUMN = 4

Justify = Literal["left", "center", "right"]


@dataclass(frozen=True)
class Column:
    """One column of a :class:`TextTable`.

    ``short`` marks short fixed-width values (codes, dates, grades, counts): they are never wrapped, so the
    column is as wide as its widest value.  ``min_width`` (in terminal cells) keeps identifier-like or long
    values (文号, names) from being folded into a narrow strip; any other column may be folded down to
    :data:`MIN_COLUMN` cells.
    """

    header: str
    short: bool = False
    min_width: int = MIN_COLUMN
    justify: Justify = "left"


@dataclass
class TextTable:
    """A table as the commands print it: nothing is ever cut off (see :func:`print_table`)."""

    columns: list[Column]
    title: str | None = None
    caption: str | None = None
    show_lines: bool = False
    rows: list[tuple[list[str], str | None]] = field(default_factory=list)

    def add_row(self, *cells: object, style: str | None = None) -> None:
        self.rows.append((["" if c is None else str(c) for c in cells], style))


def is_plain(console: Console) -> bool:
    """True when ``console`` is not a terminal (a pipe, a redirected file): tables print as plain lines."""
    return not console.is_terminal


def print_table(table: TextTable, console: Console | None = None) -> None:
    """Print ``table`` so that no text is lost, whatever the width.

    * Not a terminal (stdout piped or redirected; :func:`is_plain`): stable plain lines that do not depend on
      any width — the title, then the headers and one line per row, cells separated by a tab (a line break or
      tab inside a cell becomes ``；``/a space), then the caption.  A value is always whole on one line.
    * A terminal wide enough: a Rich table whose column widths are worked out here (short columns whole,
      others folded, never below their ``min_width``), so that Rich never truncates a cell with "…".
    * A terminal too narrow for that: a list, one block per row of ``表头：值`` lines (see :func:`list_lines`).
    """
    console = console or out_console()
    if is_plain(console):  # written as it is: Rich would turn the tabs into spaces
        console.file.write("".join(line + "\n" for line in plain_lines(table)))
        console.file.flush()
        return
    from rich.text import Text

    drawn = table_renderable(table, console)
    # a list's long lines are left for the terminal to wrap: folded by Rich they would read as two values
    console.print(drawn, soft_wrap=isinstance(drawn, Text))


def plain_lines(table: TextTable) -> list[str]:
    """The tab-separated lines of ``table`` (see :func:`print_table`)."""
    def cell(text: str) -> str:
        return "；".join(part.strip() for part in text.splitlines() if part.strip()).replace("\t", " ")

    lines = [table.title] if table.title else []
    lines.append("\t".join(cell(c.header) for c in table.columns))
    lines += ["\t".join(cell(v) for v in cells) for cells, _ in table.rows]
    if table.caption:
        lines.append(table.caption)
    return lines


def list_lines(table: TextTable) -> list[str]:
    """``table`` as a list: the title, then per row a block of ``表头：值`` lines (empty values left out; a
    value's further lines indented), blocks separated by a blank line, then the caption."""
    lines = [table.title] if table.title else []
    for number, (cells, _) in enumerate(table.rows):
        if number or table.title:
            lines.append("")
        for column, value in zip(table.columns, cells):
            parts = value.splitlines()
            if parts:
                lines.append(f"{column.header}：{parts[0]}")
                lines += [f"    {part}" for part in parts[1:]]
    if table.caption:
        lines += ["", table.caption]
    return lines


def column_widths(table: TextTable, width: int) -> list[int] | None:
    """Content widths (cells) for the columns of ``table`` on a ``width``-cell terminal, or None when they do
    not fit: short columns as wide as their widest value, the others at least ``min_width`` (or their widest
    value when narrower), the rest of the room shared out by raising the narrowest wide columns first."""
    from rich.cells import cell_len

    def widest(texts: list[str]) -> int:
        return max((cell_len(line) for text in texts for line in text.splitlines()), default=0)

    natural = [widest([c.header] + [cells[i] for cells, _ in table.rows]) for i, c in enumerate(table.columns)]
    need = [n if c.short else min(n, max(c.min_width, 1)) for c, n in zip(table.columns, natural)]
    room = width - (3 * len(table.columns) + 1)  # a border and a space either side of every cell
    if sum(need) > room:
        return None

    def spread(level: int) -> list[int]:
        return [max(m, min(n, level)) for m, n in zip(need, natural)]

    low, high = 0, max(natural, default=0)
    while low < high:  # the highest level whose widths fit the room
        mid = (low + high + 1) // 2
        low, high = (mid, high) if sum(spread(mid)) <= room else (low, mid - 1)
    return spread(low)


def table_renderable(table: TextTable, console: Console) -> RenderableType:
    """What :func:`print_table` draws on a terminal: the Rich table, or the list when it does not fit."""
    from rich.table import Table
    from rich.text import Text

    widths = column_widths(table, console.width)
    if widths is None:
        return Text("\n".join(list_lines(table)))
    rich = Table(title=Text(table.title) if table.title else None, title_justify="left",
                 caption=Text(table.caption) if table.caption else None, caption_justify="left",
                 show_lines=table.show_lines)
    for column, w in zip(table.columns, widths):
        rich.add_column(Text(column.header), justify=column.justify, no_wrap=column.short, overflow="fold",
                        width=w)
    for cells, style in table.rows:
        rich.add_row(*(Text(c) for c in cells), style=style)
    return rich


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
