"""laomo assess：达标检查、年度考核、考核说明、规则管理。

Only Typer is imported at module level; the rules engine, SQLAlchemy and
Rich are imported inside the commands, so ``laomo --help`` stays fast.
Commands never prompt (cron-safe): a missing ``--year`` is a usage error.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from laomo.commands.common import STATE, emit_json, engine, fail, info, out_console
from laomo.commands.group import Group
from laomo.commands.options import (
    AsOfOpt,
    ItemsOpt,
    JsonOpt,
    ProfileArg,
    QuietOpt,
    RulesOpt,
    StudioArg,
    YearOpt,
    need,
    year_option,
)
from laomo.commands.output import Column, TextTable, print_table

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from rich.console import Console
    from sqlmodel import Session

app = Group(help="达标检查、年度考核、考核说明和规则管理。", no_args_is_help=True)
rules_app = Group(help="规则文件：列出、查看、选用、校验。", no_args_is_help=True)
app.add_typer(rules_app, name="rules")


def _year(year: Optional[int]) -> int:
    """The required ``--year``, already checked while the command line was parsed (:data:`YearOpt`)."""
    return need(year, "--year", "考核年度，如 2025")


def _labels() -> Any:
    from laomo.enums import GRADE, RECOMMENDATION

    return GRADE, RECOMMENDATION


def _fmt(x: Any) -> str:
    from laomo.rules.expr import format_value

    return format_value(x)


# --------------------------------------------------------------------------- check


@app.command("check")
def check_cmd(
    codes: Annotated[Optional[list[str]], typer.Argument(help="工作室编号（省略则检查全部工作室）")] = None,
    rules: RulesOpt = None,
    as_of: AsOfOpt = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """创建标准达标检查：逐项列出通过与否，未通过的说明哪项事实不符。"""
    from laomo.assess import check_standards
    from laomo.store.db import read_session

    day = _date(as_of) if as_of else None
    with read_session(engine()) as session:
        result = check_standards(session, codes=codes or None, profile=rules, as_of=day).to_json()
    if json_out:
        emit_json(result)
        return
    if quiet or STATE.quiet:
        return
    rows = result["results"]
    ids = list(rows[0]["checks"]) if rows else []
    table = TextTable([Column("编号", short=True), Column("名称", min_width=NAME_WIDTH),
                       *(Column(cid, short=True, justify="center") for cid in ids), Column("结果", short=True)],
                      title=f"达标检查（规则 {_rules(result)}，截至 {result['as_of']}）")
    for r in rows:
        table.add_row(r["studio"], r["name"], *("✓" if r["checks"][c] else "✗" for c in ids),
                      "达标" if r["passed"] else "未达标")
    console = out_console()
    print_table(table, console)
    for r in rows:
        for failure in r["failures"]:
            console.print(f"{r['studio']} {r['name']}：{failure}")
    passed = sum(1 for r in rows if r["passed"])
    info(f"共 {len(rows)} 个工作室，达标 {passed} 个，未达标 {len(rows) - passed} 个")


def _date(text: str) -> dt.date:
    from laomo.ledger.values import Invalid, parse_date

    try:
        return parse_date(text)
    except Invalid as exc:
        fail(f"--as-of「{text}」：{exc}", 2)


# --------------------------------------------------------------------------- run


@app.command("run")
def run_cmd(
    year: YearOpt = None,
    rules: RulesOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只计算并显示（与已保存结果对比），不保存")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="该年度处理建议已执行时仍重新考核（须同时给出 --reason；原结果保留备查）")] = False,
    reason: Annotated[Optional[str], typer.Option(
        "--reason", help="重新考核的原因（使用 --force 时必填；记入考核历史和操作日志）")] = None,
    items: ItemsOpt = False,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """年度考核：对该年度应考核的全部工作室评分、定等级（优秀比例限制）、提出处理建议并保存。

    考核范围为该年 12 月 31 日持有命名且未被摘牌、撤销的工作室。重复运行同一年度会替换该年度的结果（考核历史中记为被替换）；该年度的处理建议已执行（award apply）后，须 --force --reason 才能重新考核，原结果保留备查。每次运行写一条操作日志。
    """
    from laomo.assess import store_assessment, what_if
    from laomo.store.db import read_session

    y = _year(year)
    eng = engine()
    diff = None
    run = None
    if rules is None:
        from laomo.assess.profiles import profile_drift

        with read_session(eng) as session:
            drift = profile_drift(session)
        if drift:
            info(f"注意：{drift}", quiet or STATE.quiet or json_out)
    if dry_run:
        with read_session(eng) as session:
            result = what_if(session, year=y, profile=rules, parallel=True).to_json()
        diff = {"year": y, **result["what_if"]}
    else:
        # a quiet (cron) run prints nothing: the per-studio results are not even kept in memory
        run = store_assessment(eng, year=y, profile=rules, results=json_out or not (quiet or STATE.quiet),
                               force=force, reason=reason)
        result = run.to_json()
    if json_out:
        emit_json(result)
        return
    if quiet or STATE.quiet:
        return
    _print_run(result, items)
    if diff is not None:
        _print_diff(diff)
    counts: dict[str, int] = {}
    for r in result["results"]:
        counts[r["grade"]] = counts.get(r["grade"], 0) + 1
    GRADE, _ = _labels()
    text = "，".join(f"{GRADE.label(g)} {n}" for g, n in sorted(counts.items(), key=lambda kv: GRADE.rank(kv[0])))
    mode = "试运行，未保存" if dry_run else f"已保存，运行编号 {result.get('run_id')}"
    info(f"{y} 年度考核（规则 {_rules(result)}）：{len(result['results'])} 个工作室；{text or '无'}（{mode}）")
    if run is not None and run.supersedes:
        kept = "，其结果已保留备查（laomo assess history）" if run.kept else ""
        info(f"替换了此前的考核运行 {'、'.join(run.supersedes)}{kept}")


def _rules(result: dict[str, Any]) -> str:
    """The rules of a result as people read them: title and name (「河南省…（henan-2015）」), from the
    content kept under its hash, else the bundled profile of that name; the name alone otherwise."""
    from laomo.reports.data import profile_caption
    from laomo.store.db import read_session

    name, digest = result.get("profile"), result.get("profile_hash")
    if not name:
        return "（未记录）"
    try:
        with read_session(engine()) as session:
            return profile_caption(session.connection(), name, digest) or name
    except Exception:  # a caption is a courtesy: never a reason for the command to fail
        return name


#: Cells a studio's name keeps at least in a terminal table (four characters a line).
NAME_WIDTH = 8

#: Rows a terminal table shows at most (a province's 150,000 studios are for reports and --json).
TABLE_ROWS = 500


def _more(console: Console, shown: int, total: int, year: int) -> None:
    if total > shown:
        console.print(f"…… 共 {total} 个工作室，表中只列出前 {shown} 个；全部结果见 "
                      f"laomo report assessment --year {year}（或本命令加 --json）")


def _print_run(result: dict[str, Any], items: bool) -> None:
    GRADE, REC = _labels()
    rows = result["results"]
    item_ids = list(rows[0]["items"]) if rows and items else []
    table = TextTable([Column("编号", short=True), Column("名称", min_width=NAME_WIDTH),
                       *(Column(i, short=True, justify="right") for i in item_ids),
                       Column("总分", short=True, justify="right"), Column("等级", short=True),
                       Column("处理建议", min_width=NAME_WIDTH), Column("原因", min_width=NAME_WIDTH)],
                      title=f"{result['year']} 年度考核结果（规则 {_rules(result)}）")
    for r in rows[:TABLE_ROWS]:
        grade = GRADE.label(r["grade"]) + ("*" if r.get("capped") else "")
        rec = REC.label(r["recommendation"]) if r["recommendation"] != "none" else "—"
        if r.get("deadline"):
            rec += f"（{r['deadline']} 前）"
        table.add_row(r["studio"], r["name"], *(_fmt(r["items"][i]) for i in item_ids), _fmt(r["total"]),
                      grade, rec, "；".join(r["reasons"]))
    console = out_console()
    print_table(table, console)
    _more(console, min(len(rows), TABLE_ROWS), len(rows), result["year"])
    if any(r.get("capped") for r in rows[:TABLE_ROWS]):
        console.print("* 总分达到优秀线，因优秀比例限制评为良好")


def _print_diff(diff: dict[str, Any]) -> None:
    GRADE, REC = _labels()
    console = out_console()
    if not diff["stored"]:
        console.print(f"{diff['year']} 年度尚无已保存的考核结果，无可对比")
        return
    changed = [c for c in diff["changes"] if c["changed"]]
    stored = "、".join(diff["stored_profiles"]) or "导入的历史"
    if not changed:
        console.print(f"与已保存结果（规则 {stored}）相比，各工作室的等级和处理建议都没有变化")
        return
    table = TextTable([Column("编号", short=True), Column("名称", min_width=NAME_WIDTH),
                       *(Column(f"{what} 原→新", min_width=NAME_WIDTH) for what in ("等级", "处理建议", "总分"))],
                      title=f"与已保存结果（规则 {stored}）相比有变化的工作室：{len(changed)} 个")

    def side(d: Any, key: str) -> str:
        if d is None:
            return "（无）"
        v = d[key]
        if key == "grade":
            return GRADE.label(v)
        if key == "recommendation":
            return REC.label(v or "none")
        return _fmt(v)

    for c in changed[:TABLE_ROWS]:
        table.add_row(c["studio"], c["name"] or "",
                      *(f"{side(c['before'], k)} → {side(c['after'], k)}" for k in ("grade", "recommendation", "total")))
    print_table(table, console)
    if len(changed) > TABLE_ROWS:
        console.print(f"…… 有变化的工作室共 {len(changed)} 个，表中只列出前 {TABLE_ROWS} 个；全部对比见本命令加 --json")


# --------------------------------------------------------------------------- history


@app.command("history")
def history_cmd(
    year: Annotated[Optional[int], year_option("只列出该年度，如 2025")] = None,
    json_out: JsonOpt = False,
) -> None:
    """考核历史：已保存的每次考核运行（运行编号、时间、规则及哈希、工作室数、各等级数、现行或被替换、原因）。

    每个年度最新的在前；被替换的运行注明由哪次运行替换，处理建议已执行后被替换的运行其结果保留，可用 laomo assess explain CODE --year Y --run 运行编号 查看。导入的历史成绩不是考核运行，每个年度另列一行。
    """
    from laomo.assess import run_history
    from laomo.store.db import read_session

    with read_session(engine()) as session:
        history = run_history(session, year=year)
    if json_out:
        emit_json(history.to_json())
        return
    if STATE.quiet:
        return
    _print_history(history)


def _print_history(history: Any) -> None:
    """One table per year (newest run first; it fits 80 columns), under it one line per run (its
    profile and hash, reason, what superseded it), then the years' imported rows."""
    from itertools import groupby

    GRADE, _ = _labels()
    console = out_console()
    grades = [g for g, _ in GRADE.items]
    for year, runs in groupby(history.runs, key=lambda r: r.year):
        table = TextTable([Column("运行编号", short=True), Column("时间(UTC)", min_width=10),
                           Column("工作室", short=True, justify="right"), Column("各等级", justify="right"),
                           Column("状态", min_width=6)],
                          title=f"{year} 年度的考核运行（最新的在前）",
                          caption="各等级：" + "/".join(GRADE.label(g) for g in grades))
        notes = []
        for r in runs:
            table.add_row(r.run_id, r.at.strftime("%Y-%m-%d %H:%M"), str(r.studios),
                          "/".join(str(r.by_grade.get(g, 0)) for g in grades),
                          "现行" if r.current else "已替换" + ("（保留）" if r.kept else ""))
            said = [f"规则 {r.profile or '（未记录）'}（哈希 {(r.profile_hash or '')[:12]}…）"]
            if r.reason:
                said.append(f"原因：{r.reason}")
            if not r.current:
                said.append(f"已被 {r.superseded_by} 替换" + (
                    f"，其结果保留备查（laomo assess explain 编号 --year {r.year} --run {r.run_id}）" if r.kept else ""))
            notes.append(f"  {r.run_id}：{'；'.join(said)}")
        print_table(table, console)
        for note in notes:
            console.print(note)
        if year in history.imported:
            console.print(f"  另有导入的历史成绩 {history.imported[year]} 个工作室（不是考核运行）")
    for y, n in sorted(history.imported.items(), reverse=True):
        if all(r.year != y for r in history.runs):
            console.print(f"{y} 年度：导入的历史成绩 {n} 个工作室（不是考核运行）")
    if not history.runs and not history.imported:
        info("没有已保存的考核运行")


