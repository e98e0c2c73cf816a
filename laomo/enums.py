"""所有枚举的唯一定义处：数据库存稳定的英文值，界面显示和接受中文。

Every enumeration of the domain lives here, as an ordered tuple of
``(english_value, 中文标签)`` pairs.  The database stores the English value;
input accepts the Chinese label, the English value (any case) and the everyday
forms listed for it in :mod:`laomo.vocabulary` (short forms, 男性, 一级/高级技师 …),
compared without white space and with full-width forms read as ASCII; honors
with their place (河南省劳动模范) and industries by a part of their name (电力)
are read by rule (:meth:`Enumeration.candidates`).

Nothing in this module imports anything heavy: it is used by the CLI help
texts as well as by validation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from laomo import vocabulary as words

_SPACE_RE = re.compile("[ \t\u00a0]+")  # not \s: a control character (\x1d) keeps a value unknown


def form_key(text: str) -> str:
    """How written forms are compared: full-width read as ASCII, no white space, lower case
    (``C 制造业`` and ``c制造业``, ``一级（高级技师）`` and ``一级(高级技师)`` are one key)."""
    return _SPACE_RE.sub("", words.fold_width(text)).lower()


@dataclass(frozen=True)
class Enumeration:
    """An ordered enumeration with Chinese labels and the everyday forms it also accepts.

    ``words`` is the enumeration's table in :mod:`laomo.vocabulary` (value → forms);
    ``trailers`` are words that may follow a value (``阶段``); ``reader`` reads what no
    table lists (an honor with its place, an industry by part of its name) and returns
    every value the text may mean; ``note`` says in one sentence how it reads.
    """

    name: str  # 中文名称, used in messages: 「级别」
    items: tuple[tuple[str, str], ...]
    aliases: Mapping[str, str] = field(default_factory=dict)  # extra form → value
    words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # value → everyday forms
    trailers: tuple[str, ...] = ()
    reader: Callable[[str], tuple[str, ...]] | None = field(default=None, compare=False)
    note: str = ""
    # derived from the above in __post_init__: accepted text → value, value → position, value → label
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)
    _keys: dict[str, str] = field(init=False, repr=False, compare=False)
    _rank: dict[str | None, int] = field(init=False, repr=False, compare=False)
    _labels: dict[str | None, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        forms = [(value, value) for value, _ in self.items] + [(label, value) for value, label in self.items]
        forms += list(self.aliases.items())
        forms += [(form, value) for value, written in self.words.items() for form in written]
        for form, value in forms:
            lookup.setdefault(form, value)
            lookup.setdefault(form.lower(), value)
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_keys", {form_key(form): value for form, value in reversed(forms)})
        object.__setattr__(self, "_rank", {v: i for i, (v, _) in enumerate(self.items)})
        object.__setattr__(self, "_labels", dict(self.items))

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.items)

    def parse(self, text: str) -> str | None:
        """The English value for a Chinese label, English value or everyday form; None when the
        text is unknown or may mean several values (see :meth:`candidates`)."""
        t = text.strip()
        return self._lookup.get(t) or self._lookup.get(t.lower()) or self._written(t)

    def _written(self, text: str) -> str | None:
        maybe = self.candidates(text)
        return maybe[0] if len(maybe) == 1 else None

    def candidates(self, text: str) -> tuple[str, ...]:
        """Every value ``text`` may mean: one for a known form, several for an ambiguous one
        (``服务``: four industries), none for an unknown one."""
        t = text.strip()
        found = self._lookup.get(t) or self._lookup.get(t.lower())
        if found is not None:
            return (found,)
        key = form_key(t)
        found = self._keys.get(key)
        if found is not None:
            return (found,)
        stripped = key
        while stripped:  # 推广转化阶段 → 推广转化; 省级示范性劳模创新工作室 → 省级
            trailer = next((w for w in self.trailers if stripped.endswith(w) and stripped != w), None)
            if trailer is None:
                break
            stripped = stripped[: -len(trailer)]
            found = self._keys.get(stripped)
            if found is not None:
                return (found,)
        return self.reader(stripped) if self.reader is not None and stripped else ()

    def label(self, value: str | None) -> str:
        return self._labels.get(value, value or "")

    @property
    def labels(self) -> Mapping[str | None, str]:
        """Value → label, read-only: ``labels.get(v, v or "")`` is :meth:`label` without a call of
        its own (for a loop that labels every row of a national export)."""
        return MappingProxyType(self._labels)

    def rank(self, value: str | None) -> int:
        """Position in the enumeration's order (-1 when unknown/None)."""
        return self._rank.get(value, -1)

    def choices_text(self) -> str:
        """The labels joined by 、, or — when a label holds 、 itself (农、林、牧、渔业) — each after its
        value and joined by ；: ``A 农、林、牧、渔业；B 采矿业；…``."""
        if any("、" in lab for _, lab in self.items):
            return "；".join(f"{value} {lab}" for value, lab in self.items)
        return "、".join(lab for _, lab in self.items)

    def synonyms(self) -> dict[str, list[str]]:
        """Value → the other forms accepted for it (not its label or English value), in table
        order; what the reader takes by rule is described by :attr:`note`."""
        out: dict[str, list[str]] = {value: [] for value, _ in self.items}
        for form, value in [*self.aliases.items(),
                            *((f, v) for v, written in self.words.items() for f in written)]:
            if form not in out[value] and form != self._labels[value] and form.lower() != value.lower():
                out[value].append(form)
        return out


