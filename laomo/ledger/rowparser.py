"""One import row and the generated parser that turns a row's cells into stored values.

The parser is the import's innermost loop, so :func:`compile_row_parser` generates it
as straight-line code per file; :func:`reference_row_parser` is the plain loop it must
equal (tests pin the two together).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from laomo.ledger.columns import Col
from laomo.ledger.values import Invalid

MEMO_SIZE = 4096  # remembered cell texts per low-variety column
_MISSING = object()

#: One mapped column: (cell index, column, header as written, driver-form conversion or None,
#: position of the value in a parsed row).
PlanEntry = tuple[int, Col, str, Callable[[Any], Any] | None, int]
#: A problem with one cell: (header as written, raw value, reason).
Problem = tuple[str, Any, str]
#: ``cells -> (values, problems, blanks)``.
RowParser = Callable[[list[Any]], tuple[list[Any], list[Problem], int]]


class Row:
    __slots__ = ("blanks", "cells", "codes", "key", "line", "problems", "values")

    def __init__(self, line: int, cells: list[Any] | None, values: list[Any], problems: list[Problem],
                 blanks: int = 0):
        self.line = line
        self.cells = cells  # None when the parse worker did not send a good row's cells
        self.values = values  # the table's insert columns, in the importer's order
        self.problems = problems  # (column shown, raw value, reason)
        self.blanks = blanks  # bit i set: the cell of plan entry i was blank (see compile_row_parser)
        self.key: tuple[Any, ...] = ()
        self.codes: dict[int, str] = {}  # reference codes as written (by position), before they become ids


# long: the generated code written out line by line, both variants (any cells, text cells) in one place
def compile_row_parser(plan: list[PlanEntry], defaults: list[Any], *, text: bool = False) -> RowParser:
    """Build ``cells -> (values, problems, blanks)`` for one file's columns.

    The contract is :func:`reference_row_parser`'s: ``values`` starts as a copy of
    ``defaults``; each mapped cell is stripped when it is text; a blank one (None or
    empty text) sets bit ``i`` of ``blanks`` (``i`` = its place in ``plan``), is a
    problem for a required column and leaves the default; any other cell is parsed
    (then converted by the entry's driver-form function, if any) into its position,
    or gives the problem ``(shown, stripped cell, reason)``.  Problems come in plan
    order.  ``blanks`` tells an update which fields the row leaves as they are (a
    blank cell never erases); only the blank branch touches it, so a full row pays
    nothing for it, and a row is empty when every bit is set.

    This is the import's innermost loop (every cell of every row), so it is
    generated as straight-line code, one block per mapped column, instead of
    looping over column descriptors: the work per cell is a strip, a memo
    lookup (for low-variety columns) or a parser call, and a list store.
    ``values`` starts as a copy of the insert defaults, in insert-column order.

    ``text=True``: every cell is text (a CSV file's, ``Source.text_cells``), so the code tests
    no cell's type and a short row is padded with empty text; the same contract for such rows
    (about 15 % less time per row at 200,000 rows of people).
    """
    width = max((idx for idx, *_ in plan), default=-1) + 1
    env: dict[str, Any] = {"Invalid": Invalid, "MISSING": _MISSING, "MEMO_SIZE": MEMO_SIZE,
                           "DEFAULTS": list(defaults), "PAD": ["" if text else None] * width}
    lines = ["def row_parser(cells):",
             "    values = DEFAULTS.copy()", "    problems = []", "    blanks = 0",
             f"    if len(cells) < {width}:", "        cells = cells + PAD[len(cells):]"]
    # a text cell (every cell of a CSV file) needs no test of its type: ``typed`` is the test, or nothing
    typed = "" if text else "raw.__class__ is str and "
    for i, (idx, col, shown, proc, pos) in enumerate(plan):
        env[f"parse{i}"] = col.parse
        env[f"proc{i}"] = proc
        env[f"shown{i}"] = shown
        good, bad = f"good{i}", f"bad{i}"
        env[good], env[bad] = {}, {}
        convert = f"proc{i}(parse{i}(raw))" if proc is not None else f"parse{i}(raw)"
        missing = [f"        problems.append((shown{i}, '', '必填项为空'))"] if col.required else []
        if text:
            lines += [f"    raw = cells[{idx}].strip()", "    if not raw:"]
        else:
            lines += [f"    raw = cells[{idx}]", "    if raw.__class__ is str:", "        raw = raw.strip()",
                      "    if raw is None or raw == '':"]
        lines += [f"        blanks |= {1 << i}", *missing, "    else:"]
        if col.memo:  # remembered results, good and bad, keyed by the cell text
            lines += [
                f"        value = {good}.get(raw, MISSING)" + ("" if text else " if raw.__class__ is str else MISSING"),
                "        if value is not MISSING:",
                f"            values[{pos}] = value",
                f"        elif {typed}raw in {bad}:",
                f"            problems.append((shown{i}, raw, {bad}[raw]))",
                "        else:",
                "            try:",
                f"                value = {convert}",
                "            except Invalid as exc:",
                f"                problems.append((shown{i}, raw, str(exc)))",
                f"                if {typed}len({bad}) < MEMO_SIZE:",
                f"                    {bad}[raw] = str(exc)",
                "            else:",
                f"                values[{pos}] = value",
                f"                if {typed}len({good}) < MEMO_SIZE:",
                f"                    {good}[raw] = value",
            ]
        else:
            lines += [
                "        try:",
                f"            values[{pos}] = {convert}",
                "        except Invalid as exc:",
                f"            problems.append((shown{i}, raw, str(exc)))",
            ]
    lines.append("    return values, problems, blanks")
    exec(compile("\n".join(lines), "<laomo row parser>", "exec"), env)
    parser: RowParser = env["row_parser"]
    return parser


def reference_row_parser(plan: list[PlanEntry], defaults: list[Any]) -> RowParser:
    """The plain loop over the plan that :func:`compile_row_parser` generates straight-line code
    for: the same contract, without remembering results (so, for parsers that are functions of
    the cell, the same output; tests/test_rowparser_reference.py holds the two together)."""
    start = list(defaults)

    def row_parser(cells: list[Any]) -> tuple[list[Any], list[Problem], int]:
        values = list(start)
        problems: list[Problem] = []
        blanks = 0
        for i, (idx, col, shown, proc, pos) in enumerate(plan):
            raw = cells[idx] if idx < len(cells) else None
            if isinstance(raw, str):
                raw = raw.strip()
            if raw is None or raw == "":
                blanks |= 1 << i
                if col.required:
                    problems.append((shown, "", "必填项为空"))
                continue
            try:
                value = col.parse(raw)
                if proc is not None:
                    value = proc(value)
            except Invalid as exc:
                problems.append((shown, raw, str(exc)))
            else:
                values[pos] = value
        return values, problems, blanks

    return row_parser


