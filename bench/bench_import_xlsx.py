"""Benchmark: importing the same people rows as .xlsx and as .csv, side by side, and peak memory.

Target (issue 13): importing N (default 200,000) ``people`` rows from an .xlsx takes at most
3x the time of the same rows from a .csv.  The .xlsx is written as Excel writes one (shared
strings; 出生年份 as numbers).  Both readers an .xlsx can go through are measured: python-calamine
(what laomo uses up to ``MAX_GRID_CELLS`` cells a sheet) and openpyxl's streaming reader (what it
uses beyond, and what it used before).

Usage::

    python bench/bench_import_xlsx.py [--rows 200000] [--repeat 3] [--no-openpyxl]

Prints a table (best of ``--repeat`` runs, interleaved, so each reader sees the same machine
state) and the peak RSS of a separate ``laomo register import`` process and of its parse worker,
and writes ``bench/out/import_xlsx.json``.  Exit status 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def write_xlsx(csv_path: Path, xlsx_path: Path) -> Path:
    """The CSV's rows as Excel writes such a workbook: shared strings, the birth year a number.
    (xlsxwriter; without it, openpyxl's write-only mode, which writes every string inline.)"""
    with open(csv_path, encoding="utf-8-sig", newline="") as fp:
        rows = ([int(v) if i and j == 3 and v.isdigit() else v for j, v in enumerate(row)]
                for i, row in enumerate(csv.reader(fp)))
        try:
            import xlsxwriter
        except ImportError:
            from openpyxl import Workbook

            print("（没有 xlsxwriter：用 openpyxl 写 .xlsx，字符串内联，不是 Excel 的写法）", file=sys.stderr)
            book = Workbook(write_only=True)
            sheet = book.create_sheet("人员")
            for row in rows:
                sheet.append(row)
            book.save(xlsx_path)
            return xlsx_path
        xbook = xlsxwriter.Workbook(str(xlsx_path))
        xsheet = xbook.add_worksheet("人员")
        for i, row in enumerate(rows):
            xsheet.write_row(i, 0, row)
        xbook.close()
    return xlsx_path


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def timed_import(path: Path, db_path: Path, reader: str) -> float:
    """laomo's own import (core function, same process), schema created beforehand."""
    from laomo.ledger.importer import import_source
    from laomo.ledger.readers import workbook
    from laomo.ledger.sources import open_source
    from laomo.store import db

    _fresh(db_path)
    engine = db.open_engine(str(db_path), create=True)
    limit = workbook.MAX_GRID_CELLS
    workbook.MAX_GRID_CELLS = 0 if reader == "openpyxl" else limit
    try:
        started = time.perf_counter()
        with open_source(str(path)) as source, db.write_session(engine) as session:
            result = import_source(session, source, kind="people")
        elapsed = time.perf_counter() - started
    finally:
        workbook.MAX_GRID_CELLS = limit
        db.dispose_all()
    assert result.inserted == result.read and not result.rejected, result.as_dict()
    return elapsed


def peak_memory_mb(path: Path, db_path: Path, reader: str) -> tuple[float, float]:
    """Peak RSS of a separate ``laomo register import`` process, and of its parse worker.

    The process's own peak is read from ``VmHWM`` (Linux): ``ru_maxrss`` would keep the peak of
    this benchmark process, from which it was forked, across the ``exec``."""
    _fresh(db_path)
    env = dict(os.environ, LAOMO_DB=str(db_path))
    code = (
        "import resource, sys\n"
        "from laomo.ledger.readers import workbook\n"
        + ("workbook.MAX_GRID_CELLS = 0\n" if reader == "openpyxl" else "")
        + "from laomo.cli import main\n"
        "assert main(['init', '--quiet']) == 0\n"
        f"rc = main(['register', 'import', 'people', {str(path)!r}, '--quiet'])\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1]\n"
        "print(hwm, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(rc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True)
    parent, child = out.stdout.strip().splitlines()[-1].split()
    return int(parent) / 1024, int(child) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-openpyxl", action="store_true", help="skip the (slow) openpyxl runs")
    args = parser.parse_args()

    from laomo.demo.generator import write_people_csv

    readers = ["calamine"] + ([] if args.no_openpyxl else ["openpyxl"])
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        csv_path = write_people_csv(tmpdir / "people.csv", args.rows)
        xlsx_path = write_xlsx(csv_path, tmpdir / "people.xlsx")
        times: dict[str, list[float]] = {"csv": [], **{r: [] for r in readers}}
        for _ in range(args.repeat):  # interleaved, so all see the same machine state
            times["csv"].append(timed_import(csv_path, tmpdir / "csv.db", "csv"))
            for reader in readers:
                times[reader].append(timed_import(xlsx_path, tmpdir / f"{reader}.db", reader))
        memory = {"csv": peak_memory_mb(csv_path, tmpdir / "m.db", "csv")}
        memory.update({r: peak_memory_mb(xlsx_path, tmpdir / "m.db", r) for r in readers})
        sizes = {"csv_mb": csv_path.stat().st_size / 2**20, "xlsx_mb": xlsx_path.stat().st_size / 2**20}
    best = {k: min(v) for k, v in times.items()}
    results = {
        "rows": args.rows,
        **{k: round(v, 1) for k, v in sizes.items()},
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "ratio_to_csv": {k: round(v / best["csv"], 2) for k, v in best.items() if k != "csv"},
        "peak_memory_mb": {k: {"main": round(m[0], 1), "worker": round(m[1], 1)} for k, m in memory.items()},
    }
    ok = results["ratio_to_csv"]["calamine"] <= 3
    results["targets_met"] = ok
    (out_dir / "import_xlsx.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"导入 {args.rows:,} 行人员（最好的一次，共 {args.repeat} 次）：")
    for name, seconds in best.items():
        ratio = f"，是 CSV 的 {seconds / best['csv']:.2f} 倍" if name != "csv" else ""
        main_mb, worker_mb = memory[name]
        label = "CSV" if name == "csv" else f"XLSX（{name}）"
        print(f"  {label:<18} {seconds:6.2f} 秒{ratio}；峰值内存 主进程 {main_mb:.0f} MB，解析子进程 {worker_mb:.0f} MB")
    print(f"目标：XLSX ≤ 3 倍 CSV —— {'达到' if ok else '未达到'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