# --------------------------------------------------------------------------- explain


@app.command("explain")
def explain_cmd(
    code: StudioArg,
    year: YearOpt = None,
    rules: RulesOpt = None,
    run: Annotated[Optional[str], typer.Option(
        "--run", help="显示某次考核运行的结果（运行编号见 laomo assess history；含已被替换但保留的运行）")] = None,
    json_out: JsonOpt = False,
) -> None:
    """逐项说明一个工作室某年度的得分：规则原文、所依据的事实。"""
    from laomo.assess import explain
    from laomo.store.db import read_session

    y = _year(year)
    with read_session(engine()) as session:
        data = explain(session, code=code, year=y, profile=rules, run=run).to_json()
    if json_out:
        emit_json(data)
        return
    GRADE, REC = _labels()
    r = data["results"][0]
    console = out_console()
    rec = REC.label(r["recommendation"]) if r["recommendation"] != "none" else "无"
    console.print(f"{r['studio']} {r['name']}  {y} 年度  总分 {_fmt(r['total'])}  等级 {GRADE.label(r['grade'])}"
                  f"  处理建议 {rec}" + (f"（期限 {r['deadline']}）" if r.get("deadline") else ""))
    for reason in r["reasons"]:
        console.print(f"  原因：{reason}")
    table = TextTable([Column("项目", short=True), Column("名称", min_width=NAME_WIDTH),
                       Column("得分", short=True, justify="right"), Column("满分", short=True, justify="right"),
                       Column("规则", min_width=NAME_WIDTH), Column("事实", min_width=NAME_WIDTH)],
                      title=f"分项说明（规则 {_rules(data)}）")
    for d in data["details"]:
        pts = _fmt(d["points"]) + (f"（存 {_fmt(d['stored_points'])}）" if "stored_points" in d else "")
        facts = d["facts_text"]
        if "checks" in d:
            facts = "、".join(f"{k}{'✓' if v else '✗'}" for k, v in d["checks"].items())
        table.add_row(d["item"], d["label"], pts, _fmt(d["max"]), d["rule"], facts)
    print_table(table, console)
    for failure in data["failures"]:
        console.print(f"未通过：{failure}")
    for note in data["notes"]:
        info(f"注意：{note}")


