"""规则引擎：把一个规则文件编译成可以对成千上万个工作室快速求值的函数。

One :class:`Engine` per loaded profile (:func:`engine_for`).  Everything a
profile says — standards, ladder, items, grade lines, the cap, the
recommendations — is turned once into generated straight-line Python (one
function each for derive, check, score and recommend; see ``Engine._build``
and ``Engine._source``); evaluating a studio is then a handful of dictionary
look-ups and comparisons.  The ``_…_reference`` methods are the same
computations written as loops over the rules, reading each check with
:func:`laomo.rules.expr.evaluate` (no generated code): the readable
specification that tests/test_rules_reference.py checks the generated code
against, for every bundled profile.  No threshold lives here:
every number comes from the profile.

Numbers: item points are rounded to 2 decimals and given back as ``int`` when
whole (so JSON shows ``12`` rather than ``12.0``, and ``2.5`` stays ``2.5``);
the total is the rounded sum of the items.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, NamedTuple

import laomo.rules.vocab as vocab
from laomo.enums import GRADE, LEVEL
from laomo.rules.expr import (
    CodeGen,
    check_source,
    compile_check,
    describe,
    evaluate,
    fact_names,
    failure_fn,
    failures,
    format_fact,
    format_value,
    label_of,
)
from laomo.rules.profile import (
    CheckShareItem,
    ConditionsItem,
    FactItem,
    PerCheckItem,
    PerUnitItem,
    Profile,
    TiersItem,
)

Facts = MutableMapping[str, Any]


_NUM_CACHE: dict[float, int | float] = {}
_EXACT = 2 ** 53  # ints of smaller magnitude survive float() unchanged


def num(x: float) -> int | float:
    """Round to 2 decimals; an int when whole.

    Not :func:`laomo.domain.numbers.whole`, which does not round: points are rounded to
    2 decimals.  It stays here, with its cache of rounded floats, because the generated
    scoring code calls it for every item of every studio (the assessment's hot path).
    """
    t = type(x)
    if t is int:
        if -_EXACT < x < _EXACT:
            return x  # == int(round(float(x), 2))
    elif t is float:
        if x.is_integer():
            return int(x)  # a whole float rounds to itself
        r = _NUM_CACHE.get(x)
        if r is not None:
            return r
        r = round(x, 2)
        r = int(r) if r.is_integer() else r
        if len(_NUM_CACHE) < 65536:
            _NUM_CACHE[x] = r
        return r
    r = round(float(x), 2)
    return int(r) if r.is_integer() else r


@dataclass
class Scored:
    """One studio's assessment before storage."""

    studio_id: int
    code: str
    name: str
    items: dict[str, int | float]
    total: int | float
    grade: str = ""
    capped: bool = False
    checks: dict[str, bool] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    recommendation: str = "none"
    reasons: list[str] = field(default_factory=list)
    deadline: Any = None


class Generated(NamedTuple):
    """The generated functions themselves (see :meth:`Engine.derive` … :meth:`Engine.recommend`), for
    a loop over many studios: no method call around each (about 0.1 µs a call, four per studio)."""

    derive: Callable[[Facts], Facts]
    check: Callable[[Mapping[str, Any]], dict[str, bool]]
    score: Callable[[Mapping[str, Any], Mapping[str, bool]], tuple[dict[str, int | float], int | float]]
    recommend: Callable[[Mapping[str, Any], int], tuple[str, list[str], Any]]


class Engine:
    def __init__(self, profile: Profile):
        self.profile = profile
        self.labels = dict(profile.labels)
        self._checks = [(s.id, s.label, s.check) for s in profile.all_checks]
        self.standard_ids = [s.id for s in profile.standards]
        self.check_ids = [c[0] for c in self._checks]
        self._items = [(item_id, item) for item_id, item in profile.scorecard.items.items()]
        self.item_ids = [i for i, _ in self._items]
        self._grades = [(g.min, g.grade) for g in profile.grades]
        self._recs = [(r.action, [(c.reason, c.check) for c in r.when], r.deadline) for r in profile.recommendations]
        naming = profile.naming
        self._demonstrative = [] if naming is None else [
            (d.id, d.label, d.check, compile_check(d.check)) for d in naming.demonstrative]
        if naming is not None:
            self.labels.setdefault(
                "significant_achievements_total",
                f"累计经济效益不低于 {amount_text(naming.significant_benefit)}的成果数")
        self._failure_fns = [(cid, f"{cid} {label}：", failure_fn(check, self.labels), describe(check, self.labels))
                             for cid, label, check in self._checks]
        self._build()

    # ------------------------------------------------------------------ code generation

    def _build(self) -> None:
        """Generate one straight-line function each for derive, check, score and recommend.

        The generated code does exactly what the ``_…_reference`` methods describe (same
        order of operations, same types), without walking the rules per studio.
        """
        gen = CodeGen()
        lines = [*self._derive_lines(gen), *self._check_lines(gen), *self._score_lines(gen),
                 *self._recommend_lines(gen)]
        gen.env.update({"_num": num, "_min": min, "_max": max, "_sum": sum})
        namespace: dict[str, Any] = dict(gen.env)
        source = "\n".join(lines) + "\n"
        self._source = source
        exec(compile(source, f"<laomo-rules {self.profile.name}>", "exec"), namespace)
        self._derive_fn = namespace["_derive"]
        self._check_fn = namespace["_check"]
        self._score_fn = namespace["_score"]
        self._recommend_fn = namespace["_recommend"]
        self.generated = Generated(self._derive_fn, self._check_fn, self._score_fn, self._recommend_fn)

    def _derive_lines(self, gen: CodeGen) -> list[str]:
        """``_derive(f)``: :meth:`_derive_reference`."""
        lines = ["def _derive(f):", "    g = f.get", "    best = None"]
        for level, _ in LEVEL.items:
            lines += [f"    ok = {check_source(getattr(self.profile.ladder, level), gen)}",
                      f"    f[{('leader_qualifies_' + level)!r}] = ok",
                      f"    if ok: best = {level!r}"]
        return lines + ["    f['leader_max_level'] = best",
                        "    current = g('named_level')",
                        "    f['leader_qualifies_current'] = bool(current) and bool(g(f'leader_qualifies_{current}'))",
                        "    return f"]

    def _check_lines(self, gen: CodeGen) -> list[str]:
        """``_check(f)``: :meth:`_check_reference`."""
        pairs = ", ".join(f"{cid!r}: {check_source(c, gen)}" for cid, _, c in self._checks)
        return ["def _check(f):", "    g = f.get", "    return {" + pairs + "}"]

    def _score_lines(self, gen: CodeGen) -> list[str]:
        """``_score(f, c)``: :meth:`_score_reference`."""
        lines = ["def _score(f, c):", "    g = f.get", "    cg = c.get"]
        names = []
        for k, (item_id, item) in enumerate(self._items):
            v = f"_v{k}"
            points = self._points_literal(item, gen)
            item_lines = self._item_lines(item, v, gen, points)
            names.append((item_id, v))
            if self._whole_within(item, points):  # already an int in 0…max: nothing to clip or round
                lines.append("    " + item_lines[0])
                continue
            lines += ["    " + line for line in item_lines]
            cap = points(item.max)
            # num(max(0.0, min(item.max, v))), with min/max spelled out (same result, same object);
            # min(cap, ·) is idempotent, so it is not repeated after an item that ends with it
            clip = f"{v} = {v} if {v} < {cap} else {cap}"
            if item_lines[-1] != clip:
                lines.append("    " + clip)
            lines.append(f"    {v} = {v} if {v} > {points(0.0)} else {points(0.0)}")
            if item.max < 2 ** 53:  # then 0 <= v <= max: num(v) is v for an int, int(v) for a whole float
                lines.append(f"    {v} = {v} if {v}.__class__ is int else int({v}) if {v}.__class__ is float "
                             f"and {v}.is_integer() else _num({v})")
            else:
                lines.append(f"    {v} = _num({v})")
        lines.append("    items = {" + ", ".join(f"{i!r}: {v}" for i, v in names) + "}")
        if sum(item.max for _, item in self._items) < _EXACT:  # 0 <= total < 2**53: num(an int total) is itself
            return lines + ["    _total = _sum(items.values())",
                            "    return items, _total if _total.__class__ is int else _num(_total)"]
        return lines + ["    return items, _num(_sum(items.values()))"]

    def _recommend_lines(self, gen: CodeGen) -> list[str]:
        """``_recommend(f, year)``: :meth:`_recommend_reference`."""
        lines = ["def _recommend(f, year):", "    g = f.get", "    action = 'none'", "    reasons = []",
                 "    deadline = None"]
        for rec_action, conditions, rec_deadline in self._recs:
            lines.append("    matched = False")
            for reason, check in conditions:
                text = gen.bind(self._reason_fn(reason, check))
                lines += [f"    if {check_source(check, gen)}:",
                          "        matched = True",
                          f"        reasons.append({text}(f))"]
            lines += ["    if matched and action == 'none':",
                      f"        action = {gen.const(rec_action)}"]
            if rec_deadline is not None:
                lines.append(f"        deadline = {gen.bind(rec_deadline)}.for_year(year)")
        return lines + ["    return action, reasons, deadline"]

    @staticmethod
    def _points_literal(item: Any, gen: CodeGen) -> Callable[[Any], str]:
        """How an item's constants (points, bounds, 0) are written in the generated code.

        A whole float (``2.0``) is written as an int (``2``) when the item's arithmetic is exact
        either way: constants under 2**40, a maximum under 2**53 (so every value kept is exact),
        and no sum of several facts times points (``a * 5.0 + b * 3.0`` of huge or negative
        counts rounds as floats where ints would not).  The item's value is then an int
        whenever it is whole, which the last step (:func:`num`, an int when whole) passes
        through without a float test: the same value of the same type as the reference's."""
        exact = item.max < 2 ** 53 and not (isinstance(item, PerUnitItem) and len(item.units) > 1)

        def literal(value: Any) -> str:
            if exact and value.__class__ is float and value.is_integer() and abs(value) < 2 ** 40:
                return gen.const(int(value))
            return gen.const(value)
        return literal

    def _whole_within(self, item: Any, const: Callable[[Any], str]) -> bool:
        """Whether the first statement of :meth:`_item_lines` always leaves a whole ``int`` from 0 to the
        item's maximum, its constants written by ``const``: then the clip to 0…max and the rounding
        give that value back unchanged (``num(max(0.0, min(max, v)))`` is ``v`` for such an int), so
        they are not generated.  Only items whose value is made of constants alone qualify — a
        check share whose maximum divides by its checks, points per passed check, conditions, tiers
        — when every constant is written as a non-negative int literal; never an item reading a
        fact's value (its type and sign are the data's)."""
        def whole(value: Any) -> int | None:
            text = const(value)
            return int(text) if text.isdigit() else None
        if isinstance(item, CheckShareItem):
            n = len(self._check_list(item.checks))
            cap = whole(item.max)
            return bool(n) and cap is not None and cap % n == 0
        if isinstance(item, PerCheckItem):
            each = whole(item.points)
            return each is not None and each * len(self._check_list(item.checks)) <= item.max
        if isinstance(item, ConditionsItem):
            points = [whole(p.points) for p in item.parts]
            return None not in points and sum(p for p in points if p is not None) <= item.max
        if isinstance(item, TiersItem):
            values = [whole(t.points) for t in item.tiers] + [whole(item.otherwise)]
            return all(p is not None and p <= item.max for p in values)
        return False

    def _item_lines(self, item: Any, v: str, gen: CodeGen, const: Callable[[Any], str]) -> list[str]:
        """Statements leaving an item's raw points in ``v`` (before the 0…max clip and rounding),
        its constants written by ``const`` (:meth:`_points_literal`).

        ``min(a, b)`` is written ``b if b < a else a`` and ``max(a, b)`` ``b if b > a else a``,
        which is what the built-ins return.
        """
        cap = const(item.max)
        clip = f"{v} = {v} if {v} < {cap} else {cap}"  # min(cap, v)
        if isinstance(item, (CheckShareItem, PerCheckItem)):
            ids = self._check_list(item.checks)
            count = "(" + " + ".join(["0"] + [f"(1 if cg({i!r}) else 0)" for i in ids]) + ")"
            if isinstance(item, CheckShareItem):
                if ids and cap.isdigit() and int(cap) % len(ids) == 0:  # 12 × n / 6 is exactly 2 × n
                    return [f"{v} = {gen.const(int(cap) // len(ids))} * {count}"]
                return [f"{v} = {cap} * {count} / {gen.const(len(ids))}"]
            return [f"{v} = {const(item.points)} * {count}", clip]
        if isinstance(item, ConditionsItem):
            parts = [f"({const(p.points)} if {check_source(p.when, gen)} else 0)" for p in item.parts]
            return [f"{v} = " + " + ".join(["0"] + parts), clip]
        if isinstance(item, PerUnitItem):
            units = [f"(g({u.fact!r}) or 0) * {const(u.points)}" for u in item.units]
            return [f"{v} = " + " + ".join(["0"] + units), clip]
        if isinstance(item, TiersItem):
            out = const(item.otherwise)
            for t in reversed(item.tiers):
                out = f"({const(t.points)} if {check_source(t.when, gen)} else {out})"
            return [f"{v} = {out}"]
        if isinstance(item, FactItem):
            lo = const(item.min)
            return [f"{v} = g({item.fact!r})",
                    f"if {v} is None:",
                    f"    {v} = {const(item.default)}",
                    "else:",
                    "    " + clip,
                    f"    {v} = {v} if {v} > {lo} else {lo}"]  # max(lo, v)
        raise TypeError(item)  # pragma: no cover - the schema admits no other kind

    def _reason_fn(self, template: str, check: Any) -> Callable[[Mapping[str, Any]], str]:
        """``facts -> reason text``, as :meth:`reason_text` gives it."""
        if not template:
            text = describe(check, self.labels)
            return lambda f: text
        pieces = re.split(r"\{([a-zA-Z0-9_]+)\}", template)
        if len(pieces) == 1:
            return lambda f: template
        literals = pieces[0::2]
        names = pieces[1::2]

        def render(f: Mapping[str, Any]) -> str:
            out = [literals[0]]
            for name, lit in zip(names, literals[1:]):
                out.append(format_fact(name, f))
                out.append(lit)
            return "".join(out)
        return render

    # ------------------------------------------------------------------ facts derived from the profile

    def derive(self, facts: Facts) -> Facts:
        """Add the ladder facts: ``leader_qualifies_<level>``, ``…_current``, ``leader_max_level``."""
        return self._derive_fn(facts)

    def _derive_reference(self, facts: Facts) -> Facts:
        best = None
        for level, _ in LEVEL.items:
            ok = evaluate(getattr(self.profile.ladder, level), facts)
            facts[f"leader_qualifies_{level}"] = ok
            if ok:
                best = level
        facts["leader_max_level"] = best
        current = facts.get("named_level")
        facts["leader_qualifies_current"] = bool(current) and bool(facts.get(f"leader_qualifies_{current}"))
        return facts

    # ------------------------------------------------------------------ naming eligibility

    def derive_naming(self, facts: Facts, level: str) -> Facts:
        """The facts relative to the level a studio is considered for (``years_held_target``/``_lower``).

        Needs the ``years_held_<level>`` facts of :func:`laomo.facts.compute_naming_facts`.
        """
        facts["years_held_target"] = facts.get(f"years_held_{level}")
        rank = LEVEL.rank(level)
        held = [facts.get(f"years_held_{lv}") for lv, _ in LEVEL.items[:max(rank, 0)]]
        lower = [v for v in held if v is not None]
        facts["years_held_lower"] = max(lower) if lower else None
        return facts

    def ladder_failures(self, facts: Mapping[str, Any], level: str) -> list[str]:
        """Why the leader does not qualify for ``level`` (empty when qualified)."""
        check = getattr(self.profile.ladder, level)
        return failures(check, facts, self.labels)

    def demonstrative_check(self, facts: Mapping[str, Any]) -> dict[str, bool]:
        """Every ``[[naming.demonstrative]]`` check: id → passed."""
        return {cid: fn(facts) for cid, _, _, fn in self._demonstrative}

    def demonstrative_failures(self, facts: Mapping[str, Any], results: Mapping[str, bool]) -> list[str]:
        out = []
        for cid, label, check, _ in self._demonstrative:
            if not results.get(cid, True):
                why = "；".join(failures(check, facts, self.labels)) or describe(check, self.labels)
                out.append(f"{cid} {label}：{why}")
        return out

    # ------------------------------------------------------------------ standards

    def check(self, facts: Mapping[str, Any]) -> dict[str, bool]:
        """Every standard and common check: id → passed."""
        return self._check_fn(facts)

    def _check_reference(self, facts: Mapping[str, Any]) -> dict[str, bool]:
        return {cid: evaluate(check, facts) for cid, _, check in self._checks}

    def failure_texts(self, facts: Mapping[str, Any], results: Mapping[str, bool]) -> list[str]:
        out = []
        for cid, head, why, rule in self._failure_fns:
            if not results.get(cid, True):
                out.append(f"{head}{'；'.join(why(facts)) or rule}")
        return out

    def _failure_texts_reference(self, facts: Mapping[str, Any], results: Mapping[str, bool]) -> list[str]:
        out = []
        for cid, label, check in self._checks:
            if not results.get(cid, True):
                why = "；".join(failures(check, facts, self.labels)) or describe(check, self.labels)
                out.append(f"{cid} {label}：{why}")
        return out

    def check_rules(self) -> list[tuple[str, str, str]]:
        """(id, label, rule in words) for every check."""
        return [(cid, label, describe(check, self.labels)) for cid, label, check in self._checks]

    # ------------------------------------------------------------------ scorecard

    def _check_list(self, checks: Any) -> list[str]:
        return list(self.standard_ids) if checks == "standards" else list(checks)

    def _points_reference(self, item: Any, facts: Mapping[str, Any], checks: Mapping[str, bool]) -> float:
        """An item's raw points, before the 0…max clip and rounding."""
        cap = item.max
        if isinstance(item, CheckShareItem):
            ids = self._check_list(item.checks)
            return cap * sum(1 for i in ids if checks.get(i)) / len(ids)
        if isinstance(item, PerCheckItem):
            return min(cap, item.points * sum(1 for i in self._check_list(item.checks) if checks.get(i)))
        if isinstance(item, ConditionsItem):
            return min(cap, sum(p.points for p in item.parts if evaluate(p.when, facts)))
        if isinstance(item, PerUnitItem):
            return min(cap, sum((facts.get(u.fact) or 0) * u.points for u in item.units))
        if isinstance(item, TiersItem):
            for t in item.tiers:
                if evaluate(t.when, facts):
                    return t.points
            return item.otherwise
        if isinstance(item, FactItem):
            v = facts.get(item.fact)
            if v is None:
                return item.default
            return max(item.min, min(cap, v))
        raise TypeError(item)  # pragma: no cover - the schema admits no other kind

    def score(self, facts: Mapping[str, Any], checks: Mapping[str, bool]) -> tuple[dict[str, int | float], int | float]:
        return self._score_fn(facts, checks)

    def _score_reference(self, facts: Mapping[str, Any],
                         checks: Mapping[str, bool]) -> tuple[dict[str, int | float], int | float]:
        items = {item_id: num(max(0.0, min(item.max, self._points_reference(item, facts, checks))))
                 for item_id, item in self._items}
        return items, num(sum(items.values()))

    def grade(self, total: float) -> str:
        for line, grade in self._grades:
            if total >= line:
                return grade
        return self._grades[-1][1]

    def apply_cap(self, scored: list[Scored], assessed: int) -> None:
        """Keep the first ``max(minimum, floor(ratio × assessed))`` of the capped grade, demote the rest."""
        cap = self.profile.cap
        if cap is None:
            return
        top = [s for s in scored if s.grade == cap.grade]
        keep = max(cap.minimum, math.floor(Fraction(str(cap.ratio)) * assessed))
        if len(top) <= keep:
            return
        for key in reversed(cap.order):  # stable sorts, least significant key first
            if key.by == "total":
                top.sort(key=lambda s: s.total, reverse=key.desc)
            elif key.by == "code":
                top.sort(key=lambda s: s.code, reverse=key.desc)
            else:
                top.sort(key=_items_sum(list(key.by)), reverse=key.desc)
        for s in top[keep:]:
            s.grade = cap.demote_to
            s.capped = True

    # ------------------------------------------------------------------ dynamic management

    def recommend(self, facts: Mapping[str, Any], year: int) -> tuple[str, list[str], Any]:
        """(recommendation, every matching reason in rule order, rectify deadline or None)."""
        return self._recommend_fn(facts, year)

    def _recommend_reference(self, facts: Mapping[str, Any], year: int) -> tuple[str, list[str], Any]:
        action = "none"
        reasons: list[str] = []
        deadline = None
        for rec_action, conditions, rec_deadline in self._recs:
            matched = False
            for reason, check in conditions:
                if evaluate(check, facts):
                    matched = True
                    reasons.append(self.reason_text(reason, check, facts))
            if matched and action == "none":
                action = rec_action
                if rec_deadline is not None:
                    deadline = rec_deadline.for_year(year)
        return action, reasons, deadline

    def reason_text(self, template: str, check: Any, facts: Mapping[str, Any]) -> str:
        if not template:
            return describe(check, self.labels)
        return re.sub(r"\{([a-zA-Z0-9_]+)\}", lambda m: format_fact(m.group(1), facts), template)

    # ------------------------------------------------------------------ explanation

    def explain_items(self, facts: Mapping[str, Any], checks: Mapping[str, bool],
                      items: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Per item: points, max, the rule in words and the facts it read."""
        out = []
        for item_id, item in self._items:
            names, rule = self._item_rule(item)
            shown = {n: facts.get(n) for n in names}
            out.append({
                "item": item_id, "label": item.label, "points": items.get(item_id),
                "max": num(item.max), "rule": rule,
                "facts": shown,
                "facts_text": "；".join(f"{label_of(n, self.labels)} {format_fact(n, facts)}" for n in names),
                **({"checks": {i: checks.get(i) for i in self._check_list(item.checks)}}
                   if isinstance(item, (CheckShareItem, PerCheckItem)) else {}),
            })
        return out

    def _item_rule(self, item: Any) -> tuple[list[str], str]:
        L = self.labels
        cap = format_value(num(item.max))
        if isinstance(item, CheckShareItem):
            ids = self._check_list(item.checks)
            each = format_value(num(item.max / len(ids)))
            return [], f"{'、'.join(ids)} 共 {len(ids)} 项，每通过一项得 {each} 分（满分 {cap}）"
        if isinstance(item, PerCheckItem):
            ids = self._check_list(item.checks)
            return [], f"{'、'.join(ids)} 每通过一项得 {format_value(num(item.points))} 分，最多 {cap} 分"
        if isinstance(item, ConditionsItem):
            names = _unique(n for p in item.parts for n in fact_names(p.when))
            text = "；".join(f"{describe(p.when, L)}：{format_value(num(p.points))} 分" for p in item.parts)
            return names, f"{text}（合计最多 {cap} 分）"
        if isinstance(item, PerUnitItem):
            names = _unique(u.fact for u in item.units)
            text = "；".join(f"{label_of(u.fact, L)} 每个 {format_value(num(u.points))} 分" for u in item.units)
            return names, f"{text}；最多 {cap} 分"
        if isinstance(item, TiersItem):
            names = _unique(n for t in item.tiers for n in fact_names(t.when))
            text = "；".join(f"{describe(t.when, L)}：{format_value(num(t.points))} 分" for t in item.tiers)
            return names, f"{text}；否则 {format_value(num(item.otherwise))} 分（取第一个满足的档）"
        assert isinstance(item, FactItem)
        return [item.fact], (f"取{label_of(item.fact, L)}，限 {format_value(num(item.min))}–{cap} 分；"
                             f"未录入为 {format_value(num(item.default))} 分")

    def rules_text(self) -> dict[str, Any]:
        """The whole profile in words (``assess rules show``)."""
        p = self.profile
        return {
            "checks": [{"id": i, "label": lab, "rule": r} for i, lab, r in self.check_rules()],
            "ladder": [{"level": lv, "rule": describe(getattr(p.ladder, lv), self.labels)} for lv, _ in LEVEL.items],
            "items": [{"item": i, "label": it.label, "max": num(it.max), "rule": self._item_rule(it)[1]}
                      for i, it in self._items],
            "grades": [{"grade": g.grade, "min": num(g.min)} for g in p.grades],
            "cap": None if p.cap is None else {
                "grade": p.cap.grade, "demote_to": p.cap.demote_to, "ratio": p.cap.ratio,
                "minimum": p.cap.minimum,
                "order": [{"by": k.by, "desc": k.desc} for k in p.cap.order],
            },
            "recommendations": [
                {"action": r.action, "deadline": None if r.deadline is None else
                 f"Y+{r.deadline.year_offset}-{r.deadline.month:02d}-{r.deadline.day:02d}",
                 "when": [c.reason or describe(c.check, self.labels) for c in r.when],
                 "rules": [describe(c.check, self.labels) for c in r.when]}
                for r in p.recommendations
            ],
            "naming": None if p.naming is None else {
                "entry_levels": list(p.naming.entry_levels),
                "climb_years": p.naming.climb_years,
                "blocking_statuses": list(p.naming.blocking_statuses),
                "blocking_grades": list(p.naming.blocking_grades),
                "significant_benefit": p.naming.significant_benefit,
                "demonstrative": [{"id": cid, "label": label, "rule": describe(check, self.labels)}
                                  for cid, label, check, _ in self._demonstrative],
            },
        }


def _items_sum(ids: list[str]) -> Callable[[Scored], float]:
    """Sort key of a cap order ``by = [item, …]``: the sum of those items' points."""
    return lambda s: sum(s.items.get(i, 0) for i in ids)


def _unique(names: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return seen


def amount_text(yuan: int | float) -> str:
    """An amount of 元 for people: 100000 → 「10 万元」, 2500 → 「2500 元」."""
    if yuan and yuan % 10000 == 0:
        return f"{format_value(num(yuan / 10000))} 万元"
    return f"{format_value(num(yuan))} 元"


def grade_label(grade: str) -> str:
    return GRADE.label(grade)


__all__ = ["Engine", "Scored", "grade_label", "num", "vocab"]


_ENGINES: dict[int, tuple[Profile, Engine]] = {}


def engine_for(profile: Profile) -> Engine:
    """The compiled engine of a loaded profile, compiled once per profile object."""
    held = _ENGINES.get(id(profile))
    if held is None or held[0] is not profile:
        held = _ENGINES[id(profile)] = (profile, Engine(profile))
    return held[1]
