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


@dataclass(frozen=True)
class Col:
    key: str  # English alias; also the model field unless ``field`` is given
    header: str  # Chinese header
    parse: Callable[[Any], Any]
    required: bool = False  # the column must exist and the cell be non-empty
    field: str | None = None  # model column when it differs from key
    ref: str | None = None  # "person" / "studio": the value is a code, stored as the row id
    default: Any = None  # value on insert when the column is absent or the cell blank
    memo: bool = True  # remember parsed values (off for columns that are unique per row)
    pii: bool = False  # personal data (ID number, phone): masked wherever a value is echoed

    @property
    def target(self) -> str:
        return self.field or self.key


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

    def column(self, key: str) -> Col:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


def _enum(e: enums.Enumeration) -> Callable[[Any], str]:
    return partial(v.parse_enum, enum=e)


def _text(n: int) -> Callable[[Any], str]:
    return partial(v.parse_text, max_len=n)


def _int(lo: int, hi: int, what: str) -> Callable[[Any], int]:
    return lambda raw: v.parse_int(raw, lo=lo, hi=hi, what=what)


def _num(lo: float, hi: float, what: str) -> Callable[[Any], float]:
    return lambda raw: v.parse_number(raw, lo=lo, hi=hi, what=what)


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


def _member_check(row: dict[str, Any]) -> list[tuple[str, str]]:
    joined, left = row.get("joined"), row.get("left")
    if joined and left and left < joined:
        return [("left", "退出日期早于加入日期")]
    return []