# --------------------------------------------------------------------------- rules


def _existing_db_session() -> AbstractContextManager[Session] | None:
    """A read session when the database exists; None (and nothing created) otherwise."""
    from laomo.store import db
    url = db.resolve_url(STATE.db)
    path = db.sqlite_path(url)
    if path is not None and not path.exists():
        return None
    return db.read_session(engine())


@rules_app.command("list")
def rules_list(json_out: JsonOpt = False) -> None:
    """列出内置规则，并标出本数据库正在使用的规则。"""
    from laomo.assess import list_profiles

    ctx = _existing_db_session()
    if ctx is None:
        data = list_profiles(None).to_json()
    else:
        with ctx as session:
            data = list_profiles(session).to_json()
    if json_out:
        emit_json(data)
        return
    table = TextTable([Column("名称", short=True), Column("标题", min_width=NAME_WIDTH), Column("创建标准"),
                       Column("哈希", short=True), Column("", short=True)], title="内置规则")
    for p in data["profiles"]:
        mark = "使用中" if p["name"] == data["current"] else ("默认" if p["default"] else "")
        table.add_row(p["name"], p["title"], "、".join(p["standards"]), p["profile_hash"][:12], mark)
    console = out_console()
    print_table(table, console)
    if data["current"] not in {p["name"] for p in data["profiles"]}:
        console.print(f"本数据库使用的规则文件：{data['current']}")


