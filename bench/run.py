"""One benchmark command: every performance target of laomo measured against its floor in one run.

Usage::

    python bench/run.py                    # 150,000 studios: builds bench/out/ 's database once, then reuses it
    python bench/run.py --repeat 5         # best of 5 rounds (default 4)
    python bench/run.py --load             # the same while another process keeps one core busy
    python bench/run.py --studios 2000     # a small smoke run (the ratios mean little at this size)
    python bench/run.py --only assess_cli,ledger_csv

It builds (or reuses, when its schema is current) the national database with the real import
(:func:`bench_assess.build`: ``write_large_county`` + ``import_source``), then measures each
operation of the modules ``bench_import``, ``bench_assess``, ``bench_report`` and ``bench_export``
(each module's ``operations(ctx)`` says what laomo runs, what its floor is and its targets) with
:mod:`bench.harness`: every laomo command and every floor in a process of its own, interleaved
round by round, best of N, with the peak RSS of laomo's process and the processes it starts.

Prints one table (Markdown, as the README shows it) and writes ``bench/out/summary.json``
(``summary-load.json`` with ``--load``).  Exit status 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(1, str(ROOT))

import harness

MODULES = ("bench_import", "bench_assess", "bench_report", "bench_export")


@dataclass
class Context:
    """What every module's ``operations`` gets: the national database and a scratch folder."""

    db: Path  # the national database: read-only operations use it as it is
    work: Path  # scratch: copies for operations that write, generated input files
    year: int  # the year assessed and reported
    studios: int
    _writable: Path | None = None

    def writable(self) -> Path:
        """A copy of the national database for operations that write (stored assessment runs),
        made once per benchmark run, so the cached build is never changed."""
        if self._writable is None:
            target = self.work / "national-writable.db"
            for suffix in ("-wal", "-shm"):
                Path(str(target) + suffix).unlink(missing_ok=True)
            shutil.copyfile(self.db, target)
            self._writable = target
        return self._writable


def _busy() -> subprocess.Popen[bytes]:
    """A process that keeps one core busy (the "under load" measurement)."""
    return subprocess.Popen([sys.executable, "-c", "while True: pass"])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--studios", type=int, default=150_000)
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument("--repeat", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--rebuild", action="store_true", help="build the national database anew")
    ap.add_argument("--load", action="store_true", help="keep one core busy with another process meanwhile")
    ap.add_argument("--only", default="", help="comma-separated operation keys")
    args = ap.parse_args()

    import bench_assess

    db, meta = bench_assess.build(args.studios, args.seed, (args.year - 4, args.year), args.rebuild)
    work = harness.OUT / "work"
    work.mkdir(parents=True, exist_ok=True)
    ctx = Context(db=db, work=work, year=args.year, studios=args.studios)
    ops = []
    for name in MODULES:
        module = __import__(name)
        ops.extend(module.operations(ctx))
    if args.only:
        wanted = set(args.only.split(","))
        ops = [op for op in ops if op.key in wanted or any(op.against == w for w in wanted)]

    busy = _busy() if args.load else None
    started = time.perf_counter()
    try:
        rows = harness.measure(ops, args.repeat, progress=lambda s: print(s, file=sys.stderr, flush=True))
    finally:
        if busy is not None:
            busy.kill()
            busy.wait()
    elapsed = time.perf_counter() - started
    summary = {
        "when": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_before": os.getloadavg()},
        "under_load": args.load, "repeat": args.repeat, "year": args.year,
        "database": {"file": db.name, "studios": args.studios, "file_mb": meta.get("file_mb"),
                     "rows": {k: v["rows"] for k, v in meta.get("imported", {}).items()},
                     "build_seconds": meta.get("build_seconds"), "reused": meta.get("reused")},
        "seconds": round(elapsed, 1),
        "operations": rows,
    }
    name = "summary-load.json" if args.load else "summary.json"
    if args.studios != 150_000 or args.only:
        name = name.replace(".json", f"-n{args.studios}{'-only' if args.only else ''}.json")
    (harness.OUT / name).write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{args.studios:,} 个工作室，{args.year} 年度；每项取 {args.repeat} 轮中最快一次"
          + ("；另一进程占满一个核" if args.load else "") + f"；共 {elapsed:.0f} 秒")
    print(harness.table(rows))
    print(f"写入 bench/out/{name}")
    return 0 if all(r["met"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
