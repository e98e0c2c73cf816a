"""`laomo register …`: single records (prompting on a terminal) and bulk imports."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from laomo.commands.common import STATE, Progress, emit_json, engine, fail, info, need

app = typer.Typer(help="登记人员、荣誉、工作室、成员、成果、活动、师带徒、现场检查，或批量导入。",
                  no_args_is_help=True)
register_app = app


# --- register ------------------------------------------------------------------


def _register(kind: str, record: dict, label: str, new_code: tuple[str, str] | None = None) -> None:
    from laomo.ledger.records import register_record
    from laomo.store.db import write_session

    with write_session(engine()) as session:
        result = register_record(session, kind=kind, record=record, new_code=new_code)
    if result.rejected:
        for e in result.errors:
            typer.echo(f"错误：选项「--{e.column.replace('_', '-')}」值「{e.value}」: {e.reason}", err=True)
        raise typer.Exit(1)
    key = result.keys[0] if result.keys else ""
    if result.inserted:
        typer.echo(f"已登记{label} {key}")
    elif result.updated:
        typer.echo(f"已更新{label} {key}")
    else:
        typer.echo(f"{label}已存在且内容相同，未改动")


def _frontline_help(what: str) -> str:
    return f"是否{what}（不指定则不改动）"


@register_app.command("person")
def register_person(
    code: Optional[str] = typer.Option(None, "--code", help="人员编号，如 P0001（必填）"),
    name: Optional[str] = typer.Option(None, "--name", help="姓名（必填）"),
    gender: Optional[str] = typer.Option(None, "--gender", help="性别：男/女"),
    birth_year: Optional[str] = typer.Option(None, "--birth-year", help="出生年份"),
    id_number: Optional[str] = typer.Option(None, "--id-number", help="身份证号（校验末位）"),
    phone: Optional[str] = typer.Option(None, "--phone", help="手机"),
    unit: Optional[str] = typer.Option(None, "--unit", help="单位"),
    post: Optional[str] = typer.Option(None, "--post", help="岗位"),
    frontline: Optional[bool] = typer.Option(None, "--frontline/--no-frontline", help=_frontline_help("一线职工")),
    skill_grade: Optional[str] = typer.Option(None, "--skill-grade", help="技能等级：初级工/中级工/高级工/技师/高级技师"),
) -> None:
    """登记或更新一名人员。"""
    record = dict(code=need(code, "--code", "人员编号"), name=need(name, "--name", "姓名"), gender=gender,
                  birth_year=birth_year, id_number=id_number, phone=phone, unit=unit, post=post,
                  frontline=frontline, skill_grade=skill_grade)
    _register("people", record, "人员")


@register_app.command("honor")
def register_honor(
    person: Optional[str] = typer.Option(None, "--person", help="人员编号（必填）"),
    kind: Optional[str] = typer.Option(None, "--kind", help="荣誉，如 全国劳动模范、市五一劳动奖章（必填）"),
    year: Optional[str] = typer.Option(None, "--year", help="获得年份（必填）"),
    issuer: Optional[str] = typer.Option(None, "--issuer", help="授予单位"),
) -> None:
    """登记一项荣誉。"""
    record = dict(person=need(person, "--person", "人员编号"), kind=need(kind, "--kind", "荣誉"),
                  year=need(year, "--year", "年份"), issuer=issuer)
    _register("honors", record, "荣誉")


@register_app.command("studio")
def register_studio(
    code: Optional[str] = typer.Option(None, "--code", help="工作室编号，如 S0001（必填）"),
    name: Optional[str] = typer.Option(None, "--name", help="名称（必填）"),
    leader: Optional[str] = typer.Option(None, "--leader", help="领衔人的人员编号（必填）"),
    unit: Optional[str] = typer.Option(None, "--unit", help="所在单位（必填）"),
    industry: Optional[str] = typer.Option(None, "--industry", help="行业：GB/T 4754 门类字母或名称（必填）"),
    county: Optional[str] = typer.Option(None, "--county", help="区县（必填）"),
    kind: Optional[str] = typer.Option(None, "--kind", help="类型：劳模创新工作室/工匠人才创新工作室/职工创新工作室/联合创新工作室"),
    credit_code: Optional[str] = typer.Option(None, "--credit-code", help="统一社会信用代码"),
    founded: Optional[str] = typer.Option(None, "--founded", help="成立日期"),
    area: Optional[str] = typer.Option(None, "--area", help="场所面积（平方米）"),
    funds: Optional[str] = typer.Option(None, "--funds", help="年度经费（元，可写 12.5万）"),
    sign: Optional[bool] = typer.Option(None, "--sign/--no-sign", help="有标牌"),
    rules: Optional[bool] = typer.Option(None, "--rules/--no-rules", help="有制度"),
    plan: Optional[bool] = typer.Option(None, "--plan/--no-plan", help="有计划"),
    display: Optional[bool] = typer.Option(None, "--display/--no-display", help="有成果展示"),
    records: Optional[bool] = typer.Option(None, "--records/--no-records", help="有活动记录"),
    facilities: Optional[bool] = typer.Option(None, "--facilities/--no-facilities", help="有设施"),
    notes: Optional[str] = typer.Option(None, "--notes", help="备注"),
) -> None:
    """登记或更新一个工作室；领衔人自动成为“领衔人”成员。"""
    record = dict(
        code=need(code, "--code", "工作室编号"), name=need(name, "--name", "名称"),
        leader=need(leader, "--leader", "领衔人编号"), unit=need(unit, "--unit", "所在单位"),
        industry=need(industry, "--industry", "行业"), county=need(county, "--county", "区县"),
        kind=kind, credit_code=credit_code, founded=founded, area=area, funds=funds,
        has_sign=sign, has_rules=rules, has_plan=plan, has_display=display, has_records=records,
        has_facilities=facilities, notes=notes,
    )
    _register("studios", record, "工作室")


@register_app.command("member")
def register_member(
    studio: Optional[str] = typer.Option(None, "--studio", help="工作室编号（必填）"),
    person: Optional[str] = typer.Option(None, "--person", help="人员编号（必填）"),
    role: Optional[str] = typer.Option(None, "--role", help="角色：领衔人/核心成员/成员"),
    joined: Optional[str] = typer.Option(None, "--joined", help="加入日期"),
    left: Optional[str] = typer.Option(None, "--left", help="退出日期"),
) -> None:
    """登记或更新一名工作室成员。"""
    record = dict(studio=need(studio, "--studio", "工作室编号"), person=need(person, "--person", "人员编号"),
                  role=role, joined=joined, left=left)
    _register("members", record, "成员")


@register_app.command("achievement")
def register_achievement(
    studio: Optional[str] = typer.Option(None, "--studio", help="工作室编号（必填）"),
    title: Optional[str] = typer.Option(None, "--title", help="成果名称（必填）"),
    type_: Optional[str] = typer.Option(None, "--type", help="类型：发明专利、实用新型专利、工法、先进操作法……（必填）"),
    date: Optional[str] = typer.Option(None, "--date", help="日期（必填）"),
    code: Optional[str] = typer.Option(None, "--code", help="成果编号（不填则自动编号）"),
    stage: Optional[str] = typer.Option(None, "--stage", help="阶段：问题查找……推广转化"),
    benefit: Optional[str] = typer.Option(None, "--benefit", help="经济效益（元/年，可写 12.5万）"),
    patent_no: Optional[str] = typer.Option(None, "--patent-no", help="专利号"),
    frontline_led: Optional[bool] = typer.Option(None, "--frontline-led/--no-frontline-led", help="是否一线职工主导"),
) -> None:
    """登记一项创新成果。"""
    record = dict(studio=need(studio, "--studio", "工作室编号"), title=need(title, "--title", "成果名称"),
                  type=need(type_, "--type", "成果类型"), date=need(date, "--date", "日期"),
                  stage=stage, benefit=benefit, patent_no=patent_no, frontline_led=frontline_led, code=code)
    _register("achievements", record, "成果", new_code=("achievement", "A"))


@register_app.command("activity")
def register_activity(
    studio: Optional[str] = typer.Option(None, "--studio", help="工作室编号（必填）"),
    kind: Optional[str] = typer.Option(None, "--kind", help="类型：培训/技术交流/技术攻关/技能比武/宣传展示（必填）"),
    date: Optional[str] = typer.Option(None, "--date", help="日期（必填）"),
    title: Optional[str] = typer.Option(None, "--title", help="主题"),
    participants: Optional[str] = typer.Option(None, "--participants", help="参加人次"),
    hours: Optional[str] = typer.Option(None, "--hours", help="学时"),
) -> None:
    """登记一次活动。"""
    record = dict(studio=need(studio, "--studio", "工作室编号"), kind=need(kind, "--kind", "活动类型"),
                  date=need(date, "--date", "日期"), title=title, participants=participants, hours=hours)
    _register("activities", record, "活动")


@register_app.command("mentorship")
def register_mentorship(
    studio: Optional[str] = typer.Option(None, "--studio", help="工作室编号（必填）"),
    mentor: Optional[str] = typer.Option(None, "--mentor", help="师傅的人员编号（必填）"),
    apprentice: Optional[str] = typer.Option(None, "--apprentice", help="徒弟的人员编号（必填）"),
    start: Optional[str] = typer.Option(None, "--start", help="开始日期（必填）"),
    end: Optional[str] = typer.Option(None, "--end", help="结束日期"),
    agreement: Optional[bool] = typer.Option(None, "--agreement/--no-agreement", help="是否签订师徒协议"),
    promoted_on: Optional[str] = typer.Option(None, "--promoted-on", help="徒弟技能晋级日期"),
) -> None:
    """登记或更新一对师带徒。"""
    record = dict(studio=need(studio, "--studio", "工作室编号"), mentor=need(mentor, "--mentor", "师傅编号"),
                  apprentice=need(apprentice, "--apprentice", "徒弟编号"), start=need(start, "--start", "开始日期"),
                  end=end, agreement=agreement, promoted_on=promoted_on)
    _register("mentorships", record, "师带徒")


@register_app.command("inspection")
def register_inspection(
    studio: Optional[str] = typer.Option(None, "--studio", help="工作室编号（必填）"),
    year: Optional[str] = typer.Option(None, "--year", help="考核年度（必填）"),
    item: Optional[str] = typer.Option(None, "--item", help="考核项，如 D2（必填）"),
    score: Optional[str] = typer.Option(None, "--score", help="现场得分（必填）"),
    inspector: Optional[str] = typer.Option(None, "--inspector", help="检查人"),
) -> None:
    """登记现场检查评分。"""
    record = dict(studio=need(studio, "--studio", "工作室编号"), year=need(year, "--year", "年度"),
                  item=need(item, "--item", "考核项"), score=need(score, "--score", "得分"), inspector=inspector)
    _register("inspections", record, "现场检查评分")


KIND_HELP = "people honors studios members achievements activities mentorships inspections designations assessments"


@register_app.command("import")
def register_import(
    kind: str = typer.Argument(..., help=f"数据类型：{KIND_HELP}"),
    file: str = typer.Argument(..., help=".csv 或 .xlsx 文件；- 表示从标准输入读 CSV"),
    encoding: str = typer.Option("auto", "--encoding", help="auto|utf-8|gb18030|utf-16（默认自动识别）"),
    sheet: Optional[str] = typer.Option(None, "--sheet", help=".xlsx 的工作表名（默认第一个）"),
    dry_run: bool = typer.Option(False, "--dry-run", help="只校验并报告，不写入"),
    on_error: str = typer.Option("abort", "--on-error", help="abort：有错则全部不写入；skip：写入有效行，错误行写入拒收文件"),
    rejects: Optional[Path] = typer.Option(None, "--rejects", help="拒收文件（默认 FILE.rejects.csv）"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 摘要"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="只输出错误"),
) -> None:
    """批量导入 CSV/XLSX（按自然键新增或更新；一个事务，全部成功或全部不写入）。"""
    from laomo.ledger.columns import KINDS
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import ENCODINGS, open_source
    from laomo.store.db import write_session

    if kind not in KINDS:
        fail(f"未知的数据类型 {kind}，可选：{KIND_HELP}", 2)
    if encoding not in ENCODINGS:
        fail(f"--encoding 只能是 {'|'.join(ENCODINGS)}", 2)
    if on_error not in ("abort", "skip"):
        fail("--on-error 只能是 abort 或 skip", 2)
    eng = engine()
    with open_source(file, encoding, sheet) as source:
        with Progress(f"导入 {kind}", quiet=quiet or json_out) as progress:
            with write_session(eng, snapshot=True) as session:
                result = import_source(session, source, kind=kind, dry_run=dry_run, on_error=on_error,
                                       rejects_path=rejects, progress=progress)
    if json_out:
        emit_json(result.as_dict())
    quiet = quiet or STATE.quiet
    for warning in result.warnings:
        info(f"警告：{warning}", quiet)
    for e in result.errors:
        typer.echo(e.format(result.file), err=True)
    if result.error_count > len(result.errors):
        typer.echo(f"……另有 {result.error_count - len(result.errors)} 个问题未列出", err=True)
    if not json_out and not quiet:
        mode = "（试运行，未写入）" if dry_run else ""
        summary = (f"{result.file}（{result.encoding}）：读取 {result.read} 行，新增 {result.inserted}，"
                   f"更新 {result.updated}，未变 {result.unchanged}，拒收 {result.rejected}"
                   + (f"，重复行 {result.duplicates}" if result.duplicates else "")
                   + f"，用时 {result.seconds:.2f} 秒{mode}")
        typer.echo(summary, err=True)
        if result.rejects_file:
            typer.echo(f"拒收的行已写入 {result.rejects_file}", err=True)
    if result.rejected and on_error == "abort":
        if not json_out:
            typer.echo("有错误，本次导入未写入任何数据（数据库未改动）", err=True)
        raise typer.Exit(1)
    if result.rejected:
        raise typer.Exit(3)


