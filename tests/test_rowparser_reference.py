"""The generated row parser equals its plain reference, for every import KIND.

``laomo.ledger.rowparser.compile_row_parser`` generates the import's innermost loop as
straight-line code per file, with remembered results for low-variety columns;
``reference_row_parser`` is the plain loop with the same contract and no memory.  For every
KIND of ``laomo.ledger.columns.KINDS``, on both database dialects (the driver-form conversions
differ), hypothesis draws the file's columns (any subset, any order, unknown columns between
them) and rows of cells — sample values, text with spaces around it, empty text, None, native
.xlsx values (numbers, booleans, dates), invalid values, short and long rows — and checks that
both parsers give the same ``(values, problems, blanks)`` for every row, types included.  A
parser is used for a whole file of rows, so remembered results are reused; a memory of one
entry per column checks the full-memory path too.

Derandomized with a fixed number of examples, so CI sees the same cases every run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from support.sample import SAMPLE

from laomo.ledger import rowparser
from laomo.ledger.columns import KINDS, Col, Kind
from laomo.ledger.parsing import RowLayout, row_layout
from laomo.ledger.rowparser import compile_row_parser, reference_row_parser
from laomo.ledger.sources import open_source

# no shrinking: a failing file is reported as drawn (shrinking files of rows takes minutes)
REFERENCE = settings(max_examples=100, derandomize=True, database=None, deadline=None,
                     phases=[Phase.explicit, Phase.generate],
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

DIALECTS = ("sqlite", "postgresql")

ODD_TEXT = ["是", "否", "有", "无", "Y", "n", "0", "1", "-1", "1.5", "2024", "2024.0", "1899", "12.5万", "125,000",
            "-3元", "1e3", "NaN", "inf", "2025-02-30", "2025/3/1", "2025.3.1", "2025年3月1日", "2025-03-01 00:00:00",
            "abc", "a b", "x\x01y", "P0001", "S0001", "X" * 70, "１２３", "男", "女", "市级", "county", "技师",
            "11010519491231002X", "11010519491231002", "13800138000", "12345", "91350100M000100Y43", "D2", "d2"]
NATIVE = [0, 1, 2, 7, 2024, -5, 10 ** 20, 0.0, 1.0, 2.5, 2024.0, 12.345, 1e300, True, False,
          dt.date(2025, 3, 1), dt.datetime(2025, 3, 1), dt.datetime(2025, 3, 1, 12, 30)]
PADDING = ["", " ", "  ", "\t", "\u3000", " \t"]


def sample_file(kind: str) -> tuple[list[str], list[list[Any]]]:
    """The sample county's file of ``kind``: header and rows (in whatever encoding it is written)."""
    with open_source(str(SAMPLE / f"{kind}.csv")) as source:
        return source.header, [cells for _, cells in source.rows()]


def _samples() -> dict[str, list[str]]:
    """Up to 40 distinct values per header from the sample county's files (valid cells)."""
    out: dict[str, list[str]] = {}
    for kind in KINDS:
        header, rows = sample_file(kind)
        for row in rows[:200]:
            for name, cell in zip(header, row):
                values = out.setdefault(name.strip().rstrip("*"), [])
                if cell not in values and len(values) < 40:
                    values.append(cell)
    return out


SAMPLES = _samples()
ALL_SAMPLES = sorted({v for values in SAMPLES.values() for v in values})


def cell_strategy(col: Col, *, text_only: bool = False) -> st.SearchStrategy[Any]:
    text = st.one_of(
        st.sampled_from(SAMPLES.get(col.header) or ["x"]),
        st.sampled_from(SAMPLES.get(col.header) or ["x"]),  # twice: a file's values repeat
        st.sampled_from(ODD_TEXT),
        st.sampled_from(ALL_SAMPLES),  # another column's value
        st.text(max_size=6),
    )
    padded = st.tuples(st.sampled_from(PADDING), text, st.sampled_from(PADDING)).map("".join)
    if text_only:  # a CSV file's cells: text, maybe blank
        return st.one_of(padded, st.sampled_from(["", " ", "\t", "\u3000"]))
    return st.one_of(padded, st.none(), st.sampled_from(["", " ", "\t"]), st.sampled_from(NATIVE))


