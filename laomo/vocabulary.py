"""日常写法词表：每个枚举的常见写法、地名级别、数值单位、全角字符。

The written forms clerks and enterprise unions use, as data, one table per
enumeration (import-formats.md, "Files as they really arrive" → "Values" and
"Enumerations").  :mod:`laomo.enums` builds its lookups from these tables and
:mod:`laomo.ledger.values` reads units from :data:`UNITS`; ``register columns``, the
templates' drop-down lists and the 填表说明 sheet list the same tables (through
``Enumeration.synonyms()`` and ``Enumeration.note``).

Conservative on purpose: a form is listed only where it cannot mean another value
(``高级`` is not here: 高级工 or 高级技师?; ``专利`` is not here: which patent?).

Foundation layer, pure data and the stdlib: imported with :mod:`laomo.enums`.
"""

from __future__ import annotations

# --- Full-width forms ---------------------------------------------------------------

#: Full-width ASCII (U+FF01–U+FF5E) read as ASCII, the ideographic space as a space and
#: ￥ as ¥: ``１３８０７８２３０９３`` → ``13807823093``, ``２０２５－０３－１５`` → ``2025-03-15``.
#: A translate table, not NFKC: NFKC would also turn ``²`` into ``2`` (a superscript in an ID
#: number must stay an error) and ``㎡`` into ``m2``.
FULLWIDTH: dict[int, int] = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20, 0xFFE5: 0xA5}


def fold_width(text: str) -> str:
    """``text`` with full-width letters, digits and punctuation as ASCII (unchanged when ASCII)."""
    return text if text.isascii() else text.translate(FULLWIDTH)


# --- Units after numbers and in headers ---------------------------------------------

#: Unit family → {unit as written (lower case) → factor to the stored unit}.  A number's own
#: unit must be of its column's family; a header's unit (年度经费（万元）) gives the column's
#: scale through ``laomo.ledger.values.unit_scale``.
UNITS: dict[str, dict[str, int]] = {
    "area": {"平方米": 1, "平米": 1, "平方": 1, "㎡": 1, "m²": 1, "m2": 1},  # 场所面积, stored in m²
    "people": {"人次": 1, "人": 1},  # 人次
    # 学时 is what the ledger counts; a clerk's 小时 or 课时 is taken as the same number
    "hours": {"学时": 1, "课时": 1, "小时": 1, "h": 1},
    "amount": {"元": 1, "万元": 10000, "万": 10000},  # stored in whole 元; ￥/¥ may also lead
    "score": {"分": 1},  # 得分
}
#: Currency signs that may come before an amount (``￥50000``; full-width ￥ is folded to ¥).
CURRENCY_SIGNS = ("¥",)
#: Each family's name in messages.
UNIT_WHAT = {"area": "面积", "people": "人次", "hours": "学时", "amount": "金额", "score": "得分"}


# --- Enumerations: value → everyday forms (besides the Chinese label and the English value) ----

LEVEL: dict[str, tuple[str, ...]] = {
    "enterprise": ("企业", "企业级", "公司级", "厂级"),
    "county": ("县", "区", "区县级", "县区级", "区级", "区县", "县区"),
    "city": ("市", "地市级", "地级"),
    "province": ("省", "省部级"),
    "national": ("国家级", "全国级"),
}
#: Words that may follow a level (``市级劳模创新工作室`` → 市级, ``省级示范性劳模创新工作室`` → 省级).
LEVEL_TRAILERS = ("劳模和工匠人才创新工作室", "劳模创新工作室", "工匠人才创新工作室", "职工创新工作室",
                  "联合创新工作室", "创新工作室", "工作室", "示范性", "示范")

STUDIO_KIND: dict[str, tuple[str, ...]] = {
    "model_worker": ("劳模工作室", "劳动模范创新工作室"),
    "craftsman": ("工匠创新工作室", "工匠人才工作室", "工匠工作室"),
    "worker": ("职工工作室",),
    "joint": ("联合工作室",),
}

GENDER: dict[str, tuple[str, ...]] = {"male": ("男性", "m"), "female": ("女性", "f")}


#: The national vocational qualification levels: 一级 = 高级技师 … 五级 = 初级工.  The level and
#: the name together are read in any order (一级/高级技师, 高级技师（一级）) when they agree.
SKILL_GRADE: dict[str, tuple[str, ...]] = {
    "junior": ("五级", "五级/初级工"),
    "intermediate": ("四级", "四级/中级工"),
    "senior": ("三级", "三级/高级工"),
    "technician": ("二级", "二级/技师"),
    "senior_technician": ("一级", "一级/高级技师"),
}

#: Honors: the usual short forms.  Any honor written with its place is read by rule as well
#: (see HONOR_NOTE, PROVINCES and the place suffixes below).
HONOR_KIND: dict[str, tuple[str, ...]] = {
    "national_model_worker": ("全国劳模",),
    "national_may_day_medal": ("全国五一奖章",),
    "province_model_worker": ("省劳模", "省级劳模", "省部级劳模", "省劳动模范", "省级劳动模范"),
    "province_advanced_worker": ("省先进工作者", "省级先进工作者"),
    "province_may_day_medal": ("省级五一劳动奖章", "省五一奖章"),
    "province_craftsman": ("省工匠", "中原大工匠"),
    "city_model_worker": ("市劳模", "市级劳模", "市劳动模范"),
    "city_advanced_worker": ("市先进工作者",),
    "city_may_day_medal": ("市级五一劳动奖章", "市五一奖章"),
    "city_craftsman": ("市工匠",),
    "county_model_worker": ("县劳模", "县级劳模", "县劳动模范", "区县级劳动模范"),
    "enterprise_model_worker": ("企业劳模", "企业级劳动模范"),
}
#: What an honor is, after its place or level: core → the kind's suffix in HONOR_LEVELS.
HONOR_CORES = {"五一劳动奖章": "may_day_medal", "先进工作者": "advanced_worker", "劳动模范": "model_worker",
               "大工匠": "craftsman", "工匠": "craftsman"}
