"""事实词表：规则文件可以引用的事实名称、中文名称和类型。

The vocabulary is the contract between :mod:`laomo.facts` (which computes the
facts in SQL) and the rules profiles (which only *name* them).  It lives here,
with no database import, so that loading and validating a profile stays cheap.

Types decide how a check compares a fact with a value:

``bool``      plain truth value (``has_sign``), or ``== true``/``== false``;
``number``    integers and decimals, every comparison operator;
``level``     a naming level (企业级 < 县级 < 市级 < 省级 < 全国), compared by rank;
              the value may be written in English or Chinese (``'city'`` / ``'市级'``);
``skill``     a skill grade (初级工 < … < 高级技师), compared by rank;
``grade``     an assessment grade, ordered 不合格 < 合格 < 良好 < 优秀 (better is higher);
``text``      free text / a date in ISO form, only ``==`` and ``!=``.

A number fact with ``share=True`` is a proportion 0–1 (``frontline_share``): it is stored and
compared as the number, and shown to people as a percentage (0.5 → 50%).

A fact whose value is unknown is ``None`` (a studio with no honor has no
``leader_honor_level``); every comparison with ``None`` is false, except ``!=``.

Families: one fact per achievement type (``achievements_in_year_invention_patent``),
per activity kind (``activities_in_year_training``, ``participants_in_year_training``)
and per on-site inspection item (``inspection_D2``, any item code).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from laomo.enums import ACHIEVEMENT_TYPE, ACTIVITY_KIND, GRADE, LEVEL, SKILL_GRADE, Enumeration


@dataclass(frozen=True)
class FactDef:
    name: str
    label: str
    type: str = "number"
    #: "run": only known during an assessment run (grade, total) — usable in
    #: recommendations, not in standards, the ladder or the scorecard.
    #: "ladder": derived from the profile's leader ladder — not usable in the ladder itself.
    #: "naming": computed only for naming eligibility — usable in ``[[naming.demonstrative]]`` only.
    phase: str = "base"
    #: A proportion 0–1, shown as a percentage in messages (the value stays a number).
    share: bool = False


_defs: list[FactDef] = [
    # Studio record (current values: the studio has no history of them).
    FactDef("has_name", "有名称"),
    FactDef("has_unit", "有所在单位（依托企业）"),
    FactDef("has_sign", "有以领衔人命名的标志牌"),
    FactDef("has_rules", "有工作制度"),
    FactDef("has_plan", "有攻关目标和计划"),
    FactDef("has_display", "有成果展示和评比奖励"),
    FactDef("has_records", "有活动记录"),
    FactDef("has_facilities", "有设施设备"),
    FactDef("premises_area", "场所面积"),
    FactDef("annual_funds", "年度经费"),
    # Members as of D.
    FactDef("team_size", "团队人数（不含领衔人）"),
    FactDef("frontline_members", "一线职工成员人数（不含领衔人）"),
    FactDef("active_members", "在册成员人数（含领衔人）"),
    FactDef("frontline_share", "一线职工占比（含领衔人）", share=True),
    FactDef("leader_active", "领衔人在册"),
    # Leader.
    FactDef("leader_honor_level", "领衔人最高荣誉级别", "level"),
    FactDef("leader_skill_grade", "领衔人技能等级", "skill"),
    FactDef("leader_max_level", "领衔人可领衔的最高级别", "level", "ladder"),
    FactDef("leader_qualifies_current", "领衔人符合当前命名级别的条件", "bool", "ladder"),
    # Achievements.
    FactDef("achievements_in_year", "本年度创新成果数"),
    FactDef("benefit_in_year", "本年度成果经济效益"),
    FactDef("promoted_achievements_in_year", "本年度推广转化成果数"),
    FactDef("frontline_led_achievements_in_year", "本年度一线职工主导的成果数"),
    FactDef("achievements_last_12_months", "近12个月创新成果数"),
    FactDef("achievements_year_minus_1", "上一年度创新成果数"),
    FactDef("achievements_year_minus_2", "前两年度创新成果数"),
    FactDef("achievements_total", "累计创新成果数"),
    # Activities in Y.
    FactDef("activities_in_year", "本年度活动次数"),
    FactDef("participants_in_year", "本年度活动人次"),
    FactDef("activities_last_12_months", "近12个月活动次数"),
    # Mentorships.
    FactDef("mentorships_active", "本年度在带师徒对数"),
    FactDef("mentorships_active_signed", "本年度在带且签订协议的师徒对数"),
    FactDef("apprentices_promoted_in_year", "本年度徒弟技能晋级人数"),
    FactDef("apprentices_promoted_total", "累计徒弟技能晋级人数"),
    # Designations (status as of D).
    FactDef("named_level", "当前命名级别", "level"),
    FactDef("first_named", "首次命名日期", "text"),
    FactDef("years_named", "命名年数（自首次命名年度起）"),
    FactDef("years_at_level", "在当前级别的年数"),
    FactDef("demonstrative", "当前级别为示范性工作室"),
    # Stored assessments.
    FactDef("previous_grade", "上一年度考核等级", "grade"),
    FactDef("latest_grade", "最近一次考核等级", "grade"),
    # Known only during an assessment run.
    FactDef("grade", "本年度考核等级", "grade", "run"),
    FactDef("total", "本年度考核总分", "number", "run"),
]
for _value, _label in ACHIEVEMENT_TYPE.items:
    _defs.append(FactDef(f"achievements_in_year_{_value}", f"本年度{_label}数"))
for _value, _label in ACTIVITY_KIND.items:
    _defs.append(FactDef(f"activities_in_year_{_value}", f"本年度{_label}活动次数"))
    _defs.append(FactDef(f"participants_in_year_{_value}", f"本年度{_label}活动人次"))
for _value, _label in LEVEL.items:
    _defs.append(FactDef(f"leader_qualifies_{_value}", f"领衔人符合{_label}工作室条件", "bool", "ladder"))

# Naming conditions only ([naming] of a profile; ``laomo.facts.compute_naming_facts`` as of the
# check date D, Y its year).  "Complete years" held: a naming dated d counts n years when d is on
# or before the same day n years before D.
_defs += [
    FactDef("years_held_target", "在拟命名级别已命名的整年数", "number", "naming"),
    FactDef("years_held_lower", "在较低级别已命名的最长整年数", "number", "naming"),
    FactDef("significant_achievements_total", "累计重大成果数（单项经济效益达到规则的重大成果线）", "number", "naming"),
    FactDef("latest_grade_year", "最近一次考核的年度", "number", "naming"),
]
for _value, _label in LEVEL.items:
    _defs.append(FactDef(f"years_held_{_value}", f"在{_label}已命名的整年数", "number", "naming"))
for _value, _label in ACTIVITY_KIND.items:
    _defs.append(FactDef(f"activities_year_minus_1_{_value}", f"上一年度{_label}活动次数", "number", "naming"))
    _defs.append(FactDef(f"activities_year_minus_2_{_value}", f"前两年度{_label}活动次数", "number", "naming"))

FACTS: dict[str, FactDef] = {d.name: d for d in _defs}

BOOL_FACTS = {
    "has_name", "has_unit",
    "has_sign", "has_rules", "has_plan", "has_display", "has_records", "has_facilities",
    "leader_active", "demonstrative",
}
for _name in BOOL_FACTS:
    FACTS[_name] = FactDef(_name, FACTS[_name].label, "bool", FACTS[_name].phase)
SHARE_FACTS = frozenset(d.name for d in FACTS.values() if d.share)

INSPECTION_PREFIX = "inspection_"
_INSPECTION_RE = re.compile(r"^inspection_([A-Za-z0-9]{1,16})$")

ENUM_OF_TYPE: dict[str, Enumeration] = {"level": LEVEL, "skill": SKILL_GRADE, "grade": GRADE}


def fact_def(name: str) -> FactDef | None:
    """The definition of a fact name, including the ``inspection_<ITEM>`` family."""
    found = FACTS.get(name)
    if found is not None:
        return found
    m = _INSPECTION_RE.match(name)
    if m:
        return FactDef(name, f"现场检查评分（{m.group(1).upper()}）")
    return None


def rank(type_: str, value: object) -> int | None:
    """The order of an enumerated value; grades are ordered worst (0) to best; None for anything else."""
    if not isinstance(value, str):
        return None
    enum = ENUM_OF_TYPE[type_]
    r = enum.rank(value)
    if r < 0:
        return None
    return len(enum.items) - 1 - r if type_ == "grade" else r


def default_value(name: str) -> object:
    """The value of a fact that no row produced: 0 for counts, False for flags, None otherwise."""
    d = fact_def(name)
    if d is None or d.type in ("level", "skill", "grade", "text"):
        return None
    if d.type == "bool":
        return False
    if name.startswith(INSPECTION_PREFIX) or name in _NONE_DEFAULT:
        return None
    return 0


#: Number facts that are unknown (None), not 0, for a studio never named.
_NONE_DEFAULT = {"years_named", "years_at_level", "years_held_target", "years_held_lower", "latest_grade_year",
                 *(f"years_held_{_value}" for _value in LEVEL.values)}
