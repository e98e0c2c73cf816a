"""`laomo register …`: single records (prompting on a terminal) and bulk imports."""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from laomo.commands.common import STATE, Progress, emit_json, engine, error, fail, info
from laomo.commands.group import Group
from laomo.commands.options import JsonOpt, JsonSummaryOpt, QuietOpt, required_option

if TYPE_CHECKING:
    from laomo.ledger.forms import ColumnInfo, KindColumns
    from laomo.ledger.repeats import Repeat

app = Group(help="登记人员、荣誉、工作室、成员、成果、活动、师带徒、现场检查，或批量导入。",
                  no_args_is_help=True)
register_app = app


def _required(flag: str, help: str, label: str) -> Any:
    """A field of the record's key: asked for on a terminal (cli.md), else exit 2."""
    return required_option(flag, help=help, label=label, prompt=True)


def _for_new(flag: str, help: str) -> Any:
    """A field every record of its kind has, needed for a new record only: a stored one is
    patched with the options given (asked for on a terminal when a new record lacks it)."""
    return typer.Option(flag, help=help + "（新登记时必填）")


Text = Optional[str]
Flag = Optional[bool]  # --x/--no-x: not given leaves the stored value as it is
StudioCode = Annotated[Text, _required("--studio", "工作室编号", "工作室编号")]
PersonCode = Annotated[Text, _required("--person", "人员编号", "人员编号")]
Date = Annotated[Text, _required("--date", "日期", "日期")]
ClearOpt = Annotated[Optional[list[str]], typer.Option(
    "--clear", metavar="FIELD", help="清空一个字段（可重复），写英文名或中文列名，如 --clear phone、--clear 手机；必填项不能清空")]


# --- register ------------------------------------------------------------------


def _flag(key: str) -> str:
    """The option of a record field: ``birth_year`` → ``--birth-year``, ``has_sign`` → ``--sign``."""
    return "--" + key.removeprefix("has_").replace("_", "-")


def _ask_missing(kind: str, record: dict[str, Any], fields: tuple[str, ...], message: str) -> None:
    """A new record lacks required fields: ask for them on a terminal, else stop (exit 2)."""
    from laomo.ledger.columns import KINDS

    flags = " ".join(_flag(k) for k in fields)
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        fail(f"{message}（{flags}）", 2)
    for key in fields:
        record[key] = typer.prompt(f"{KINDS[kind].column(key).header}（{_flag(key)}）")


# long: one record registered, asked for what a new one lacks, and every outcome reported
def _register(kind: str, record: dict[str, Any], label: str, new_code: tuple[str, str] | None = None, *,
              clear: list[str] | None = None, correct: str | None = None, again: bool = False) -> None:
    from laomo.ledger.importer import MissingFields
    from laomo.ledger.repeats import register_entry
    from laomo.store.db import write_session

    record = dict(record)
    for attempt in (1, 2):
        try:
            with write_session(engine()) as session:
                entry = register_entry(session, kind=kind, record=record, again=again, new_code=new_code,
                                       clear=clear or (), correct=correct)
            break
        except MissingFields as exc:
            if attempt == 2:
                raise
            _ask_missing(kind, record, exc.fields, str(exc))
    result = entry.result
    if result is None:
        assert entry.repeat is not None
        _repeated(entry.repeat)
        return
    if result.rejected:
        for e in result.errors:
            typer.echo(f"错误：选项「--{e.column.replace('_', '-')}」值「{e.value}」: {e.reason}", err=True)
        if result.correctable:
            typer.echo("如确需更正姓名或身份证号，请加 --correct --reason 原因（记入审计日志）", err=True)
        raise typer.Exit(1)
    if result.warnings and not (result.inserted or result.updated):
        for warning in result.warnings:
            error(warning.split("：", 1)[-1])
        raise typer.Exit(1)
    key = readable_key(kind, result.keys[0]) if result.keys else ""
    if result.inserted:
        typer.echo(f"已登记{label} {key}")
    elif result.updated:
        typer.echo(f"已更新{label} {key}")
    else:
        typer.echo(f"{label}已存在且内容相同，未改动")


