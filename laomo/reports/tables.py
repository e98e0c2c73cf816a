"""报表的表格形式：表头、列类型和中文显示值，供 csv、xlsx、md、html 和终端表格共用。

A :class:`Table` is a title, columns (header + kind) and rows of display
values: enumerations as their Chinese labels, booleans as 是/否, dates as ISO
text, amounts as whole 元 (int).  The kinds tell the spreadsheet writer how
to format a column: ``text``, ``int`` (counts), ``year``, ``num`` (decimals), ``money``
(元), ``wan`` (万元), ``date``, ``pct`` (a ratio); :mod:`laomo.reports.numbers` shows each kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from laomo.enums import (
    ACHIEVEMENT_TYPE,
    ACTION,
    ACTIVITY_KIND,
    GENDER,
    GRADE,
    HONOR_KIND,
    INDUSTRY,
    LEVEL,
    RECOMMENDATION,
    ROLE,
    SKILL_GRADE,
    STAGE,
    STATUS,
    STUDIO_KIND,
)
from laomo.reports import numbers
from laomo.reports.records import LedgerRecord


@dataclass
class Column:
    header: str
    kind: str = "text"  # text | int | year | num | money | wan | date | pct (a ratio, shown 12.5%)


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    #: a sheet name for xlsx (≤ 31 characters, no []:*?/\)
    sheet: str = ""
    #: leading columns that name a row (编号, 名称): kept in view when the sheet scrolls sideways
    key_columns: int = 0
    #: rows still to be read from the database (a ledger or list written as a stream), after ``rows``;
    #: read once, by the file writer (:meth:`iter_rows`)
    stream: Iterator[list[Any]] | None = None

    def iter_rows(self) -> Iterator[list[Any]]:
        """Every row: ``rows``, then the stream's (which is then used up)."""
        yield from self.rows
        if self.stream is not None:
            stream, self.stream = self.stream, None
            yield from stream

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def short_columns(self, limit: int = 8) -> list[bool]:
        """Per column: every value (and the header) at most ``limit`` characters — kept on one line in HTML."""
        out = []
        for i, c in enumerate(self.columns):
            longest = max([len(str(r[i])) for r in self.rows if r[i] is not None] + [0])
            out.append(longest <= limit and len(c.header) <= limit)
        return out


def yes_no(value: Any) -> str:
    if value is None:
        return ""
    return "是" if value else "否"


def levels_text(levels: list[str]) -> str:
    return _levels_text(tuple(levels))


@cache  # a handful of combinations; the ledger asks once per studio
def _levels_text(levels: tuple[str, ...]) -> str:
    return "、".join(LEVEL.label(v) for v in levels)


def money_text(value: Any) -> str:
    """1234567 → 1,234,567 元 (empty for None)."""
    return numbers.yuan(value)


def num_text(value: Any) -> str:
    return numbers.decimal(value)


# --------------------------------------------------------------------------- ledger


def ledger_columns() -> list[Column]:
    # 领衔人编号 first: the ledger imports back as studios (import-formats.md, round trip); a masked
    # 领衔人身份证号 says nothing and is passed over by the import
    return [Column("编号"), Column("名称"), Column("类型"), Column("领衔人编号"), Column("领衔人"), Column("领衔人身份证号"),
            Column("领衔人手机"), Column("所在单位"), Column("统一社会信用代码"), Column("行业"), Column("区县"), Column("成立日期", "date"),
            Column("场所面积（㎡）", "num"), Column("年度经费", "money"), Column("状态"), Column("级别"),
            Column("已获级别"), Column("示范性"), Column("首次命名", "date"), Column("整改期限", "date"),
            Column("在册成员", "int"), Column("成果数", "int"), Column("经济效益合计", "money"),
            Column("最近考核年度", "year"), Column("最近考核等级")]


