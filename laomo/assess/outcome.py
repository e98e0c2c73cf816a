"""One studio's outcome in a yearly run, and what a run makes of it: a result, a staged row, counts.

A run scores each studio into an :class:`Outcome`, then *emits* it (see
:func:`emitter`): counts it in its :class:`Tally`, hands the JSON-shaped
:class:`StudioResult` to whoever keeps results and the staged row (see
:class:`laomo.assess.store.Stage`) to whoever stores them.  The parent process
and the worker process of a large run emit with the same function.

Items, checks, reasons and failure texts repeat a lot across studios:
:class:`Shared` keeps one ``[value, JSON text or None]`` entry per distinct
value, which the outcomes carry, so results share one object per distinct
value and a stored run serialises each distinct value once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple, NotRequired, TypedDict

from laomo.store.engine import json_text as column_json

#: A :class:`Shared` entry: ``[value, its JSON text or None until first needed]``.
Entry = list[Any]


class StudioResult(TypedDict):
    """One studio's result as cli.md's ``assess run`` JSON shows it (read it, do not mutate it:
    its ``items`` and ``reasons`` are shared between studios with equal values)."""

    studio: str
    name: str
    total: int | float
    grade: str
    items: dict[str, int | float]
    recommendation: str
    reasons: list[str]
    deadline: str | None
    capped: NotRequired[bool]


class Outcome(NamedTuple):
    """A studio's assessment in a run, as it travels from the scoring to the cap and the emitter.

    Immutable; the 优秀 cap makes the demoted outcome with ``_replace``.  A
    NamedTuple rather than a frozen dataclass: one is built per studio (150,000
    at national scale), and a frozen dataclass takes five times as long to
    build and three times as long to pickle to the parent process (about 1 µs
    more per studio; at 20,000 studios both are within the run's noise).
    """

    studio_id: int
    code: str
    name: str
    total: int | float
    grade: str
    items: Entry  # shared dict of item id → points
    checks: Entry  # shared dict of check id → passed
    passed: bool
    failures: Entry  # shared list of failure texts ([] unless stored and failed)
    recommendation: str
    reasons: Entry  # shared list of reason texts
    deadline: dt.date | None
    capped: bool = False


@dataclass(slots=True)
class Tally:
    """What a run counts: studios assessed, outcomes emitted by grade and by recommendation."""

    assessed: int = 0
    by_grade: dict[str, int] = field(default_factory=dict)
    by_recommendation: dict[str, int] = field(default_factory=dict)

    def add(self, other: Tally) -> None:
        self.assessed += other.assessed
        for mine, theirs in ((self.by_grade, other.by_grade), (self.by_recommendation, other.by_recommendation)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v


class Shared:
    """Equal values seen once: one :data:`Entry` per distinct value.

    Bounded: past ``limit`` entries it forgets and starts again (entries
    already handed out stay valid).  ``limit=0`` shares nothing (nothing is
    kept nor serialised).
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.seen: dict[Any, Entry] = {}
        self.limit = limit

    def of_dict(self, kind: str, d: dict[str, Any]) -> Entry:
        """For dicts whose keys are the same, in the same order, for every studio of a run."""
        return self._entry((kind, *d.values()), d) if self.limit else [d, None]

    def of_list(self, kind: str, values: list[Any]) -> Entry:
        return self._entry((kind, *values), values) if self.limit else [values, None]

    def _entry(self, key: Any, value: Any) -> Entry:
        found = self.seen.get(key)
        if found is None:
            if len(self.seen) >= self.limit:
                self.seen.clear()
            found = self.seen[key] = [value, None]
        return found


def json_text(entry: Entry) -> str:
    """The JSON text of a :class:`Shared` entry, as the engine writes JSON (:func:`laomo.store.engine.json_text`)."""
    if entry[1] is None:
        entry[1] = column_json(entry[0])
    text: str = entry[1]
    return text


#: A staged row: the values of :attr:`laomo.assess.store.Stage.COLUMNS`, in the driver's form.
Row = tuple[Any, ...]
Emit = Callable[[Outcome], None]


def emitter(tally: Tally, add_result: Callable[[StudioResult], Any] | None,
            add_row: Callable[[Row], Any] | None) -> Emit:
    """``emit(outcome)``: count it in ``tally``, then hand its result to ``add_result`` and its
    staged row to ``add_row`` (either None: not wanted)."""
    by_grade, by_rec = tally.by_grade, tally.by_recommendation
    # a standards text per distinct (passed, checks, failures, deadline, capped): a few hundred in a run
    standards_of: dict[tuple[Any, ...], str] = {}

    def emit(o: Outcome) -> None:
        grade, action, deadline = o.grade, o.recommendation, o.deadline
        by_grade[grade] = by_grade.get(grade, 0) + 1
        by_rec[action] = by_rec.get(action, 0) + 1
        when = deadline.isoformat() if deadline else None
        if add_result is not None:
            r: StudioResult = {"studio": o.code, "name": o.name, "total": o.total, "grade": grade,
                               "items": o.items[0], "recommendation": action, "reasons": o.reasons[0],
                               "deadline": when}
            if o.capped:
                r["capped"] = True
            add_result(r)
        if add_row is not None:
            checks, failures = json_text(o.checks), json_text(o.failures)
            key = (o.passed, checks, failures, when, o.capped)
            standards = standards_of.get(key)
            if standards is None:
                # the JSON text of {"passed", "checks", "failures"[, "deadline"][, "capped"]}, from the parts
                standards = "".join((
                    '{"passed":', "true" if o.passed else "false", ',"checks":', checks, ',"failures":', failures,
                    "" if when is None else f',"deadline":"{when}"', ',"capped":true' if o.capped else "", "}"))
                if len(standards_of) >= 50_000:
                    standards_of.clear()
                standards_of[key] = standards
            add_row((o.studio_id, o.total, grade, json_text(o.items), standards, action, json_text(o.reasons)))
    return emit