def _key_parts(kind: str, key: str) -> tuple[list[str], str] | None:
    """An activity's or an honor's audit key split into parts with Chinese labels for its
    enumeration, and an activity's session number (``#2``); None for other kinds."""
    from laomo import enums

    if kind == "activities":
        text, hash_, seq = key.partition("#")
        parts = text.split("/", 3)
        if len(parts) == 4:
            parts[2] = enums.ACTIVITY_KIND.label(parts[2])
            return parts, seq if hash_ else ""
    elif kind == "honors":
        parts = key.split("/")
        if len(parts) == 3:
            parts[1] = enums.HONOR_KIND.label(parts[1])
            return parts, ""
    return None


def labelled_key(kind: str, key: str) -> str:
    """The key as ``register void`` takes it, with Chinese labels: ``S0001/2025-03-02/培训/安全培训``."""
    split = _key_parts(kind, key)
    if split is None:
        return key
    parts, seq = split
    return "/".join(parts) + (f"#{seq}" if seq else "")


def readable_key(kind: str, key: str) -> str:
    """A registered record as the clerk reads it: ``S0001 2025-03-02 培训「安全培训」`` for an
    activity (``第 2 场`` for a later session of the day), ``P0001 省部级劳动模范 2020年`` for an honor;
    other kinds' keys are codes and stay as they are."""
    split = _key_parts(kind, key)
    if split is None:
        return key
    parts, seq = split
    if kind == "honors":
        return f"{parts[0]} {parts[1]} {parts[2]}年"
    title = f"「{parts[3]}」" if parts[3] else ""
    return f"{parts[0]} {parts[1]} {parts[2]}{title}" + (f"第 {seq} 场" if seq else "")


def _repeated(repeat: "Repeat") -> None:
    """Nothing was written: an identical record is stored (cli.md "Repeated entry").  The same values
    again: a note, exit 0 (nothing to do; a re-run script must not fail); other values: exit 1."""
    another = "确属另一项请加 --again" if repeat.kind == "achievements" else "确属另一场请加 --again"
    if repeat.same:
        info(f"未重复登记：已有相同{repeat.label} {readable_key(repeat.kind, repeat.key)}（{repeat.summary}）；{another}")
        return
    if repeat.kind == "achievements":
        fix = f"要修改这项成果请加 --code {repeat.code}"
    else:
        fix = f"要更正已登记的这场活动，请先作废（laomo register void 活动 {labelled_key(repeat.kind, repeat.key)} --reason …）再登记"
    fail(f"未登记：已有同{'名' if repeat.kind == 'achievements' else '类同主题'}同日的{repeat.label} "
         f"{readable_key(repeat.kind, repeat.key)}"
         f"（{repeat.summary}），其{'、'.join(repeat.differs)}与本次不同；{fix}，{another}", 1)


AgainOpt = Annotated[bool, typer.Option(
    "--again", help="与已登记的记录相同（同一工作室、同日、同名称/类型主题）但确属另一项时加上，仍登记为新的一条")]

#: ``--clear`` of a studio's yes/no fields by their option names too (``--clear sign``)
_STUDIO_FLAGS = {name: f"has_{name}" for name in ("sign", "rules", "plan", "display", "records", "facilities")}


def _frontline_help(what: str) -> str:
    return f"是否{what}（不指定则不改动）"


@register_app.command("person")
def register_person(
    code: Annotated[Text, _required("--code", "人员编号，如 P0001", "人员编号")] = None,
    name: Annotated[Text, _for_new("--name", "姓名")] = None,
    gender: Annotated[Text, typer.Option("--gender", help="性别：男/女")] = None,
    birth_year: Annotated[Text, typer.Option("--birth-year", help="出生年份")] = None,
    id_number: Annotated[Text, typer.Option("--id-number", help="身份证号（校验末位）")] = None,
    phone: Annotated[Text, typer.Option("--phone", help="手机")] = None,
    unit: Annotated[Text, typer.Option("--unit", help="单位")] = None,
    post: Annotated[Text, typer.Option("--post", help="岗位")] = None,
    frontline: Annotated[Flag, typer.Option("--frontline/--no-frontline", help=_frontline_help("一线职工"))] = None,
    skill_grade: Annotated[Text, typer.Option("--skill-grade", help="技能等级：初级工/中级工/高级工/技师/高级技师")] = None,
    clear: ClearOpt = None,
    correct: Annotated[bool, typer.Option("--correct", help="更正已登记人员的姓名或身份证号（须同时给 --reason）")] = False,
    reason: Annotated[Text, typer.Option("--reason", help="更正的原因（记入审计日志）")] = None,
) -> None:
    """登记或更新一名人员（已登记的只改给出的选项；改姓名或身份证号须 --correct --reason）。"""
    if correct and not (reason or "").strip():
        fail("更正姓名或身份证号须注明原因（--reason）", 2)
    if reason is not None and not correct:
        fail("--reason 只与 --correct 一起使用", 2)
    record = dict(code=code, name=name, gender=gender, birth_year=birth_year, id_number=id_number, phone=phone,
                  unit=unit, post=post, frontline=frontline, skill_grade=skill_grade)
    _register("people", record, "人员", clear=clear, correct=reason if correct else None)


