"""Benchmark: the yearly assessment at national scale against its floor, and its peak memory.

Targets (issue 3, "Performance"):
* ``assess run`` for one year over a national-scale database takes at most
  **3x** the floor — one SQL ``GROUP BY`` pass per fact table over the same
  database, with the same driver (the engine's ``sqlite3`` connection), every
  result row fetched — measured side by side in one run;
* memory stays flat: peak RSS of the assessment well under 1 GB (target
  < 1024 MB; a 150,000-studio run is expected far below that).

The database (default 150,000 studios, ~1M members, ~1.5M activities, ~750k
achievements, ~300k mentorships, 5 years 2021–2025, designations,
inspections and imported grades) is built with the real code paths:
:func:`laomo.demo.generator.write_large_county` streams the ten CSV files, then the
real importer (``import_source`` inside ``write_session(snapshot=True)``,
exactly what ``laomo register import KIND FILE`` runs) loads them in import
order.  At 150,000 studios that takes several minutes (about 1 min of CSV
generation plus the import of ~5M rows; the figures are printed and kept in
the cache's JSON).  The database is cached under ``bench/out/`` keyed by its
parameters (``assess-n{studios}-s{seed}-{first}-{last}.db``) and reused when
its schema is current; ``--rebuild`` forces a new one.

What is measured, each in a fresh child process (so that each one's peak
RSS is its own, read from ``getrusage``), interleaved ``--repeat`` times
after one untimed warm-up pass that brings the file into the page cache:

* **floor** — the minimal queries (see :data:`FLOOR_QUERIES`): studios with
  their leader, members active on 31 Dec Y with the front-line flag,
  honors of leaders, achievements of Y per studio and type, activities of Y
  per studio and kind, mentorships running in Y / promoted in Y, on-site
  inspections of Y, designations per studio/action/level, stored grades of
  Y−1; ``fetchall()`` of each;
* **dry run** — ``run_assessment(session, year=Y, dry_run=True, parallel=True)``
  in a read session (what ``assess run --year Y --dry-run`` computes, the worker
  process included when a second core is free, without the what-if comparison
  with stored rows);
* **stored run** — ``store_assessment(engine, year=Y)``, committed (what
  ``assess run --year Y`` does: its own transaction, holding the write lock
  only while writing, and at this scale half of the studios computed by a
  child process).  Before each one, the
  rows of earlier runs of Y are deleted (untimed), so every stored run
  starts from the same state; the imported grades are kept;
* **command line** — ``laomo --db FILE assess run --year Y --quiet`` as a
  process of its own, timed from outside (start-up and profile loading
  included): what the January cron job runs.  It keeps no per-studio
  results in memory (``results=False``).

The ratio is the best (minimum) time of each over the best floor time.

Usage::

    python bench/bench_assess.py [--studios 150000] [--year 2025] [--repeat 2]
    python bench/bench_assess.py --studios 2000      # smoke mode, well under a minute
    python bench/bench_assess.py --parts             # where a stored run's time goes, part by part

(At a few thousand studios the ratio means little: loading and compiling the
rules profile, a fixed ~0.2 s, outweighs the floor.  The target is for the
national scale.)

Prints Chinese summary lines and writes ``bench/out/assess.json`` (or
``assess-n{studios}.json`` for a non-default size).  Exit status 1 when a
target is missed.  Timing is never asserted by the test suite.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
RATIO_TARGET = 3.0
MEMORY_TARGET_MB = 1024.0

#: The floor: one pass per fact table, the facts a minimal implementation of
#: henan-2015 needs, parameters (D = 31 Dec Y, start = 1 Jan Y, Y, Y-1).
FLOOR_QUERIES: dict[str, str] = {
    "studios+leader": (
        "SELECT s.id, s.code, s.name, s.has_sign, s.has_rules, s.has_plan, s.has_display, s.has_records,"
        " s.has_facilities, s.area, s.funds, p.skill_grade"
        " FROM studio s JOIN person p ON p.id = s.leader_id"
    ),
    "members": (
        "SELECT m.studio_id, COUNT(*), SUM(CASE WHEN p.frontline THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN m.person_id = s.leader_id THEN 1 ELSE 0 END)"
        " FROM member m JOIN person p ON p.id = m.person_id JOIN studio s ON s.id = m.studio_id"
        " WHERE (m.joined IS NULL OR m.joined <= :d) AND (m.left IS NULL OR m.left >= :d)"
        " GROUP BY m.studio_id"
    ),
    "honors of leaders": (
        "SELECT s.id, h.kind, COUNT(*) FROM studio s JOIN honor h ON h.person_id = s.leader_id"
        " WHERE h.year <= :y GROUP BY s.id, h.kind"
    ),
    "achievements": (
        "SELECT studio_id, type, COUNT(*), SUM(benefit),"
        " SUM(CASE WHEN stage = 'promotion' THEN 1 ELSE 0 END)"
        " FROM achievement WHERE date >= :start AND date <= :d GROUP BY studio_id, type"
    ),
    "activities": (
        "SELECT studio_id, kind, COUNT(*), SUM(participants)"
        " FROM activity WHERE date >= :start AND date <= :d GROUP BY studio_id, kind"
    ),
    "mentorships": (
        "SELECT studio_id,"
        " SUM(CASE WHEN start <= :d AND (\"end\" IS NULL OR \"end\" >= :start) THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN promoted_on >= :start AND promoted_on <= :d THEN 1 ELSE 0 END)"
        " FROM mentorship GROUP BY studio_id"
    ),
    "inspections": "SELECT studio_id, item, score FROM inspection WHERE year = :y",
    "designations": (
        "SELECT studio_id, action, level, MIN(date), MAX(date), COUNT(*)"
        " FROM designation WHERE date <= :d GROUP BY studio_id, action, level"
    ),
    "assessments Y-1": "SELECT studio_id, grade FROM assessment WHERE year = :y1",
}


# --------------------------------------------------------------------------- the database


def db_path(studios: int, seed: int, years: tuple[int, int]) -> Path:
    return OUT / f"assess-n{studios}-s{seed}-{years[0]}-{years[1]}.db"


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", ".json"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _reusable(path: Path) -> dict | None:
    """The cached build's metadata when the database exists and its schema is current."""
    meta = Path(str(path) + ".json")
    if not (path.exists() and meta.exists()):
        return None
    from laomo.store import db
    try:
        engine = db.make_engine(db.resolve_url(str(path)))
        try:
            if db.current_revision(engine) != db.HEAD:
                return None
        finally:
            engine.dispose()
    except Exception:
        return None
    return json.loads(meta.read_text(encoding="utf-8"))


