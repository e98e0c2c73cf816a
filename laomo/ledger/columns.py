"""每种导入数据（KIND）的列定义：中文表头、英文别名、是否必填、解析函数、对应字段。

One :class:`Kind` per import KIND of import-formats.md.  The same
definitions serve ``register import`` and the single-record ``register``
commands, so both validate identically.

Upsert semantics (import-formats.md, "A blank cell never erases"): a column
that is absent from the file, like an empty cell, leaves that field of an
existing row untouched and takes the column's ``default`` on insert; only
``clear_blank`` (or ``clear`` for named fields) makes an empty cell clear the
field, to that same default.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from laomo import enums
from laomo.ledger import values as v

#: Forms of a reference: the column names the record by its code, its ID number (people), its
#: name, or any of these (a 领衔人 or 工作室 column: a code, else an ID number, else a name).
REF_FORMS = ("code", "id", "name", "any")


@dataclass(frozen=True)
class Col:
    key: str  # English alias; also the model field unless ``field`` is given
    header: str  # Chinese header
    parse: Callable[[Any], Any]
    required: bool = False  # the column must exist and the cell be non-empty
    field: str | None = None  # model column when it differs from key
    ref: str | None = None  # "person" / "studio": the value names a record, stored as the row id
    default: Any = None  # value on insert when the column is absent or the cell blank
    memo: bool = True  # remember parsed values (off for columns that are unique per row)
    pii: bool = False  # personal data (ID number, phone): masked wherever a value is echoed
    #: other headers clerks write for this column (import-formats.md, "Header spelling")
    synonyms: tuple[str, ...] = ()
    #: units a header may carry in brackets, with the factor that turns a bare number into the
    #: stored unit (年度经费（万元）: 10 is 100,000 元); a number written with its own unit is not scaled
    units: tuple[tuple[str, float], ...] = ()
    #: reference columns: the other headers that name the record, each with its form (REF_FORMS)
    forms: tuple[tuple[str, str], ...] = ()
    #: a code column that may be absent or blank: new records get the next code with this prefix
    assign: str | None = None
    #: what the column holds, for the 填表说明 sheet and ``register columns``
    note: str = ""
    #: a field derived from another column's cell (its key): never a header of its own
    source: str | None = None

    @property
    def target(self) -> str:
        return self.field or self.key

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header this column is known by (its own first, then synonyms and reference forms)."""
        return () if self.source else (self.header, *self.synonyms, *(h for h, _ in self.forms))


@dataclass(frozen=True)
class Kind:
    name: str  # people, honors, ...
    label: str  # 人员
    table: str  # model table name
    columns: tuple[Col, ...]
    key: tuple[str, ...]  # natural key, as target field names
    fixed: dict[str, Any] = field(default_factory=dict)  # set on every written row
    check: Callable[[dict[str, Any]], list[tuple[str, str]]] | None = None  # cross-field checks
    #: When set, rows sharing the natural key but differing in other values are
    #: distinct records numbered 1, 2, … in this field (instead of a conflict).
    seq: str | None = None
    #: the kind's Chinese name as a command argument and a sheet name (人员, 成果 …)
    sheet: str = ""

    def column(self, key: str) -> Col:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def assigned(self) -> Col | None:
        """The code column whose missing codes are assigned, if any."""
        return next((c for c in self.columns if c.assign), None)


def _enum(e: enums.Enumeration) -> Callable[[Any], str]:
    return partial(v.parse_enum, enum=e)


def _text(n: int) -> Callable[[Any], str]:
    return partial(v.parse_text, max_len=n)


def _item(raw: Any) -> str:
    text = v.parse_code(raw, "考核项").upper()
    if len(text) > 16:
        raise v.Invalid("考核项代码过长")
    return text


