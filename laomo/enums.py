"""所有枚举的唯一定义处：数据库存稳定的英文值，界面显示和接受中文。

Every enumeration of the domain lives here, as an ordered tuple of
``(english_value, 中文标签)`` pairs.  The database stores the English value;
input accepts the Chinese label, the English value (any case) and, for a few
enumerations, extra aliases (GB/T 4754 section letters, 男/女 variants).

Nothing in this module imports anything heavy: it is used by the CLI help
texts as well as by validation.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Enumeration:
    """An ordered enumeration with Chinese labels and optional aliases."""

    name: str  # 中文名称, used in messages: 「级别」
    items: tuple[tuple[str, str], ...]
    aliases: dict[str, str] = field(default_factory=dict)
    # derived from the above in __post_init__: accepted text → value, value → position, value → label
    _lookup: dict[str, str] = field(init=False, repr=False, compare=False)
    _rank: dict[str | None, int] = field(init=False, repr=False, compare=False)
    _labels: dict[str | None, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for value, label in self.items:
            lookup[value.lower()] = value
            lookup[label] = value
        for alias, value in self.aliases.items():
            lookup[alias.lower()] = value
        object.__setattr__(self, "_lookup", lookup)
        object.__setattr__(self, "_rank", {v: i for i, (v, _) in enumerate(self.items)})
        object.__setattr__(self, "_labels", dict(self.items))

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(v for v, _ in self.items)

    def parse(self, text: str) -> str | None:
        """Return the English value for a Chinese label, English value or alias."""
        t = text.strip()
        return self._lookup.get(t) or self._lookup.get(t.lower())

    def label(self, value: str | None) -> str:
        return self._labels.get(value, value or "")

    def rank(self, value: str | None) -> int:
        """Position in the enumeration's order (-1 when unknown/None)."""
        return self._rank.get(value, -1)

    def choices_text(self) -> str:
        return "、".join(lab for _, lab in self.items)


LEVEL = Enumeration(
    "级别",
    (
        ("enterprise", "企业级"),
        ("county", "县级"),
        ("city", "市级"),
        ("province", "省级"),
        ("national", "全国"),
    ),
    {"企业": "enterprise", "县": "county", "区县级": "county", "市": "city", "省": "province",
     "省部级": "province", "国家级": "national", "全国级": "national"},
)

STUDIO_KIND = Enumeration(
    "类型",
    (
        ("model_worker", "劳模创新工作室"),
        ("craftsman", "工匠人才创新工作室"),
        ("worker", "职工创新工作室"),
        ("joint", "联合创新工作室"),
    ),
)

GENDER = Enumeration("性别", (("male", "男"), ("female", "女")), {"m": "male", "f": "female"})

SKILL_GRADE = Enumeration(
    "技能等级",
    (
        ("junior", "初级工"),
        ("intermediate", "中级工"),
        ("senior", "高级工"),
        ("technician", "技师"),
        ("senior_technician", "高级技师"),
    ),
)

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
HONOR_KIND = Enumeration("荣誉", tuple((k, v[0]) for k, v in HONOR_LEVELS.items()))

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
)

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
)

ROLE = Enumeration(
    "角色",
    (("leader", "领衔人"), ("core", "核心成员"), ("member", "成员")),
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
    {"示范性": "demonstrate", "限期整改": "rectify", "恢复命名": "restore"},
)

GRADE = Enumeration(
    "等级",
    (("excellent", "优秀"), ("good", "良好"), ("pass", "合格"), ("fail", "不合格")),
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