@rules_app.command("show")
def rules_show(
    name: ProfileArg,
    json_out: JsonOpt = False,
) -> None:
    """显示规则的全部内容：创建标准、领衔人阶梯、计分项、等级线、优秀比例、处理建议。"""
    from laomo.assess import show_profile

    data = show_profile(name).to_json()
    if json_out:
        emit_json(data)
        return
    GRADE, REC = _labels()
    from laomo.enums import LEVEL

    console = out_console()
    console.print(f"规则 {data['profile']}：{data['title']}")
    if data["description"]:
        console.print(data["description"])
    console.print(f"来源：{data['source']}    内容哈希：{data['profile_hash']}")
    t = TextTable([Column("编号", short=True), Column("名称", min_width=NAME_WIDTH),
                   Column("通过条件", min_width=NAME_WIDTH)], title="创建标准与通用条件")
    for c in data["checks"]:
        t.add_row(c["id"], c["label"], c["rule"])
    print_table(t, console)
    t = TextTable([Column("级别", short=True), Column("条件", min_width=NAME_WIDTH)], title="领衔人阶梯")
    for lv in data["ladder"]:
        t.add_row(LEVEL.label(lv["level"]), lv["rule"])
    print_table(t, console)
    t = TextTable([Column("项目", short=True), Column("名称", min_width=NAME_WIDTH),
                   Column("满分", short=True, justify="right"), Column("规则", min_width=NAME_WIDTH)],
                  title="年度考核计分")
    for it in data["items"]:
        t.add_row(it["item"], it["label"], _fmt(it["max"]), it["rule"])
    print_table(t, console)
    console.print("等级：" + "；".join(f"{GRADE.label(g['grade'])} ≥ {_fmt(g['min'])}" for g in data["grades"]))
    cap = data["cap"]
    if cap:
        order = "、".join(
            ("总分" if k["by"] == "total" else "编号" if k["by"] == "code" else "+".join(k["by"]))
            + ("从高到低" if k["desc"] else "从小到大") for k in cap["order"])
        console.print(f"{GRADE.label(cap['grade'])}比例：不超过参加考核数的 {cap['ratio']:g}（至少 {cap['minimum']} 个），"
                      f"按 {order} 排序，其余改为{GRADE.label(cap['demote_to'])}")
    for rec in data["recommendations"]:
        when = "；或 ".join(f"{w}（{r}）" if w != r else w for w, r in zip(rec["when"], rec["rules"]))
        extra = f"，期限 {rec['deadline']}" if rec["deadline"] else ""
        console.print(f"处理建议 {REC.label(rec['action'])}{extra}：{when}")
    types = {"bool": "是/否", "number": "数值", "level": "级别", "skill": "技能等级", "grade": "考核等级",
             "text": "文字"}
    phases = {"base": "", "ladder": "由阶梯推出", "run": "仅处理建议可用"}
    t = TextTable([Column("事实", short=True), Column("中文名称", min_width=NAME_WIDTH), Column("类型", short=True),
                   Column("说明")], title="事实词表（规则文件中可用的事实）")
    for f in data["facts"]:
        t.add_row(f["fact"], f["label"], types.get(f["type"], f["type"]), phases.get(f["phase"], ""))
    print_table(t, console)