def build(studios: int, seed: int, years: tuple[int, int], rebuild: bool = False) -> tuple[Path, dict]:
    """Build (or reuse) the benchmark database with write_large_county + the real importer."""
    from laomo.demo.generator import write_large_county
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store import db

    path = db_path(studios, seed, years)
    OUT.mkdir(parents=True, exist_ok=True)
    if not rebuild:
        meta = _reusable(path)
        if meta is not None:
            meta["reused"] = True
            return path, meta
    _fresh(path)
    meta: dict = {"studios": studios, "seed": seed, "years": list(years), "imported": {}}
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        started = time.perf_counter()
        files = write_large_county(Path(tmp), studios, seed=seed, years=years)
        meta["generate_seconds"] = round(time.perf_counter() - started, 1)
        print(f"生成 CSV：{meta['generate_seconds']:.1f} 秒", file=sys.stderr)
        engine = db.open_engine(str(path), create=True)
        started = time.perf_counter()
        for kind, csv_path in files:
            t0 = time.perf_counter()
            with db.write_session(engine, snapshot=True) as session, open_source(str(csv_path)) as src:
                result = import_source(session, src, kind=kind)
            if result.rejected:
                raise SystemExit(f"导入 {kind} 有 {result.rejected} 行被拒收：{result.errors[:3]}")
            meta["imported"][kind] = {"rows": result.inserted, "seconds": round(time.perf_counter() - t0, 1)}
            print(f"导入 {kind}：{result.inserted:,} 行，{time.perf_counter() - t0:.1f} 秒", file=sys.stderr)
        meta["import_seconds"] = round(time.perf_counter() - started, 1)
        db.dispose_all()
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    meta["build_seconds"] = round(meta["generate_seconds"] + meta["import_seconds"], 1)
    meta["file_mb"] = round(path.stat().st_size / 2**20, 1)
    Path(str(path) + ".json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf-8")
    meta["reused"] = False
    return path, meta


# --------------------------------------------------------------------------- the measurements (child side)