def ledger_row(r: LedgerRecord | dict[str, Any]) -> list[Any]:
    """One studio of the ledger (a streamed record, or a row of :func:`laomo.reports.data.ledger`) as
    the ledger table's row."""
    (studio, name, kind, unit, credit_code, industry, county, founded, area, funds, leader_code, leader, id_number,
     phone, status, level, held, demonstrative, first_named, deadline, members, achievements, benefit, latest_year,
     latest_grade, _recommendation) = LedgerRecord(**r) if isinstance(r, dict) else r
    # the labels as the enumerations' own mappings (.get, no call of label() per cell: once per studio)
    return [studio, name, _KINDS.get(kind, kind or ""), leader_code, leader, id_number, phone, unit, credit_code or "",
            f"{industry} {_INDUSTRIES.get(industry, industry or '')}", county, founded or "", area, funds,
            _STATUSES.get(status, status or ""), _LEVELS.get(level, level or ""), levels_text(held),
            yes_no(demonstrative) if level else "", first_named or "",
            deadline or "", members, achievements, benefit, latest_year,
            _GRADES.get(latest_grade, latest_grade) if latest_grade else ""]


_KINDS, _INDUSTRIES, _STATUSES, _LEVELS, _GRADES = (
    STUDIO_KIND.labels, INDUSTRY.labels, STATUS.labels, LEVEL.labels, GRADE.labels)


def ledger_table(data: dict[str, Any]) -> Table:
    """The ledger as a table; when ``data["studios"]`` is a stream (``laomo.reports.data.ledger_stream``)
    the table's rows are one too (:attr:`Table.stream`), read once by the writer."""
    t = Table("劳模和工匠人才创新工作室台账", ledger_columns(), [], "台账", key_columns=2)
    return _fill(t, map(ledger_row, data["studios"]), isinstance(data["studios"], list))


def _fill(table: Table, rows: Iterator[list[Any]], materialise: bool) -> Table:
    if materialise:
        table.rows = list(rows)
    else:
        table.stream = rows
    return table


# --------------------------------------------------------------------------- assessment


def _assessment_rows(results: Iterable[dict[str, Any]], items: list[dict[str, Any]]) -> Iterator[list[Any]]:
    ids = [i["id"] for i in items]
    for n, r in enumerate(results, 1):
        yield [n, r["studio"], r["name"], r["unit"], r["county"], *(r["items"].get(i) for i in ids),
               r["total"], GRADE.label(r["grade"]), RECOMMENDATION.label(r["recommendation"]),
               "；".join(r["reasons"]), r["deadline"] or ""]


def assessment_table(data: dict[str, Any]) -> Table:
    """The assessment list as a table (its rows a stream when ``data["results"]`` is one)."""
    items = data["items"]
    cols = [Column("序号", "int"), Column("编号"), Column("名称"), Column("所在单位"), Column("区县")]
    cols += [Column(f"{i['id']} {i['label']}".strip(), "num") for i in items]
    cols += [Column("总分", "num"), Column("等级"), Column("处理建议"), Column("原因"), Column("整改期限", "date")]
    t = Table(f"{data['year']}年度劳模和工匠人才创新工作室考核结果", cols, [], f"{data['year']}年度考核",
              key_columns=3)
    return _fill(t, _assessment_rows(data["results"], items), isinstance(data["results"], list))


# --------------------------------------------------------------------------- summary