#: Shortenings expanded before the core is looked for.
HONOR_SHORT = {"劳模": "劳动模范", "五一奖章": "五一劳动奖章"}
#: Words that may follow an honor (全国劳动模范称号).
HONOR_TRAILERS = ("荣誉称号", "称号", "获得者")
HONOR_NOTE = ("荣誉也可带地名写：省级地名（河南省、河南、北京市、内蒙古自治区）为省部级，"
              "市级地名（安阳市、X地区、X盟、X自治州）为市级，县级地名（X县、X区、X旗）为县级，"
              "如 河南省劳动模范、安阳市五一劳动奖章；劳模即劳动模范")

#: The 34 provincial-level divisions: (full name, short forms).  A municipality is provincial.
PROVINCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("北京市", ("北京",)), ("天津市", ("天津",)), ("上海市", ("上海",)), ("重庆市", ("重庆",)),
    ("河北省", ("河北",)), ("山西省", ("山西",)), ("辽宁省", ("辽宁",)), ("吉林省", ("吉林",)),
    ("黑龙江省", ("黑龙江",)), ("江苏省", ("江苏",)), ("浙江省", ("浙江",)), ("安徽省", ("安徽",)),
    ("福建省", ("福建",)), ("江西省", ("江西",)), ("山东省", ("山东",)), ("河南省", ("河南",)),
    ("湖北省", ("湖北",)), ("湖南省", ("湖南",)), ("广东省", ("广东",)), ("海南省", ("海南",)),
    ("四川省", ("四川",)), ("贵州省", ("贵州",)), ("云南省", ("云南",)), ("陕西省", ("陕西",)),
    ("甘肃省", ("甘肃",)), ("青海省", ("青海",)), ("台湾省", ("台湾",)),
    ("内蒙古自治区", ("内蒙古",)), ("广西壮族自治区", ("广西", "广西自治区")),
    ("西藏自治区", ("西藏",)), ("宁夏回族自治区", ("宁夏", "宁夏自治区")),
    ("新疆维吾尔自治区", ("新疆", "新疆自治区")),
    ("香港特别行政区", ("香港",)), ("澳门特别行政区", ("澳门",)),
)
#: A place name ending so is of that level (checked in this order, after PROVINCES; a name ending
#: in 州 is a prefecture only when longer than two characters: 恩施州, not 郑州 or 林州).
PLACE_SUFFIXES: tuple[tuple[str, str], ...] = (
    ("特别行政区", "province"), ("自治区", "province"), ("省", "province"),
    ("地区", "city"), ("自治州", "city"), ("盟", "city"), ("市", "city"),
    ("自治县", "county"), ("自治旗", "county"), ("县", "county"), ("区", "county"), ("旗", "county"),
)

INDUSTRY: dict[str, tuple[str, ...]] = {
    "A": ("农业", "林业", "牧业", "畜牧业", "渔业", "农林牧渔业", "农林牧渔"),
    "M": ("科研",),
    "G": ("物流",),
    "Q": ("医疗卫生", "医疗"),
}
INDUSTRY_NOTE = ("行业也可写门类字母（C）、字母加名称（C 制造业、C-制造业）"
                 "或名称中只属于一个门类的部分（电力 → D，制造 → C，交通运输 → G）")

ACHIEVEMENT_TYPE: dict[str, tuple[str, ...]] = {
    "invention_patent": ("发明",),
    "utility_patent": ("实用新型",),
    "design_patent": ("外观设计", "外观专利"),
    "operating_method": ("操作法",),
    "construction_method": ("施工工法",),
    "small_result": ("五小",),
    "paper": ("技术论文", "学术论文"),
    "standard": ("国家标准", "行业标准", "地方标准", "团体标准", "企业标准", "技术标准"),
}

STAGE: dict[str, tuple[str, ...]] = {
    "problem": ("查找问题",),
    "project": ("立项",),
    "research": ("攻关",),
    "trial": ("试验",),
    "improvement": ("改进",),
    "evaluation": ("鉴定", "评价"),
    "promotion": ("推广应用", "推广", "成果转化", "转化"),
}
STAGE_TRAILERS = ("阶段",)

ROLE: dict[str, tuple[str, ...]] = {
    "core": ("骨干", "骨干成员", "核心骨干", "核心"),
    "member": ("一般成员", "普通成员", "团队成员", "组员"),
}

ACTIVITY_KIND: dict[str, tuple[str, ...]] = {
    "training": ("技术培训", "技能培训", "业务培训", "岗位培训", "培训班"),
    "exchange": ("交流", "经验交流", "学习交流", "交流学习"),
    "tackling": ("攻关", "难题攻关", "课题攻关", "项目攻关"),
    "competition": ("比武", "技能竞赛", "竞赛", "技能大赛", "劳动竞赛"),
    "publicity": ("宣传", "展示", "成果展示"),
}

ACTION: dict[str, tuple[str, ...]] = {
    "name": ("授牌",),
    "demonstrate": ("示范性", "示范性命名"),
    "rectify": ("限期整改", "责令整改"),
    "warn": ("通报批评",),
    "restore": ("恢复命名",),
}

GRADE: dict[str, tuple[str, ...]] = {
    "excellent": ("优",),
    "good": ("良",),
    "pass": ("及格",),
    "fail": ("不及格",),
}