def _params(year: int) -> dict:
    import datetime as dt

    return {"d": dt.date(year, 12, 31).isoformat(), "start": dt.date(year, 1, 1).isoformat(),
            "y": year, "y1": year - 1}


def _peak_mb() -> float:
    """This process's peak RSS.  VmHWM, not ``getrusage``: on Linux ``ru_maxrss`` survives
    ``exec`` and would report the parent's high-water mark from before the fork."""
    try:
        with open("/proc/self/status", encoding="ascii") as fp:
            for line in fp:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_floor(path: Path, year: int) -> dict:
    """The floor through the engine's own driver connection (sqlite3, same pragmas)."""
    from laomo.store import db
    engine = db.open_engine(str(path))
    params = _params(year)
    rows = {}
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        started = time.perf_counter()
        for name, sql in FLOOR_QUERIES.items():
            rows[name] = len(raw.execute(sql, params).fetchall())
        elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "rows": rows}


def reset_runs(path: Path, year: int) -> int:
    """Delete the rows earlier stored runs wrote for ``year`` (imported grades stay)."""
    con = sqlite3.connect(path)
    with con:
        n = con.execute("DELETE FROM assessment WHERE year = ? AND NOT imported", (year,)).rowcount
    con.close()
    return n


def measure_assess(path: Path, year: int, dry_run: bool) -> dict:
    from laomo.assess import run_assessment, store_assessment
    from laomo.store import db

    engine = db.open_engine(str(path))
    started = time.perf_counter()
    if dry_run:
        with db.read_session(engine) as session:  # as ``assess run --dry-run`` runs it (worker included)
            result = run_assessment(session, year=year, dry_run=True, parallel=True)
    else:
        result = store_assessment(engine, year=year)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "assessed": result.assessed, "by_grade": result.by_grade,
            "by_recommendation": result.by_recommendation}


def measure_split(path: Path, year: int) -> dict:
    """A dry run without the results list (``results=False``: flat memory), its time split between
    reading the facts (the SQL and the merge, inside ``iter_facts``) and the rest (the rules)."""
    import laomo.facts
    from laomo.assess import run_assessment
    from laomo.store import db

    inner = laomo.facts.iter_facts
    in_facts = [0.0]

    def timed(*args: Any, **kwargs: Any) -> Any:
        rows = inner(*args, **kwargs)
        while True:
            t0 = time.perf_counter()
            try:
                item = next(rows)
            except StopIteration:
                in_facts[0] += time.perf_counter() - t0
                return
            in_facts[0] += time.perf_counter() - t0
            yield item

    laomo.facts.iter_facts = timed
    engine = db.open_engine(str(path))
    started = time.perf_counter()
    with db.read_session(engine) as session:
        run_assessment(session, year=year, dry_run=True, results=False)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "facts_seconds": in_facts[0], "rules_seconds": elapsed - in_facts[0]}


