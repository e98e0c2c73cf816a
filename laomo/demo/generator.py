"""演示数据生成器：一个虚构的「演示县」和全国规模的流式数据集。

Deterministic generator of demo data, used by ``laomo quickstart`` and by the
benchmark scripts.  Standard library only, besides laomo.ledger.values (itself stdlib-only)
for the ID-number and credit-code check characters.

* :func:`write_demo_county` writes one CSV per import KIND (import-formats.md)
  for a fictional county, 演示县, with the districts 演示新区 and 演示高新区:
  a few dozen studios in several host enterprises and industries, their
  leaders, teams, honors, results, activities, mentorships, D2 inspection
  scores, past namings and past grades.  Studios come in tiers (strong, good,
  fair) plus a few deliberately weak ones — a team of two, no sign, no results
  after the first year, a mostly non-front-line "renamed R&D department" — so
  that a yearly assessment shows every grade and every recommendation.
* :func:`write_large_county` streams a national-scale data set (150,000
  studios is fine) of the same ten kinds with flat memory; it shares the
  per-studio generator with the demo county but uses lighter, uniform rates.
* :func:`iter_people_rows` / :func:`write_people_csv` stream any number of
  people rows (1,000,000 with flat memory) for import benchmarks.

Every value is valid per import-formats.md: Chinese headers and enumerations,
ISO dates, 是/否, whole 元.  ID numbers carry a correct GB 11643 check digit
and a real birth date within 出生年份 (odd/even 17th digit by gender); credit
codes carry correct GB 11714 (organisation code) and GB 32100 check
characters; patent numbers carry the CN application-number check digit.
Within a run, ID numbers and phone numbers are unique up to about 1.4 million
people (they are derived from the person's serial number, not drawn at random).

Determinism: all randomness comes from one ``random.Random(seed)`` (never the
global generator, never the clock); the same arguments give byte-identical
files.  Files are UTF-8 with a BOM and CRLF line ends, as Excel writes them.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

# the check characters are written once, with the rules that validate them on import
from laomo.ledger.values import credit_check_char, id_check_char

__all__ = [
    "HEADERS",
    "KINDS",
    "PEOPLE_HEADER",
    "credit_check_char",
    "id_check_char",
    "iter_people_rows",
    "write_demo_county",
    "write_large_county",
    "write_people_csv",
]

#: Import order: every reference points to a row of an earlier file.
KINDS = ("people", "honors", "studios", "members", "achievements", "activities",
         "mentorships", "inspections", "designations", "assessments")

#: Chinese column headers per KIND, exactly as in import-formats.md.
HEADERS: dict[str, tuple[str, ...]] = {
    "people": ("编号", "姓名", "性别", "出生年份", "身份证号", "手机", "单位", "岗位", "一线职工", "技能等级"),
    "honors": ("人员编号", "荣誉", "年份", "授予单位"),
    "studios": ("编号", "名称", "类型", "领衔人编号", "所在单位", "统一社会信用代码", "行业", "区县",
                "成立日期", "场所面积", "年度经费", "有标牌", "有制度", "有计划", "有展示", "有活动记录",
                "有设施", "备注"),
    "members": ("工作室编号", "人员编号", "角色", "加入日期", "退出日期"),
    "achievements": ("编号", "工作室编号", "名称", "类型", "阶段", "日期", "经济效益", "专利号", "一线主导"),
    "activities": ("工作室编号", "日期", "类型", "主题", "人次", "学时"),
    "mentorships": ("工作室编号", "师傅编号", "徒弟编号", "开始日期", "结束日期", "签订协议", "晋级日期"),
    "inspections": ("工作室编号", "年度", "考核项", "得分", "检查人"),
    "designations": ("工作室编号", "处理", "级别", "年度", "日期", "批次", "文号", "金额", "原因"),
    "assessments": ("工作室编号", "年度", "得分", "等级"),
}
PEOPLE_HEADER = HEADERS["people"]

# --- vocabulary ------------------------------------------------------------------

_SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
             "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵钱覃武戴孔向汤")
_GIVEN = {True: "伟刚勇毅俊峰强军平东文辉力明永健志兴良海山波宁贵福生龙国胜学祥发新利清飞彬富顺杰涛昌成康光达安岩中进林磊民浩亮宏鹏建德",
          False: "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红玲芬芳燕彩春菊兰凤洁梅琳素云莲雪荣霞香月艳瑞佳琼珍莉桂婷倩颖丹蓉琴晓欣"}
_GRADES = ("初级工", "中级工", "高级工", "技师", "高级技师")
_GRADE_WEIGHTS = (1, 3, 4, 2, 1)
_OFFICE_POSTS = ("工程师", "技术研发员", "质量工程师", "设计员", "安全管理员", "综合管理员")
_BRANDS = ("华宇", "恒通", "金马", "宏达", "中原", "新兴", "瑞丰", "鼎盛", "永安", "天成", "东方", "万里", "长青", "嘉禾")
_INDUSTRY_NAMES = {"A": "农、林、牧、渔业", "B": "采矿业", "C": "制造业", "D": "电力、热力、燃气及水生产和供应业",
                   "E": "建筑业", "G": "交通运输、仓储和邮政业", "H": "住宿和餐饮业",
                   "I": "信息传输、软件和信息技术服务业", "Q": "卫生和社会工作"}
# Host enterprises: unit name template ({c} county, {b} brand), GB/T 4754 section,
# front-line posts, topics of innovation.
_SECTORS = (
    ("国网{c}供电公司", "D", ("变电运维工", "配电线路工", "继电保护员", "电力调度员", "电能表修校工"),
     ("变电站巡检", "配网带电作业", "继电保护校验", "电缆故障定位", "台区线损治理")),
    ("{c}{b}机械制造有限公司", "C", ("车工", "钳工", "焊工", "数控铣工", "装配钳工"),
     ("数控加工精度", "工装夹具", "焊接变形控制", "电主轴修复", "齿轮箱装配")),
    ("{c}{b}纺织有限公司", "C", ("挡车工", "保全工", "印染工", "络筒工"),
     ("细纱断头控制", "织机效率", "染色均匀度", "浆纱工艺")),
    ("{c}公共交通有限公司", "G", ("汽车维修工", "驾驶员", "调度员", "汽车电工"),
     ("新能源公交电池维护", "发动机故障诊断", "车载空调检修", "智能调度")),
    ("{c}自来水有限公司", "D", ("水质检验员", "泵站运行工", "管道工", "仪表工"),
     ("管网漏损控制", "混凝加药", "泵站节能", "水表计量")),
    ("{c}{b}建设工程集团有限公司", "E", ("钢筋工", "混凝土工", "测量员", "架子工", "电焊工"),
     ("装配式构件安装", "高支模施工", "大体积混凝土温控", "钢结构焊接")),
    ("{c}人民医院", "Q", ("护士", "医学检验技师", "药剂师", "医疗设备维修工"),
     ("静脉穿刺", "院感防控", "检验标本流转", "医疗设备保养")),
    ("{c}{b}化工股份有限公司", "C", ("化工总控工", "仪表维修工", "化学检验员", "设备点检员"),
     ("反应釜温控", "精馏节能", "尾气回收", "离心泵密封")),
    ("{c}{b}煤业有限公司", "B", ("采煤机司机", "掘进工", "机电维修工", "通风工"),
     ("综采设备维护", "巷道支护", "矿井通风", "瓦斯抽采")),
    ("中国移动通信集团{c}分公司", "I", ("通信线务员", "网络运维员", "装维工程师"),
     ("光缆抢修", "基站节能", "宽带装维效率", "5G基站调测")),
    ("{c}{b}农业科技有限公司", "A", ("农艺工", "农机修理工", "植保员"),
     ("设施蔬菜栽培", "农机具改装", "病虫害绿色防控")),
    ("{c}{b}燃气有限公司", "D", ("燃气管道工", "燃气调压工", "燃气用户检修工"),
     ("燃气管网巡检", "调压箱维护", "户内安检")),
    ("中国邮政集团有限公司{c}分公司", "G", ("邮件分拣员", "投递员", "邮政营业员"),
     ("邮件分拣效率", "农村投递线路", "包裹破损控制")),
    ("{c}{b}大酒店有限公司", "H", ("中式烹调师", "面点师", "客房服务员"),
     ("菜品标准化", "面点工艺", "客房服务流程")),
)
# Honors by level: (kind, issuer); {c} county, {u} unit.
_HONORS = {
    "national": (("全国劳动模范", "中共中央、国务院"), ("全国先进工作者", "中共中央、国务院"),
                 ("全国五一劳动奖章", "中华全国总工会"), ("大国工匠", "中华全国总工会"),
                 ("中华技能大奖", "人力资源社会保障部"), ("全国技术能手", "人力资源社会保障部")),
    "province": (("省部级劳动模范", "演示省人民政府"), ("省部级先进工作者", "演示省人民政府"),
                 ("省五一劳动奖章", "演示省总工会"), ("省级工匠", "演示省总工会")),
    "city": (("市级劳动模范", "演示市人民政府"), ("市级先进工作者", "演示市人民政府"),
             ("市五一劳动奖章", "演示市总工会"), ("市级工匠", "演示市总工会")),
    "county": (("县级劳动模范", "{c}人民政府"),),
    "enterprise": (("企业劳动模范", "{u}"),),
}
_ACHIEVEMENTS = {  # kind: (weight, title template; {t} topic, {n} leader's name)
    "发明专利": (8, "一种{t}装置"), "实用新型专利": (18, "一种{t}专用工具"), "外观设计专利": (1, "{t}工具箱"),
    "技术革新": (15, "{t}技术革新"), "先进操作法": (9, "{n}{t}操作法"), "工法": (7, "{t}工法"),
    "五小成果": (15, "{t}小改小革"), "合理化建议": (14, "关于改进{t}的建议"),
    "论文": (8, "{t}的实践与探索"), "标准": (5, "{t}作业规范"),
}
_STAGES = ("问题查找", "课题立项", "项目攻关", "应用试验", "改进提升", "鉴定评价", "推广转化")
_STAGE_WEIGHTS = (1, 2, 3, 3, 2, 2, 5)
_ACTIVITIES = {  # kind: (title templates; {t} topic, {p} post), participants range, hours
    "培训": (("{t}专题培训", "{p}技能提升培训", "安全操作规程培训", "新员工岗前培训", "师带徒集中授课"), (20, 90), (2, 4, 4, 8)),
    "技术交流": (("{t}技术交流会", "赴兄弟单位学习交流", "{t}经验分享会"), (8, 40), (2, 3, 4)),
    "技术攻关": (("{t}难题攻关", "{t}课题推进会"), (4, 12), (4, 8)),
    "技能比武": (("{p}技能比武", "{p}岗位练兵"), (10, 60), (4, 8)),
    "宣传展示": (("劳模精神进班组宣讲", "创新成果展示开放日", "工匠精神进校园", "五一劳动节成果展"), (20, 150), (2, 3)),
}
_FUNDS = (20000, 30000, 50000, 80000, 100000, 120000, 200000, 300000)
_NOTES = ("", "", "", "", "", "与演示职业技术学院共建实训基地", "设有创新成果展厅", "2023年迁入新址")
# Administrative area codes for ID numbers and credit codes (province+city+district).
_AREAS = tuple(p + d for p in ("4101", "4105", "1301", "3701", "6101")
               for d in ("02", "03", "04", "05", "22", "23", "26", "27"))
_ID_SPACE = 73 * 100 * 5 * len(_AREAS)  # 5-day windows × 顺序码 × parity digit × areas
_PHONE_PREFIXES = tuple(f"13{d}" for d in range(10)) + tuple(f"15{d}" for d in "012356789") \
    + tuple(f"18{d}" for d in range(10)) + ("191", "193", "195", "198", "199")
_DEMO_COUNTIES = ("演示县", "演示县", "演示新区", "演示县", "演示高新区", "演示新区")


@dataclass(frozen=True)
class _Tier:
    """How active and how well set up a studio is (ranges are inclusive)."""

    team: tuple[int, int]        # members besides the leader
    frontline: float             # share of them working on the front line
    results: tuple[int, int]     # achievements a year
    big: float                   # chance that a result is worth ≥ 100,000 元 a year
    training: tuple[int, int]    # 培训 sessions a year
    exchange: tuple[int, int]    # 技术交流 / 宣传展示 a year
    other: tuple[int, int]       # 技术攻关 / 技能比武 a year
    mentors: tuple[int, int]     # 师带徒 pairs over the whole period
    promote: float               # chance that an apprentice rises a grade
    d2: tuple[int, int]          # on-site inspection score (item D2)
    score: tuple[int, int]       # imported yearly score (first year + 2)
    honors: tuple[str, ...]      # levels of the leader's honor to draw from ("" = none)
    flags: float = 1.0           # chance each of 有制度/有计划/有展示/有设施 is 是
    sign: bool = True
    records: bool = True
    quiet: int = 0               # trailing years without any result
    notes: tuple[str, ...] = _NOTES


_TIERS = {
    "strong": _Tier((6, 8), .9, (4, 6), .65, (4, 6), (2, 4), (1, 2), (4, 6), .8, (8, 10), (90, 97),
                    ("city", "province", "national")),
    "good": _Tier((5, 7), .85, (3, 5), .4, (4, 5), (2, 3), (0, 2), (3, 4), .6, (7, 9), (80, 89),
                  ("county", "city", "province")),
    "fair": _Tier((3, 6), .8, (2, 3), .2, (3, 5), (1, 3), (0, 1), (2, 3), .4, (6, 9), (65, 79),
                  ("", "enterprise", "county", "county"), flags=.9),
    "two_person": _Tier((1, 1), 1., (0, 1), 0., (0, 2), (0, 1), (0, 1), (0, 1), 0., (3, 5), (60, 66),
                        ("enterprise", "county"), flags=.7),
    "no_sign": _Tier((4, 5), .8, (2, 4), .3, (4, 5), (2, 3), (0, 1), (2, 3), .4, (7, 8), (50, 58),
                     ("county",), sign=False),
    "dormant": _Tier((3, 4), .7, (1, 2), .1, (0, 2), (0, 1), (0, 1), (0, 1), 0., (2, 4), (58, 64),
                     ("county",), flags=.7, records=False, quiet=4),
    "back_office": _Tier((4, 6), .2, (2, 3), .3, (3, 5), (1, 2), (0, 1), (1, 2), .3, (6, 8), (66, 76),
                         ("county", "city"), notes=("依托公司技术研发中心设立",)),
}
# National scale: ~7 members, ~10 activities, ~5 results, ~2 mentorships per studio over 5 years.
_LARGE = _Tier((4, 8), .8, (0, 2), .25, (1, 2), (0, 1), (0, 0), (1, 3), .4, (5, 10), (58, 95),
               ("", "enterprise", "county", "county", "city", "province", "national"), flags=.9)
_LARGE_TIERS = (_LARGE, replace(_LARGE, team=(1, 2), training=(0, 1)), replace(_LARGE, frontline=.3))
_LARGE_WEIGHTS = (90, 5, 5)


@dataclass(frozen=True)
class _Spec:
    """One studio to generate."""

    code: str
    tier: _Tier
    county: str
    county_no: int                # numbers the county's documents (文号) and batch dates
    unit: str
    sector: tuple
    founded: dt.date
    named: int | None = None      # year of the county-level naming
    city: int | None = None       # year of the city-level naming
    credit: bool = True           # whether 统一社会信用代码 is filled in


class _Codes:
    """Sequential codes P…/A… and the person's serial number (for unique IDs)."""

    def __init__(self, people_width: int, achievement_width: int) -> None:
        self.people = self.achievements = 0
        self.widths = (people_width, achievement_width)

    def person(self) -> tuple[int, str]:
        self.people += 1
        return self.people - 1, f"P{self.people:0{self.widths[0]}d}"

    def achievement(self) -> str:
        self.achievements += 1
        return f"A{self.achievements:0{self.widths[1]}d}"


