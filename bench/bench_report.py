"""Benchmark: `report summary --year Y --format json` against its SQL floor (issue 5, target ≤ 2x).

A thin wrapper so every benchmark lives in bench/: the measurement itself is
``laomo.reports.benchmark`` (it builds or reuses a national-scale database and
times the summary's GROUP BY statements through raw sqlite3, the in-process
summary and the CLI, side by side).  Usage::

    python bench/bench_report.py --db bench/out/national.db [--build 150000]
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from laomo.reports.benchmark import main  # noqa: E402

if __name__ == "__main__":
    args = sys.argv[1:]
    if "--json-out" not in args:
        args += ["--json-out", str(ROOT / "bench" / "out" / "report.json")]
    sys.exit(main(args))