_code = v.parse_code

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind(
            "people", "人员", "person",
            (
                Col("code", "编号", _code, required=True, memo=False),
                Col("name", "姓名", _text(100), required=True, memo=False),
                Col("gender", "性别", _enum(enums.GENDER)),
                Col("birth_year", "出生年份", v.parse_year),
                Col("id_number", "身份证号", v.parse_id_number, memo=False, pii=True),
                Col("phone", "手机", v.parse_phone, memo=False, pii=True),
                Col("unit", "单位", _text(200)),
                Col("post", "岗位", _text(100)),
                Col("frontline", "一线职工", v.parse_bool),
                Col("skill_grade", "技能等级", _enum(enums.SKILL_GRADE)),
            ),
            key=("code",),
        ),
        Kind(
            "honors", "荣誉", "honor",
            (
                Col("person", "人员编号", _code, required=True, field="person_id", ref="person"),
                Col("kind", "荣誉", _enum(enums.HONOR_KIND), required=True),
                Col("year", "年份", v.parse_year, required=True),
                Col("issuer", "授予单位", _text(200)),
            ),
            key=("person_id", "kind", "year"),
        ),
        Kind(
            "studios", "工作室", "studio",
            (
                Col("code", "编号", _code, required=True),
                Col("name", "名称", _text(200), required=True),
                Col("kind", "类型", _enum(enums.STUDIO_KIND), default="model_worker"),
                Col("leader", "领衔人编号", _code, required=True, field="leader_id", ref="person"),
                Col("unit", "所在单位", _text(200), required=True),
                Col("credit_code", "统一社会信用代码", v.parse_credit_code),
                Col("industry", "行业", _enum(enums.INDUSTRY), required=True),
                Col("county", "区县", _text(100), required=True),
                Col("founded", "成立日期", v.parse_date),
                Col("area", "场所面积", _num(0, 1e7, "场所面积")),
                Col("funds", "年度经费", v.parse_amount),
                Col("has_sign", "有标牌", v.parse_bool, default=False),
                Col("has_rules", "有制度", v.parse_bool, default=False),
                Col("has_plan", "有计划", v.parse_bool, default=False),
                Col("has_display", "有展示", v.parse_bool, default=False),
                Col("has_records", "有活动记录", v.parse_bool, default=False),
                Col("has_facilities", "有设施", v.parse_bool, default=False),
                Col("notes", "备注", _text(2000)),
            ),
            key=("code",),
        ),
        Kind(
            "members", "成员", "member",
            (
                Col("studio", "工作室编号", _code, required=True, field="studio_id", ref="studio"),
                Col("person", "人员编号", _code, required=True, field="person_id", ref="person"),
                Col("role", "角色", _enum(enums.ROLE), default="member"),
                Col("joined", "加入日期", v.parse_past_date),
                Col("left", "退出日期", v.parse_date),
            ),
            key=("studio_id", "person_id"),
            check=_member_check,
        ),
        Kind(
            "achievements", "创新成果", "achievement",
            (
                Col("code", "编号", _code, required=True, memo=False),
                Col("studio", "工作室编号", _code, required=True, field="studio_id", ref="studio"),
                Col("title", "名称", _text(300), required=True),
                Col("type", "类型", _enum(enums.ACHIEVEMENT_TYPE), required=True),
                Col("stage", "阶段", _enum(enums.STAGE)),
                Col("date", "日期", v.parse_past_date, required=True),
                Col("benefit", "经济效益", v.parse_amount, default=0),
                Col("patent_no", "专利号", _text(64)),
                Col("frontline_led", "一线主导", v.parse_bool),
            ),
            # enterprise unions number their own achievements 1, 2, 3: another studio's
            # 编号 1 is another achievement (import-formats.md, Identity)
            key=("studio_id", "code"),
        ),
        Kind(
            "activities", "活动", "activity",
            (
                Col("studio", "工作室编号", _code, required=True, field="studio_id", ref="studio"),
                Col("date", "日期", v.parse_past_date, required=True),
                Col("kind", "类型", _enum(enums.ACTIVITY_KIND), required=True),
                Col("title", "主题", _text(300), default=""),
                Col("participants", "人次", _int(0, 1_000_000, "人次")),
                Col("hours", "学时", _num(0, 10_000, "学时")),
            ),
            key=("studio_id", "date", "kind", "title"),
            seq="seq",
        ),
        Kind(
            "mentorships", "师带徒", "mentorship",
            (
                Col("studio", "工作室编号", _code, required=True, field="studio_id", ref="studio"),
                Col("mentor", "师傅编号", _code, required=True, field="mentor_id", ref="person"),
                Col("apprentice", "徒弟编号", _code, required=True, field="apprentice_id", ref="person"),
                Col("start", "开始日期", v.parse_past_date, required=True),
                Col("end", "结束日期", v.parse_date),
                Col("agreement", "签订协议", v.parse_bool),
                Col("promoted_on", "晋级日期", v.parse_past_date),
            ),
            key=("studio_id", "mentor_id", "apprentice_id"),
            check=_mentorship_check,
        ),
        Kind(
            "inspections", "现场检查评分", "inspection",
            (
                Col("studio", "工作室编号", _code, required=True, field="studio_id", ref="studio"),
                Col("year", "年度", v.parse_year, required=True),
                Col("item", "考核项", _item, required=True),
                Col("score", "得分", _num(0, 100, "得分"), required=True),
                Col("inspector", "检查人", _text(100)),
            ),
            key=("studio_id", "year", "item"),
        ),
        Kind(
            "designations", "命名/处理记录", "designation",
            (
                Col("studio", "工作室编号", _code, required=True, field="studio_id", ref="studio"),
                Col("action", "处理", _enum(enums.ACTION), required=True),
                Col("level", "级别", _enum(enums.LEVEL)),
                Col("year", "年度", v.parse_year, required=True),
                Col("date", "日期", v.parse_past_date, required=True),
                Col("batch", "批次", _text(100)),
                Col("doc", "文号", _text(100)),
                Col("amount", "金额", v.parse_amount),
                Col("reason", "原因", _text(1000)),
            ),
            key=("studio_id", "action", "level", "date"),
            fixed={"operator": "导入"},
            check=_designation_check,
        ),
        Kind(
            "assessments", "考核结果", "assessment",
            (
                Col("studio", "工作室编号", _code, required=True, field="studio_id", ref="studio"),
                Col("year", "年度", v.parse_year, required=True),
                Col("score", "得分", _num(0, 100, "得分"), required=True, field="total"),
                Col("grade", "等级", _enum(enums.GRADE), required=True),
            ),
            key=("studio_id", "year"),
            fixed={"imported": True, "profile": None, "profile_hash": None, "items": None,
                   "standards": None, "recommendation": None, "reasons": None, "run_id": None},
        ),
    )
}