# --- small value helpers ---------------------------------------------------------

def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _between(rng: random.Random, lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, max(0, (hi - lo).days)))


def _in_year(rng: random.Random, year: int, since: dt.date) -> dt.date:
    return _between(rng, max(since, dt.date(year, 1, 1)), dt.date(year, 12, 31))


def _name(rng: random.Random, male: bool) -> str:
    given = _GIVEN[male]
    return rng.choice(_SURNAMES) + "".join(rng.choice(given) for _ in range(1 + (rng.random() < .7)))


def _id_number(rng: random.Random, slot: int, year: int, male: bool) -> str:
    """A valid ID number born in ``year``, unique per ``slot`` below ``_ID_SPACE``."""
    k, window = divmod(slot * 1_000_003 % _ID_SPACE, 73)  # a bijection scatters neighbours
    k, seq = divmod(k, 100)
    k, parity = divmod(k, 5)
    born = dt.date(year, 1, 1) + dt.timedelta(days=window * 5 + rng.randrange(5))
    first17 = f"{_AREAS[k]}{born.year}{born.month:02d}{born.day:02d}{seq:02d}{2 * parity + male}"
    return first17 + id_check_char(first17)


def _phone(rng: random.Random, slot: int) -> str:
    """A mobile number unique per ``slot`` (two affine bijections around a digit reversal)."""
    x = (slot * 7_654_321 + 52_718_209) % 10 ** 8
    x = (int(f"{x:08d}"[::-1]) * 3_141_593 + 2_718_281) % 10 ** 8
    return rng.choice(_PHONE_PREFIXES) + f"{x:08d}"


