"""规则文件（TOML）的结构、校验、继承（extends）与内容哈希。

Schema in brief (see ``henan-2015.toml`` for the full, commented example)::

    name = "henan-2015"            # letters, digits, . _ -
    title = "…"                    # Chinese title, shown in lists
    description = "…"              # optional
    extends = "henan-2015"         # optional: a bundled name or a file path (relative
                                   # to this file); this file overrides parts of it
    [labels]                       # optional: Chinese labels for facts
    team_size = "团队人数"
    [[standards]]                  # creation standards (达标检查), in order
    id = "S1"; label = "…"; check = <check>
    [[common]]                     # checks that apply in every profile (L, F)
    id = "L"; label = "…"; check = <check>
    [ladder]                       # leader ladder: one check per naming level
    enterprise = <check>; county = …; city = …; province = …; national = …
    [scorecard]
    total = 100                    # the item maxima must add up to it
    [scorecard.items.A1]           # items in order; ``kind`` picks the rule:
    label = "…"; max = 12; kind = "check_share" | "per_check" | "conditions"
                                   | "per_unit" | "tiers" | "fact"
    [[grades]]                     # grade lines, best first; the last has min = 0
    grade = "excellent"; min = 90
    [cap]                          # optional: the 优秀 cap
    grade = "excellent"; demote_to = "good"; ratio = 0.2; minimum = 1
    order = [{ by = "total", desc = true }, { by = ["B1", "B2"], desc = true }, { by = "code" }]
    [[recommendations]]            # dynamic management, in order; first match wins
    action = "revoke" | "rectify" | "warn"
    deadline = { year_offset = 1, month = 6, day = 30, late_months = 3 }   # optional; late_months:
                                   # when that day has passed on the apply date, the
                                   # apply date plus this many months (default 3)
    when = [{ reason = "…{fact}…", check = <check> }, …]
    [naming]                       # optional: naming eligibility (award candidates/name/demonstrate)
    entry_levels = ["enterprise", "county"]   # levels that need no lower naming first
    climb_years = 1                # other levels: a lower naming dated on or before the
                                   # same day N years before the check date
    blocking_statuses = ["rectification", "revoked", "closed"]
    blocking_grades = ["fail"]     # the latest stored grade that blocks naming
    significant_benefit = 100000   # 元/年: defines the fact significant_achievements_total
    [[naming.demonstrative]]       # extra checks for 示范性 at the level, in order
    id = "D1"; label = "…"; check = <check>

``<check>`` is described in :mod:`laomo.rules.expr`.

Inheritance: the child's TOML is merged onto the parent's before validation —
tables merge key by key (so ``[scorecard.items.B1] max = 20`` changes one
number), while arrays and plain values replace the parent's wholesale (so a
child's ``[[standards]]`` replaces every standard of the parent, and the
parent's ``[[common]]`` checks L and F stay).

The content hash is SHA-256 over the canonical JSON of the *resolved,
validated* profile, leaving out ``name``, ``title`` and ``description`` (they do
not change any result); equal rules written differently (``a>=3`` vs
``a >= 3``) hash the same.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import math
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, PrivateAttr, Tag, ValidationError, field_validator

import laomo.rules.vocab as vocab
from laomo.enums import GRADE, LEVEL
from laomo.errors import LaomoError
from laomo.rules.expr import Check, Comparison, compile_check, fact_names
from laomo.safe import CONTROL_RE
from laomo.store.location import expand

BUNDLED_DIR = Path(__file__).parent
DEFAULT_PROFILE = "henan-2015"
HASH_EXCLUDED = ("name", "title", "description")
#: The late period of a rectification deadline (months after the apply date) when the profile sets none.
LATE_MONTHS = 3

_ID = r"^[A-Za-z][A-Za-z0-9_]{0,15}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class StandardDef(_Strict):
    id: Annotated[str, Field(pattern=_ID)]
    label: str = Field(min_length=1)
    check: Check
    note: str = ""


# ----------------------------------------------------------------------------- scorecard


class _Item(_Strict):
    label: str = Field(min_length=1)
    max: float = Field(gt=0)
    note: str = ""


class CheckShareItem(_Item):
    """``max × passed / count`` over a list of checks (``"standards"``: every creation standard)."""

    kind: Literal["check_share"]
    checks: Union[Literal["standards"], list[str]] = "standards"


class PerCheckItem(_Item):
    """``points`` per passed check, at most ``max``."""

    kind: Literal["per_check"]
    checks: Union[Literal["standards"], list[str]] = "standards"
    points: float = Field(ge=0)


class Part(_Strict):
    """Points given when a check holds (a part of a ``conditions`` item, or a tier)."""

    when: Check
    points: float = Field(ge=0)


class ConditionsItem(_Item):
    """The sum of the points of every part whose ``when`` holds, at most ``max``."""

    kind: Literal["conditions"]
    parts: list[Part] = Field(min_length=1)


def _number_fact(name: str, why: str = "") -> str:
    """A known fact of numeric type (scorecard items count or clip numbers)."""
    d = vocab.fact_def(name)
    if d is None:
        raise ValueError(f"未知的事实「{name}」")
    if d.type != "number":
        raise ValueError(f"事实「{name}」不是数值{why}")
    return name


class Unit(_Strict):
    fact: str
    points: float = Field(ge=0)

    @field_validator("fact")
    @classmethod
    def _known(cls, name: str) -> str:
        return _number_fact(name, "，不能按件计分")


class PerUnitItem(_Item):
    """Σ fact × points over ``units``, at most ``max`` (e.g. 3 per achievement, max 15)."""

    kind: Literal["per_unit"]
    units: list[Unit] = Field(min_length=1)


class TiersItem(_Item):
    """The points of the first tier whose ``when`` holds, else ``otherwise``."""

    kind: Literal["tiers"]
    tiers: list[Part] = Field(min_length=1)
    otherwise: float = Field(default=0, ge=0)


class FactItem(_Item):
    """A fact's value clipped to ``[min, max]``; ``default`` when it has none (no inspection entered)."""

    kind: Literal["fact"]
    fact: str
    min: float = 0
    default: float = 0

    @field_validator("fact")
    @classmethod
    def _known(cls, name: str) -> str:
        return _number_fact(name)