LEVEL = Enumeration(
    "级别",
    (
        ("enterprise", "企业级"),
        ("county", "县级"),
        ("city", "市级"),
        ("province", "省级"),
        ("national", "全国"),
    ),
    words=words.LEVEL,
    trailers=words.LEVEL_TRAILERS,
)

STUDIO_KIND = Enumeration(
    "类型",
    (
        ("model_worker", "劳模创新工作室"),
        ("craftsman", "工匠人才创新工作室"),
        ("worker", "职工创新工作室"),
        ("joint", "联合创新工作室"),
    ),
    words=words.STUDIO_KIND,
)

GENDER = Enumeration("性别", (("male", "男"), ("female", "女")), words=words.GENDER)

SKILL_GRADE = Enumeration(
    "技能等级",
    (
        ("junior", "初级工"),
        ("intermediate", "中级工"),
        ("senior", "高级工"),
        ("technician", "技师"),
        ("senior_technician", "高级技师"),
    ),
    words=words.SKILL_GRADE,
    reader=lambda key: _read_skill(key),
)

_SKILL_RE = re.compile(r"([一二三四五]级)")


def _read_skill(key: str) -> tuple[str, ...]:
    """A qualification level and a grade name in either order (高级技师（一级）, 一级高级技师), agreeing."""
    parts = [p for p in _SKILL_RE.split(re.sub(r"[/()、]", "", key)) if p]
    if len(parts) != 2:
        return ()
    level, name = (SKILL_GRADE._keys.get(p) for p in parts)
    return (level,) if level is not None and level == name else ()


#: honor kind -> (中文, level).  One kind per name, each with its level.
HONOR_LEVELS: dict[str, tuple[str, str]] = {
    "national_model_worker": ("全国劳动模范", "national"),
    "national_advanced_worker": ("全国先进工作者", "national"),
    "national_may_day_medal": ("全国五一劳动奖章", "national"),
    "great_craftsman": ("大国工匠", "national"),
    "china_skill_award": ("中华技能大奖", "national"),
    "national_technical_expert": ("全国技术能手", "national"),
    "province_model_worker": ("省部级劳动模范", "province"),
    "province_advanced_worker": ("省部级先进工作者", "province"),
    "province_may_day_medal": ("省五一劳动奖章", "province"),
    "province_craftsman": ("省级工匠", "province"),
    "city_model_worker": ("市级劳动模范", "city"),
    "city_advanced_worker": ("市级先进工作者", "city"),
    "city_may_day_medal": ("市五一劳动奖章", "city"),
    "city_craftsman": ("市级工匠", "city"),
    "county_model_worker": ("县级劳动模范", "county"),
    "enterprise_model_worker": ("企业劳动模范", "enterprise"),
}


def _place_level(place: str) -> str | None:
    """The level of a place or level word written before an honor: 河南省/河南/北京市 → province,
    安阳市 → city, 示例县 → county, 省级 → province; None when it is neither."""
    level = LEVEL.parse(place)
    if level is not None:
        return level
    if place.endswith("级"):
        place = place[:-1]
    if len(place) < 2:
        return None
    if place in _PROVINCIAL:
        return "province"
    for suffix, level in words.PLACE_SUFFIXES:
        if place.endswith(suffix) and len(place) > len(suffix):
            return level
    return "city" if place.endswith("州") and len(place) > 2 else None


_PROVINCIAL = frozenset(n for full, short in words.PROVINCES for n in (full, *short))


def _read_honor(key: str) -> tuple[str, ...]:
    """An honor written with its place or level (河南省劳动模范, 安阳市五一劳动奖章, 县劳模)."""
    for short, full in words.HONOR_SHORT.items():
        key = key.replace(short, full)
    found = HONOR_KIND._keys.get(key)
    if found is not None:
        return (found,)
    for core, suffix in words.HONOR_CORES.items():
        if key.endswith(core) and len(key) > len(core):
            level = _place_level(key[: -len(core)])
            kind = f"{level}_{suffix}"
            return (kind,) if level is not None and kind in HONOR_LEVELS else ()
    return ()


HONOR_KIND = Enumeration("荣誉", tuple((k, v[0]) for k, v in HONOR_LEVELS.items()),
                         words=words.HONOR_KIND, trailers=words.HONOR_TRAILERS, reader=_read_honor,
                         note=words.HONOR_NOTE)