def measure_parts(path: Path, year: int, repeat: int = 2) -> dict:
    """Where a stored run's time goes, each part timed on its own (best of ``repeat`` in this process):

    * ``imports``: laomo's assessment, store and facts modules with SQLAlchemy/SQLModel (timed
      first, in this fresh interpreter); ``engine``: opening the engine; ``profile``: resolving
      the profile; ``compile``: compiling its rules; ``worker_start``: a fresh interpreter that
      imports what the worker needs and loads the profile (what a worker pays before its first
      studio);
    * ``sql``: every fact query of the run drained through the driver (and the designations'
      fold), no merge; ``merge``: :func:`laomo.facts.iter_facts` minus ``sql``;
    * ``rules``: the studio loop without keeping anything (derive, checks, score, grade,
      recommendations) minus ``iter_facts``; ``emit``: the same loop making the staged rows
      (what a stored run keeps), minus that; ``results``: the same loop making the result
      dicts (what a dry run keeps), minus the loop alone;
    * ``write``: the write path on a copy of the database — staging the rows, the DELETE and
      INSERT … SELECT, the run's record and audit entry, the commit (wall time).

    The parts from ``compile`` to ``results`` are CPU times of this process, best of ``repeat``.
    """
    started = time.perf_counter()
    import datetime as dt

    from laomo.assess.outcome import emitter
    from laomo.assess.profiles import resolve_profile
    from laomo.assess.scoring import Part, needed_facts
    from laomo.assess.store import Stage, record_run
    from laomo.facts import _narrower, _rows, iter_facts
    from laomo.facts import queries as fq
    from laomo.models import Assessment  # noqa: F401 - SQLModel's import, as a run pays it
    from laomo.rules.engine import Engine
    from laomo.store import db

    out: dict[str, float] = {"imports": time.perf_counter() - started}
    t0 = time.perf_counter()
    engine = db.open_engine(str(path))
    out["engine"] = time.perf_counter() - t0

    def best(fn: Any) -> float:
        # CPU time of this process: the parts are differences of runs, and on a busy machine wall
        # times vary more than the parts themselves (the database is in the page cache: CPU-bound)
        times = []
        for _ in range(repeat):
            t = time.process_time()
            fn()
            times.append(time.process_time() - t)
        return min(times)

    import gc

    gc.disable()
    with db.read_session(engine) as session:
        t0 = time.perf_counter()
        prof = resolve_profile(session, None)
        out["profile"] = time.perf_counter() - t0
        out["compile"] = best(lambda: Engine(prof))
        conn = session.connection()
        needed = needed_facts(prof)
        scope = fq.Scope(dt.date(year, 12, 31), "base", None if needed is None else frozenset(needed),
                         state_on_day=True, narrow=_narrower(None, None))

        def drain() -> None:
            for q in (fq.STUDIOS, *fq.QUERIES):
                wanted = q.facts if q is fq.STUDIOS else q.wanted(scope)
                if q is fq.STUDIOS or q.runs(scope, wanted):
                    for _ in _rows(conn, q, scope, wanted, False):
                        pass

        def facts() -> None:
            for _ in iter_facts(conn, year, state_on_day=True, with_state_only=True, needed=needed):
                pass

        def loop(results: bool, store: bool) -> None:
            part = Part(prof, year, results=results, store=store)
            kept: list[Any] = []
            part.run(conn, emitter(part.tally, kept.append if results else None, kept.append if store else None),
                     (None, None))

        sql = out["sql"] = best(drain)
        merged = best(facts)
        out["merge"] = merged - sql
        bare = best(lambda: loop(False, False))
        out["rules"] = bare - merged
        out["emit"] = best(lambda: loop(False, True)) - bare
        out["results"] = best(lambda: loop(True, False)) - bare
    # the write path, on a copy: the rows a run stages, written as a stored run writes them
    import shutil

    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        copy = Path(tmp) / "parts.db"
        shutil.copyfile(path, copy)
        engine = db.open_engine(str(copy))
        rows: list[Any] = []
        with db.read_session(engine) as session:
            part = Part(prof, year, results=False, store=True)
            part.run(session.connection(), emitter(part.tally, None, rows.append), (None, None))
        times = []
        for _ in range(repeat):
            now = dt.datetime.now(dt.UTC)
            t = time.perf_counter()
            with db.write_session(engine) as session:
                conn = session.connection()
                stage = Stage(conn)
                for row in rows:
                    stage.add(row)
                replaced, before = stage.replace_year(year, prof, f"bench-{t}", now)
                record_run(conn, year=year, prof=prof, run_id=f"bench-{t}", now=now, replaced=replaced,
                           before=before, tally=part.tally)
            times.append(time.perf_counter() - t)
        out["write"] = min(times)
        engine.dispose()
    proc_start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import laomo.assess.worker, laomo.facts, laomo.store.db, laomo.models; "
                    "from laomo.rules import load_profile; from laomo.rules.engine import engine_for; "
                    "engine_for(load_profile(None))"], cwd=ROOT, check=True)
    out["worker_start"] = time.perf_counter() - proc_start
    return {k: round(v, 3) for k, v in out.items()}


def measure_cli(path: Path, year: int) -> dict:
    """What cron runs: ``laomo --db PATH assess run --year Y --quiet``, a whole process (start-up,
    profile loading, the run, the commit); its own peak RSS."""
    import resource

    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "laomo", "--db", str(path), "assess", "run", "--year", str(year),
                           "--quiet"], cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if proc.returncode != 0 or proc.stdout or proc.stderr:
        raise SystemExit(f"laomo assess run 失败（退出码 {proc.returncode}）：{proc.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": elapsed, "cli_peak_mb": peak / 1024}