@register_app.command("honor")
def register_honor(
    person: PersonCode = None,
    kind: Annotated[Text, _required("--kind", "荣誉，如 全国劳动模范、市五一劳动奖章", "荣誉")] = None,
    year: Annotated[Text, _required("--year", "获得年份", "年份")] = None,
    issuer: Annotated[Text, typer.Option("--issuer", help="授予单位")] = None,
    clear: ClearOpt = None,
) -> None:
    """登记一项荣誉。"""
    record = dict(person=person, kind=kind, year=year, issuer=issuer)
    _register("honors", record, "荣誉", clear=clear)


@register_app.command("studio")
def register_studio(
    code: Annotated[Text, _required("--code", "工作室编号，如 S0001", "工作室编号")] = None,
    name: Annotated[Text, _for_new("--name", "名称")] = None,
    leader: Annotated[Text, _for_new("--leader", "领衔人的人员编号")] = None,
    unit: Annotated[Text, _for_new("--unit", "所在单位")] = None,
    industry: Annotated[Text, _for_new("--industry", "行业：GB/T 4754 门类字母或名称")] = None,
    county: Annotated[Text, _for_new("--county", "区县")] = None,
    kind: Annotated[Text, typer.Option("--kind", help="类型：劳模创新工作室/工匠人才创新工作室/职工创新工作室/联合创新工作室")] = None,
    credit_code: Annotated[Text, typer.Option("--credit-code", help="统一社会信用代码")] = None,
    founded: Annotated[Text, typer.Option("--founded", help="成立日期")] = None,
    area: Annotated[Text, typer.Option("--area", help="场所面积（平方米）")] = None,
    funds: Annotated[Text, typer.Option("--funds", help="年度经费（元，可写 12.5万）")] = None,
    sign: Annotated[Flag, typer.Option("--sign/--no-sign", help="有标牌")] = None,
    rules: Annotated[Flag, typer.Option("--rules/--no-rules", help="有制度")] = None,
    plan: Annotated[Flag, typer.Option("--plan/--no-plan", help="有计划")] = None,
    display: Annotated[Flag, typer.Option("--display/--no-display", help="有成果展示")] = None,
    records: Annotated[Flag, typer.Option("--records/--no-records", help="有活动记录")] = None,
    facilities: Annotated[Flag, typer.Option("--facilities/--no-facilities", help="有设施")] = None,
    notes: Annotated[Text, typer.Option("--notes", help="备注")] = None,
    clear: ClearOpt = None,
) -> None:
    """登记或更新一个工作室（已登记的只改给出的选项）；领衔人自动成为“领衔人”成员。"""
    record = dict(
        code=code, name=name, leader=leader, unit=unit, industry=industry, county=county, kind=kind,
        credit_code=credit_code, founded=founded, area=area, funds=funds, has_sign=sign, has_rules=rules,
        has_plan=plan, has_display=display, has_records=records, has_facilities=facilities, notes=notes,
    )
    _register("studios", record, "工作室", clear=[_STUDIO_FLAGS.get(c, c) for c in clear or ()])


@register_app.command("member")
def register_member(
    studio: StudioCode = None,
    person: PersonCode = None,
    role: Annotated[Text, typer.Option("--role", help="角色：领衔人/核心成员/成员")] = None,
    joined: Annotated[Text, typer.Option("--joined", help="加入日期")] = None,
    left: Annotated[Text, typer.Option("--left", help="退出日期")] = None,
    clear: ClearOpt = None,
) -> None:
    """登记或更新一名工作室成员。"""
    record = dict(studio=studio, person=person, role=role, joined=joined, left=left)
    _register("members", record, "成员", clear=clear)