def _designation_check(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if row.get("action") in ("name", "demonstrate", "revoke") and not row.get("level"):
        problems.append(("level", "命名、示范和摘牌须填写级别"))
    date, year = row.get("date"), row.get("year")
    if date is not None and year is not None and abs(date.year - year) > 1:
        problems.append(("date", f"日期与年度 {year} 相差超过一年"))
    return problems


def _mentorship_check(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = []
    if row.get("mentor_id") is not None and row.get("mentor_id") == row.get("apprentice_id"):
        problems.append(("apprentice", "师傅和徒弟不能是同一人"))
    start, end = row.get("start"), row.get("end")
    if start and end and end < start:
        problems.append(("end", "结束日期早于开始日期"))
    return problems


def _year_only(raw: Any) -> bool:
    """Whether a date cell gives only a year (``2019``, ``2019年``): an old ledger's approximate date."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return float(raw).is_integer() and 1000 <= raw <= 9999
    text = str(raw).strip().removesuffix("年").strip()
    return len(text) == 4 and text.isascii() and text.isdigit()


def _designation_date(raw: Any) -> Any:
    """A designation's date; from an old ledger that gives only the year, 31 December of it (the
    latest it can be, so no eligibility is overstated; marked approximate by ``_year_only``)."""
    import datetime as dt

    if not _year_only(raw):
        return v.parse_past_date(raw)
    year = v.parse_year(str(raw).strip().removesuffix("年").strip() if isinstance(raw, str) else raw)
    if year >= v.today().year:
        raise v.Invalid(f"只有年份 {year} 的日期按当年12月31日计，须是已结束的年份；本年度的记录请填写具体日期")
    return dt.date(year, 12, 31)


def _member_check(row: dict[str, Any]) -> list[tuple[str, str]]:
    joined, left = row.get("joined"), row.get("left")
    if joined and left and left < joined:
        return [("left", "退出日期早于加入日期")]
    return []


_code = v.parse_code

_ID_HEADERS = ("身份证号", "身份证号码", "公民身份号码", "身份证件号码", "身份证")
_AREA_UNITS = (("平方米", 1.0), ("㎡", 1.0), ("m²", 1.0), ("m2", 1.0), ("平米", 1.0))
_MONEY_UNITS = (("元", 1.0), ("万元", 10_000.0))


def _person_forms(prefix: str, *, any_header: str) -> tuple[tuple[str, str], ...]:
    """The headers naming a person by ID number or name (``prefix`` 领衔人, 师傅 …), and the one
    header that takes any form."""
    return (*((prefix + h, "id") for h in _ID_HEADERS[:3]), (prefix + "姓名", "name"), (any_header, "any"))


_STUDIO_FORMS = (("工作室名称", "name"), ("工作室", "any"))


def _studio_ref() -> Col:
    return Col("studio", "工作室编号", _code, required=True, field="studio_id", ref="studio", forms=_STUDIO_FORMS,
               note="工作室编号，或工作室名称（与台账中的名称一致）")


def _flag(key: str, header: str, what: str) -> Col:
    return Col(key, header, v.parse_bool, default=False, synonyms=("是否" + header, header[1:]),
               note=f"是否{what}：是/否（√/×）")


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "people", "人员", "person",
            (
                Col("code", "编号", _code, memo=False, synonyms=("人员编号",), assign="P",
                    note="台账中的人员编号；新人员可不填，按身份证号识别并自动编号"),
                Col("name", "姓名", _text(100), required=True, memo=False, synonyms=("职工姓名",)),
                Col("gender", "性别", _enum(enums.GENDER)),
                Col("birth_year", "出生年份", v.parse_year, synonyms=("出生年", "出生年度")),
                Col("id_number", "身份证号", v.parse_id_number, memo=False, pii=True, synonyms=_ID_HEADERS[1:],
                    note="18位身份证号（按文本录入，末位可为X）；识别人员的依据"),
                Col("phone", "手机", v.parse_phone, memo=False, pii=True,
                    synonyms=("手机号码", "手机号", "联系电话", "电话", "联系方式")),
                Col("unit", "单位", _text(200), synonyms=("工作单位", "所在单位", "单位名称")),
                Col("post", "岗位", _text(100), synonyms=("工种", "职务", "岗位工种")),
                Col("frontline", "一线职工", v.parse_bool, synonyms=("是否一线职工", "是否一线"),
                    note="是否一线职工：是/否"),
                Col("skill_grade", "技能等级", _enum(enums.SKILL_GRADE), synonyms=("职业技能等级", "技术等级")),
            ),
            key=("code",), sheet="人员",
        ),
        Kind(
            "honors", "荣誉", "honor",
            (
                Col("person", "人员编号", _code, required=True, field="person_id", ref="person",
                    forms=_person_forms("", any_header="人员"), note="人员编号，或身份证号（可同时填姓名）"),
                Col("kind", "荣誉", _enum(enums.HONOR_KIND), required=True, synonyms=("荣誉称号", "荣誉名称", "获得荣誉")),
                Col("year", "年份", v.parse_year, required=True, synonyms=("获得年份", "授予年份", "年度")),
                Col("issuer", "授予单位", _text(200), synonyms=("授予机关", "颁发单位")),
            ),
            key=("person_id", "kind", "year"), sheet="荣誉",
        ),
        Kind(
            "studios", "工作室", "studio",
            (
                Col("code", "编号", _code, synonyms=("工作室编号",), assign="S",
                    note="台账中的工作室编号；新工作室可不填，按名称识别并自动编号"),
                Col("name", "名称", _text(200), required=True, synonyms=("工作室名称",)),
                Col("kind", "类型", _enum(enums.STUDIO_KIND), default="model_worker", synonyms=("工作室类型",)),
                Col("leader", "领衔人编号", _code, required=True, field="leader_id", ref="person",
                    forms=_person_forms("领衔人", any_header="领衔人"),
                    note="领衔人的人员编号，或身份证号（可同时填姓名）"),
                Col("unit", "所在单位", _text(200), required=True, synonyms=("单位", "所属单位", "依托单位", "单位名称")),
                Col("credit_code", "统一社会信用代码", v.parse_credit_code, synonyms=("社会信用代码", "信用代码")),
                Col("industry", "行业", _enum(enums.INDUSTRY), required=True, synonyms=("所属行业", "行业类别"),
                    note="国民经济行业门类（GB/T 4754）：字母或名称"),
                Col("county", "区县", _text(100), required=True, synonyms=("所在区县", "县区", "县")),
                Col("founded", "成立日期", v.parse_month_date, synonyms=("成立时间", "创建时间", "创建日期")),
                Col("area", "场所面积", v.parse_area, synonyms=("面积", "工作室面积", "活动场所面积"),
                    units=_AREA_UNITS, note="平方米"),
                Col("funds", "年度经费", v.parse_amount, synonyms=("经费", "年经费"), units=_MONEY_UNITS,
                    note="元（表头写「年度经费（万元）」时按万元）"),
                _flag("has_sign", "有标牌", "有标牌"),
                _flag("has_rules", "有制度", "有管理制度"),
                _flag("has_plan", "有计划", "有年度计划"),
                _flag("has_display", "有展示", "有成果展示"),
                _flag("has_records", "有活动记录", "有活动记录"),
                _flag("has_facilities", "有设施", "有设施设备"),
                Col("notes", "备注", _text(2000)),
            ),
            key=("code",), sheet="工作室",
        ),
        Kind(
            "members", "成员", "member",
            (
                _studio_ref(),
                Col("person", "人员编号", _code, required=True, field="person_id", ref="person",
                    forms=_person_forms("", any_header="人员"),
                    note="人员编号、身份证号或姓名（姓名在台账或本工作室成员中唯一时）"),
                Col("role", "角色", _enum(enums.ROLE), default="member", synonyms=("成员角色", "身份")),
                Col("joined", "加入日期", v.parse_past_month_date, synonyms=("加入时间",)),
                Col("left", "退出日期", v.parse_date, synonyms=("退出时间",)),
            ),
            key=("studio_id", "person_id"),
            check=_member_check, sheet="成员",
        ),
        Kind(
            "achievements", "创新成果", "achievement",
            (
                Col("code", "编号", _code, memo=False, synonyms=("成果编号",), assign="A",
                    note="成果编号（各工作室内唯一，可用本单位的序号）；不填时按工作室、名称和日期识别并自动编号"),
                _studio_ref(),
                Col("title", "名称", _text(300), required=True, synonyms=("成果名称",)),
                Col("type", "类型", _enum(enums.ACHIEVEMENT_TYPE), required=True, synonyms=("成果类型",)),
                Col("stage", "阶段", _enum(enums.STAGE), synonyms=("成果阶段",)),
                Col("date", "日期", v.parse_past_date, required=True, synonyms=("完成日期", "取得日期", "时间")),
                Col("benefit", "经济效益", v.parse_amount, default=0, synonyms=("效益",), units=_MONEY_UNITS,
                    note="元"),
                Col("patent_no", "专利号", _text(64), synonyms=("专利号码",)),
                Col("frontline_led", "一线主导", v.parse_bool, synonyms=("是否一线主导", "一线职工主导"),
                    note="是否由一线职工主导：是/否"),
            ),
            # enterprise unions number their own achievements 1, 2, 3: another studio's
            # 编号 1 is another achievement (import-formats.md, Identity)
            key=("studio_id", "code"), sheet="成果",
        ),
        Kind(
            "activities", "活动", "activity",
            (
                _studio_ref(),
                Col("date", "日期", v.parse_past_date, required=True, synonyms=("活动日期", "活动时间", "时间")),
                Col("kind", "类型", _enum(enums.ACTIVITY_KIND), required=True, synonyms=("活动类型",)),
                Col("title", "主题", _text(300), default="", synonyms=("活动主题", "活动名称", "内容")),
                Col("participants", "人次", v.parse_participants, synonyms=("参加人次", "参与人次", "参加人数")),
                Col("hours", "学时", v.parse_hours, synonyms=("课时",), units=(("学时", 1.0), ("课时", 1.0), ("小时", 1.0))),
            ),
            key=("studio_id", "date", "kind", "title"),
            seq="seq", sheet="活动",
        ),
        Kind(
            "mentorships", "师带徒", "mentorship",
            (
                _studio_ref(),
                Col("mentor", "师傅编号", _code, required=True, field="mentor_id", ref="person",
                    forms=_person_forms("师傅", any_header="师傅"), note="师傅的人员编号、身份证号或姓名"),
                Col("apprentice", "徒弟编号", _code, required=True, field="apprentice_id", ref="person",
                    forms=_person_forms("徒弟", any_header="徒弟"), note="徒弟的人员编号、身份证号或姓名"),
                Col("start", "开始日期", v.parse_past_date, required=True, synonyms=("开始时间", "结对日期")),
                Col("end", "结束日期", v.parse_date, synonyms=("结束时间",)),
                Col("agreement", "签订协议", v.parse_bool, synonyms=("是否签订协议",)),
                Col("promoted_on", "晋级日期", v.parse_past_date, synonyms=("晋级时间",)),
            ),
            key=("studio_id", "mentor_id", "apprentice_id"),
            check=_mentorship_check, sheet="师带徒",
        ),
        Kind(
            "inspections", "现场检查评分", "inspection",
            (
                _studio_ref(),
                Col("year", "年度", v.parse_year, required=True, synonyms=("年份",)),
                Col("item", "考核项", _item, required=True, synonyms=("考核项目", "检查项")),
                Col("score", "得分", v.parse_score, required=True, synonyms=("分数",)),
                Col("inspector", "检查人", _text(100), synonyms=("检查人员",)),
            ),
            key=("studio_id", "year", "item"), sheet="现场检查",
        ),
        Kind(
            "designations", "命名/处理记录", "designation",
            (
                _studio_ref(),
                Col("action", "处理", _enum(enums.ACTION), required=True, synonyms=("处理类型", "事项")),
                Col("level", "级别", _enum(enums.LEVEL), synonyms=("命名级别",)),
                Col("year", "年度", v.parse_year, required=True, synonyms=("年份",)),
                Col("date", "日期", _designation_date, required=True, synonyms=("命名日期", "文件日期"),
                    note="日期；旧台账只有年份时填年份（按当年12月31日计，记为约数）"),
                Col("approximate", "日期为约数", _year_only, field="approximate", default=False, source="date"),
                Col("batch", "批次", _text(100)),
                Col("doc", "文号", _text(100), synonyms=("文件号", "发文字号")),
                Col("amount", "金额", v.parse_amount, synonyms=("奖补金额", "资助金额"), units=_MONEY_UNITS),
                Col("reason", "原因", _text(1000)),
            ),
            key=("studio_id", "action", "level", "date"),
            fixed={"operator": "导入"},
            check=_designation_check, sheet="命名记录",
        ),
        Kind(
            "assessments", "考核结果", "assessment",
            (
                _studio_ref(),
                Col("year", "年度", v.parse_year, required=True, synonyms=("年份", "考核年度")),
                Col("score", "得分", v.parse_score, field="total", synonyms=("总分", "分数"),
                    note="总分；旧台账只有等级时可不填"),
                Col("grade", "等级", _enum(enums.GRADE), required=True, synonyms=("考核等级",)),
            ),
            key=("studio_id", "year"),
            fixed={"imported": True, "profile": None, "profile_hash": None, "items": None,
                   "standards": None, "recommendation": None, "reasons": None, "run_id": None},
            sheet="考核结果",
        ),
    )
}

#: every KIND by its English name and its Chinese name (人员 … 考核结果; also the longer labels)
KIND_NAMES: dict[str, str] = {
    **{k.name: k.name for k in KINDS.values()},
    **{k.sheet: k.name for k in KINDS.values()},
    **{k.label: k.name for k in KINDS.values()},
    "现场检查评分": "inspections", "命名处理记录": "designations", "创新成果": "achievements",
}


def kind_named(text: str) -> str | None:
    """The KIND a command argument or a sheet name means (English or Chinese, any case), or None."""
    t = "".join(str(text).split())
    return KIND_NAMES.get(t) or KIND_NAMES.get(t.lower())
