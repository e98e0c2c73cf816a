"""The benchmarks' shared measuring: one operation is laomo's way of doing a job and its floor,
each run as a process of its own, interleaved, best of N, with peak memory.

* :func:`sample` runs one command in a fresh process under a small wrapper process that
  times it from outside (wall time, start-up included) and reads the peak RSS of the
  command and of every process it started (``RUSAGE_CHILDREN`` of the wrapper, which has
  no other children; a worker process the command forks is counted at its own peak, the
  largest of them wins).  A command that times itself (a floor: the SQL alone, timed
  around the queries) prints ``{"seconds": …}`` as its last stdout line and
  ``inner=True`` takes that figure instead.
* An :class:`Operation` pairs laomo's command with its floor (or with another operation's
  laomo time: "xlsx against csv") and carries its targets.  :func:`measure` runs every
  operation's floor and laomo command once untimed (page cache), then ``repeat`` rounds,
  each round running every operation's floor and laomo side one after the other, so a
  busy moment of the machine hits both; each figure is the best (minimum) of its rounds.
* Before each floor and each laomo run, the files an operation reads (:attr:`Operation.warm`:
  the national database, the CSV to import) are read through once, untimed, so both sides start
  with them in the page cache.  A machine may page out file pages nobody touched for a minute
  (a round of the benchmark lasts longer than that), and then whichever side ran first paid
  for reading the database from disk and the other did not.

Nothing here is a test: timings are printed and written to ``bench/out``, never asserted
by the test suite.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


@dataclass(frozen=True)
class Sample:
    seconds: float  # the command's own figure when inner, else wall time from outside
    wall: float
    peak_mb: float
    inner: dict[str, Any]


#: Every timed command runs with its modules' bytecode cached (under bench/out), as an installed
#: laomo has it, even where the caller's environment says ``PYTHONDONTWRITEBYTECODE`` (an empty
#: value is "not set"): otherwise each run would compile laomo's sources anew (60-80 ms a process).
COMPILED = {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(OUT / "pycache")}


def sample(argv: list[str], *, inner: bool = False, env: dict[str, str] | None = None) -> Sample:
    """Run ``argv`` once in a fresh process; its time and the peak RSS of it and its children."""
    wrapper = [sys.executable, str(Path(__file__).resolve()), "--exec"] + (["--inner"] if inner else []) + ["--", *argv]
    proc = subprocess.run(wrapper, cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **COMPILED, **(env or {})})
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"测量失败（退出码 {proc.returncode}）：{' '.join(argv)}")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return Sample(out["seconds"], out["wall"], out["peak_mb"], out.get("inner") or {})


def _exec(argv: list[str], inner: bool) -> int:
    """The wrapper's side: run the command, time it, read the children's peak RSS."""
    started = time.perf_counter()
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        return proc.returncode
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures: dict[str, Any] = {}
    if inner:
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
    print(json.dumps({"seconds": figures.get("seconds", wall), "wall": wall, "peak_mb": peak, "inner": figures}))
    return 0


def python(*args: str) -> list[str]:
    """``argv`` of a Python script or module run with this interpreter."""
    return [sys.executable, *args]


def laomo(*args: str) -> list[str]:
    """``argv`` of the laomo command, as a user runs it (``python -m laomo`` = the console script)."""
    return [sys.executable, "-m", "laomo", *args]


@dataclass
class Operation:
    key: str  # stable name in summary.json
    label: str  # the table's Chinese row label
    laomo: list[str]
    floor: list[str] | None = None  # prints {"seconds": …}: timed inside (the work alone)
    floor_label: str = ""
    against: str | None = None  # the ratio is against this operation's laomo time instead of a floor
    ratio_target: float | None = None
    memory_target_mb: float | None = None
    laomo_inner: bool = False  # laomo's side times itself (an in-process measurement)
    env: dict[str, str] | None = None
    before: Callable[[], None] | None = None  # untimed, before each laomo run (reset state)
    warm: tuple[Path, ...] = ()  # files read through, untimed, before each run of either side
    samples: list[Sample] = field(default_factory=list)
    floors: list[Sample] = field(default_factory=list)


#: Bytes read at a time by :func:`warm`.
WARM_BLOCK = 8 << 20


def warm(paths: tuple[Path, ...]) -> None:
    """Read each file through once (into the page cache); a missing file is passed over."""
    buf = bytearray(WARM_BLOCK)
    for path in paths:
        try:
            with open(path, "rb", buffering=0) as fh:
                while fh.readinto(buf):
                    pass
        except FileNotFoundError:
            continue


def _laomo_run(op: Operation) -> Sample:
    if op.before is not None:
        op.before()
    warm(op.warm)
    return sample(op.laomo, inner=op.laomo_inner, env=op.env)


def _floor_run(op: Operation) -> Sample:
    assert op.floor is not None
    warm(op.warm)
    return sample(op.floor, inner=True)


def measure(ops: list[Operation], repeat: int, *, progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Warm up, then ``repeat`` interleaved rounds; one result row per operation."""
    for op in ops:  # untimed: files into the page cache, lazy caches built
        if op.floor:
            _floor_run(op)
        _laomo_run(op)
    for n in range(repeat):
        for op in ops:
            if progress:
                progress(f"第 {n + 1}/{repeat} 轮：{op.label}")
            if op.floor:
                op.floors.append(_floor_run(op))
            op.samples.append(_laomo_run(op))
    by_key = {op.key: op for op in ops}
    return [_result(op, by_key) for op in ops]