@register_app.command("achievement")
def register_achievement(
    studio: StudioCode = None,
    title: Annotated[Text, _for_new("--title", "成果名称")] = None,
    type_: Annotated[Text, _for_new("--type", "类型：发明专利、实用新型专利、工法、先进操作法……")] = None,
    date: Annotated[Text, _for_new("--date", "日期")] = None,
    code: Annotated[Text, typer.Option("--code", help="成果编号（不填则自动编号；本工作室已有的编号则只改给出的选项）")] = None,
    stage: Annotated[Text, typer.Option("--stage", help="阶段：问题查找……推广转化")] = None,
    benefit: Annotated[Text, typer.Option("--benefit", help="经济效益（元/年，可写 12.5万）")] = None,
    patent_no: Annotated[Text, typer.Option("--patent-no", help="专利号")] = None,
    frontline_led: Annotated[Flag, typer.Option("--frontline-led/--no-frontline-led", help="是否一线职工主导")] = None,
    again: AgainOpt = False,
    clear: ClearOpt = None,
) -> None:
    """登记一项创新成果；与已登记的成果同名同日时不重复登记（确属另一项加 --again）。"""
    record = dict(studio=studio, title=title, type=type_, date=date, stage=stage, benefit=benefit, patent_no=patent_no,
                  frontline_led=frontline_led, code=code)
    _register("achievements", record, "成果", new_code=("achievement", "A"), clear=clear, again=again)


@register_app.command("activity")
def register_activity(
    studio: StudioCode = None,
    kind: Annotated[Text, _required("--kind", "类型：培训/技术交流/技术攻关/技能比武/宣传展示", "活动类型")] = None,
    date: Date = None,
    title: Annotated[Text, typer.Option("--title", help="主题")] = None,
    participants: Annotated[Text, typer.Option("--participants", help="参加人次")] = None,
    hours: Annotated[Text, typer.Option("--hours", help="学时")] = None,
    again: AgainOpt = False,
    clear: ClearOpt = None,
) -> None:
    """登记一次活动；与已登记的活动同日同类同主题时不重复登记（确属另一场加 --again）。"""
    record = dict(studio=studio, kind=kind, date=date, title=title, participants=participants, hours=hours)
    _register("activities", record, "活动", clear=clear, again=again)


@register_app.command("mentorship")
def register_mentorship(
    studio: StudioCode = None,
    mentor: Annotated[Text, _required("--mentor", "师傅的人员编号", "师傅编号")] = None,
    apprentice: Annotated[Text, _required("--apprentice", "徒弟的人员编号", "徒弟编号")] = None,
    start: Annotated[Text, _for_new("--start", "开始日期")] = None,
    end: Annotated[Text, typer.Option("--end", help="结束日期")] = None,
    agreement: Annotated[Flag, typer.Option("--agreement/--no-agreement", help="是否签订师徒协议")] = None,
    promoted_on: Annotated[Text, typer.Option("--promoted-on", help="徒弟技能晋级日期")] = None,
    clear: ClearOpt = None,
) -> None:
    """登记或更新一对师带徒。"""
    record = dict(studio=studio, mentor=mentor, apprentice=apprentice, start=start, end=end, agreement=agreement,
                  promoted_on=promoted_on)
    _register("mentorships", record, "师带徒", clear=clear)


@register_app.command("inspection")
def register_inspection(
    studio: StudioCode = None,
    year: Annotated[Text, _required("--year", "考核年度", "年度")] = None,
    item: Annotated[Text, _required("--item", "考核项，如 D2", "考核项")] = None,
    score: Annotated[Text, _for_new("--score", "现场得分")] = None,
    inspector: Annotated[Text, typer.Option("--inspector", help="检查人")] = None,
    clear: ClearOpt = None,
) -> None:
    """登记现场检查评分。"""
    record = dict(studio=studio, year=year, item=item, score=score, inspector=inspector)
    _register("inspections", record, "现场检查评分", clear=clear)


