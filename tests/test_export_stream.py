"""Issue 14: the ledger and the assessment list are exported as streams — csv, json and xlsx written
row by row as the rows are read from the database — and the files are the same as the materialised
report gives: the same bytes (csv, json), the same cells (xlsx), the same order, formulas
neutralised, personal data masked unless asked for, an empty selection written as before."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from support.assess import load, studio


def _materialised(db, report: str, fmt: str, **params) -> bytes:
    """The reference: the report's data as whole lists, rendered at once."""
    from laomo.reports import data as d
    from laomo.reports.render import render
    from laomo.store.db import open_engine, read_session

    with read_session(open_engine(str(db))) as session:
        content = render(report, fmt, getattr(d, report)(session, **params))
    return content.encode("utf-8") if isinstance(content, str) else content


def _streamed(db, report: str, fmt: str, **params) -> bytes:
    """The library's stream: the data's rows an iterator, the file in pieces."""
    from laomo.reports import data as d
    from laomo.reports.render import stream
    from laomo.store.db import open_engine, read_session

    with read_session(open_engine(str(db))) as session:
        data = getattr(d, f"{report}_stream")(session, **params)
        assert not isinstance(data["studios" if report == "ledger" else "results"], list)
        return b"".join(stream(report, fmt, data))


def _cells(content: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    return [[c.value for c in row] for ws in load_workbook(io.BytesIO(content)).worksheets for row in ws.iter_rows()]


def _export(cli, tmp_path, report: str, fmt: str, *args: str) -> bytes:
    out = tmp_path / f"{report}.{fmt}"
    r = cli("report", report, *args, "--format", fmt, "--out", out)
    assert r.code == 0, r
    return out.read_bytes()


LEDGER_CASES = [
    ((), {}),
    (("--status", "named"), {"status": "named"}),
    (("--level", "county"), {"level": "county"}),
    (("--show-pii",), {"show_pii": True}),
]


@pytest.mark.parametrize("args, params", LEDGER_CASES)
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_the_streamed_ledger_is_the_materialised_one(cli, assessed, tmp_path, fmt, args, params):
    got = _export(cli, tmp_path, "ledger", fmt, *args)
    want = _materialised(assessed, "ledger", fmt, **params)
    streamed = _streamed(assessed, "ledger", fmt, **params)
    if fmt == "xlsx":
        assert _cells(got) == _cells(want) == _cells(streamed)
    else:
        assert got == want == streamed


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx"])
def test_the_streamed_assessment_list_is_the_materialised_one(cli, assessed, tmp_path, fmt):
    for year in (2024, 2025):
        got = _export(cli, tmp_path, "assessment", fmt, "--year", str(year))
        want = _materialised(assessed, "assessment", fmt, year=year)
        streamed = _streamed(assessed, "assessment", fmt, year=year)
        assert (_cells(got) == _cells(want) == _cells(streamed)) if fmt == "xlsx" else (got == want == streamed)


def test_the_ledger_streams_by_code_and_the_list_by_grade_total_and_code(cli, assessed, tmp_path):
    from laomo.enums import GRADE

    ledger = json.loads(_streamed(assessed, "ledger", "json"))
    codes = [s["studio"] for s in ledger["studios"]]
    assert len(codes) > 10 and codes == sorted(codes)
    assert ledger["count"] == len(codes) and sum(ledger["by_status"].values()) == len(codes)

    results = json.loads(_streamed(assessed, "assessment", "json", year=2025))["results"]
    keys = [(GRADE.rank(r["grade"]), -(r["total"] or 0), r["studio"]) for r in results]
    assert len(keys) > 10 and keys == sorted(keys)
    rows = list(csv.reader(io.StringIO(_export(cli, tmp_path, "assessment", "csv", "--year", "2025")
                                       .decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == [r["studio"] for r in results]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(1, len(results) + 1)]


def test_the_writers_read_the_rows_as_they_write(assessed):
    """A writer pulls rows as it goes: the first pieces are out before most rows have been read."""
    from laomo.reports import data as d
    from laomo.reports.render import stream
    from laomo.store.db import open_engine, read_session

    with read_session(open_engine(str(assessed))) as session:
        data = d.ledger_stream(session)
        assert not isinstance(data["studios"], list)
        template = next(data["studios"])
    read = []

    def rows():
        for n in range(20_000):
            read.append(n)
            yield template._replace(studio=f"Z{n:06d}")

    for fmt in ("csv", "json"):
        read.clear()
        pieces = stream("ledger", fmt, {**data, "count": 20_000, "studios": rows()})
        next(pieces), next(pieces)
        assert 0 < len(read) < 5_000, fmt
        assert sum(1 for _ in pieces) > 5 and len(read) == 20_000


def test_formula_looking_text_is_neutralised_in_the_streamed_files(cli, assessed, tmp_path):
    from laomo.store.db import open_engine

    records = studio("Y0001", named=[("county", "2025-12-01")])
    records["studios"][0].update(name="=1+2", unit="@SUM(A1)")
    records["people"][0].update(name="-3+4")
    load(open_engine(str(assessed)), records)

    rows = list(csv.reader(io.StringIO(_export(cli, tmp_path, "ledger", "csv").decode("utf-8-sig"))))
    row = dict(zip(rows[0], next(r for r in rows if r[0] == "Y0001")))
    assert (row["名称"], row["所在单位"], row["领衔人"]) == ("'=1+2", "'@SUM(A1)", "'-3+4")
    streamed = _streamed(assessed, "ledger", "csv").decode("utf-8-sig")
    assert "'=1+2" in streamed and "'@SUM(A1)" in streamed and "'-3+4" in streamed
    cells = [c for r in _cells(_export(cli, tmp_path, "ledger", "xlsx")) for c in r]
    assert _cells(_streamed(assessed, "ledger", "xlsx")) == _cells((tmp_path / "ledger.xlsx").read_bytes())
    assert "'=1+2" in cells and "'@SUM(A1)" in cells and "'-3+4" in cells
    assert not any(isinstance(c, str) and c.lstrip().startswith(("=", "+", "-", "@")) for c in cells)
    with zipfile.ZipFile(tmp_path / "ledger.xlsx") as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_id_and_phone_numbers_stay_masked_unless_asked_for(cli, assessed, tmp_path):
    from support.db import query

    numbers = [v for row in query(assessed, "SELECT p.id_number, p.phone FROM studio s JOIN person p "
                                            "ON p.id = s.leader_id") for v in row if v]
    assert numbers
    for fmt in ("csv", "json", "xlsx"):
        masked = _export(cli, tmp_path, "ledger", fmt)
        assert masked == _streamed(assessed, "ledger", fmt) or fmt == "xlsx"
        text = json.dumps(_cells(masked), ensure_ascii=False, default=str) if fmt == "xlsx" else masked.decode("utf-8-sig")
        assert not any(n in text for n in numbers), fmt
        assert "***" in text
        shown = _export(cli, tmp_path, "ledger", fmt, "--show-pii")
        text = json.dumps(_cells(shown), ensure_ascii=False, default=str) if fmt == "xlsx" else shown.decode("utf-8-sig")
        assert all(n in text for n in numbers), fmt
        assert (tmp_path / f"ledger.{fmt}").stat().st_mode & 0o077 == 0  # readable by its owner only


def test_a_ledger_without_matching_studios_is_written_as_before(cli, assessed, tmp_path):
    for fmt in ("csv", "json", "xlsx"):
        got = _export(cli, tmp_path, "ledger", fmt, "--county", "没有这个县")
        want = _materialised(assessed, "ledger", fmt, county="没有这个县")
        assert _cells(_streamed(assessed, "ledger", fmt, county="没有这个县")) == _cells(want) if fmt == "xlsx" \
            else _streamed(assessed, "ledger", fmt, county="没有这个县") == want
        if fmt == "xlsx":
            assert _cells(got) == _cells(want) and len(_cells(got)) == 3  # title, scope line, header
        else:
            assert got == want
    assert json.loads(_export(cli, tmp_path, "ledger", "json", "--county", "没有这个县"))["studios"] == []
    from laomo.errors import NotFound

    with pytest.raises(NotFound):
        _streamed(assessed, "assessment", "csv", year=2019)
    r = cli("report", "assessment", "--year", "2019", "--format", "csv", "--out", tmp_path / "a.csv")
    assert r.code != 0 and "2024、2025" in r.err and not (tmp_path / "a.csv").exists()


def test_csv_to_stdout_is_the_file(cli, assessed):
    r = cli("report", "ledger", "--format", "csv")
    assert r.code == 0 and r.out.encode("utf-8") == _materialised(assessed, "ledger", "csv") \
        == _streamed(assessed, "ledger", "csv")


HARD_TEXT = [" leading", "trailing ", "a&b<c>d\"e", "控制\x01字符\x1f", "_x0041_ literal", "tab\there",
             "换行\n第二行", "长" * 70, "\ufffe", "=1+1", "x" * 40_000]


def test_fast_rows_write_what_xlsxwriter_writes(monkeypatch):
    """The rows written straight into XlsxWriter's row file are the XML its own cell methods write."""
    from laomo.reports import xlsx
    from laomo.reports.tables import Column, Table

    def table() -> Table:
        cols = [Column("文本"), Column("日期", "date"), Column("金额", "money"), Column("比例", "pct"),
                Column("整数", "int")]
        rows = [[t, d, m, p, n] for t, d, m, p, n in zip(
            HARD_TEXT, ["2024-02-29", "1900-01-01", "not a date", "", None, "2030-12-31"] * 2,
            [1, 1.5, None, 10**17, -3, 0.1] * 2, [0.125, 1.0, None, 0, 2 / 3, 1e-9] * 2, [True, False, 7, "", 0, 9] * 2)]
        rows.append(["合计", "", 12345, 1.0, 2])
        return Table("难写的表", cols, rows, "表")

    def sheet() -> bytes:
        buf = io.BytesIO()
        xlsx.write_xlsx(buf, [table()], "t", xlsx.Heading(title="t", union="u", scope="s", date="2026-01-01"))
        with zipfile.ZipFile(buf) as z:
            return z.read("xl/worksheets/sheet1.xml") + z.read("xl/styles.xml")

    fast = sheet()
    monkeypatch.setattr(xlsx, "fast_rows_supported", lambda ws: False)
    assert fast == sheet()


def _sheet_xml(table, fast: bool) -> bytes:
    """The sheet and styles XML of a one-table workbook, its rows written fast or by XlsxWriter's methods."""
    from unittest import mock

    from laomo.reports import xlsx

    buf = io.BytesIO()
    with mock.patch.object(xlsx, "fast_rows_supported", lambda ws: fast):
        xlsx.write_xlsx(buf, [table], "t")
    with zipfile.ZipFile(buf) as z:
        return z.read("xl/worksheets/sheet1.xml") + z.read("xl/styles.xml")


def test_rows_of_every_shape_write_what_xlsxwriter_writes():
    """Rows of plain text, blanks, numbers and dates (written from a template per combination of
    types) beside rows with a cell that needs care, a bool or a date object (written cell by cell),
    in tables of one text column and of several: the XML XlsxWriter's own cell methods write."""
    import datetime as dt

    from laomo.reports.tables import Column, Table

    cells = {"text": ["名称", "", None, "a b", "S0001", 12, " x", "x_1", "=1", "长" * 40, True, 2.5, "a\x1fb"],
             "date": ["2024-02-29", "", None, "not a date", 45000, dt.date(2020, 1, 2), "2024-02-29"],
             "money": [1, 1.5, None, "", 10**17, -3, "元"], "int": [0, 7, None, True, "x"]}
    kinds = ["text", "date", "money", "int", "text"]
    rows = [[cells[k][(n * (i + 3) + i) % len(cells[k])] for i, k in enumerate(kinds)] for n in range(300)]
    rows.append(["合计", "", 12345, 1.0, "二"])
    several = Table("表", [Column(str(i), k) for i, k in enumerate(kinds)], rows, "表")
    one = Table("表", [Column("文本")], [[r[0]] for r in rows], "表")
    for table in (several, one):
        assert _sheet_xml(table, True) == _sheet_xml(table, False)


def _cell_by_cell(table) -> bytes:
    """The reference csv: every cell through ``_csv_cell`` (what the writer did before it wrote whole pieces)."""
    from laomo.reports.render import _csv_cell

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in table.headers])
    writer.writerows([_csv_cell(v) for v in row] for row in table.rows)
    return b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8")


CSV_HARD = ["=1+2", "+86", "-3", "@SUM(A1)", " =1", "\u3000=1", "\t=1", "\r=1", "\r\n=1", "\n-1", "a,=1", '"=1"',
            '"', ",", "", " ", "x\r\n=1", "普通文字", "a\tb", "\x1c", "\xa0@", "P0001", "2024-01-01"]


def test_csv_pieces_neutralise_what_cell_by_cell_writing_does():
    """A risky cell anywhere (first or last column, a later piece, after a quote or a line break in
    the cell before) is neutralised as cell-by-cell writing does; negative numbers stay numbers."""
    from laomo.reports.render import CHUNK_ROWS, to_csv
    from laomo.reports.tables import Column, Table

    plain = [["S0001", "名称", 12, -3, 1.5, None, ""] for _ in range(CHUNK_ROWS + 7)]
    for n, text in enumerate(CSV_HARD):
        at = (n * 97) % len(plain)
        plain[at] = [text, "名称", 12, -3, 1.5, None, text]
        plain[(at + 1) % len(plain)] = ["S0002", text, -1, 0, -0.5, text, None]
    table = Table("t", [Column(str(i)) for i in range(7)], plain)
    assert to_csv(table) == _cell_by_cell(table)
    rows = list(csv.reader(io.StringIO(to_csv(table).decode("utf-8-sig"))))
    assert {r[0] for r in rows} >= {"'=1+2", "' =1", "'\r\n=1", "'\t=1"} and rows[1][3] == "-3"


try:
    from hypothesis import given
    from hypothesis import strategies as st
except ImportError:  # pragma: no cover - hypothesis is in the test extras
    given = None

if given is not None:
    _CELL = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(-1e6, 1e6, allow_nan=False),
                      st.text(st.sampled_from(list("=+-@ \t\r\n,\"'a中\u3000\xa0\x1c1")), max_size=6))

    @given(st.lists(st.lists(_CELL, min_size=3, max_size=3), max_size=40))
    def test_csv_pieces_equal_cell_by_cell_writing_on_any_cells(rows):
        from laomo.reports.render import to_csv
        from laomo.reports.tables import Column, Table

        table = Table("t", [Column("a"), Column("b"), Column("c")], rows)
        assert to_csv(table) == _cell_by_cell(table)