@st.composite
def files(draw: st.DrawFn, kind: Kind, dialect: str, *, text_only: bool = False) -> tuple[RowLayout, list[list[Any]]]:
    """A file's mapped columns (as :func:`row_layout` lays them out) and its rows of cells
    (``text_only``: a CSV file's, every cell text)."""
    columns = draw(st.permutations(kind.columns))
    columns = columns[:draw(st.integers(min_value=1, max_value=len(columns)))]
    width = len(columns) + draw(st.integers(min_value=0, max_value=3))  # unknown columns in between
    places = draw(st.permutations(range(width)))
    mapped = [(idx, col, draw(st.sampled_from([col.header, col.key, col.key.upper()])))
              for idx, col in zip(places, columns)]
    layout = row_layout(kind, mapped, dialect)
    by_index = {idx: cell_strategy(col, text_only=text_only) for idx, col, _ in mapped}
    other = st.sampled_from(["", "unknown"] if text_only else ["", "unknown", None])
    row = st.tuples(*(by_index.get(i, other) for i in range(width))).map(list)
    rows = draw(st.lists(row, min_size=1, max_size=20))
    for r in rows:  # some rows are short (cells missing at the end) or long
        cut = draw(st.integers(min_value=0, max_value=width + 2))
        if cut < width:
            del r[cut:]
        elif cut > width:
            r.extend(["extra"] * (cut - width))
    return layout, rows


def typed(value: Any) -> Any:
    """A value with its type spelled out, for exact comparison (``1``, ``1.0`` and ``True`` differ)."""
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [typed(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(parse: rowparser.RowParser, cells: list[Any]) -> Any:
    try:
        return typed(parse(list(cells)))
    except Exception as exc:  # a parser's own bug: both must fail alike
        return ("raised", type(exc).__name__, str(exc))


def assert_same_parse(layout: RowLayout, rows: list[list[Any]], *, text: bool = False) -> None:
    generated = compile_row_parser(layout.plan, layout.defaults, text=text)
    reference = reference_row_parser(layout.plan, layout.defaults)
    for n, cells in enumerate(rows):
        assert outcome(generated, cells) == outcome(reference, cells), f"row {n}: {cells!r}"


@pytest.mark.parametrize("text", [False, True], ids=["any-cells", "text-cells"])
@pytest.mark.parametrize("kind", sorted(KINDS))
@REFERENCE
@given(data=st.data())
def test_generated_row_parser_equals_reference(kind: str, text: bool, data: st.DataObject) -> None:
    """Any cells (a workbook's), and the parser for a file whose cells are all text (a CSV file's)."""
    dialect = data.draw(st.sampled_from(sorted(DIALECTS)), label="dialect")
    memo = data.draw(st.sampled_from([rowparser.MEMO_SIZE, 1]), label="memo size")
    layout, rows = data.draw(files(KINDS[kind], dialect, text_only=text), label="file")
    with mock.patch.object(rowparser, "MEMO_SIZE", memo):
        assert_same_parse(layout, rows, text=text)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_sample_county_rows_parse_alike(kind: str) -> None:
    """Real files: every row of the sample county, with its own header, on both dialects."""
    header, rows = sample_file(kind)
    by_name = {c.header: c for c in KINDS[kind].columns}
    mapped = [(i, by_name[h.strip().rstrip("*")], h) for i, h in enumerate(header) if h.strip().rstrip("*") in by_name]
    for dialect in DIALECTS:
        layout = row_layout(KINDS[kind], mapped, dialect)
        assert_same_parse(layout, rows)
        assert_same_parse(layout, rows, text=all(isinstance(c, str) for r in rows for c in r))
