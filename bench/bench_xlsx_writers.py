"""Which streaming xlsx writer for the ledger: XlsxWriter in constant-memory mode or openpyxl's
write-only workbook.  Both write the 150,000-studio ledger as laomo prints it (title rows, frozen
header repeated on every page, thin borders, number formats, widths from the first rows, A4
landscape one page wide, page numbers), its rows read as a stream from the national database.

* ``xlsxwriter-api``: XlsxWriter's cell methods, one call per cell;
* ``xlsxwriter``: what laomo ships — XlsxWriter, the rows' XML written into its row file
  (:func:`laomo.reports.xlsx._fast_rows`);
* ``openpyxl``: openpyxl's write-only workbook, a ``WriteOnlyCell`` per cell with its styles
  (row heights of wrapped rows left out: a small advantage to it).

Each writer runs in a process of its own, interleaved round by round, best of N; the peak RSS is
that of the process.  Usage::

    python bench/bench_xlsx_writers.py bench/out/assess-n150000-s1-2021-2025.db --repeat 3
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(BENCH.parent))

WRITERS = ("xlsxwriter", "xlsxwriter-api", "openpyxl")


def _openpyxl(out: Path, table: Any, heading: Any) -> None:
    from itertools import chain, islice

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from laomo.reports import numbers, xlsx

    rows = table.iter_rows()
    sample = list(islice(rows, xlsx.SAMPLE_ROWS))
    widths = xlsx.column_widths(table, sample)
    kinds = [c.kind for c in table.columns]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(table.sheet)
    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "C4"
    ws.print_title_rows = "3:3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    top = Alignment(vertical="top")
    wrap = Alignment(vertical="top", wrap_text=True)
    wraps = {i for i, (w, k) in enumerate(zip(widths, kinds)) if w >= xlsx.MAX_WIDTH and k == "text"}

    def cell(value: Any, **style: Any) -> Any:
        c = WriteOnlyCell(ws, value=value)
        for k, v in style.items():
            setattr(c, k, v)
        return c

    ws.append([cell(heading.title, font=Font(bold=True, size=14))])
    ws.append([cell(heading.line(), font=Font(size=9))])
    ws.append([cell(h, font=Font(bold=True), border=border, fill=PatternFill("solid", fgColor="F2F2F2"),
                    alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
               for h in table.headers])
    fmts = [numbers.XLSX_FORMATS.get(k, "General") for k in kinds]
    aligns = [wrap if i in wraps else top for i in range(len(kinds))]
    for values in chain(sample, rows):
        ws.append([cell(xlsx._value(v, k), border=border, number_format=f, alignment=a)
                   for v, k, f, a in zip(values, kinds, fmts, aligns)])
    wb.save(out)


def one(writer: str, db: Path, out: Path) -> float:
    """Write the ledger with ``writer``; the seconds taken (after the imports)."""
    import time

    from laomo.reports import data as d
    from laomo.reports import render, xlsx
    from laomo.reports import tables as tb
    from laomo.store.db import open_engine, read_session

    started = time.perf_counter()
    with read_session(open_engine(str(db))) as session:
        data = d.ledger_stream(session)
        table = tb.ledger_table(data)
        title = render.ledger_title(data)
        heading = render._heading(title, data, f"{render.ledger_filters_text(data)}：共 {data['count']} 个工作室")
        if writer == "openpyxl":
            _openpyxl(out, table, heading)
        else:
            if writer == "xlsxwriter-api":
                setattr(xlsx, "fast_rows_supported", lambda ws: False)  # noqa: B010 - XlsxWriter's cell methods
            with out.open("wb") as fh:
                xlsx.write_xlsx(fh, [table], title, heading)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    import argparse
    import json

    import harness

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--one", choices=WRITERS)
    ap.add_argument("--out", type=Path, default=harness.OUT / "work")
    args = ap.parse_args(argv)
    if args.one:
        print(json.dumps({"seconds": one(args.one, args.db, args.out)}))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    me = str(Path(__file__).resolve())
    runs: dict[str, list[Any]] = {w: [] for w in WRITERS}
    for n in range(args.repeat):
        for w in WRITERS:
            s = harness.sample(harness.python(me, str(args.db.resolve()), "--one", w, "--out",
                                              str((args.out / f"writer-{w}.xlsx").resolve())), inner=True)
            runs[w].append(s)
            print(f"第 {n + 1} 轮 {w}: {s.seconds:.2f} 秒，{s.peak_mb:.0f} MB", file=sys.stderr, flush=True)
    print("| 写法 | 用时（最快） | 各轮 | 峰值内存 | 文件 |\n|---|---|---|---|---|")
    for w in WRITERS:
        size = (args.out / f"writer-{w}.xlsx").stat().st_size / 2**20
        print(f"| {w} | {min(s.seconds for s in runs[w]):.2f} 秒 | {', '.join(f'{s.seconds:.2f}' for s in runs[w])} "
              f"| {max(s.peak_mb for s in runs[w]):.0f} MB | {size:.1f} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