@rules_app.command("use")
def rules_use(
    name: ProfileArg,
    json_out: JsonOpt = False,
) -> None:
    """校验规则后，设为本数据库默认使用的规则（写操作日志）。"""
    from laomo.assess import use_profile
    from laomo.store.db import write_session

    with write_session(engine()) as session:
        data = use_profile(session, profile=name).to_json()
    if json_out:
        emit_json(data)
        return
    info(f"本数据库今后使用规则 {data['profile']}（{data['source']}，哈希 {data['profile_hash'][:12]}…）"
         + (f"，原为 {data['previous']}" if data["previous"] else ""))
    from laomo.rules import bundled_names

    if data["source"] not in bundled_names():
        info("规则文件的内容已存入数据库：今后按此内容考核，文件再改动或移走都不影响；要改用新内容，请再次运行 "
             "laomo assess rules use")


@rules_app.command("validate")
def rules_validate(
    file: Annotated[str, typer.Argument(help="规则文件（.toml）")],
    json_out: JsonOpt = False,
) -> None:
    """校验规则文件：逐条列出问题（文件、键、问题）；有效时显示名称和内容哈希。"""
    from laomo.rules import ProfileError, validate_file

    try:
        p = validate_file(file)
    except ProfileError as exc:
        if json_out:
            emit_json({"file": file, "valid": False, "problems": exc.lines or [str(exc)]})
            raise typer.Exit(1) from None
        raise
    standards = [s.id for s in p.standards]
    items = list(p.scorecard.items)
    data = {"file": file, "valid": True, "profile": p.name, "profile_hash": p.hash,
            "standards": standards, "items": items}
    if json_out:
        emit_json(data)
        return
    info(f"规则文件有效：{p.name}（创建标准 {'、'.join(standards)}；计分项 {len(items)} 项），"
         f"内容哈希 {p.hash}")
