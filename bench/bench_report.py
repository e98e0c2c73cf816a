"""Benchmark: `report summary --year Y --format json` against its SQL floor.

Builds or reuses a national-scale database and times the summary's GROUP BY statements
through the driver alone (the floor), the in-process summary and the CLI, side by side.
Usage::

    python bench/bench_report.py --db bench/out/national.db [--build 150000]
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


import argparse
import json
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any


def build(db: Path, studios: int, work: Path) -> None:
    """A national-scale database from :func:`laomo.demo.generator.write_large_county` through the real import."""
    from laomo.demo.generator import write_large_county
    from laomo.ledger.importer import import_source
    from laomo.ledger.records import init_database
    from laomo.ledger.sources import open_source
    from laomo.store import db as dbmod

    files = write_large_county(work, studios)
    engine = dbmod.open_engine(str(db), check=False)
    init_database(engine, union="全国总工会")
    for kind, path in files:
        started = time.perf_counter()
        with open_source(str(path)) as src, dbmod.write_session(engine) as session:
            result = import_source(session, src, kind=kind)
        print(f"导入 {kind}: {result.inserted} 行, {time.perf_counter() - started:.1f} s", flush=True)
    engine.dispose()


def capture(db: Path, year: int) -> list[tuple[str, Any]]:
    """The SQL statements (with parameters) that one summary runs."""
    from sqlalchemy import event

    from laomo.reports import data
    from laomo.store.db import open_engine, read_session

    engine = open_engine(str(db))
    statements: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    # statements streamed straight from the driver's cursor (laomo.facts.driver) pass no event
    import laomo.facts.driver as driver

    drain = driver._drain

    def _drained(raw: Any, sql: str, args: Any, types: list[Any], dialect: Any, batch: int) -> Any:
        statements.append((sql, args))
        return drain(raw, sql, args, types, dialect, batch)

    driver._drain = _drained
    try:
        with read_session(engine) as session:
            data.summary(session, year=year)
    finally:
        event.remove(engine, "before_cursor_execute", _record)
        driver._drain = drain
    engine.dispose()
    return list(statements)


def floor(db: Path, statements: list[tuple[str, Any]]) -> float:
    """Seconds the driver alone takes for ``statements`` (sqlite3; a server's DBAPI connection for a URL)."""
    from laomo.store.db import resolve_url, sqlite_path

    url = resolve_url(str(db))
    if sqlite_path(url) is None:
        from sqlalchemy import create_engine

        engine = create_engine(url)
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            started = time.perf_counter()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                cursor.fetchall()
            return time.perf_counter() - started
        finally:
            raw.close()
            engine.dispose()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        started = time.perf_counter()
        for statement, parameters in statements:
            con.execute(statement, parameters).fetchall()
        return time.perf_counter() - started
    finally:
        con.close()


def in_process(db: Path, year: int) -> float:
    from laomo.reports import data
    from laomo.reports.render import render
    from laomo.store.db import open_engine, read_session

    engine = open_engine(str(db))
    started = time.perf_counter()
    with read_session(engine) as session:
        render("summary", "json", data.summary(session, year=year))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def command(db: Path, year: int) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "laomo", "--db", str(db), "report", "summary", "--year", str(year),
                    "--format", "json"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def operations(ctx: Any) -> list[Any]:
    """For bench/run.py: ``laomo report summary --format json`` (a whole process) against the
    statements it runs, through the driver alone (timed inside)."""
    import harness

    return [harness.Operation(
        key="report_summary_json", label=f"report summary --year {ctx.year} --format json（命令行）",
        laomo=harness.laomo("--db", str(ctx.db), "report", "summary", "--year", str(ctx.year), "--format", "json"),
        floor=harness.python(__file__, "--floor-child", str(ctx.db), str(ctx.year)),
        floor_label="同样的 SQL 只经驱动执行", ratio_target=1.5, warm=(Path(ctx.db),))]


def main(argv: list[str] | None = None) -> int:
    if argv and argv[:1] == ["--floor-child"]:
        db, year = Path(argv[1]), int(argv[2])
        print(json.dumps({"seconds": floor(db, capture(db, year))}))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--build", type=int, metavar="STUDIOS", help="build the database first (e.g. 150000)")
    ap.add_argument("--work", type=Path, default=None, help="folder for the generated CSV files")
    ap.add_argument("--json-out", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.build:
        build(args.db, args.build, args.work or args.db.with_suffix(".data"))
    statements = capture(args.db, args.year)
    floor(args.db, statements)  # warm the page cache before measuring
    runs: dict[str, list[float]] = {"floor": [], "in_process": [], "command": []}
    for _ in range(args.repeat):
        runs["floor"].append(floor(args.db, statements))
        runs["in_process"].append(in_process(args.db, args.year))
        runs["command"].append(command(args.db, args.year))
    med = {k: statistics.median(v) for k, v in runs.items()}
    result = {
        "db": str(args.db), "year": args.year, "repeat": args.repeat, "queries": len(statements),
        "median_seconds": {k: round(v, 3) for k, v in med.items()},
        "ratio_in_process": round(med["in_process"] / med["floor"], 2),
        "ratio_command": round(med["command"] / med["floor"], 2),
        "target": 2.0,
    }
    result["ok"] = result["ratio_command"] <= 2.0
    print(f"查询 {len(statements)} 条；中位数：SQL 下限 {med['floor']:.2f} s，进程内 {med['in_process']:.2f} s "
          f"（{result['ratio_in_process']}×），命令 {med['command']:.2f} s（{result['ratio_command']}×，目标 ≤ 2×）")
    if args.json_out:
        args.json_out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--json-out" not in args:
        args += ["--json-out", str(ROOT / "bench" / "out" / "report.json")]
    sys.exit(main(args))