def _credit_code(unit: str) -> str:
    """A valid credit code derived from the unit name (same unit, same code)."""
    h = zlib.crc32(unit.encode("utf-8"))
    body = f"{h % 10 ** 8:08d}"
    org = 11 - sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2))) % 11  # GB 11714
    first17 = f"91{_AREAS[h % len(_AREAS)]}{body}" + {10: "X", 11: "0"}.get(org, str(org))
    return first17 + credit_check_char(first17)


def _patent_no(rng: random.Random, year: int, kind: str) -> str:
    """ZL + application number (year, type 1/2/3, serial) + '.' + check digit."""
    digits = f"{year}{'发实外'.index(kind[0]) + 1}{rng.randrange(10 ** 7):07d}"
    check = sum(int(d) * (2 + i % 8) for i, d in enumerate(digits)) % 11
    return f"ZL{digits}.{'X' if check == 10 else check}"


def _unit(sector: tuple, county: str, brand: str) -> str:
    return sector[0].format(c=county, b=brand)


def _person_row(rng: random.Random, slot: int, code: str, unit: str, posts: tuple[str, ...],
                frontline: bool, grade: str, born: tuple[int, int]) -> list[str]:
    """One people row (PEOPLE_HEADER order)."""
    male = rng.random() < .6
    year = rng.randint(*born)
    return [code, _name(rng, male), "男" if male else "女", str(year), _id_number(rng, slot, year, male),
            _phone(rng, slot) if rng.random() < .95 else "", unit,
            rng.choice(posts if frontline else _OFFICE_POSTS), _yes(frontline), grade]