def summary_tables(data: dict[str, Any]) -> list[Table]:
    """The summary as small tables: overview, status, level, industry, county, grade, results, activities, trends."""
    st = data["studios"]
    y = data["year"]
    overview = Table(f"{y}年度概况", [Column("项目"), Column("数值", "int")], [
        ["工作室总数", st["total"]],
        ["其中：命名在册（含整改、通报）", sum(st["by_level"].values())],
        ["示范性工作室", st.get("demonstrative", 0)],
        [f"{y}年创新成果（项）", data["achievements"]["count"]],
        [f"{y}年成果经济效益（元）", data["achievements"]["benefit"]],
        [f"{y}年培训（场次）", data["training"]["sessions"]],
        [f"{y}年培训（人次）", data["training"]["participants"]],
        [f"{y}年在带师徒（对）", data["mentorships"]["active"]],
        [f"{y}年徒弟技能晋级（人）", data["mentorships"]["promoted"]],
        [f"{y}年参加考核（个）", data["assessment"].get("assessed", sum(data["assessment"]["by_grade"].values()))],
    ], "概况")
    tables = [overview]

    def counts(title: str, header: str, mapping: dict[str, int], label: Callable[[str], str],
               sheet: str) -> Table:
        total = sum(mapping.values())
        rows = [[label(k), v, v / total if total else None] for k, v in mapping.items()]
        rows.append(["合计", total, 1.0 if total else None])
        return Table(title, [Column(header), Column("数量", "int"), Column("占比", "pct")], rows, sheet)

    tables.append(counts("按状态", "状态", st["by_status"], STATUS.label, "按状态"))
    tables.append(counts("按级别（命名在册）", "级别", st["by_level"], LEVEL.label, "按级别"))
    tables.append(counts("按行业门类", "行业", st["by_industry"], lambda k: f"{k} {INDUSTRY.label(k)}", "按行业"))
    tables.append(counts("按区县", "区县", st["by_county"], str, "按区县"))
    tables.append(counts(f"{y}年度考核等级", "等级", data["assessment"]["by_grade"], GRADE.label, "考核等级"))
    ach = data["achievements"]
    by_type = ach.get("by_type", {})
    benefit = ach.get("benefit_by_type", {})
    rows = [[ACHIEVEMENT_TYPE.label(k), v, benefit.get(k, 0)] for k, v in by_type.items()]
    rows.append(["合计", ach["count"], ach["benefit"]])
    tables.append(Table(f"{y}年创新成果（按类型）", [Column("类型"), Column("数量", "int"), Column("经济效益", "money")],
                        rows, "创新成果"))
    acts = data.get("activities", {})
    rows = [[ACTIVITY_KIND.label(k), v["sessions"], v["participants"]] for k, v in acts.get("by_kind", {}).items()]
    rows.append(["合计", acts.get("sessions", 0), acts.get("participants", 0)])
    tables.append(Table(f"{y}年活动（按类型）", [Column("类型"), Column("场次", "int"), Column("人次", "int")],
                        rows, "活动"))
    cols = [Column("年度", "year"), Column("命名", "int"), Column("摘牌", "int"), Column("成果", "int"),
            Column("经济效益", "money"), Column("培训场次", "int"), Column("培训人次", "int"), Column("考核", "int")]
    cols += [Column(GRADE.label(g), "int") for g in GRADE.values]
    rows = [[t["year"], t["namings"], t["revocations"], t["achievements"], t["benefit"], t["training_sessions"],
             t["training_participants"], t["assessed"], *(t["by_grade"].get(g, 0) for g in GRADE.values)]
            for t in data.get("trends", [])]
    tables.append(Table("历年趋势", cols, rows, "历年趋势"))
    return tables


# --------------------------------------------------------------------------- studio dossier


