"""Benchmark: bulk import of people rows against its floor, peak memory, and start-up time.

Targets (issue 2):
* importing N (default 200,000) ``people`` rows takes at most 2x the floor:
  Python's ``csv`` module plus ``sqlite3.executemany`` in one transaction into
  the person table as laomo's metadata creates it (CREATE TABLE and its
  indexes compiled for SQLite, so it cannot drift from the schema), on a
  connection set up with the pragmas laomo's engine sets while it imports
  (``laomo.store.engine.SQLITE_PRAGMAS`` and ``SQLITE_BULK_PRAGMAS``), measured on the same file, side by
  side, in one run.  The earlier floor (a bare table without the secondary
  indexes on 身份证号 and 姓名 that identity lookups need) is printed too;
* peak memory of an import of 1,000,000 rows stays under 150 MB;
* ``laomo --help`` takes at most 2x ``python -c "import typer"``.

Usage::

    python bench/bench_import.py [--rows 200000] [--memory-rows 1000000] [--repeat 3]

Prints a table and writes ``bench/out/import.json``.  Exit status 1 when a
target is missed.  Timing is never asserted by the test suite.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

#: The floor of earlier rounds: a bare person table (same columns and UNIQUE code) WITHOUT laomo's
#: secondary indexes, WAL + synchronous=FULL.  Still printed, as a second figure.
PLAIN_DDL = """
CREATE TABLE person (
    id INTEGER PRIMARY KEY, code VARCHAR(64) NOT NULL, name VARCHAR(100) NOT NULL,
    gender VARCHAR(16), birth_year INTEGER, id_number VARCHAR(18), phone VARCHAR(32),
    unit VARCHAR(200), post VARCHAR(100), frontline BOOLEAN, skill_grade VARCHAR(32),
    CONSTRAINT uq_person_code UNIQUE (code)
)"""

INSERT = ("INSERT INTO person (code, name, gender, birth_year, id_number, phone, unit, post,"
          " frontline, skill_grade) VALUES (?,?,?,?,?,?,?,?,?,?)")


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def laomo_ddl() -> list[str]:
    """The person table as laomo's own metadata creates it on SQLite (CREATE TABLE and every
    CREATE INDEX, compiled from ``laomo.models``), so the floor cannot drift from the schema."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    from laomo.models import SQLModel

    table = SQLModel.metadata.tables["person"]
    dialect = sqlite.dialect()
    return [str(CreateTable(table).compile(dialect=dialect))] + [
        str(CreateIndex(index).compile(dialect=dialect)) for index in sorted(table.indexes, key=lambda i: i.name or "")]


def laomo_pragmas() -> list[str]:
    """The pragmas laomo's connection has while it imports: those its engine sets on every SQLite
    connection, then those of a bulk import (read from ``laomo.store.engine``, never copied by hand)."""
    from laomo.store import engine

    return [*engine.SQLITE_PRAGMAS, *engine.SQLITE_BULK_PRAGMAS]


def _load(csv_path: Path, db_path: Path, pragmas: list[str], ddl: list[str]) -> float:
    """csv.reader + sqlite3.executemany in one transaction into a fresh database."""
    _fresh(db_path)
    con = sqlite3.connect(db_path, isolation_level=None)
    for pragma in pragmas:
        con.execute(pragma)
    for statement in ddl:
        con.execute(statement)
    started = time.perf_counter()
    with open(csv_path, encoding="utf-8-sig", newline="") as fp:
        reader = csv.reader(fp)
        next(reader)
        con.execute("BEGIN")
        con.executemany(INSERT, reader)
        con.execute("COMMIT")
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed


def floor(csv_path: Path, db_path: Path) -> float:
    """The honest floor: csv.reader + sqlite3.executemany in one transaction into the person table
    as laomo creates it (its indexes included), on a connection set up with laomo's pragmas."""
    return _load(csv_path, db_path, laomo_pragmas(), laomo_ddl())


