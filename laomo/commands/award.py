"""laomo award：命名候选、命名、示范性、限期整改、通报、摘牌、撤销、执行考核建议、命名/处理历史、作废误录的记录。

Only Typer is imported at module level; the core (:mod:`laomo.award`),
SQLAlchemy and Rich are imported inside the commands, so ``laomo --help``
stays fast.  Only ``award apply`` ever asks a question, and only on a
terminal: without one it needs ``--yes`` (cron), and refuses otherwise.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from laomo.commands.common import STATE, emit_json, engine, fail, info, out_console
from laomo.commands.group import Group
from laomo.commands.options import (
    LEVEL_HELP,
    AsOfOpt,
    DocOpt,
    JsonOpt,
    LevelOpt,
    NamingYearOpt,
    ReasonOpt,
    RulesOpt,
    StudioArg,
    YearOpt,
    required_option,
)
from laomo.commands.options import need as _required  # the options' callbacks have already checked
from laomo.commands.output import MIN_COLUMN, Column, TextTable, print_table

if TYPE_CHECKING:
    from sqlmodel import Session

    from laomo.award import ApplyResult

app = Group(help="命名与动态管理：命名候选、命名、示范性、限期整改、通报、摘牌、撤销、执行考核建议、历史、作废误录的记录。",
                  no_args_is_help=True)

ForceReasonOpt = Annotated[Optional[str], typer.Option("--reason", help="理由（使用 --force 时必填）")]
NamingDateOpt = Annotated[Optional[str], typer.Option("--date", help="命名日期（默认今天）；按该日判断是否符合条件")]
ActionDateOpt = Annotated[Optional[str], typer.Option("--date", help="处理日期（默认今天）")]


def _label(enum_name: str, value: Any) -> str:
    from laomo import enums
    return getattr(enums, enum_name).label(value) if value else ""


def _quiet() -> bool:
    return STATE.quiet


# --------------------------------------------------------------------------- candidates


@app.command("candidates")
def candidates_cmd(
    level: LevelOpt = None,
    demonstrative: Annotated[bool, typer.Option(
        "--demonstrative", help="示范性工作室的候选（须已获该级别命名）")] = False,
    as_of: AsOfOpt = None,
    rules: RulesOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """列出可命名为某级别（或该级别示范性）工作室的候选；不符合的逐条列出全部原因。"""
    from laomo.award import candidates
    from laomo.store.db import read_session

    lv = _required(level, "--level", "级别")
    with read_session(engine()) as session:
        data = candidates(session, level=lv, demonstrative=demonstrative, as_of=as_of, profile=rules).to_json()
    if json_out:
        emit_json(data)
        return
    if _quiet():
        return
    what = _label("LEVEL", data["level"]) + ("示范性工作室" if data["demonstrative"] else "工作室")
    console = out_console()
    table = TextTable([Column("编号", short=True), Column("名称", min_width=NAME_WIDTH)],
                      title=f"可命名为{what}的候选（截至 {data['as_of']}，规则 {data['profile']}）："
                            f"{len(data['candidates'])} 个")
    for c in data["candidates"]:
        table.add_row(c["studio"], c["name"])
    print_table(table, console)
    if data["ineligible"]:
        table = TextTable([Column("编号", short=True), Column("名称", min_width=NAME_WIDTH),
                           Column("未满足的条件", min_width=NAME_WIDTH)],
                          title=f"不符合条件的工作室：{len(data['ineligible'])} 个")
        for c in data["ineligible"]:
            table.add_row(c["studio"], c["name"], "\n".join(c["reasons"]))
        print_table(table, console)


# --------------------------------------------------------------------------- name, demonstrate


def _print_award(data: dict[str, Any]) -> None:
    what = _label("LEVEL", data["level"]) + ("示范性工作室" if data["action"] == "demonstrate" else "工作室")
    extra = "，".join(x for x in (f"{data['year']} 年度", f"日期 {data['date']}",
                                  f"批次 {data['batch']}" if data.get("batch") else "",
                                  f"文号 {data['doc']}" if data.get("doc") else "",
                                  f"金额 {data['amount']} 元" if data.get("amount") is not None else "") if x)
    for s in data["studios"]:
        typer.echo(f"已命名 {s['studio']} {s['name']} 为{what}（{extra}）")
        if s["forced"]:
            info(f"注意：{s['studio']} 不符合条件而强制办理（已记入操作日志）：" + "；".join(s["overridden"]))
    info(f"共 {data['written']} 个工作室")


def _award_cmd(action: str, codes: list[str], level: Optional[str], year: Optional[int], json_out: bool,
               **kw: Any) -> None:
    from laomo import award
    from laomo.store.db import write_session

    lv = _required(level, "--level", "级别")
    y = _required(year, "--year", "命名年度")
    fn = award.name if action == "name" else award.demonstrate
    with write_session(engine()) as session:
        data = fn(session, codes=codes, level=lv, year=y, **kw).to_json()
    if json_out:
        emit_json(data)
        return
    _print_award(data)


@app.command("name")
def name_cmd(
    codes: Annotated[list[str], typer.Argument(help="工作室编号（可多个；全部符合条件才命名，否则一个也不命名）")],
    level: LevelOpt = None,
    year: NamingYearOpt = None,
    batch: Annotated[Optional[str], typer.Option("--batch", help="批次，如 2025年第一批")] = None,
    doc: Annotated[Optional[str], typer.Option("--doc", help="文号，如 某县总工〔2025〕3号")] = None,
    date: NamingDateOpt = None,
    amount: Annotated[Optional[str], typer.Option("--amount", help="一次性补助金额（元，可写 2万）")] = None,
    force: Annotated[bool, typer.Option("--force", help="不符合条件也命名（须同时给出 --reason，记入操作日志）")] = False,
    reason: ForceReasonOpt = None,
    rules: RulesOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """命名工作室为某级别工作室；不符合条件的逐条列出原因并拒绝（不作任何改动）。"""
    _award_cmd("name", codes, level, year, json_out, batch=batch, doc=doc, date=date, amount=amount,
               force=force, reason=reason, profile=rules)


@app.command("demonstrate")
def demonstrate_cmd(
    codes: Annotated[list[str], typer.Argument(help="工作室编号（可多个；全部符合条件才办理，否则一个也不办理）")],
    level: LevelOpt = None,
    year: NamingYearOpt = None,
    doc: DocOpt = None,
    date: NamingDateOpt = None,
    force: Annotated[bool, typer.Option("--force", help="不符合条件也办理（须同时给出 --reason，记入操作日志）")] = False,
    reason: ForceReasonOpt = None,
    rules: RulesOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """命名已获该级别命名的工作室为该级别示范性工作室；不符合条件的逐条列出原因并拒绝。"""
    _award_cmd("demonstrate", codes, level, year, json_out, doc=doc, date=date, force=force, reason=reason,
               profile=rules)


# --------------------------------------------------------------------------- rectify, warn, revoke, close


def _print_transition(data: dict[str, Any], name: str) -> None:
    from laomo.enums import LEVEL, STATUS

    detail = ""
    if data["action"] == "rectify":
        detail = f"，整改期限 {data['deadline']}"
    elif data["action"] == "revoke":
        detail = "，摘去" + "、".join(LEVEL.label(lv) for lv in data["levels"]) + "的牌"
    status = f"{STATUS.label(data['status_before'])} → {STATUS.label(data['status'])}"
    level = f"（现持有最高级别：{LEVEL.label(data['level'])}）" if data["level"] else ""
    typer.echo(f"{data['studio']} 已{name}{detail}；状态：{status}{level}")


def _transition_cmd(fn_name: str, label: str, json_out: bool, **kw: Any) -> None:
    from laomo import award
    from laomo.store.db import write_session

    with write_session(engine()) as session:
        data = getattr(award, fn_name)(session, **kw).to_json()
    if json_out:
        emit_json(data)
        return
    _print_transition(data, label)


@app.command("rectify")
def rectify_cmd(
    code: StudioArg,
    reason: ReasonOpt = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="整改期限（默认按规则：次年 6 月 30 日）")] = None,
    doc: DocOpt = None,
    date: ActionDateOpt = None,
    rules: RulesOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """责令已命名（或已通报）的工作室限期整改。"""
    _transition_cmd("rectify", "限期整改", json_out, code=code, reason=_required(reason, "--reason", "原因"),
                    deadline=deadline, doc=doc, date=date, profile=rules)


@app.command("warn")
def warn_cmd(
    code: StudioArg,
    reason: ReasonOpt = None,
    doc: DocOpt = None,
    date: ActionDateOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """通报已命名（或限期整改中）的工作室。"""
    _transition_cmd("warn", "通报", json_out, code=code, reason=_required(reason, "--reason", "原因"), doc=doc,
                    date=date)


@app.command("revoke")
def revoke_cmd(
    code: StudioArg,
    reason: ReasonOpt = None,
    doc: DocOpt = None,
    date: Annotated[Optional[str], typer.Option("--date", help="摘牌日期（默认今天）")] = None,
    level: Annotated[Optional[str], typer.Option(
        "--level", help="只摘去这一级别的牌（默认摘去全部级别）；" + LEVEL_HELP)] = None,
    json_out: JsonOpt = False,
) -> None:
    """摘牌：撤销工作室某一级别（默认全部级别）的命名；不再持有任何级别时状态为已摘牌。"""
    _transition_cmd("revoke", "摘牌", json_out, code=code, reason=_required(reason, "--reason", "原因"), doc=doc,
                    date=date, level=level)


@app.command("close")
def close_cmd(
    code: StudioArg,
    reason: Annotated[Optional[str], required_option(
        "--reason", help="原因，如 企业关闭、领衔人调离", label="原因")] = None,
    doc: DocOpt = None,
    date: Annotated[Optional[str], typer.Option("--date", help="撤销日期（默认今天）")] = None,
    json_out: JsonOpt = False,
) -> None:
    """撤销工作室（企业关闭、领衔人离开等）。"""
    _transition_cmd("close", "撤销", json_out, code=code, reason=_required(reason, "--reason", "原因"), date=date,
                    doc=doc)


# --------------------------------------------------------------------------- apply


#: Cells a studio's name (or a reason) keeps at least in a terminal table.
NAME_WIDTH = 8

#: ``award history``: cells kept at least, so that a 文号 such as 豫工发〔2024〕12号 stays readable.
_HISTORY_WIDTHS = {"批次": 8, "文号": 16, "原因": NAME_WIDTH}


def _print_plan(plan: dict[str, Any]) -> None:
    from laomo.award import ACTION_TEXT
    from laomo.enums import LEVEL, STATUS

    table = TextTable([Column(col, short=col in ("编号", "当前状态", "处理", "级别", "整改期限"),
                              min_width=NAME_WIDTH if col in ("名称", "依据") else MIN_COLUMN)
                       for col in ("编号", "名称", "当前状态", "处理", "级别", "整改期限", "依据")],
                      title=f"{plan['year']} 年度考核处理建议的执行清单（日期 {plan['date']}）：{len(plan['actions'])} 项")
    for x in plan["actions"]:
        table.add_row(x["studio"], x["name"], STATUS.label(x["status"]), ACTION_TEXT[x["action"]],
                      LEVEL.label(x["level"]) if x["level"] else "", x["deadline"] or "", x["reason"])
    print_table(table)


def _print_notes(plan: dict[str, Any]) -> None:
    for s in plan["skipped"]:
        info(f"跳过 {s['studio']} {s['name']}：{s['reason']}")
    if plan["already_applied"]:
        info(f"{plan['year']} 年度考核的处理已对 {len(plan['already_applied'])} 个工作室执行过，不再重复")


@app.command("apply")
def apply_cmd(
    year: YearOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不询问，直接执行（定时任务用）")] = False,
    date: Annotated[Optional[str], typer.Option("--date", help="处理记录的日期（默认今天）")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只列出将执行的处理，不写入")] = False,
    rules: RulesOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """执行某年度考核的处理建议（摘牌、限期整改、通报），并恢复整改/通报后考核无处理建议的工作室。

    先列出清单；在终端上询问确认，非交互运行须加 --yes。可重复执行：已执行过的不再重复。
    """
    from laomo.store.db import read_session, write_session

    y = _required(year, "--year", "考核年度")
    eng = engine()
    with read_session(eng) as session:
        planned = _apply(session, year=y, date=date, profile=rules, dry_run=True)
    plan = planned.to_json()
    if not json_out and not _quiet():
        _print_notes(plan)
    if not plan["actions"]:
        if json_out:
            emit_json(plan)
        else:
            info(f"{plan['year']} 年度考核" + ("的处理已执行过，本次未写入任何记录" if plan["already_applied"]
                                                else "没有需要执行的处理，未写入任何记录"))
        return
    if dry_run:
        if json_out:
            emit_json(plan)
        else:
            _print_plan(plan)
            info("（试运行，未写入）")
        return
    if not yes:
        if not json_out:
            _print_plan(plan)
        if not (sys.stdin.isatty() and sys.stderr.isatty()):
            fail(f"以上 {len(plan['actions'])} 项处理需要确认后执行；非交互运行（如定时任务）请加 --yes。未作任何改动", 1)
        if not typer.confirm(f"确认执行以上 {len(plan['actions'])} 项处理？", default=False, err=True):
            typer.echo("已取消，未作任何改动", err=True)  # the clerk's choice, not an error (exit 1: nothing done)
            raise typer.Exit(1)
    with write_session(eng) as session:
        data = _apply(session, year=y, date=date, profile=rules, expect=planned.plan_key).to_json()
    if json_out:
        emit_json(data)
        return
    if yes and not _quiet():  # --quiet (cron): nothing but errors
        _print_plan(data)
    by = "，".join(f"{_action_label(a)} {n}" for a, n in data["by_action"].items())
    info(f"已写入 {data['written']} 条处理记录（{by}）")


def _apply(session: Session, **kw: Any) -> ApplyResult:
    """``award.apply``, its refusals told with the command to run."""
    from laomo.award import NotAssessed, PlanChanged, apply
    from laomo.errors import LaomoError

    try:
        return apply(session, **kw)
    except NotAssessed as exc:
        raise LaomoError(f"{exc.what}，请先运行 laomo assess run --year {exc.year}") from None
    except PlanChanged:
        raise LaomoError("确认期间数据已发生变化，未作任何改动；请重新执行 laomo award apply") from None


def _action_label(action: str) -> str:
    from laomo.award import ACTION_TEXT

    return ACTION_TEXT.get(action, action)


# --------------------------------------------------------------------------- history


@app.command("history")
def history_cmd(
    code: StudioArg,
    json_out: JsonOpt = False,
) -> None:
    """工作室的全部命名/处理记录、当前状态和最高命名级别。"""
    from laomo.award import history
    from laomo.store.db import read_session

    with read_session(engine()) as session:
        data = history(session, code=code).to_json()
    if json_out:
        emit_json(data)
        return
    from laomo.enums import ACTION, LEVEL, STATUS

    console = out_console()
    head = f"{data['studio']} {data['name']}  状态：{STATUS.label(data['status'])}"
    if data["level"]:
        head += f"  最高级别：{LEVEL.label(data['level'])}"
        if len(data["levels_held"]) > 1:
            head += f"（持有：{'、'.join(LEVEL.label(x) for x in data['levels_held'])}）"
    if data["demonstrative_levels"]:
        head += f"  示范性：{'、'.join(LEVEL.label(x) for x in data['demonstrative_levels'])}"
    if data["deadline"]:
        head += f"  整改期限：{data['deadline']}"
    console.print(head)
    if not data["designations"]:
        console.print("（没有命名/处理记录）")
        return
    table = TextTable([Column(col, short=col in ("编号", "日期", "年度", "处理", "级别", "期限"),
                              min_width=_HISTORY_WIDTHS.get(col, MIN_COLUMN),
                              justify="right" if col == "金额" else "left")
                       for col in ("编号", "日期", "年度", "处理", "级别", "批次", "文号", "金额", "期限", "原因")])
    voided = [d for d in data["designations"] if d["voided"]]
    for d in data["designations"]:  # a voided one is kept in the history, struck out and marked
        reason = ("【已作废】" if d["voided"] else "") + (d["reason"] or "")
        table.add_row(str(d["id"]), d["date"] + ("（约）" if d.get("approximate") else ""), str(d["year"]), ACTION.label(d["action"]),
                      LEVEL.label(d["level"]) if d["level"] else "", d["batch"] or "", d["doc"] or "",
                      "" if d["amount"] is None else str(d["amount"]), d["deadline"] or "", reason,
                      style="strike dim" if d["voided"] else None)
    print_table(table, console)
    for d in voided:
        console.print(f"编号 {d['id']}（{ACTION.label(d['action'])} {d['date']}）{_voided_text(d['voided'])}")
    if voided:
        console.print("（已作废的记录仍列出备查，不计入状态、候选、通知和报表）")
    if any(d.get("approximate") for d in data["designations"]):
        console.print("（约）：旧台账只记了年份，日期按当年12月31日计")


def _voided_text(voided: dict[str, Any]) -> str:
    """已作废（2025-06-01，原因：…） from the ``"voided"`` of the JSON."""
    import datetime as dt

    from laomo.domain.voiding import voided_text

    return voided_text(dt.datetime.fromisoformat(voided["at"]), voided["reason"])


# --------------------------------------------------------------------------- void


@app.command("void")
def void_cmd(
    id: Annotated[str, typer.Argument(help="命名/处理记录的编号（award history 的“编号”列，或其 --json 的 id）")],
    reason: Annotated[Optional[str], required_option(
        "--reason", help="作废原因（记入操作日志）", label="作废原因")] = None,
    json_out: JsonOpt = False,
) -> None:
    """作废一条误录的命名/处理记录：记录保留并在历史中标明已作废，状态按其余记录重新推出，不再计入通知和报表。"""
    from laomo.award import void
    from laomo.enums import LEVEL, STATUS
    from laomo.store.db import write_session

    with write_session(engine()) as session:
        result = void(session, id=id, reason=_required(reason, "--reason", "作废原因"))
    if json_out:
        emit_json(result.to_json())
        return
    if _quiet():
        return
    status = f"{STATUS.label(result.status_before)} → {STATUS.label(result.status)}"
    level = f"（现持有最高级别：{LEVEL.label(result.level_after)}）" if result.level_after else ""
    typer.echo(f"已作废 {result.studio} {result.name} 的{result.describe()}（记录编号 {result.id}）；"
               f"状态：{status}{level}")