def _result(op: Operation, by_key: dict[str, Operation]) -> dict[str, Any]:
    best = min(s.seconds for s in op.samples)
    base: float | None = None
    if op.floor:
        base = min(s.seconds for s in op.floors)
    elif op.against:
        base = min(s.seconds for s in by_key[op.against].samples)
    ratio = best / base if base else None
    peak = max(s.peak_mb for s in op.samples)
    ok = (op.ratio_target is None or (ratio is not None and ratio <= op.ratio_target)) and (
        op.memory_target_mb is None or peak < op.memory_target_mb)
    return {
        "key": op.key, "label": op.label, "floor_label": op.floor_label or (
            f"{by_key[op.against].label} 的用时" if op.against else ""),
        "floor_seconds": None if base is None else round(base, 3),
        "laomo_seconds": round(best, 3), "ratio": None if ratio is None else round(ratio, 2),
        "ratio_target": op.ratio_target, "peak_mb": round(peak, 1), "memory_target_mb": op.memory_target_mb,
        "runs": [round(s.seconds, 3) for s in op.samples],
        "floor_runs": [round(s.seconds, 3) for s in op.floors],
        "met": ok,
    }


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table (the README's performance section shows it as printed)."""
    head = "| 操作 | 基线 | 基线用时 | laomo | 比值 | 目标 | 峰值内存 | 达标 |\n|---|---|---|---|---|---|---|---|"
    lines = [head]
    for r in rows:
        target = []
        if r["ratio_target"] is not None:
            target.append(f"≤ {r['ratio_target']:g}×")
        if r["memory_target_mb"] is not None:
            target.append(f"< {r['memory_target_mb']:g} MB")
        floor = "—" if r["floor_seconds"] is None else f"{r['floor_seconds']:.2f} 秒"
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}×"
        lines.append(f"| {r['label']} | {r['floor_label'] or '—'} | {floor} | {r['laomo_seconds']:.2f} 秒 | {ratio} "
                     f"| {'，'.join(target) or '—'} | {r['peak_mb']:.0f} MB | {'是' if r['met'] else '**否**'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--exec"]:
        rest = args[1:]
        inner = rest[:1] == ["--inner"]
        rest = rest[1:] if inner else rest
        if rest[:1] == ["--"]:
            rest = rest[1:]
        sys.exit(_exec(rest, inner))
    sys.exit("用法：由 bench/run.py 调用")