@register_app.command("void")
def register_void(
    kind: Annotated[str, typer.Argument(
        help="记录类型：achievement activity member mentorship honor inspection（或 成果 活动 成员 师带徒 荣誉 现场检查）")],
    key: Annotated[str, typer.Argument(
        help="记录的关键字段（同操作日志）：成果 S0001/A00012，活动 S0001/2025-03-02/培训/安全培训（第 2 场加 #2），"
             "成员 S0001/P0001，师带徒 S0001/P0001/P0002，荣誉 P0001/省部级劳动模范/2020，现场检查 S0001/2025/A1")],
    reason: Annotated[Text, _required("--reason", "作废原因（记入操作日志）", "作废原因")] = None,
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """作废一条误录的记录：记录保留（操作日志可查），此后不计入事实、考核、命名条件和报表。"""
    from laomo.ledger.void import void_record
    from laomo.store.db import write_session

    with write_session(engine()) as session:
        result = void_record(session, kind=kind, key=key, reason=reason)
    if json_out:
        emit_json(result.to_json())
    elif not (quiet or STATE.quiet):
        typer.echo(f"已作废{result.label} {result.key}（原因：{result.reason}）；此后不计入事实、考核和报表")


KIND_HELP = ("people/人员 honors/荣誉 studios/工作室 members/成员 achievements/成果 activities/活动 "
             "mentorships/师带徒 inspections/现场检查 designations/命名记录 assessments/考核结果，"
             "或 all（一个工作簿，每种数据一个工作表）")


@register_app.command("import")
def register_import(
    kind: Annotated[str, typer.Argument(help=f"数据类型：{KIND_HELP}")],
    file: Annotated[str, typer.Argument(help=".csv、.txt（Excel 的 Unicode 文本）、.xlsx、.xls、.ods、.et；"
                                             "- 表示从标准输入读 CSV")],
    encoding: Annotated[str, typer.Option("--encoding", help="auto|utf-8|gb18030|gbk|utf-16（默认自动识别；gbk 即 gb18030）")] = "auto",
    sheet: Annotated[Text, typer.Option("--sheet", help="工作簿中的工作表名（默认找到有表头的第一个）")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验并报告，不写入")] = False,
    on_error: Annotated[str, typer.Option("--on-error", help="abort：有错则全部不写入；skip：写入有效行，错误行写入拒收文件")] = "abort",
    rejects: Annotated[Optional[Path], typer.Option("--rejects", help="拒收文件（默认 FILE.rejects.csv）")] = None,
    clear_blank: Annotated[bool, typer.Option(
        "--clear-blank", help="空白单元格清空已登记记录的该字段（设为空；有默认值的列如“有标牌”设为默认值）。"
                              "不加此项时空白单元格与缺少的列一样，保留原值")] = False,
    json_out: JsonSummaryOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """批量导入企业工会报来的表格：找到表头（跳过标题行、合计行、空行），识别同义表头和单位，
    按编号、身份证号或姓名识别人员，按编号或名称识别工作室，新记录自动编号；空白单元格不清除原值；
    一个事务，全部成功或全部不写入。各类数据有哪些列、接受哪些写法：laomo register columns KIND。"""
    from laomo.ledger.columns import KINDS, kind_named
    from laomo.ledger.sources import ENCODINGS

    name = "all" if kind.strip().lower() in ("all", "全部") else kind_named(kind)
    if name is None:
        fail(f"未知的数据类型「{kind}」，可选：{KIND_HELP}", 2)
    if encoding not in ENCODINGS:
        fail(f"--encoding 只能是 {'|'.join(ENCODINGS)}", 2)
    if on_error not in ("abort", "skip"):
        fail("--on-error 只能是 abort 或 skip", 2)
    if name == "all":
        if sheet is not None or rejects is not None:
            fail("register import all 按工作表名导入每个工作表，不接受 --sheet；拒收文件按工作表分别写入 "
                 "FILE.工作表.rejects.csv，不接受 --rejects", 2)
        _import_all(file, encoding, dry_run, on_error, clear_blank, json_out, quiet)
        return
    assert name in KINDS
    result = _import_one(name, file, encoding, sheet, dry_run, on_error, rejects, clear_blank, quiet or json_out)
    if json_out:
        emit_json(result.as_dict())
    _report_import(name, result, dry_run=dry_run, json_out=json_out, quiet=quiet)
    if result.rejected and on_error == "abort":
        if not json_out:
            typer.echo("有错误，本次导入未写入任何数据（数据库未改动）", err=True)
        raise typer.Exit(1)
    if result.rejected:
        raise typer.Exit(3)


def _import_one(kind: str, file: str, encoding: str, sheet: Optional[str], dry_run: bool, on_error: str,
                rejects: Optional[Path], clear_blank: bool, silent: bool) -> Any:
    """One file imported.  Its header is read and (for a large file) its parse worker started before
    the database is opened: the worker reads while this process loads the database layer."""
    from laomo.ledger.columns import KINDS
    from laomo.ledger.header import probe
    from laomo.ledger.importer import import_source, start_import
    from laomo.ledger.sources import open_source
    from laomo.store.db import refuse_missing, resolve_url, write_session

    url = resolve_url(STATE.db)
    refuse_missing(url)  # a mistyped --db is said first, as by every other command
    with (open_source(file, encoding, sheet, probe=probe(KINDS[kind])) as source,
          start_import(source, kind=kind, url=url, keep_cells=on_error == "skip" and not dry_run) as started):
        eng = engine()
        with (Progress(f"导入 {kind}", quiet=silent) as progress,
              write_session(eng, snapshot=True) as session):
            return import_source(session, source, kind=kind, dry_run=dry_run, on_error=on_error,
                                 rejects_path=rejects, progress=progress, clear_blank=clear_blank,
                                 started=started)


def _import_all(file: str, encoding: str, dry_run: bool, on_error: str, clear_blank: bool, json_out: bool,
                quiet: bool) -> None:
    from laomo.ledger.workbook import import_workbook
    from laomo.store.db import write_session

    eng = engine()
    with (Progress("导入工作簿", quiet=quiet or json_out) as progress,
          write_session(eng, snapshot=True) as session):
        book = import_workbook(session, file, encoding=encoding, dry_run=dry_run, on_error=on_error,
                               clear_blank=clear_blank, progress=progress)
    if json_out:
        emit_json(book.to_json())
    for one in book.sheets:
        _report_import(one.kind, one, dry_run=dry_run, json_out=json_out, quiet=quiet)
    if not json_out and not (quiet or STATE.quiet):
        if book.left_alone:
            typer.echo(f"未导入的工作表（不是数据类型）：{'、'.join(book.left_alone)}", err=True)
        if book.not_read:
            typer.echo(f"因前面的工作表有错误而未读取：{'、'.join(book.not_read)}", err=True)
    if book.rejected and on_error == "abort":
        if not json_out:
            typer.echo("有错误，整个工作簿都未写入（数据库未改动）", err=True)
        raise typer.Exit(1)
    if book.rejected:
        raise typer.Exit(3)


def _report_import(kind: str, result: Any, *, dry_run: bool, json_out: bool, quiet: bool) -> None:
    """An import's warnings, problems and summary on stderr (a dry run's changes on stdout).
    A column not taken is said even under --quiet: its data would be lost without a word."""
    quiet = quiet or STATE.quiet
    for warning in result.warnings:
        if "是否应为" in warning and not json_out:
            typer.echo(f"警告：{warning}", err=True)
        else:
            info(f"警告：{warning}", quiet)
    for e in result.errors:
        typer.echo(e.format(result.file), err=True)
    if result.error_count > len(result.errors):
        typer.echo(f"……另有 {result.error_count - len(result.errors)} 个问题未列出", err=True)
    if dry_run and not json_out and not quiet:
        _print_changes(kind, result)
    if json_out or quiet:
        return
    mode = "（试运行，未写入）" if dry_run else ""
    where = f"{result.file}" + (f"「{result.sheet}」" if result.sheet else "")
    summary = (f"{where}（{result.encoding}）：读取 {result.read} 行，新增 {result.inserted}，"
               f"更新 {result.updated}，未变 {result.unchanged}，拒收 {result.rejected}"
               + (f"，跳过 {result.skipped} 行（标题、合计、空行）" if result.skipped else "")
               + (f"，重复行 {result.duplicates}" if result.duplicates else "")
               + (f"，分配编号 {result.assigned_count} 个" if result.assigned_count else "")
               + f"，用时 {result.seconds:.2f} 秒{mode}")
    typer.echo(summary, err=True)
    if result.assigned and len(result.assigned) <= 20:
        typer.echo("分配的编号：" + "、".join(f"第{a['line']}行 {a['key']}" for a in result.assigned), err=True)
    if result.rejects_file:
        typer.echo(f"拒收的行已写入 {result.rejects_file}", err=True)


def _print_changes(kind: str, result: Any) -> None:
    """A dry run's changes as text on stdout, the first ``changes.MAX_SHOWN`` of them."""
    from laomo.ledger.changes import MAX_SHOWN
    from laomo.ledger.columns import KINDS
    from laomo.safe import visible

    headers = {c.key: c.header for c in KINDS[kind].columns}

    def shown(value: Any) -> str:
        if value is None:
            return "（空）"
        if isinstance(value, bool):
            return "是" if value else "否"
        return visible(str(value))

    for change in result.changes[:MAX_SHOWN]:
        if change["action"] == "insert":
            what = "，".join(f"{headers.get(k, k)} {shown(after)}" for k, (_, after) in change["fields"].items())
            typer.echo(f"第 {change['line']} 行 新增 {visible(change['key'])}：{what}")
        else:
            what = "，".join(f"{headers.get(k, k)} {shown(before)} → {shown(after)}"
                            for k, (before, after) in change["fields"].items())
            typer.echo(f"第 {change['line']} 行 更新 {visible(change['key'])}：{what}")
    rest = len(result.changes) - MAX_SHOWN + result.changes_omitted
    if rest > 0:
        typer.echo(f"……另有 {rest} 项变更未列出（--json 列出前 {len(result.changes)} 项）")


@register_app.command("list")
def register_list(
    what: Annotated[str, typer.Argument(help="people（人员）或 studios（工作室）")],
    search: Annotated[Text, typer.Option("--search", help="编号、姓名/名称或单位中的文字；或完整的18位身份证号")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少条")] = 200,
    json_out: JsonOpt = False,
) -> None:
    """查找已登记的人员或工作室（编号、姓名、单位；身份证号和手机号打码），对照企业报来的表格时用。"""
    from laomo.ledger.lookup import list_records
    from laomo.store.db import read_session

    with read_session(engine()) as session:
        listing = list_records(session, what=what, search=search, limit=limit)
    if json_out:
        emit_json(listing.to_json())
        return
    if not listing.rows:
        typer.echo("没有找到" + (f"与「{listing.search}」相符的" if listing.search else "") +
                   ("人员" if listing.what == "people" else "工作室"))
        raise typer.Exit(1 if listing.search else 0)
    _print_listing(listing)


def _print_listing(listing: Any) -> None:
    from laomo.commands.output import Column, TextTable, print_table
    from laomo.enums import GENDER, STATUS, STUDIO_KIND

    if listing.what == "people":
        heads = ["编号", "姓名", "性别", "身份证号", "手机", "单位", "岗位"]
        for r in listing.rows:
            r["gender"] = GENDER.label(r["gender"]) if r["gender"] else None
        keys = ["code", "name", "gender", "id_number", "phone", "unit", "post"]
    else:
        heads = ["编号", "名称", "类型", "领衔人", "所在单位", "区县", "状态"]
        keys = ["code", "name", "kind", "leader", "unit", "county", "status"]
        for r in listing.rows:
            r["leader"] = f"{r['leader_code']} {r['leader_name']}"
            r["kind"], r["status"] = STUDIO_KIND.label(r["kind"]), STATUS.label(r["status"])
    if sys.stdout.isatty():
        short = {"编号", "性别", "身份证号", "手机", "类型", "状态"}
        table = TextTable([Column(h, short=h in short, min_width=8 if h in ("名称", "领衔人") else 4) for h in heads],
                          title=f"共 {listing.total} 条" + (f"，列出前 {len(listing.rows)} 条"
                                                            if listing.total > len(listing.rows) else ""))
        for r in listing.rows:
            table.add_row(*("" if r.get(k) is None else str(r[k]) for k in keys))
        print_table(table)
        return
    typer.echo("\t".join(heads))
    for r in listing.rows:
        typer.echo("\t".join("" if r.get(k) is None else str(r[k]) for k in keys))
    if listing.total > len(listing.rows):
        typer.echo(f"……共 {listing.total} 条，列出前 {len(listing.rows)} 条（--limit 可调）", err=True)


# --- columns and templates -------------------------------------------------------

KIND_OR_ALL_HELP = ("数据类型：people honors studios members achievements activities mentorships inspections "
                    "designations assessments（或 人员 荣誉 工作室 成员 成果 活动 师带徒 现场检查 命名记录 考核结果），或 all")


@register_app.command("columns")
def register_columns(
    kind: Annotated[str, typer.Argument(help=KIND_OR_ALL_HELP)],
    json_out: JsonOpt = False,
) -> None:
    """列出一类数据的各列：表头（* 为必填）、英文名、同义表头、引用写法、单位、可填的值和说明。"""
    from laomo.ledger.forms import kind_columns, kinds_named

    tables = [kind_columns(name) for name in kinds_named(kind)]
    if json_out:
        emit_json(tables[0].to_json() if len(tables) == 1 else {"kinds": [t.to_json() for t in tables]})
    elif sys.stdout.isatty():
        _columns_rich(tables)
    else:
        for number, table in enumerate(tables):
            if number:
                typer.echo("")
            typer.echo("\n".join(_columns_lines(table)))


def _column_cells(column: "ColumnInfo") -> dict[str, str]:
    """One column's description, cell by cell, as ``register columns`` prints it."""
    from laomo.ledger.forms import join_values

    return {
        "表头": column.header + ("*" if column.required else ""),
        "英文名": column.key,
        "同义表头": "、".join(column.col.synonyms),
        "引用写法": "、".join(header for header, _ in column.col.forms),
        "单位": "、".join(unit for unit, _ in column.col.units),
        "可填的值/写法": join_values(column.values) if column.values else column.format,
        "说明": column.note,
    }


def _columns_lines(table: "KindColumns") -> list[str]:
    """A KIND's columns as plain lines: the header and its English name, then one line per detail."""
    kind = table.kind
    lines = [f"{kind.label}（{kind.name}）：表头带 * 的列必填"]
    for column in table.columns:
        cells = _column_cells(column)
        lines.append(f"  {cells.pop('表头')}  {cells.pop('英文名')}")
        lines += [f"      {name}：{text}" for name, text in cells.items() if text]
    return lines


def _columns_rich(tables: list["KindColumns"]) -> None:
    """The columns as tables, four columns wide so that they fit a terminal (a list when it is too narrow)."""
    from laomo.commands.output import Column, TextTable, out_console, print_table

    console = out_console()
    for data in tables:
        table = TextTable([Column(name, min_width=8) for name in ("表头", "也可写作", "可填的值/写法", "说明")],
                          title=f"{data.kind.label}（{data.kind.name}）：表头带 * 的列必填", show_lines=True)
        for column in data.columns:
            cells = _column_cells(column)
            table.add_row(f"{cells['表头']}\n{cells['英文名']}",
                          "\n".join(filter(None, (cells["同义表头"], cells["引用写法"] and f"引用：{cells['引用写法']}"))),
                          "\n".join(filter(None, (cells["可填的值/写法"], cells["单位"] and f"单位：{cells['单位']}"))),
                          cells["说明"])
        print_table(table, console)


@register_app.command("template")
def register_template(
    kind: Annotated[str, typer.Argument(help=KIND_OR_ALL_HELP)],
    out: Annotated[Optional[Path], required_option(
        "--out", "-o", help="写出的 .xlsx 文件", label="输出文件（.xlsx）")] = None,
    quiet: QuietOpt = False,
) -> None:
    """生成下发给基层工会的填报模板（.xlsx），按模板填好的文件可直接导入。

    每类数据一个工作表（all 为全部十类，另有「填表说明」）：必填列带 *，枚举和是/否列有下拉列表，身份证号、手机、编号列为文本格式，日期列为日期格式。
    """
    from laomo.ledger.template import workbook
    from laomo.reports import write_file
    from laomo.store.targets import check_target, database_files

    assert out is not None
    database = database_files(STATE.db)
    check_target(out, label="输出文件", database=database)
    if out.suffix.lower() != ".xlsx":
        fail(f"--out 须是 .xlsx 文件，不是「{out.name}」", 2)
    content = workbook(kind)
    path = write_file(out, content, database=database)
    typer.echo(str(path))
    info(f"已生成填报模板 {path.name}；填好后用 laomo register import 导入", quiet)