def _designation(code: str, action: str, level: str, year: int, union: str, union_no: int,
                 month: int = 12, amount: str = "", reason: str = "") -> list[str]:
    """A designation row; one decision (文号, date) per issuing union, year and month."""
    date = dt.date(year, month, (union_no * 5 + year) % 27 + 1)
    doc = f"{union}工发〔{year}〕{(union_no * 7 + year * 3 + month) % 40 + 2}号"
    batch = f"{year}年第一批" if action == "命名" else ""
    return [code, action, level, str(year), date.isoformat(), batch, doc, amount, reason]


def _grade(score: float) -> str:
    return "优秀" if score >= 90 else "良好" if score >= 80 else "合格" if score >= 60 else "不合格"


# --- one studio --------------------------------------------------------------------

def _studio_rows(rng: random.Random, s: _Spec, codes: _Codes, y0: int, y1: int) -> dict[str, list[list[str]]]:
    """All rows of every KIND that belong to one studio: leader, team, mentorships, then the rest."""
    t = s.tier
    rows: dict[str, list[list[str]]] = {k: [] for k in KINDS}
    posts = s.sector[2]
    start, end = max(s.founded, dt.date(y0, 1, 1)), dt.date(y1, 12, 31)

    def person(frontline: bool, grade: str, born: tuple[int, int]) -> list[str]:
        slot, code = codes.person()
        rows["people"].append(_person_row(rng, slot, code, s.unit, posts, frontline, grade, born))
        return rows["people"][-1]

    def honor(p: list[str], level: str, latest: int) -> str:
        kind, issuer = rng.choice(_HONORS[level])
        year = rng.randint(min(int(p[3]) + 26, latest), latest)
        rows["honors"].append([p[0], kind, str(year), issuer.format(c=s.county, u=s.unit)])
        return kind

    # Leader, honor and the studio itself.
    level = rng.choice(t.honors)
    leader = person(t.frontline >= .5, rng.choice(("高级工", "技师", "高级技师", "高级技师") if level
                                                   else ("技师", "高级技师", "高级技师")), (1966, 1988))
    kind = honor(leader, level, min(max(s.founded.year, int(leader[3]) + 30), y0 - 1)) if level else ""
    if not kind:
        skind = rng.choice(("工匠人才创新工作室", "职工创新工作室", "职工创新工作室", "联合创新工作室"))
    else:
        skind = "工匠人才创新工作室" if any(w in kind for w in ("工匠", "技能", "技术能手")) else "劳模创新工作室"
    flag = lambda: _yes(rng.random() < t.flags)  # noqa: E731
    rows["studios"].append([
        s.code, leader[1] + skind, skind, leader[0], s.unit, _credit_code(s.unit) if s.credit else "",
        s.sector[1] if rng.random() < .7 else _INDUSTRY_NAMES[s.sector[1]], s.county, s.founded.isoformat(),
        str(rng.randint(30, 220)), str(rng.choice(_FUNDS)), _yes(t.sign), flag(), flag(), flag(),
        _yes(t.records), flag(), rng.choice(t.notes)])

    # Team: the leader first, then core members and members, mostly front-line.
    rows["members"].append([s.code, leader[0], "领衔人", s.founded.isoformat(), ""])
    n = rng.randint(*t.team)
    front = [True] * round(n * t.frontline) + [False] * (n - round(n * t.frontline))
    rng.shuffle(front)
    team = []  # (person row, joined, left)
    for i, fl in enumerate(front):
        p = person(fl, rng.choices(_GRADES, _GRADE_WEIGHTS)[0], (1966, 2002))
        if rng.random() < .08:
            honor(p, rng.choice(("enterprise", "enterprise", "city")), y1)
        latest = min(dt.date(y1, 3, 31), s.founded + dt.timedelta(days=1500))
        joined = _between(rng, s.founded, max(s.founded, latest))
        left = None
        if n > 2 and rng.random() < .07 and joined + dt.timedelta(days=180) < end:
            left = _between(rng, joined + dt.timedelta(days=180), end)
        team.append((p, joined, left))
        rows["members"].append([s.code, p[0], "核心成员" if i < max(1, n // 3) else "成员",
                                joined.isoformat(), left.isoformat() if left else ""])

    # Mentorships: a leader or technician teaches a junior member who stays.
    masters = [leader] + [p for p, _, _ in team if p[9] in ("技师", "高级技师")]
    pool = [(p, j) for p, j, left in team if left is None and p[9] in _GRADES[:3]]
    for p, joined in rng.sample(pool, min(len(pool), rng.randint(*t.mentors))):
        first = max(start, joined)
        if first > dt.date(y1, 6, 30):
            continue
        begin = _between(rng, first, dt.date(y1, 6, 30)).replace(day=1)
        finish = begin.replace(year=begin.year + 2) if rng.random() < .35 else None
        promoted = begin + dt.timedelta(days=rng.randint(120, 540)) if rng.random() < t.promote else None
        if promoted and (promoted > end or (finish and promoted > finish)):
            promoted = None
        rows["mentorships"].append([s.code, rng.choice(masters)[0], p[0], begin.isoformat(),
                                    finish.isoformat() if finish else "", _yes(rng.random() < .8),
                                    promoted.isoformat() if promoted else ""])

    _yearly_rows(rng, s, codes, rows, start, y1, leader[1])
    _history_rows(rng, s, rows, y0, y1)
    return rows


def _yearly_rows(rng: random.Random, s: _Spec, codes: _Codes, rows: dict[str, list[list[str]]],
                 start: dt.date, y1: int, leader_name: str) -> None:
    """Achievements (none in the trailing ``quiet`` years) and activities, year by year."""
    t, posts, topics = s.tier, s.sector[2], s.sector[3]
    types, weights = list(_ACHIEVEMENTS), [w for w, _ in _ACHIEVEMENTS.values()]
    seen = set()  # activity natural keys (date, kind, title) of this studio
    for year in range(start.year, y1 + 1):
        for _ in range(rng.randint(*t.results) if year <= y1 - t.quiet else 0):
            atype = rng.choices(types, weights)[0]
            stage = rng.choices(_STAGES, _STAGE_WEIGHTS)[0]
            r = rng.random()
            benefit = (0 if stage in _STAGES[:2] else rng.randrange(10, 151) * 10000 if r < t.big
                       else rng.randrange(5, 100) * 1000 if r < t.big + .4 else 0)
            title = _ACHIEVEMENTS[atype][1].format(t=rng.choice(topics), n=leader_name)
            rows["achievements"].append([
                codes.achievement(), s.code, title, atype, stage, _in_year(rng, year, start).isoformat(),
                str(benefit), _patent_no(rng, year, atype) if atype.endswith("专利") else "",
                _yes(rng.random() < t.frontline + .1)])
        for kinds, count in ((("培训",), t.training), (("技术交流", "宣传展示"), t.exchange),
                             (("技术攻关", "技能比武"), t.other)):
            for _ in range(rng.randint(*count)):
                kind = rng.choice(kinds)
                titles, (lo, hi), hours = _ACTIVITIES[kind]
                key = None
                while key is None or key in seen:
                    key = (_in_year(rng, year, start).isoformat(), kind,
                           rng.choice(titles).format(t=rng.choice(topics), p=rng.choice(posts)))
                seen.add(key)
                rows["activities"].append([s.code, *key, str(rng.randint(lo, hi)), str(rng.choice(hours))])


def _history_rows(rng: random.Random, s: _Spec, rows: dict[str, list[list[str]]], y0: int, y1: int) -> None:
    """On-site D2 scores, past namings, the imported grade of ``y0+2`` and its consequence."""
    t = s.tier
    for year in (y1 - 1, y1):
        rows["inspections"].append([s.code, str(year), "D2", str(rng.randint(*t.d2)), f"{s.county}总工会检查组"])
    if s.named:
        rows["designations"].append(
            _designation(s.code, "命名", "县级", s.named, s.county, s.county_no, amount="20000"))
        if s.named <= y0 + 2:
            score = rng.randint(*t.score)
            rows["assessments"].append([s.code, str(y0 + 2), str(score), _grade(score)])
            if score < 60 and y0 + 3 <= y1:
                rows["designations"].append(_designation(
                    s.code, "整改", "县级", y0 + 3, s.county, s.county_no, month=1,
                    reason=f"{y0 + 2}年度考核不合格，限期整改"))
    if s.city:
        rows["designations"].append(
            _designation(s.code, "命名", "市级", s.city, "演示市", 0, month=11, amount="50000"))


# --- writing -------------------------------------------------------------------------

def _check_years(y0: int, y1: int) -> tuple[int, int]:
    if y1 < y0 + 2:
        raise ValueError(f"至少需要三个年度（{y0}–{y1}）")
    return y0, y1


def _write_county(directory: Path, rng: random.Random, specs: Iterable[_Spec], codes: _Codes,
                  y0: int, y1: int, cap: bool = False) -> list[tuple[str, Path]]:
    """Stream the rows of every studio into one CSV per KIND (all files open at once).

    With ``cap`` the imported grades are held back and the 优秀 cap of rules.md
    (at most max(1, 20%) of those assessed) is applied before they are written.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = [(kind, directory / f"{kind}.csv") for kind in KINDS]
    held: list[list[str]] = []
    with ExitStack() as stack:
        writers = {}
        for kind, path in paths:
            writers[kind] = csv.writer(stack.enter_context(path.open("w", encoding="utf-8-sig", newline="")))
            writers[kind].writerow(HEADERS[kind])
        for spec in specs:
            for kind, rows in _studio_rows(rng, spec, codes, y0, y1).items():
                if cap and kind == "assessments":
                    held.extend(rows)
                else:
                    writers[kind].writerows(rows)
        if cap:
            top = sorted((r for r in held if r[3] == "优秀"), key=lambda r: (-int(r[2]), r[0]))
            for r in top[max(1, len(held) // 5):]:
                r[3] = "良好"
            writers["assessments"].writerows(held)
    return paths


def write_demo_county(directory: Path, seed: int = 2026, studios: int = 30,
                      first_year: int = 2021, last_year: int = 2025) -> list[tuple[str, Path]]:
    """Write the demo county (one CSV per KIND) and return ``[(kind, path), …]`` in import order.

    With the defaults: 30 studios in 演示县/演示新区/演示高新区 hosted by 10
    enterprises; 4 deliberately weak studios (team of two → 不合格/整改 or 摘牌;
    no sign with a past 不合格 → 整改 designation in ``first_year+3``; no results
    after ``first_year`` → 摘牌; mostly non-front-line → 通报), 2 recently founded
    unnamed studios (naming candidates), 28 county namings in December of
    ``first_year`` or ``first_year+1``, 2 city namings in ``first_year+2`` and
    imported grades for ``first_year+2`` with the 优秀 cap applied.
    """
    y0, y1 = _check_years(first_year, last_year)
    if studios < 1:
        raise ValueError("studios 至少为 1")
    rng = random.Random(seed)
    special = ["two_person", "no_sign", "dormant", "back_office"][: studios // 6]
    rest = studios - len(special)
    strong, good = max(1, round(rest * .2)) if rest else 0, round(rest * .4)
    plan = special + ["strong"] * strong + ["good"] * good + ["fair"] * (rest - strong - good)
    rng.shuffle(plan)
    recent = [i for i, name in enumerate(plan) if name == "good"][: 2 if studios >= 10 else 0]
    cities = [i for i, name in enumerate(plan) if name == "strong"][: 2 if studios >= 10 else 1]

    sectors = list(_SECTORS)
    rng.shuffle(sectors)
    hosts = []  # (county_no, county, sector, unit)
    for e in range(max(3, studios // 3)):
        county = _DEMO_COUNTIES[e % len(_DEMO_COUNTIES)]
        sector = sectors[e % len(sectors)]
        hosts.append((_DEMO_COUNTIES.index(county) + 1, county, sector, _unit(sector, county, rng.choice(_BRANDS))))
    assigned = hosts[:studios] + [rng.choice(hosts) for _ in range(studios - len(hosts))]
    rng.shuffle(assigned)

    def specs() -> Iterator[_Spec]:
        for i, (name, (county_no, county, sector, unit)) in enumerate(zip(plan, assigned)):
            if i in recent:
                founded, named = _between(rng, dt.date(y0 + 1, 2, 1), dt.date(y0 + 1, 9, 30)), None
            else:
                founded = _between(rng, dt.date(y0 - 9, 1, 1), dt.date(y0 - 1, 10, 31))
                named = y0 if name == "dormant" or i in cities or rng.random() < .55 else y0 + 1
            yield _Spec(f"S{i + 1:04d}", _TIERS[name], county, county_no, unit, sector, founded, named,
                        y0 + 2 if i in cities else None, rng.random() < .8)

    codes = _Codes(max(4, len(str(studios * 9))), max(5, len(str(studios * 6 * (y1 - y0 + 1)))))
    return _write_county(directory, rng, specs(), codes, y0, y1, cap=True)


def write_large_county(directory: Path, studios: int, seed: int = 1,
                       years: tuple[int, int] = (2021, 2025)) -> list[tuple[str, Path]]:
    """Stream a national-scale data set of the ten KINDs; memory stays flat.

    Per studio on average: ~7 members (each a new person), ~10 activities,
    ~5 achievements, ~2 mentorships, 1–2 designations, D2 inspections for the
    last two years and an imported grade for ``years[0]+2``.  Fifty studios
    share a county (演示1县, 演示2县, …); 5% have a team of one or two and 5%
    are mostly non-front-line.
    """
    y0, y1 = _check_years(*years)
    rng = random.Random(seed)
    width = max(4, len(str(studios)))

    def specs() -> Iterator[_Spec]:
        for i in range(studios):
            county_no = i // 50 + 1
            county, sector = f"演示{county_no}县", rng.choice(_SECTORS)
            recent = rng.random() < .1
            founded = (_between(rng, dt.date(y0, 1, 1), dt.date(y0 + 1, 12, 31)) if recent
                       else _between(rng, dt.date(y0 - 10, 1, 1), dt.date(y0 - 1, 12, 31)))
            named = None if recent or rng.random() < .05 else rng.choice((y0, y0 + 1))
            yield _Spec(f"S{i + 1:0{width}d}", rng.choices(_LARGE_TIERS, _LARGE_WEIGHTS)[0], county, county_no,
                        _unit(sector, county, rng.choice(_BRANDS)), sector, founded, named,
                        y0 + 2 if named == y0 and rng.random() < .6 else None, rng.random() < .8)

    codes = _Codes(max(4, len(str(studios * 9))), max(5, len(str(studios * 2 * (y1 - y0 + 1)))))
    return _write_county(directory, rng, specs(), codes, y0, y1)


def iter_people_rows(n: int, seed: int = 1) -> Iterator[list[str]]:
    """Yield ``n`` people rows (PEOPLE_HEADER order) with unique codes P0001… (width grows with n)."""
    rng = random.Random(seed)
    width = max(4, len(str(n)))
    for slot in range(n):
        sector = rng.choice(_SECTORS)
        unit = _unit(sector, rng.choice(_DEMO_COUNTIES), rng.choice(_BRANDS))
        yield _person_row(rng, slot, f"P{slot + 1:0{width}d}", unit, sector[2], rng.random() < .8,
                          rng.choices(_GRADES, _GRADE_WEIGHTS)[0], (1966, 2002))


def write_people_csv(path: Path, n: int, seed: int = 1, encoding: str = "utf-8-sig") -> Path:
    """Stream ``n`` people rows (plus the header) to ``path`` without holding them in memory."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(PEOPLE_HEADER)
        writer.writerows(iter_people_rows(n, seed))
    return path