def floor_plain(csv_path: Path, db_path: Path) -> float:
    """The earlier floor: the same load into a bare table without laomo's secondary indexes."""
    return _load(csv_path, db_path, ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL"], [PLAIN_DDL])


def laomo_import(csv_path: Path, db_path: Path) -> tuple[float, dict]:
    """laomo's own import (core function, same process), schema created beforehand."""
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store import db

    _fresh(db_path)
    engine = db.open_engine(str(db_path), create=True)
    started = time.perf_counter()
    with open_source(str(csv_path)) as source, db.write_session(engine) as session:
        result = import_source(session, source, kind="people")
    elapsed = time.perf_counter() - started
    db.dispose_all()
    assert result.inserted == result.read and not result.rejected, result.as_dict()
    return elapsed, result.as_dict()


def peak_memory_mb(csv_path: Path, db_path: Path) -> tuple[float, float]:
    """Peak RSS of a separate ``laomo register import`` process, and of its parse worker."""
    _fresh(db_path)
    env = dict(os.environ, LAOMO_DB=str(db_path))
    code = (
        "import resource, sys\n"
        "from laomo.cli import main\n"
        "assert main(['init', '--quiet']) == 0\n"
        f"rc = main(['register', 'import', 'people', {str(csv_path)!r}, '--quiet'])\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(rc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True)
    parent, child = out.stdout.strip().splitlines()[-1].split()
    return int(parent) / 1024, int(child) / 1024


def startup(repeat: int) -> tuple[float, float]:
    """Median wall time of ``laomo --help`` and of ``python -c 'import typer'``."""
    def median(cmd: list[str]) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    base = median([sys.executable, "-c", "import typer"])
    ours = median([sys.executable, "-m", "laomo", "--help"])
    return ours, base


def operations(ctx: Any) -> list[Any]:
    """For bench/run.py: ``laomo register import people FILE --quiet`` (a whole process, start-up
    included) into a fresh database against the floor (csv + executemany, timed inside)."""
    import harness

    from laomo.demo.generator import write_people_csv

    csv_path = ctx.work / "people-200000.csv"
    if not csv_path.exists():
        write_people_csv(csv_path, 200_000)
    target = ctx.work / "import-people.db"
    floor_db = ctx.work / "import-floor.db"

    def fresh() -> None:
        _fresh(target)
        subprocess.run(harness.laomo("--db", str(target), "init", "--quiet"), cwd=ROOT, check=True)

    return [harness.Operation(
        key="import_people_csv", label="register import people，200,000 行 CSV（命令行）",
        laomo=harness.laomo("--db", str(target), "register", "import", "people", str(csv_path), "--quiet"),
        floor=harness.python(__file__, "--floor-child", str(csv_path), str(floor_db)),
        floor_label="csv + sqlite3 executemany（laomo 的 person 表与索引、同样的 pragma）",
        ratio_target=2.0, before=fresh, warm=(csv_path,))]


def main() -> int:
    if sys.argv[1:2] == ["--floor-child"]:
        csv_path, db_path = Path(sys.argv[2]), Path(sys.argv[3])
        plain = floor_plain(csv_path, db_path)  # the earlier floor, recorded beside the honest one
        print(json.dumps({"seconds": floor(csv_path, db_path), "plain_seconds": plain}))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--memory-rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--startup-repeat", type=int, default=15)
    args = parser.parse_args()

    from laomo.demo.generator import write_people_csv

    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        csv_path = write_people_csv(tmpdir / "people.csv", args.rows)
        floors, plains, ours = [], [], []
        for _ in range(args.repeat):  # interleaved, so all see the same machine state
            floors.append(floor(csv_path, tmpdir / "floor.db"))
            plains.append(floor_plain(csv_path, tmpdir / "floor.db"))
            ours.append(laomo_import(csv_path, tmpdir / "laomo.db")[0])
        f, p, o = min(floors), min(plains), min(ours)
        big = write_people_csv(tmpdir / "people-big.csv", args.memory_rows) if args.memory_rows else None
        peak, worker_peak = peak_memory_mb(big, tmpdir / "big.db") if big else (None, None)
    help_time, typer_time = startup(args.startup_repeat)
    results = {
        "rows": args.rows,
        "floor_seconds": round(f, 3),
        "plain_floor_seconds": round(p, 3),
        "laomo_seconds": round(o, 3),
        "import_ratio": round(o / f, 2),
        "plain_import_ratio": round(o / p, 2),
        "memory_rows": args.memory_rows,
        "peak_memory_mb": round(peak, 1) if peak else None,
        "worker_peak_memory_mb": round(worker_peak, 1) if worker_peak else None,
        "help_seconds": round(help_time, 3),
        "import_typer_seconds": round(typer_time, 3),
        "startup_ratio": round(help_time / typer_time, 2),
    }
    ok = (results["import_ratio"] <= 2 and results["startup_ratio"] <= 2
          and (peak is None or (peak < 150 and worker_peak < 150)))
    results["targets_met"] = ok
    (out_dir / "import.json").write_text(json.dumps(results, indent=2))
    print(f"导入 {args.rows:,} 行：基线 {f:.2f} 秒，laomo {o:.2f} 秒，比值 {o / f:.2f}（目标 ≤ 2）")
    print(f"  无二级索引的旧基线 {p:.2f} 秒，比值 {o / p:.2f}")
    if peak is not None:
        print(f"导入 {args.memory_rows:,} 行的峰值内存：主进程 {peak:.0f} MB，解析子进程 {worker_peak:.0f} MB"
              "（目标各 < 150）")
    print(f"启动：laomo --help {help_time:.3f} 秒，import typer {typer_time:.3f} 秒，"
          f"比值 {help_time / typer_time:.2f}（目标 ≤ 2）")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