def _item_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        return v.get("kind") if isinstance(v.get("kind"), str) else None
    return getattr(v, "kind", None)


ItemDef = Annotated[
    Union[
        Annotated[CheckShareItem, Tag("check_share")],
        Annotated[PerCheckItem, Tag("per_check")],
        Annotated[ConditionsItem, Tag("conditions")],
        Annotated[PerUnitItem, Tag("per_unit")],
        Annotated[TiersItem, Tag("tiers")],
        Annotated[FactItem, Tag("fact")],
    ],
    Discriminator(_item_kind, custom_error_type="item_kind",
                  custom_error_message="计分项的 kind 应为 check_share、per_check、conditions、per_unit、tiers 或 fact"),
]


class Scorecard(_Strict):
    total: float = Field(gt=0)
    items: dict[Annotated[str, Field(pattern=_ID)], ItemDef] = Field(min_length=1)


# ----------------------------------------------------------------------------- grades, cap

GradeValue = Literal["excellent", "good", "pass", "fail"]


class GradeLine(_Strict):
    grade: GradeValue
    min: float = Field(ge=0)

    @field_validator("grade", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return GRADE.parse(v) or v if isinstance(v, str) else v


class OrderKey(_Strict):
    by: Union[Literal["total", "code"], list[str]]
    desc: bool = False


class Cap(_Strict):
    grade: GradeValue = "excellent"
    demote_to: GradeValue = "good"
    ratio: float = Field(gt=0, le=1)
    minimum: int = Field(default=1, ge=0)
    order: list[OrderKey] = Field(min_length=1)

    @field_validator("grade", "demote_to", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        return GRADE.parse(v) or v if isinstance(v, str) else v


# ----------------------------------------------------------------------------- dynamic management


class Condition(_Strict):
    check: Check
    reason: str = ""

    @field_validator("reason")
    @classmethod
    def _placeholders(cls, text: str) -> str:
        for name in re.findall(r"\{([^{}]*)\}", text):
            if vocab.fact_def(name) is None:
                raise ValueError(f"原因文字中的「{{{name}}}」不是已知的事实")
        return text


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clipped to the month's end (30 Nov + 3 = 28/29 Feb)."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(day: dt.date, applied: dt.date, late_months: int = LATE_MONTHS) -> dt.date:
    """A rectification deadline ``day`` as applied on ``applied``: itself, or when it has already
    passed (is before ``applied``) the apply date plus ``late_months`` months."""
    return day if day >= applied else add_months(applied, late_months)


class Deadline(_Strict):
    """限期整改 deadline: ``month``/``day`` of year Y + ``year_offset``; when that day has passed on
    the apply date, the apply date plus ``late_months`` months."""

    year_offset: int = Field(default=1, ge=0, le=10)
    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    late_months: int = Field(default=LATE_MONTHS, ge=1, le=24)

    @field_validator("day")
    @classmethod
    def _valid(cls, day: int, info: Any) -> int:
        month = info.data.get("month")
        if month is not None:
            try:
                dt.date(2001, month, day)  # not a leap year: 2 月 29 日 is refused
            except ValueError:
                raise ValueError(f"{month} 月没有 {day} 日（不接受 2 月 29 日）") from None
        return day

    def for_year(self, year: int) -> dt.date:
        """The regular deadline for year ``year``'s assessment (30 June of Y+1)."""
        return dt.date(year + self.year_offset, self.month, self.day)


class Recommendation(_Strict):
    action: Literal["revoke", "rectify", "warn"]
    label: str = ""
    deadline: Deadline | None = None
    when: list[Condition] = Field(min_length=1)

    @field_validator("action", mode="before")
    @classmethod
    def _parse(cls, v: Any) -> Any:
        from laomo.enums import RECOMMENDATION

        return RECOMMENDATION.parse(v) or v if isinstance(v, str) else v


class Ladder(_Strict):
    enterprise: Check
    county: Check
    city: Check
    province: Check
    national: Check


# ----------------------------------------------------------------------------- naming eligibility

LevelValue = Literal["enterprise", "county", "city", "province", "national"]
StatusValue = Literal["registered", "named", "rectification", "warned", "revoked", "closed"]


class Naming(_Strict):
    """Naming eligibility (rules.md "Naming eligibility"); every threshold is data.

    The conditions that are not checks — current state, latest grade, time at a
    lower level — take their parameters from here; the demonstrative (示范性)
    conditions are checks over facts like the standards.
    """

    entry_levels: list[LevelValue] = Field(min_length=1)
    climb_years: int = Field(ge=0, le=50)
    blocking_statuses: list[StatusValue]
    blocking_grades: list[GradeValue]
    significant_benefit: int = Field(ge=0)
    demonstrative: list[StandardDef] = Field(default_factory=list)

    @field_validator("entry_levels", mode="before")
    @classmethod
    def _levels(cls, v: Any) -> Any:
        return [LEVEL.parse(x) or x if isinstance(x, str) else x for x in v] if isinstance(v, list) else v

    @field_validator("blocking_grades", mode="before")
    @classmethod
    def _grades(cls, v: Any) -> Any:
        return [GRADE.parse(x) or x if isinstance(x, str) else x for x in v] if isinstance(v, list) else v

    @field_validator("blocking_statuses", mode="before")
    @classmethod
    def _statuses(cls, v: Any) -> Any:
        from laomo.enums import STATUS

        return [STATUS.parse(x) or x if isinstance(x, str) else x for x in v] if isinstance(v, list) else v


# ----------------------------------------------------------------------------- the profile


class Profile(_Strict):
    """A resolved, validated rules profile.  ``source`` and ``hash`` are set by the loader."""

    model_config = ConfigDict(extra="forbid", frozen=False, populate_by_name=True)

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    title: str = ""
    description: str = ""
    labels: dict[str, str] = Field(default_factory=dict)
    standards: list[StandardDef] = Field(min_length=1)
    common: list[StandardDef] = Field(default_factory=list)
    ladder: Ladder
    scorecard: Scorecard
    grades: list[GradeLine] = Field(min_length=1)
    cap: Cap | None = None
    recommendations: list[Recommendation] = Field(default_factory=list)
    naming: Naming | None = None

    @field_validator("labels")
    @classmethod
    def _labels(cls, labels: dict[str, str]) -> dict[str, str]:
        for name in labels:
            if vocab.fact_def(name) is None:
                raise ValueError(f"「{name}」不是已知的事实")
        return labels

    # set by the loader: the bundled name or the absolute file path, and the content hash
    _source: str = PrivateAttr(default="")
    _hash: str = PrivateAttr(default="")

    @property
    def source(self) -> str:
        """What to pass to ``load_profile`` to load this profile again."""
        return self._source

    @property
    def hash(self) -> str:
        return self._hash

    def canonical(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", by_alias=True)
        for key in HASH_EXCLUDED:
            data.pop(key, None)
        if data.get("naming") is None:  # a profile without [naming] hashes as before it existed
            data.pop("naming", None)
        for rec in data.get("recommendations") or ():  # the default late period hashes as before it existed
            if isinstance(rec.get("deadline"), dict) and rec["deadline"].get("late_months") == LATE_MONTHS:
                del rec["deadline"]["late_months"]
        return data

    def compute_hash(self) -> str:
        text = json.dumps(self.canonical(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def all_checks(self) -> list[StandardDef]:
        return list(self.standards) + list(self.common)

    def rectify_rule(self) -> Deadline | None:
        """The deadline rule of the ``rectify`` recommendation, if the profile sets one."""
        for rec in self.recommendations:
            if rec.action == "rectify" and rec.deadline is not None:
                return rec.deadline
        return None

    def rectify_deadline(self, year: int, *, applied: dt.date, regular: dt.date | None = None) -> dt.date | None:
        """The deadline of a rectification for year ``year`` applied on ``applied``.

        The regular day is ``regular`` (e.g. the one an assessment stored) else the profile's
        (30 June of Y+1); when it is before ``applied``, the apply date plus the profile's late
        period.  None when there is no regular day.
        """
        rule = self.rectify_rule()
        day = regular if regular is not None else (rule.for_year(year) if rule is not None else None)
        if day is None:
            return None
        return due_date(day, applied, rule.late_months if rule is not None else LATE_MONTHS)


# ----------------------------------------------------------------------------- errors


class ProfileError(LaomoError):
    """A profile that cannot be used; ``lines`` holds one "file: key: problem" per problem."""


_PYDANTIC_TEXT = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的键（拼写错误？）",
    "string_type": "应为文字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "list_type": "应为数组（[…] 或 [[…]]）",
    "dict_type": "应为表（[…] 或 {…}）",
    "model_type": "应为表（[…] 或 {…}）",
    "model_attributes_type": "应为表（[…] 或 {…}）",
    "string_pattern_mismatch": "格式不对（只能用字母、数字和下划线，以字母开头）",
}


def _error_text(err: Mapping[str, Any]) -> str:
    etype = err.get("type", "")
    if etype == "string_pattern_mismatch" and tuple(err.get("loc", ())) == ("name",):
        return f"名称「{err.get('input')}」无效：只能用字母、数字和 . _ -，以字母或数字开头，最长 100 个字符"
    ctx = err.get("ctx") or {}
    inp = err.get("input")
    if etype == "value_error":
        return str(ctx.get("error", err.get("msg", "")))
    if etype == "literal_error":
        return f"取值「{inp}」无效，应为 {ctx.get('expected', '')}"
    if etype in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sym = {"greater_than": ("gt", "大于"), "greater_than_equal": ("ge", "不小于"),
               "less_than": ("lt", "小于"), "less_than_equal": ("le", "不大于")}[etype]
        return f"取值 {inp} 无效，应{sym[1]} {ctx.get(sym[0])}"
    if etype == "too_short":
        return "不能为空"
    if etype in ("check", "item_kind", "union_tag_invalid", "union_tag_not_found"):
        return err.get("msg", "")
    text = _PYDANTIC_TEXT.get(etype)
    if text:
        if etype in ("float_parsing", "int_parsing", "float_type", "int_type", "bool_parsing",
                     "bool_type", "string_type") and inp is not None:
            return f"{text}，实际为 {inp!r}"
        return text
    return err.get("msg", etype)


def _loc_text(loc: tuple[Any, ...], data: Any) -> str:
    """``('standards', 2, 'check')`` → ``standards[2]（S3）.check``; tag segments dropped."""
    out = ""
    node = data
    for seg in loc:
        if isinstance(seg, str) and seg.startswith("<") and seg.endswith(">"):
            continue
        if isinstance(seg, str) and seg in ("check_share", "per_check", "conditions", "per_unit",
                                            "tiers", "fact") and isinstance(node, dict) and node.get("kind") == seg:
            continue
        if isinstance(seg, int):
            ident = ""
            if isinstance(node, list) and 0 <= seg < len(node):
                node = node[seg]
                if isinstance(node, dict) and isinstance(node.get("id"), str):
                    ident = f"（{node['id']}）"
                elif isinstance(node, dict) and isinstance(node.get("action"), str):
                    ident = f"（{node['action']}）"
            else:
                node = None
            out += f"[{seg}]{ident}"
        else:
            key = "not" if seg == "not_" else str(seg)
            out += ("." if out else "") + key
            node = node.get(key) if isinstance(node, dict) else None
    return out or "（整个文件）"


Problems = list[tuple[str, str]]  # (where, what)

_PHASE_WHY = {"run": "只在考核时才有（只能用于 recommendations）",
              "ladder": "由领衔人阶梯推出，不能用在阶梯本身",
              "naming": "只在判断命名条件时才有（只能用于 [[naming.demonstrative]]）"}
_BASE_LADDER = frozenset({"base", "ladder"})


def _semantic_problems(p: Profile) -> Problems:
    """Cross-field checks that need the whole profile: ids, references, sums, phases."""
    problems, ids = _id_problems(p)
    problems += _check_phase_problems(p)
    problems += _scorecard_problems(p, ids)
    problems += _grade_problems(p)
    for i, rec in enumerate(p.recommendations):
        for j, cond in enumerate(rec.when):
            problems += _phase_problems(f"recommendations[{i}]（{rec.action}）.when[{j}].check", cond.check,
                                        {"base", "ladder", "run"})
    problems += _naming_problems(p)
    actions = [r.action for r in p.recommendations]
    if len(set(actions)) != len(actions):
        problems.append(("recommendations", "同一处理建议出现了两次"))
    for i, rec in enumerate(p.recommendations):
        if rec.deadline is not None and rec.action != "rectify":
            problems.append((f"recommendations[{i}]（{rec.action}）.deadline", "只有 rectify（限期整改）有期限"))
    return problems


def _id_problems(p: Profile) -> tuple[Problems, dict[str, str]]:
    """Repeated check ids; and every id of ``standards``/``common`` with where it is defined."""
    problems: Problems = []
    ids: dict[str, str] = {}
    for section in ("standards", "common"):
        for i, s in enumerate(getattr(p, section)):
            if s.id in ids:
                problems.append((f"{section}[{i}]（{s.id}）.id", f"编号 {s.id} 重复（{ids[s.id]} 已用）"))
            ids[s.id] = f"{section}[{i}]"
    return problems, ids


def _phase_problems(where: str, check: Any, allowed: set[str] | frozenset[str]) -> Problems:
    """Facts of a phase (vocab.FactDef.phase) that ``check`` may not read where it stands."""
    problems: Problems = []
    for name in fact_names(check):
        d = vocab.fact_def(name)
        if d is not None and d.phase not in allowed:
            why = _PHASE_WHY.get(d.phase, f"不能用在这里（{d.phase}）")
            problems.append((where, f"事实「{name}」{why}"))
    return problems


def _check_phase_problems(p: Profile) -> Problems:
    problems: Problems = []
    for section in ("standards", "common"):
        for i, s in enumerate(getattr(p, section)):
            problems += _phase_problems(f"{section}[{i}]（{s.id}）.check", s.check, _BASE_LADDER)
    for level, _ in LEVEL.items:
        problems += _phase_problems(f"ladder.{level}", getattr(p.ladder, level), {"base"})
    return problems


def _scorecard_problems(p: Profile, ids: Mapping[str, str]) -> Problems:
    problems: Problems = []
    total_max = 0.0
    for item_id, item in p.scorecard.items.items():
        total_max += item.max
        problems += _item_problems(f"scorecard.items.{item_id}", item, ids)
    if abs(total_max - p.scorecard.total) > 1e-9:
        problems.append(("scorecard.total", f"各项满分之和 {total_max:g} 不等于总分 {p.scorecard.total:g}"))
    return problems


def _item_problems(where: str, item: Any, ids: Mapping[str, str]) -> Problems:
    problems: Problems = []
    if isinstance(item, (CheckShareItem, PerCheckItem)) and isinstance(item.checks, list):
        if not item.checks:
            problems.append((where + ".checks", "不能为空"))
        for cid in item.checks:
            if cid not in ids:
                problems.append((where + ".checks", f"没有编号为 {cid} 的检查（standards/common）"))
    if isinstance(item, ConditionsItem):
        for j, part in enumerate(item.parts):
            problems += _phase_problems(f"{where}.parts[{j}].when", part.when, _BASE_LADDER)
    if isinstance(item, TiersItem):
        for j, tier in enumerate(item.tiers):
            problems += _phase_problems(f"{where}.tiers[{j}].when", tier.when, _BASE_LADDER)
            if tier.points > item.max:
                problems.append((f"{where}.tiers[{j}].points", f"{tier.points:g} 超过该项满分 {item.max:g}"))
    if isinstance(item, PerUnitItem):
        for j, unit in enumerate(item.units):
            problems += _phase_problems(f"{where}.units[{j}].fact", Comparison(fact=[unit.fact], op=">=", value=0),
                                        _BASE_LADDER)
    if isinstance(item, FactItem):
        problems += _phase_problems(f"{where}.fact", Comparison(fact=[item.fact], op=">=", value=0), _BASE_LADDER)
        if item.min > item.max:
            problems.append((where + ".min", f"min {item.min:g} 大于 max {item.max:g}"))
    return problems


def _grade_problems(p: Profile) -> Problems:
    """Grade lines (from high to low, distinct, ending at 0) and the cap's grades and item keys."""
    problems: Problems = []
    mins = [g.min for g in p.grades]
    if mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
        problems.append(("grades", "等级线应从高到低排列，且各不相同"))
    if mins and mins[-1] != 0:
        problems.append((f"grades[{len(mins) - 1}].min", "最后一个等级的 min 应为 0，使每个总分都有等级"))
    seen_grades = [g.grade for g in p.grades]
    if len(set(seen_grades)) != len(seen_grades):
        problems.append(("grades", "等级重复"))
    if p.cap is not None:
        for g, field in ((p.cap.grade, "grade"), (p.cap.demote_to, "demote_to")):
            if g not in seen_grades:
                problems.append((f"cap.{field}", f"等级 {g} 不在 grades 中"))
        for j, key in enumerate(p.cap.order):
            if isinstance(key.by, list):
                for item_id in key.by:
                    if item_id not in p.scorecard.items:
                        problems.append((f"cap.order[{j}].by", f"没有计分项 {item_id}"))
    return problems


def _naming_problems(p: Profile) -> Problems:
    problems: Problems = []
    if p.naming is None:
        return problems
    n = p.naming
    if len(set(n.entry_levels)) != len(n.entry_levels):
        problems.append(("naming.entry_levels", "级别重复"))
    seen: dict[str, int] = {}
    for i, d in enumerate(n.demonstrative):
        if d.id in seen:
            problems.append((f"naming.demonstrative[{i}]（{d.id}）.id",
                             f"编号 {d.id} 重复（naming.demonstrative[{seen[d.id]}] 已用）"))
        seen[d.id] = i
        problems += _phase_problems(f"naming.demonstrative[{i}]（{d.id}）.check", d.check,
                                    {"base", "ladder", "naming"})
    return problems


# ----------------------------------------------------------------------------- loading


def bundled_names() -> list[str]:
    return sorted(p.stem for p in BUNDLED_DIR.glob("*.toml"))


def _locate(name_or_file: str, base: Path | None = None) -> tuple[Path, bool]:
    """The file of a bundled name or a path; ``(path, bundled)``."""
    text = str(name_or_file).strip()
    looks_like_path = text.endswith(".toml") or "/" in text or "\\" in text
    if looks_like_path:
        path = expand(text)
        if not path.is_absolute() and base is not None:
            path = base / path
        if path.is_file():
            return path.resolve(), False
        raise ProfileError(f"找不到规则文件：{text}")
    bundled = BUNDLED_DIR / f"{text}.toml"
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", text) and bundled.is_file():
        return bundled, True
    local = Path(text)
    if local.is_file():
        return local.resolve(), False
    raise ProfileError(f"没有名为「{text}」的规则；内置规则：{'、'.join(bundled_names())}；"
                       "或给出 .toml 文件路径")


#: Bounds on a profile file, checked before (size) and right after (the rest) TOML parsing,
#: so a hostile file is one message, never a stack or a hang (issue: hostile input).
MAX_PROFILE_BYTES = 1 << 20
MAX_DEPTH = 24  # tables, arrays and inline tables inside each other (checks: all/any/not)
MAX_TEXT = 2000  # characters of one string value (a check expression, a label)


def _check_raw(raw: dict[str, Any], shown: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, strings longer than MAX_TEXT and numbers that are
    not finite (``inf``, ``nan``), naming the key; an explicit stack, so depth costs no recursion."""
    stack: list[tuple[Any, str, int]] = [(raw, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ProfileError(f"{shown}: {where}: 嵌套过深（至多 {MAX_DEPTH} 层）")
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            raise ProfileError(f"{shown}: {where}: 数值须为有限的数，不能是 {value}")
        elif isinstance(value, str) and len(value) > MAX_TEXT:
            raise ProfileError(f"{shown}: {where}: 文字过长（{len(value)} 个字符，至多 {MAX_TEXT}）")
        elif isinstance(value, str) and CONTROL_RE.search(value):
            raise ProfileError(f"{shown}: {where}: 含有控制字符或文字方向控制符（如 ESC、U+202E），不能使用")


def _read_toml(path: Path, shown: str) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_PROFILE_BYTES:
            raise ProfileError(f"{shown}: 规则文件过大（至多 {MAX_PROFILE_BYTES // 1024} KB）")
        with path.open("rb") as fp:
            raw = tomllib.load(fp)
    except RecursionError:
        raise ProfileError(f"{shown}: 嵌套过深，无法读取（至多 {MAX_DEPTH} 层）") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"规则文件 {shown} 不是有效的 TOML", lines=[f"{shown}: （整个文件）: TOML 语法错误：{exc}"]) from None
    except UnicodeDecodeError:
        raise ProfileError(f"{shown}: 不是 UTF-8 编码的 TOML 文件") from None
    except OSError as exc:
        raise ProfileError(f"{shown}: 无法读取：{exc.strerror or exc}") from None
    _check_raw(raw, shown)
    return raw


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Tables merge key by key; arrays and values replace."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def _resolve_raw(path: Path, bundled: bool, chain: tuple[Path, ...]) -> dict[str, Any]:
    shown = path.name if bundled else str(path)
    if path in chain:
        names = " → ".join(p.name for p in chain + (path,))
        raise ProfileError(f"{shown}: extends: 继承关系成环：{names}")
    raw = _read_toml(path, shown)
    raw.setdefault("name", path.stem)
    parent_ref = raw.pop("extends", None)
    if parent_ref is None:
        return raw
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        raise ProfileError(f"{shown}: extends: 应为规则名称或文件路径",
                           lines=[f"{shown}: extends: 应为规则名称或文件路径"])
    try:
        parent_path, parent_bundled = _locate(parent_ref, base=path.parent)
    except ProfileError as exc:
        raise ProfileError(f"{shown}: extends: {exc}", lines=[f"{shown}: extends: {exc}"]) from None
    parent = _resolve_raw(parent_path, parent_bundled, chain + (path,))
    for key in HASH_EXCLUDED:
        parent.pop(key, None)
    return merge(parent, raw)


def load_profile(name_or_file: str | Path | None = None) -> Profile:
    """Load, resolve (``extends``) and validate a bundled profile or a profile file.

    Raises :class:`ProfileError` listing every problem as "file: key: problem".
    """
    path, bundled = _locate(str(name_or_file or DEFAULT_PROFILE))
    return _load(path, bundled)


_cache: dict[tuple[str, float, int], Profile] = {}


def _load(path: Path, bundled: bool) -> Profile:
    stat = path.stat()
    key = (str(path), stat.st_mtime, stat.st_size)
    cached = _cache.get(key)
    if cached is not None and bundled:
        return cached
    shown = path.name if bundled else str(path)
    raw = _resolve_raw(path, bundled, ())
    profile = build_profile(raw, shown=shown, source=profile_source(raw, path, bundled))
    if bundled:
        _cache[key] = profile
    return profile


def profile_source(raw: dict[str, Any], path: Path, bundled: bool) -> str:
    return str(raw.get("name") or path.stem) if bundled else str(path)


def build_profile(raw: dict[str, Any], *, shown: str, source: str) -> Profile:
    """Validate a resolved profile (``extends`` already merged) and compile its checks.

    ``shown`` names it in messages; ``source`` is what :attr:`Profile.source` says (a bundled
    name, a file path, or where a profile stored in the database came from)."""
    _check_raw(raw, shown)
    try:
        profile = Profile.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{shown}: {_loc_text(tuple(e['loc']), raw)}: {_error_text(e)}" for e in exc.errors()]
        raise ProfileError(f"规则文件 {shown} 有 {len(lines)} 处问题", lines=lines) from None
    problems = _semantic_problems(profile)
    if problems:
        lines = [f"{shown}: {where}: {what}" for where, what in problems]
        raise ProfileError(f"规则文件 {shown} 有 {len(lines)} 处问题", lines=lines)
    profile._source = source
    profile._hash = profile.compute_hash()
    # Compile once so that a check that cannot be compiled fails at load time.
    for s in profile.all_checks + (list(profile.naming.demonstrative) if profile.naming else []):
        try:
            compile_check(s.check)
        except (SyntaxError, RecursionError, MemoryError):  # bounded above; a last line of defence
            raise ProfileError(f"{shown}: {s.id}: 条件过于复杂，无法编译") from None
    return profile


def profile_data(profile: Profile) -> dict[str, Any]:
    """The profile as data that :func:`build_profile` turns back into the same profile (same hash):
    what the database keeps of a profile a run used."""
    return profile.model_dump(mode="json", by_alias=True, exclude_none=True)


def validate_file(path: str | Path) -> Profile:
    """Validate a profile file (``assess rules validate FILE``)."""
    p = expand(path)
    if not p.is_file():
        raise ProfileError(f"找不到规则文件：{path}")
    return _load(p.resolve(), False)
