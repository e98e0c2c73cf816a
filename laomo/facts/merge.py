"""One generic merge, by studio id, of row streams each ordered by studio id.

A stream is an iterator of tuples whose first value is the studio id, in ascending
order, with what its rows make of the facts: a :class:`Plan` (each fact an expression
of the row; one row per studio at most) or a :data:`Fill` (a function copying one row
into the facts; any number of rows per studio).  The merge walks the studios (the
*driver* stream, one row per studio) a chunk at a time: it takes every planned
stream's rows up to the chunk's last studio, makes each studio's facts in one go, then
hands the filled streams' rows to them — so only one chunk of facts is in memory,
whatever the number of studios, and each stream is read once, in order.

Why plans are compiled (:func:`chunk_builder`): at national scale a studio's facts
came from a dozen rows, each copied by a function call into a copy of the defaults;
one generated function that builds the chunk's dicts from the rows' values, a dict
display per studio, took 7–10 % less CPU for the 2025 run's facts of 150,000
studios (paired runs; see ``bench/bench_assess.py``).  The expressions are the plans', written
once in :mod:`laomo.facts.queries`; :func:`plan_fill` compiles the same expressions
into the :data:`Fill` of the paths that fill facts already made.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import chain, islice
from operator import itemgetter
from typing import Any

Row = tuple[Any, ...]
Facts = dict[str, Any]
#: Copies one row of a stream into the facts of its studio.
Fill = Callable[[Facts, Row], None]


@dataclass(frozen=True)
class Plan:
    """What one row makes of a studio's facts.

    ``columns``: each fact's Python expression of the row, written ``{r}`` (``"{r}[2]"``,
    ``"{r}[4] / {r}[1] if {r}[1] else 0"``).  ``empty``: the row standing for a studio
    without one — every expression must then give the fact's default (checked when
    compiled).  ``names``: what the expressions use besides the row.
    """

    columns: Mapping[str, str]
    empty: Row | None = None
    names: Mapping[str, Any] = field(default_factory=dict)


class Stream:
    """An ordered row stream, a list of rows at a time, with its :class:`Plan` or its :data:`Fill` (a
    plan's fill is compiled from it); holds the rows past the last chunk read."""

    __slots__ = ("batches", "fill", "pending", "plan")

    def __init__(self, batches: Iterator[list[Row]], fill: Fill | None = None, *, plan: Plan | None = None) -> None:
        if (fill is None) == (plan is None):
            raise ValueError("a stream has a fill or a plan")
        self.batches = batches
        self.plan = plan
        self.fill: Fill = fill if fill is not None else plan_fill(plan)  # type: ignore[arg-type]
        self.pending: list[Row] = []

    def _upto(self, last: float) -> Iterator[list[Row]]:
        """The rows of the studios up to ``last``, in order, a list at a time: whole lists while their
        last row is not past it, then the part of the next one that is not (a binary search)."""
        pending = self.pending
        while True:
            if not pending:
                got = next(self.batches, None)
                if got is None:
                    self.pending = []
                    return
                pending = got
                continue
            if pending[-1][0] <= last:
                self.pending = []
                yield pending
                pending = []
                continue
            cut = bisect_right(pending, last, key=_first)
            self.pending = pending[cut:]
            if cut:
                yield pending[:cut]
            return

    def feed(self, last: float, get: Callable[[int], Facts | None]) -> None:
        """Hand the rows of the studios up to ``last`` to their facts (``get(id)``; None: skipped)."""
        fill = self.fill
        for rows in self._upto(last):
            for row in rows:
                f = get(row[0])
                if f is not None:
                    fill(f, row)

    def take(self, last: float) -> dict[int, Row]:
        """The rows of the studios up to ``last``, by studio (one row per studio)."""
        out: dict[int, Row] = {}
        for rows in self._upto(last):
            out.update(zip(map(_first, rows), rows))
        return out


_first = itemgetter(0)


def batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """``rows`` as lists of ``size`` (the last one shorter)."""
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def _compile(source: str, names: dict[str, Any], what: str) -> Any:
    namespace = dict(names)
    exec(compile(source, f"<laomo-facts {what}>", "exec"), namespace)  # the plans are our own code
    return namespace[what]


def plan_fill(plan: Plan) -> Fill:
    """The :data:`Fill` of a plan: one row's expressions stored into the facts."""
    lines = [f"    f[{fact!r}] = {expr.format(r='r')}" for fact, expr in plan.columns.items()]
    return _compile("\n".join(["def fill(f, r):", *lines, "    return None"]), dict(plan.names), "fill")


#: Makes a chunk's facts: ``build(batch, keep, *tables)`` with the driver's rows, the studio ids
#: kept (None: all) and each planned stream's rows of the chunk by studio id.
Builder = Callable[..., dict[int, Facts]]


def chunk_builder(driver: Plan, planned: list[Plan], zero: Facts) -> Builder:
    """Compile the function making a chunk's facts from the driver's plan and the planned streams'.

    A studio's facts hold ``zero``'s facts (its order), then those only the driver makes: each
    the value of the one plan making it — the driver's row, or a stream's row of that studio or
    its ``empty`` row — or its ``zero`` value.  Raises ValueError when two plans make one fact,
    a stream's plan makes a fact ``zero`` lacks, or its ``empty`` row does not give ``zero``'s
    value (the merge would then depend on which rows exist).
    """
    made: dict[str, str] = {}
    names: dict[str, Any] = {}
    for i, plan in enumerate([driver, *planned]):
        var = "r" if i == 0 else f"s{i}"
        if i:
            _check_empty(plan, zero)
            names[f"E{i}"] = plan.empty
        for fact, expr in plan.columns.items():
            if fact in made:
                raise ValueError(f"两个查询都给出事实 {fact}")
            made[fact] = expr.format(r=var)
        for name, value in plan.names.items():
            if names.setdefault(name, value) is not value:
                raise ValueError(f"查询的表达式用了同名的 {name}")
    values = {fact: made.get(fact, _literal(fact, zero[fact])) for fact in zero}
    values.update((fact, expr) for fact, expr in made.items() if fact not in zero)
    names["_Z"] = dict(zero)
    tables = [f"t{i}" for i in range(1, len(planned) + 1)]
    source = "\n".join([
        f"def build(batch, keep{''.join(', ' + t for t in tables)}):",
        *(f"    g{i} = t{i}.get" for i in range(1, len(planned) + 1)),
        "    out = {}",
        "    for r in batch:",
        "        sid = r[0]",
        "        if keep is not None and sid not in keep:",
        "            continue",
        *(f"        s{i} = g{i}(sid, E{i})" for i in range(1, len(planned) + 1)),
        "        out[sid] = {" + ", ".join(f"{fact!r}: {expr}" for fact, expr in values.items()) + "}",
        "    return out",
    ])
    build: Builder = _compile(source, names, "build")
    return build


def _literal(fact: str, value: Any) -> str:
    """A default as the generated code writes it: a literal when it is one, else read from ``_Z``."""
    return repr(value) if value is None or type(value) in (bool, int, str) else f"_Z[{fact!r}]"


def _check_empty(plan: Plan, zero: Facts) -> None:
    if plan.empty is None:
        raise ValueError(f"查询 {sorted(plan.columns)} 没有空行")
    fill = plan_fill(plan)
    got: Facts = {}
    fill(got, plan.empty)
    for fact, value in got.items():
        if fact not in zero or value != zero[fact] or type(value) is not type(zero[fact]):
            raise ValueError(f"事实 {fact} 在没有行时应为 {zero.get(fact)!r}，空行给出 {value!r}")


def merged(driver: Stream, zero: Facts, streams: list[Stream], *, chunk: int, attached: Stream | None = None,
           only_attached: bool = False) -> Iterator[tuple[int, Facts, Any]]:
    """Yield ``(studio_id, facts, extra)`` for every row of ``driver``, in its (studio id) order.

    ``driver`` has a plan.  A studio's facts are made from its driver row and its rows of the
    planned streams (:func:`chunk_builder`); the other streams then fill them.  ``attached``:
    a stream of one row per studio, planned or filled like the others, whose second value is handed back
    as ``extra`` (None for a studio without a row); with ``only_attached``, a studio without a
    row there is skipped — its facts are never made.
    """
    if driver.plan is None:
        raise ValueError("the driver stream has a plan")
    planned = [s for s in streams if s.plan is not None]
    filled = [s for s in streams if s.plan is None]
    # a planned attached stream is one more table of the build; its second value still goes back
    own_plan = [attached.plan] if attached is not None and attached.plan is not None else []
    build = chunk_builder(driver.plan, [s.plan for s in planned if s.plan is not None] + own_plan, zero)
    rows = chain.from_iterable(driver.batches)
    while True:
        batch = list(islice(rows, chunk))
        if not batch:
            return
        last = batch[-1][0]
        extra = attached.take(last) if attached is not None else None
        chunk_facts = build(batch, extra if only_attached else None, *(s.take(last) for s in planned),
                            *([extra] if own_plan else []))
        get = chunk_facts.get
        for stream in filled:
            stream.feed(last, get)
        if attached is None or extra is None:
            for sid, f in chunk_facts.items():
                yield sid, f, None
            continue
        pick = extra.get
        if own_plan:
            for sid, f in chunk_facts.items():
                own = pick(sid)
                yield sid, f, None if own is None else own[1]
            continue
        fill = attached.fill
        for sid, f in chunk_facts.items():
            own = pick(sid)
            if own is None:
                yield sid, f, None
            else:
                fill(f, own)
                yield sid, f, own[1]


def fill_all(facts: dict[int, Facts], streams: list[Stream]) -> None:
    """Hand every row of ``streams`` to the facts of its studio (a studio not in ``facts`` is skipped)."""
    get = facts.get
    for stream in streams:
        stream.feed(float("inf"), get)