def _child(what: str, path: Path, year: int) -> dict:
    if what == "cli":
        return measure_cli(path, year)
    if what == "parts":
        return measure_parts(path, year)
    if what == "floor":
        out = measure_floor(path, year)
    elif what == "split":
        out = measure_split(path, year)
    else:
        out = measure_assess(path, year, dry_run=(what == "dry"))
    out["peak_mb"] = _peak_mb()
    return out


def run_child(what: str, path: Path, year: int) -> dict:
    """One measurement in a fresh interpreter: its time and its own peak RSS."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", what, "--db", str(path), "--year", str(year)],
        cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"测量 {what} 失败（退出码 {proc.returncode}）")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- bench/run.py


def operations(ctx: Any) -> list[Any]:
    """For bench/run.py: the stored run (in process), the cron job (a whole process; with both
    cores and with one), the dry run, each against the floor; stored runs write to a copy."""
    import harness

    db, year = ctx.db, ctx.year
    floor = harness.python(__file__, "--child", "floor", "--db", str(db), "--year", str(year))
    label = "每个事实表一次 GROUP BY"

    def reset() -> None:
        reset_runs(ctx.writable(), year)

    def child(what: str, path: Path) -> list[str]:
        return harness.python(__file__, "--child", what, "--db", str(path), "--year", str(year))

    cron = harness.laomo("--db", str(ctx.writable()), "assess", "run", "--year", str(year), "--quiet")
    files = (Path(db), ctx.writable())  # the floor reads the national database, a stored run its copy
    ops = [
        harness.Operation(key="assess_stored", label=f"assess run {year} 并保存（进程内）", laomo=child("stored", ctx.writable()),
                          laomo_inner=True, floor=floor, floor_label=label, ratio_target=2.5, before=reset),
        harness.Operation(key="assess_cli", label="laomo assess run --quiet（定时任务，整个进程）", laomo=cron,
                          floor=floor, floor_label=label, ratio_target=2.5, before=reset),
        harness.Operation(key="assess_cli_one_core", label="同上，LAOMO_ASSESS_WORKER=0（单核）", laomo=cron,
                          floor=floor, floor_label=label, ratio_target=3.0, before=reset,
                          env={"LAOMO_ASSESS_WORKER": "0"}),
        harness.Operation(key="assess_dry_run", label="assess run --dry-run（进程内）", laomo=child("dry", db),
                          laomo_inner=True, floor=floor, floor_label=label, ratio_target=2.0),
    ]
    for op in ops:
        op.warm = files
    return ops


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studios", type=int, default=150_000, help="studios in the generated database")
    parser.add_argument("--year", type=int, default=2025, help="the year assessed")
    parser.add_argument("--repeat", type=int, default=2, help="timed rounds (floor, dry run, stored run)")
    parser.add_argument("--seed", type=int, default=1, help="seed of write_large_county")
    parser.add_argument("--first-year", type=int, default=2021, help="first year of generated data")
    parser.add_argument("--last-year", type=int, default=2025, help="last year of generated data")
    parser.add_argument("--rebuild", action="store_true", help="build the database anew even when cached")
    parser.add_argument("--parts", action="store_true",
                        help="only the cost breakdown of a stored run (see measure_parts), as JSON")
    parser.add_argument("--child", choices=("floor", "dry", "stored", "split", "cli", "parts"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(_child(args.child, Path(args.db), args.year)))
        return 0

    years = (args.first_year, args.last_year)
    path, meta = build(args.studios, args.seed, years, args.rebuild)
    if args.parts:
        print(json.dumps(run_child("parts", path, args.year), indent=2))
        return 0
    rows = {k: v["rows"] for k, v in meta["imported"].items()}
    if meta["reused"]:
        print(f"复用数据库 {path.name}（当初构建 {meta['build_seconds']:.0f} 秒）", file=sys.stderr)

    run_child("floor", path, args.year)  # warm-up: the file into the page cache
    floors, dries, stores, clis = [], [], [], []
    for _ in range(max(1, args.repeat)):  # interleaved, so all see the same machine state
        floors.append(run_child("floor", path, args.year))
        dries.append(run_child("dry", path, args.year))
        reset_runs(path, args.year)
        stores.append(run_child("stored", path, args.year))
        reset_runs(path, args.year)
        clis.append(run_child("cli", path, args.year))
    reset_runs(path, args.year)
    split = run_child("split", path, args.year)

    f = min(r["seconds"] for r in floors)
    d = min(r["seconds"] for r in dries)
    s = min(r["seconds"] for r in stores)
    c = min(r["seconds"] for r in clis)
    peak = max([r["peak_mb"] for r in dries + stores] + [r["cli_peak_mb"] for r in clis])
    results = {
        "studios": args.studios, "year": args.year, "repeat": args.repeat,
        "database": {"file": path.name, "file_mb": meta.get("file_mb"), "rows": rows,
                     "generate_seconds": meta["generate_seconds"], "import_seconds": meta["import_seconds"],
                     "build_seconds": meta["build_seconds"], "reused": meta["reused"]},
        "floor_rows": floors[0]["rows"],
        "assessed": dries[0]["assessed"], "by_grade": dries[0]["by_grade"],
        "by_recommendation": dries[0]["by_recommendation"],
        "floor_seconds": [round(r["seconds"], 3) for r in floors],
        "dry_run_seconds": [round(r["seconds"], 3) for r in dries],
        "stored_run_seconds": [round(r["seconds"], 3) for r in stores],
        "dry_run_ratio": round(d / f, 2),
        "stored_run_ratio": round(s / f, 2),
        "cli_quiet_seconds": [round(r["seconds"], 3) for r in clis],
        "cli_quiet_ratio": round(c / f, 2),
        "cli_quiet_peak_mb": round(max(r["cli_peak_mb"] for r in clis), 1),
        "floor_peak_mb": round(max(r["peak_mb"] for r in floors), 1),
        "dry_run_peak_mb": round(max(r["peak_mb"] for r in dries), 1),
        "stored_run_peak_mb": round(max(r["peak_mb"] for r in stores), 1),
        "without_results": {"seconds": round(split["seconds"], 3), "facts_seconds": round(split["facts_seconds"], 3),
                            "rules_seconds": round(split["rules_seconds"], 3), "peak_mb": round(split["peak_mb"], 1)},
    }
    ok = max(d, s, c) / f <= RATIO_TARGET and peak < MEMORY_TARGET_MB
    results["targets_met"] = ok
    name = "assess.json" if args.studios == 150_000 else f"assess-n{args.studios}.json"
    (OUT / name).write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")

    print(f"数据库：{args.studios:,} 个工作室，" + "，".join(f"{k} {v:,}" for k, v in rows.items()))
    print(f"构建：生成 CSV {meta['generate_seconds']:.0f} 秒 + 导入 {meta['import_seconds']:.0f} 秒"
          + ("（本次复用缓存）" if meta["reused"] else ""))
    print(f"{args.year} 年度考核 {results['assessed']:,} 个工作室；各项取 {len(floors)} 次中的最快一次")
    print(f"基线（每个事实表一次 GROUP BY）：{f:.2f} 秒  " + " / ".join(f"{r['seconds']:.2f}" for r in floors))
    print(f"考核试运行（dry run）：{d:.2f} 秒，比值 {d / f:.2f}（目标 ≤ {RATIO_TARGET:g}）  "
          + " / ".join(f"{r['seconds']:.2f}" for r in dries))
    print(f"考核并保存：{s:.2f} 秒，比值 {s / f:.2f}（目标 ≤ {RATIO_TARGET:g}）  "
          + " / ".join(f"{r['seconds']:.2f}" for r in stores))
    print(f"命令行 laomo assess run --quiet（定时任务的用法，含进程启动）：{c:.2f} 秒，比值 {c / f:.2f}"
          f"（目标 ≤ {RATIO_TARGET:g}）  " + " / ".join(f"{r['seconds']:.2f}" for r in clis))
    print(f"峰值内存：试运行 {results['dry_run_peak_mb']:.0f} MB，保存 {results['stored_run_peak_mb']:.0f} MB，"
          f"命令行 {results['cli_quiet_peak_mb']:.0f} MB，"
          f"基线 {results['floor_peak_mb']:.0f} MB（目标 < {MEMORY_TARGET_MB:.0f}）")
    print(f"不返回逐个结果的试运行（results=False）：{split['seconds']:.2f} 秒，其中读取事实 "
          f"{split['facts_seconds']:.2f} 秒、规则计算等 {split['rules_seconds']:.2f} 秒；峰值内存 {split['peak_mb']:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
