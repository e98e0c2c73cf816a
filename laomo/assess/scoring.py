"""The studio loop of a yearly run: facts streamed in studio order, each studio scored, graded and
given its recommendation as it comes, then forgotten.

What is kept across studios: the counts (:class:`~laomo.assess.outcome.Tally`)
and, for the 优秀 cap, the studios at the capped grade (:class:`Held`: the few
numbers the cap sorts on, and the outcome whether kept or demoted), emitted once
the cap over every studio is known.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, NamedTuple

from laomo.assess.outcome import Emit, Entry, Outcome, Shared, Tally
from laomo.rules.engine import Scored, engine_for

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from laomo.rules import Profile


class Held(NamedTuple):
    """A studio at the capped grade, until the cap is known: what the cap sorts on, and what is
    emitted if the cap keeps it or demotes it."""

    scored: Scored
    kept: Outcome
    demoted: Outcome


def needed_facts(prof: Profile) -> set[str] | None:
    """Every fact an assessment with ``prof`` reads: its checks, ladder, items, recommendations and
    the facts named in their reason texts; None when the profile has a part this function does not
    know (then every fact is computed)."""
    import re

    from laomo.enums import LEVEL
    from laomo.rules.expr import fact_names
    from laomo.rules.profile import (
        CheckShareItem,
        ConditionsItem,
        FactItem,
        PerCheckItem,
        PerUnitItem,
        TiersItem,
    )

    names: set[str] = {"named_level", "grade", "total"}
    for s in prof.all_checks:
        names.update(fact_names(s.check))
    for level, _ in LEVEL.items:
        names.update(fact_names(getattr(prof.ladder, level)))
    for item in prof.scorecard.items.values():
        if isinstance(item, (CheckShareItem, PerCheckItem)):
            continue
        if isinstance(item, ConditionsItem):
            names.update(n for part in item.parts for n in fact_names(part.when))
        elif isinstance(item, TiersItem):
            names.update(n for tier in item.tiers for n in fact_names(tier.when))
        elif isinstance(item, PerUnitItem):
            names.update(u.fact for u in item.units)
        elif isinstance(item, FactItem):
            names.add(item.fact)
        else:  # pragma: no cover - a new kind of item: compute everything
            return None
    for rec in prof.recommendations:
        for cond in rec.when:
            names.update(fact_names(cond.check))
            names.update(re.findall(r"\{([a-zA-Z0-9_]+)\}", cond.reason or ""))
    return names


class Part:
    """The studio loop of a run over a range of studio ids: scores, grades, recommends.

    Emits each studio's :class:`Outcome` except those at the capped grade,
    which :meth:`run` returns as :class:`Held` until the cap over all studios
    is known; ``tally`` counts what was emitted and how many were assessed.
    ``results``/``store``: whether the run keeps results / stores rows (a run
    that does neither shares no values, and skips the failure texts).
    """

    NO_FAILURES: ClassVar[Entry] = [[], "[]"]

    def __init__(self, prof: Profile, year: int, *, results: bool, store: bool) -> None:
        self.prof, self.year, self.results, self.store = prof, year, results, store
        self.shared = Shared() if results or store else Shared(limit=0)
        self.tally = Tally()

    def run(self, conn: Connection, emit: Emit, id_range: tuple[int | None, int | None]) -> list[Held]:
        from laomo.facts import iter_facts

        prof, year, shared, store = self.prof, self.year, self.shared, self.store
        engine, cap = engine_for(prof), prof.cap
        derive, check, score, recommend = engine.generated
        grade_of, failure_texts = engine.grade, engine.failure_texts
        cap_items = sorted({i for key in cap.order if isinstance(key.by, list) for i in key.by}) if cap else []
        held: list[Held] = []
        no_failures = self.NO_FAILURES
        assessed = 0
        # who is assessed for Y (rules.md): the studios that on 31 December of Y held a naming and
        # were not revoked or closed — their state on that day, whatever was decided after it
        for sid, f, state in iter_facts(conn, year, state_on_day=True, with_state_only=True,
                                        needed=needed_facts(prof), id_range=id_range):
            if state is None or not state.active:
                continue
            assessed += 1
            derive(f)
            checks = check(f)
            items, total = score(f, checks)
            grade = grade_of(total)
            f["grade"], f["total"] = grade, total
            action, reasons, deadline = recommend(f, year)
            passed = all(checks.values())
            failures = no_failures
            if store and not passed:
                failures = shared.of_list("failures", failure_texts(f, checks))
            outcome = Outcome(sid, f["code"], f["name"], total, grade, shared.of_dict("items", items),
                              shared.of_dict("checks", checks), passed, failures, action,
                              shared.of_list("reasons", reasons), deadline)
            if cap is not None and grade == cap.grade:
                f["grade"] = cap.demote_to  # what the recommendations say if the cap demotes it
                alt_action, alt_reasons, alt_deadline = recommend(f, year)
                demoted = outcome._replace(grade=cap.demote_to, recommendation=alt_action,
                                           reasons=shared.of_list("reasons", alt_reasons),
                                           deadline=alt_deadline, capped=True)
                scored = Scored(sid, f["code"], f["name"], {i: items.get(i, 0) for i in cap_items}, total, grade)
                held.append(Held(scored, outcome, demoted))
                continue
            emit(outcome)
        self.tally.assessed += assessed
        return held


def release_held(prof: Profile, held: list[Held], assessed: int, emit: Emit) -> None:
    """Apply the cap over the ``assessed`` studios of a run to its held studios, and emit them."""
    if not held:
        return
    engine_for(prof).apply_cap([h.scored for h in held], assessed)
    for h in held:
        emit(h.demoted if h.scored.capped else h.kept)
    held.clear()