def studio_tables(data: dict[str, Any]) -> list[Table]:
    # the members' unit only when someone is from another unit than the studio's
    other_unit = any((m["unit"] or data["unit"]) != data["unit"] for m in data["members"])
    cols = [Column("编号"), Column("姓名"), Column("角色"), Column("性别"), Column("出生年", "year"),
            Column("身份证号"), Column("手机"), Column("岗位"), Column("一线"), Column("技能等级"),
            Column("加入日期", "date"), Column("退出日期", "date")] + ([Column("单位")] if other_unit else [])
    members = Table("成员", cols,
                    [[m["code"], m["name"], ROLE.label(m["role"]), GENDER.label(m["gender"]) if m["gender"] else "",
                      m["birth_year"], m["id_number"], m["phone"], m["post"] or "", yes_no(m["frontline"]),
                      SKILL_GRADE.label(m["skill_grade"]) if m["skill_grade"] else "", m["joined"] or "",
                      m["left"] or ""] + ([m["unit"] or ""] if other_unit else []) for m in data["members"]], "成员")
    honors = Table("荣誉", [Column("人员"), Column("荣誉"), Column("级别"), Column("年份", "year"), Column("授予单位")],
                   [[h["name"], HONOR_KIND.label(h["kind"]), LEVEL.label(_honor_level(h["kind"])), h["year"],
                     h["issuer"] or ""] for h in data["honors"]], "荣誉")
    achievements = Table("创新成果", [Column("编号"), Column("名称"), Column("类型"), Column("阶段"), Column("日期", "date"),
                                     Column("经济效益", "money"), Column("专利号"), Column("一线主导")],
                         [[a["code"], a["title"], ACHIEVEMENT_TYPE.label(a["type"]),
                           STAGE.label(a["stage"]) if a["stage"] else "", a["date"], a["benefit"],
                           a["patent_no"] or "", yes_no(a["frontline_led"])] for a in data["achievements"]], "成果")
    activities = Table("活动", [Column("日期", "date"), Column("类型"), Column("主题"), Column("人次", "int"),
                               Column("学时", "num")],
                       [[a["date"], ACTIVITY_KIND.label(a["kind"]), a["title"], a["participants"], a["hours"]]
                        for a in data["activities"]], "活动")
    mentorships = Table("师带徒", [Column("师傅"), Column("徒弟"), Column("开始日期", "date"), Column("结束日期", "date"),
                                  Column("签订协议"), Column("晋级日期", "date")],
                        [[m["mentor"], m["apprentice"], m["start"], m["end"] or "", yes_no(m["agreement"]),
                          m["promoted_on"] or ""] for m in data["mentorships"]], "师带徒")
    assessments = Table("考核", [Column("年度", "year"), Column("总分", "num"), Column("等级"), Column("处理建议"),
                                Column("原因"), Column("来源")],
                        [[a["year"], a["total"], GRADE.label(a["grade"]), RECOMMENDATION.label(a["recommendation"]),
                          "；".join(a["reasons"]), a["source"]]
                         for a in data["assessments"]], "考核")
    designations = Table("命名与处理记录", [Column("日期", "date"), Column("处理"), Column("级别"), Column("年度", "year"),
                                          Column("批次"), Column("文号"), Column("金额", "money"), Column("原因")],
                         [[d["date"], ACTION.label(d["action"]), LEVEL.label(d["level"]) if d["level"] else "",
                           d["year"], d["batch"] or "", d["doc"] or "", d["amount"], d["reason"] or ""]
                          for d in data["designations"]], "命名记录")
    tables = [members, honors, achievements, activities, mentorships, assessments, designations]
    if data.get("voided"):  # kept on the paper file, counted nowhere
        tables.append(Table("已作废的记录（不计入统计）", [Column("类型"), Column("记录"), Column("作废日期", "date"), Column("原因")],
                            [[v["label"], v["what"], _voided_day(v["at"]), v["reason"]] for v in data["voided"]],
                            "已作废"))
    return tables


def _voided_day(at: str) -> str:
    """The local day of a void's ISO moment."""
    import datetime as dt

    from laomo.domain.voiding import local_day

    return local_day(dt.datetime.fromisoformat(at)).isoformat()


def studio_facts(data: dict[str, Any]) -> list[tuple[str, str]]:
    """The dossier's header block as (label, value) pairs."""
    leader = data["leader"]
    flags = data["flags"]
    flag_text = "、".join(label for key, label in (("has_sign", "标牌"), ("has_rules", "制度"), ("has_plan", "计划"),
                                                  ("has_display", "展示"), ("has_records", "活动记录"),
                                                  ("has_facilities", "设施")) if flags.get(key)) or "无"
    status = STATUS.label(data["status"])
    if data["status"] == "rectification" and data["deadline"]:
        status += f"（期限 {data['deadline']}）"
    return [
        ("编号", data["studio"]), ("名称", data["name"]), ("类型", STUDIO_KIND.label(data["kind"])),
        ("所在单位", data["unit"]), ("统一社会信用代码", data["credit_code"] or ""),
        ("行业", f"{data['industry']} {INDUSTRY.label(data['industry'])}"), ("区县", data["county"]),
        ("成立日期", data["founded"] or ""), ("场所面积", f"{num_text(data['area'])} ㎡" if data["area"] else ""),
        ("年度经费", money_text(data["funds"])), ("具备条件", flag_text),
        ("领衔人", f"{leader['name']}（{leader['code']}）"), ("领衔人身份证号", leader["id_number"]),
        ("领衔人手机", leader["phone"]),
        ("状态", status), ("级别", LEVEL.label(data["level"]) if data["level"] else "未命名"),
        ("已获级别", levels_text(data["levels_held"]) or "无"),
        ("示范性", yes_no(data["demonstrative"]) if data["level"] else ""),
        ("首次命名", data["first_named"] or ""), ("备注", data["notes"] or ""),
    ]


def _honor_level(kind: str) -> str | None:
    from laomo.enums import honor_level

    return honor_level(kind)


_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (list headings 一、二、…)."""
    n = int(n)
    if n < 10:
        return _CN_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(n)