def test_ledger_values_are_the_same_on_every_database(assessed):
    """The studios' rows come from the driver unconverted (SQLite gives a date as text, PostgreSQL as
    a date, a sum maybe as a Decimal): the ledger still holds ISO dates, whole numbers as int."""
    import datetime as dt
    import re

    from sqlmodel import select

    from laomo.models import Studio
    from laomo.reports import data as d
    from laomo.store.db import open_engine, read_session

    with read_session(open_engine(str(assessed))) as session:
        rows = d.ledger(session)["studios"]
        founded = {s.code: s.founded for s in session.exec(select(Studio)).all()}
    assert rows and any(r["founded"] for r in rows) and any(r["benefit"] for r in rows)
    for r in rows:
        want = founded[r["studio"]]
        assert r["founded"] == (want.isoformat() if isinstance(want, dt.date) else None)
        assert r["founded"] is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", r["founded"])
        assert type(r["benefit"]) is int and type(r["members"]) is int
        assert r["area"] is None or type(r["area"]) is (int if float(r["area"]).is_integer() else float)


def test_driver_partitions_stream_in_pieces_of_the_size_asked(assessed):
    """The driver's rows come in lists of ``size`` (not one row per fetch), values as the driver gives them."""
    from sqlalchemy import select

    from laomo.models import Studio
    from laomo.store.bulk import driver_partitions
    from laomo.store.db import open_engine

    s = Studio.__table__
    with open_engine(str(assessed)).connect() as conn:
        codes = [c for (c,) in conn.execute(select(s.c.code).order_by(s.c.code))]
        parts = list(driver_partitions(conn, select(s.c.code).where(s.c.code >= codes[1]).order_by(s.c.code), size=2))
    assert len(codes) >= 4
    assert [len(p) for p in parts] == [2] * ((len(codes) - 1) // 2) + ([1] if (len(codes) - 1) % 2 else [])
    assert [r[0] for p in parts for r in p] == codes[1:]


def test_driver_partitions_give_the_rows_sqlalchemy_gives(assessed):
    """The same rows as SQLAlchemy's execution for statements with IN lists (also empty), dates and
    named parameters: the parameters converted by the dialect's own types."""
    import datetime as dt

    from sqlalchemy import bindparam, select

    from laomo.models import Designation, Studio
    from laomo.store.bulk import driver_partitions
    from laomo.store.db import open_engine

    s, d = Studio.__table__, Designation.__table__
    with open_engine(str(assessed)).connect() as conn:
        codes = [c for (c,) in conn.execute(select(s.c.code).order_by(s.c.code))]
        statements = [
            select(s.c.code, s.c.founded).where(s.c.code.in_(codes[1:4])).order_by(s.c.code),
            select(s.c.code).where(s.c.founded <= dt.date(2016, 1, 1)).order_by(s.c.code),
            select(d.c.id).where(d.c.date >= dt.date(2020, 1, 1), d.c.level.in_(["county", "city"])).order_by(d.c.id),
            select(s.c.code).where(s.c.code == bindparam("wanted", codes[0])),
            select(s.c.code).where(s.c.code.in_([])),
        ]
        for stmt in statements:
            want = [tuple(r) for r in conn.execute(stmt)]
            got = [tuple(r) for part in driver_partitions(conn, stmt, size=3) for r in part]
            assert [r[0] for r in got] == [r[0] for r in want], stmt
        assert len(list(conn.execute(statements[0]))) == 3 and list(conn.execute(statements[2]))
