"""How the rows of one file are parsed: the layout of a parsed row and the parser of a file.

Nothing here imports SQLAlchemy, SQLModel or the table classes, so that a large import's
parse worker can start reading the file while the command is still loading those (about
0.6 s) and opening the database (:func:`laomo.ledger.importer.start_import`).

A parsed row holds the table's insert columns in a fixed order, in the driver's own form:
the form SQLAlchemy's bind processors would give (a date as ISO text and a boolean as 0/1 on
SQLite), so the writing side hands rows to the driver's executemany as
they are and compares them with rows read back without converting either.  The few stored
columns that need such a conversion are listed in :data:`CONVERTED`, with their conversions
written here once for each database kind; ``tests/test_parsing_layout.py`` checks both
against the table classes and SQLAlchemy's own processors, column by column.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.ledger.rowparser import PlanEntry, Row, compile_row_parser

if TYPE_CHECKING:
    from laomo.ledger.columns import Kind
    from laomo.ledger.header import Mapped
    from laomo.ledger.pipeline import Packed

Convert = Callable[[Any], Any]

#: The stored columns of the imported tables whose values the driver takes in another form than
#: the parsed one, by table: ``bool``, ``float``, ``date``.  (JSON columns are left out: an import
#: only ever writes NULL into them, which needs no conversion; the test checks that too.)
CONVERTED: dict[str, dict[str, str]] = {
    "person": {"frontline": "bool"},
    "honor": {},
    "studio": {"founded": "date", "area": "float", "has_sign": "bool", "has_rules": "bool", "has_plan": "bool",
               "has_display": "bool", "has_records": "bool", "has_facilities": "bool"},
    "member": {"joined": "date", "left": "date"},
    "achievement": {"date": "date", "frontline_led": "bool"},
    "activity": {"date": "date", "hours": "float"},
    "mentorship": {"start": "date", "end": "date", "agreement": "bool", "promoted_on": "date"},
    "inspection": {"score": "float"},
    "designation": {"date": "date", "deadline": "date", "approximate": "bool"},
    "assessment": {"total": "float", "imported": "bool"},
}

#: The imported tables whose rows record when they were created (``created_at``): the import's
#: start, an aware datetime in UTC, handed to the driver as it is (as the import always has).
STAMPED = frozenset({"designation", "assessment"})


def _strict_bool(value: Any) -> Any:
    """The value when it is True or False (1 and 0 are, as SQLAlchemy takes them); else its error."""
    if value not in (True, False):
        if isinstance(value, int):
            raise ValueError(f"Value {value!r} is not None, True, or False")
        raise TypeError(f"Not a boolean value: {value!r}")
    return value


def _date_text(value: Any) -> str:
    if not isinstance(value, dt.date):
        raise TypeError("SQLite Date type only accepts Python date objects as input.")
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


#: The driver form of each converted type, by database kind (a type absent here is passed as it is).
CONVERSIONS: dict[str, dict[str, Convert]] = {
    "sqlite": {"bool": lambda v: int(_strict_bool(v)), "float": float, "date": _date_text},
    "postgresql": {"bool": lambda v: bool(_strict_bool(v))},
}


def database_kind(url: str) -> str:
    """``sqlite`` or ``postgresql``: which conversions a database of this SQLAlchemy URL takes."""
    return "sqlite" if url.startswith("sqlite") else "postgresql"


@dataclass(frozen=True)
class RowLayout:
    """How one file's parsed rows look: the table's insert columns in a fixed order, with
    their defaults, and the row parser's plan (which cell goes where, after which conversion)."""

    cols: list[str]
    defaults: list[Any]
    procs: dict[str, Convert]  # driver-form conversion of the stored columns that need it
    plan: list[PlanEntry]

    @property
    def pos(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.cols)}


def row_layout(kind: Kind, mapped: Mapped, database: str) -> RowLayout:
    """The parsed-row layout of a file with these mapped columns, in the driver form of
    ``database`` (:func:`database_kind`)."""
    stored = CONVERTED[kind.table]
    conversions = CONVERSIONS[database]
    present = [col.target for _, col, _ in mapped]
    procs: dict[str, Convert] = {}
    for name in {*present, *kind.fixed, *(c.target for c in kind.columns)}:
        proc = conversions.get(stored.get(name, ""))
        if proc is not None:
            procs[name] = proc

    def raw(name: str, value: Any) -> Any:
        proc = procs.get(name)
        return value if proc is None or value is None else proc(value)

    defaults = {c.target: raw(c.target, c.default) for c in kind.columns}
    defaults.update({k: raw(k, v) for k, v in kind.fixed.items()})
    if kind.table in STAMPED:
        defaults["created_at"] = dt.datetime.now(dt.UTC)
    if kind.seq:
        defaults[kind.seq] = 1
    cols = list(defaults)
    pos = {name: i for i, name in enumerate(cols)}
    plan = [(idx, col, shown, procs.get(col.target), pos[col.target]) for idx, col, shown in mapped]
    return RowLayout(cols, [defaults[c] for c in cols], procs, plan)


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


class FileParser:
    """The rows of one file as the import writes them: ``parse_packed(line, cells)`` gives
    ``(line, cells, values, problems, blanks)``, None for a blank row.  Built before the
    database is opened; used by the parse worker and, for a second read, by the writer."""

    def __init__(self, kind: Kind, mapped: Mapped, database: str,
                 combine: Callable[[list[Any]], list[Any]] | None = None, *, text_cells: bool = False) -> None:
        self.kind = kind
        self.mapped = mapped
        self.layout = layout = row_layout(kind, mapped, database)
        self.cols = layout.cols
        self.pos = layout.pos
        self.shown = {col.key: shown for _, col, shown in mapped}
        self.combine = combine  # reference columns read together (姓名 + 身份证号), see laomo.ledger.header
        # combined reference cells are no text: only a file's own cells, all text, take the text parser
        self._cells = compile_row_parser(layout.plan, layout.defaults, text=text_cells and combine is None)
        self.all_blank = (1 << len(layout.plan)) - 1  # a row whose every mapped cell is blank

    def parse(self, line: int, cells: list[Any]) -> Row | None:
        parsed = self.parse_packed(line, cells)
        return None if parsed is None else Row(*parsed)

    def parse_packed(self, line: int, cells: list[Any]) -> Packed | None:
        """``(line, cells, values, problems, blanks)`` for a row, None for a blank one."""
        values, problems, blanks = self._cells(cells if self.combine is None else self.combine(cells))
        if blanks == self.all_blank and all(_blank(c) for c in cells):
            return None
        if not problems and self.kind.check is not None:
            for key, reason in self.kind.check(self._typed(values)):
                col = next((c for c in self.kind.columns if c.key == key), None)
                target = col.target if col else key
                shown = self.shown.get(key, col.header if col else key)
                problems.append((shown, values[self.pos[target]] if target in self.pos else "", reason))
        return line, cells, values, problems, blanks

    def _typed(self, values: list[Any]) -> dict[str, Any]:
        """Values by column name as Python objects again (for cross-field checks on dates)."""
        out = dict(zip(self.cols, values))
        for name, value in out.items():
            if name in self.layout.procs and isinstance(value, str):
                with contextlib.suppress(ValueError):
                    out[name] = dt.date.fromisoformat(value)
        return out