INDUSTRY = Enumeration(
    "行业",
    (
        ("A", "农、林、牧、渔业"),
        ("B", "采矿业"),
        ("C", "制造业"),
        ("D", "电力、热力、燃气及水生产和供应业"),
        ("E", "建筑业"),
        ("F", "批发和零售业"),
        ("G", "交通运输、仓储和邮政业"),
        ("H", "住宿和餐饮业"),
        ("I", "信息传输、软件和信息技术服务业"),
        ("J", "金融业"),
        ("K", "房地产业"),
        ("L", "租赁和商务服务业"),
        ("M", "科学研究和技术服务业"),
        ("N", "水利、环境和公共设施管理业"),
        ("O", "居民服务、修理和其他服务业"),
        ("P", "教育"),
        ("Q", "卫生和社会工作"),
        ("R", "文化、体育和娱乐业"),
        ("S", "公共管理、社会保障和社会组织"),
        ("T", "国际组织"),
    ),
    words=words.INDUSTRY,
    trailers=("行业",),
    reader=lambda key: _read_industry(key),
    note=words.INDUSTRY_NOTE,
)

_LETTER_RE = re.compile(r"^\(?([a-t])\)?[-_.、:：·]?(.+)$|^(.+?)\(([a-t])\)$")
_INDUSTRY_NAMES = tuple((value, re.sub(r"[、，,]", "", label)) for value, label in INDUSTRY.items)


def _read_industry(key: str) -> tuple[str, ...]:
    """An industry by a part of its name only one section has (电力 → D; 服务 is four sections'),
    or with its section letter (C 制造业, C-制造业, 制造业（C）: letter and name must agree)."""
    m = _LETTER_RE.match(key)
    if m:
        letter, name = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        value = letter.upper()
        return (value,) if value in _industry_by_name(name) else ()
    return _industry_by_name(key)


def _industry_by_name(name: str) -> tuple[str, ...]:
    name = re.sub(r"[、，,]", "", name)
    found = INDUSTRY._keys.get(name)
    if found is not None:
        return (found,)
    for part in (name, name.removesuffix("行业"), name.removesuffix("业")):
        if len(part) >= 2:
            hits = tuple(value for value, full in _INDUSTRY_NAMES if part in full)
            if hits:
                return hits
    return ()


ACHIEVEMENT_TYPE = Enumeration(
    "类型",
    (
        ("invention_patent", "发明专利"),
        ("utility_patent", "实用新型专利"),
        ("design_patent", "外观设计专利"),
        ("technical_innovation", "技术革新"),
        ("operating_method", "先进操作法"),
        ("construction_method", "工法"),
        ("small_result", "五小成果"),
        ("suggestion", "合理化建议"),
        ("paper", "论文"),
        ("standard", "标准"),
    ),
    words=words.ACHIEVEMENT_TYPE,
)

STAGE = Enumeration(
    "阶段",
    (
        ("problem", "问题查找"),
        ("project", "课题立项"),
        ("research", "项目攻关"),
        ("trial", "应用试验"),
        ("improvement", "改进提升"),
        ("evaluation", "鉴定评价"),
        ("promotion", "推广转化"),
    ),
    words=words.STAGE,
    trailers=words.STAGE_TRAILERS,
)

ROLE = Enumeration(
    "角色",
    (("leader", "领衔人"), ("core", "核心成员"), ("member", "成员")),
    words=words.ROLE,
)

ACTIVITY_KIND = Enumeration(
    "类型",
    (
        ("training", "培训"),
        ("exchange", "技术交流"),
        ("tackling", "技术攻关"),
        ("competition", "技能比武"),
        ("publicity", "宣传展示"),
    ),
    words=words.ACTIVITY_KIND,
)

ACTION = Enumeration(
    "处理",
    (
        ("name", "命名"),
        ("demonstrate", "示范"),
        ("rectify", "整改"),
        ("warn", "通报"),
        ("restore", "恢复"),
        ("revoke", "摘牌"),
        ("close", "撤销"),
    ),
    words=words.ACTION,
)

GRADE = Enumeration(
    "等级",
    (("excellent", "优秀"), ("good", "良好"), ("pass", "合格"), ("fail", "不合格")),
    words=words.GRADE,
)

RECOMMENDATION = Enumeration(
    "建议",
    (("revoke", "摘牌"), ("rectify", "限期整改"), ("warn", "通报"), ("none", "无")),
)

STATUS = Enumeration(
    "状态",
    (
        ("registered", "已登记"),
        ("named", "已命名"),
        ("rectification", "限期整改"),
        ("warned", "通报"),
        ("revoked", "已摘牌"),
        ("closed", "已撤销"),
    ),
)


def honor_level(kind: str | None) -> str | None:
    """The level (enterprise…national) of an honor kind."""
    entry = HONOR_LEVELS.get(kind or "")
    return entry[1] if entry else None
