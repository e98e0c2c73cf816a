"""`laomo init` and `laomo db …`: create/upgrade, check, back up and copy the database."""

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from laomo.commands.common import STATE, Progress, emit_json, engine, fail, info
from laomo.commands.group import Group
from laomo.commands.options import JsonOpt, QuietOpt
from laomo.commands.output import Column, TextTable, print_table

app = Group(help="数据库维护：完整性检查、在线备份、整库复制（如迁移到 PostgreSQL）。", no_args_is_help=True)
db_app = app
init_app = Group()  # holds the top-level `init` command; mounted without a name by laomo.cli


# --- init, db ------------------------------------------------------------------


@init_app.command("init")
def init_cmd(
    union: Annotated[Optional[str], typer.Option(
        "--union", help="保管本台账的工会名称，如 示例县总工会（用于报表和文件落款）")] = None,
    json_out: JsonOpt = False,
) -> None:
    """创建或升级数据库（可重复执行）。"""
    from laomo.ledger.records import init_database

    result = init_database(engine(check=False), union=union)
    if json_out:
        emit_json(result)
        return
    if result["created"]:
        info(f"已创建数据库 {result['database']}（结构版本 {result['to']}）")
    elif result["upgraded"]:
        info(f"已将数据库 {result['database']} 从结构版本 {result['from']} 升级到 {result['to']}，数据已保留")
    else:
        info(f"数据库 {result['database']} 已是最新结构（版本 {result['to']}），无需升级")
    if result["union"]:
        info(f"台账单位：{result['union']}")


@db_app.command("check")
def db_check(json_out: JsonOpt = False) -> None:
    """检查数据库：结构版本、完整性、外键、操作日志哈希链。"""
    from laomo.safe import scrub, visible
    from laomo.store.db import integrity_report, refuse_missing, resolve_url

    refuse_missing(resolve_url(STATE.db))  # checking a mistyped path must not create a file there
    report: dict[str, Any] = integrity_report(engine(check=False))
    if json_out:
        emit_json(report)
    else:
        violations = len(report["foreign_key_violations"])
        lines = [
            f"数据库：{report['database']}",
            f"结构版本：{report['schema_version']}（{'最新' if report['schema_current'] else '需要运行 laomo init 升级'}）",
            f"完整性检查：{'通过' if report['integrity'] == 'ok' else report['integrity']}",
            f"外键检查：{'通过' if not violations else f'{violations} 处违反'}",
        ]
        for v in report.get("values") or []:
            lines.append(f"无法读取的值：表 {v['table']} 第 {v['id']} 行 列 {v['column']}「{visible(scrub(v['value']))}」"
                         "（类型不符，可能被其他程序直接改动过）")
        chain = report.get("audit") or {}
        if chain:
            lines.append(f"操作日志：{chain['entries']} 条，"
                         + ("哈希链完整" if chain["ok"] else f"发现问题：{chain['problem']}")
                         + (f"（{chain['note']}）" if chain.get("note") else ""))
        typer.echo("\n".join(lines))
    if not report["ok"]:
        raise typer.Exit(1)


@db_app.command("backup")
def db_backup(file: Annotated[Path, typer.Argument(help="备份文件路径（不得已存在）")]) -> None:
    """在线备份 SQLite 数据库（一致的副本，可在其他程序写入时进行）。"""
    from laomo.store.db import backup

    size = backup(engine(), file)
    info(f"已备份到 {file.resolve()}（{size / 1024:.0f} KB）")
    typer.echo(str(file.resolve()))


@db_app.command("copy")
def db_copy(
    source: Annotated[str, typer.Argument(help="源数据库：SQLite 文件路径或 SQLAlchemy 地址")],
    target: Annotated[str, typer.Argument(
        help="目标数据库：新建的空数据库，如 postgresql+psycopg://用户@主机/库名 或 SQLite 文件路径")],
    json_out: JsonOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """把整个数据库复制到另一个新的空数据库（如从 SQLite 迁移到 PostgreSQL），并逐行核对。

    一个事务：失败或中断时目标数据库不留下任何数据。目标已有数据时拒绝（不合并）。
    """
    run_copy(source, target, json_out, quiet)


def run_copy(source: str, target: str, json_out: bool, quiet: bool) -> None:
    from laomo.store.copy import copy_database

    quiet = quiet or STATE.quiet
    with Progress("复制数据库", quiet=quiet or json_out) as progress:
        result = copy_database(source, target, progress=progress)
    if json_out:
        emit_json(result.as_dict())
        return
    for warning in result.warnings:
        info(f"警告：{warning}", quiet)
    if quiet:
        return
    table = TextTable([Column("表", short=True), Column("行数", short=True, justify="right"),
                       Column("逐行核对", short=True)], title=f"{result.source} → {result.target}")
    for t in result.tables:
        table.add_row(t.table, f"{t.rows:,}", "一致" if t.verified else "不一致")
    table.add_row("合计", f"{result.rows:,}", "一致" if all(t.verified for t in result.tables) else "不一致")
    print_table(table)
    chain = result.audit
    info(f"已复制 {len(result.tables)} 张表共 {result.rows:,} 行，逐行核对一致；"
         f"操作日志 {chain.get('entries', 0)} 条，哈希链完整；"
         f"用时 {result.seconds:.1f} 秒（{result.rows_per_second:,.0f} 行/秒）")
    info(f"目标数据库结构版本 {result.schema_version}。改用它：设置 LAOMO_DB 为目标地址，然后运行 laomo db check")


# --- db log ----------------------------------------------------------------------


def _day(text: str | None, flag: str) -> dt.date | None:
    """A --since/--until date, parsed here (the store layer takes dates, not text)."""
    if text is None:
        return None
    from laomo.ledger.values import Invalid, parse_date

    try:
        return parse_date(text)
    except Invalid as exc:
        fail(f"{flag}「{text}」：{exc}", 2)


def _change(before: Any, after: Any) -> str:
    """What changed, in one line: ``字段: 旧 → 新`` for the fields that differ."""
    import json

    from laomo.safe import visible

    def text(value: Any) -> str:
        return "" if value is None else value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

    if isinstance(before, dict) and isinstance(after, dict):
        keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
        return visible("；".join(f"{k}: {text(before.get(k))} → {text(after.get(k))}" for k in keys))
    if before is None:
        return visible(f"新增 {text(after)}")
    return visible(f"{text(before)} → {text(after)}")


@db_app.command("log")
def db_log(
    entity: Annotated[Optional[str], typer.Option("--entity", help="只看这类记录，如 studio、person、import、setting")] = None,
    key: Annotated[Optional[str], typer.Option("--key", help="只看这个编号（或键）的记录")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="起始日期（含，UTC 日期），如 2025-01-01")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="截止日期（含，UTC 日期）")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="最多显示最新的多少条（0 = 全部）")] = 200,
    json_out: JsonOpt = False,
) -> None:
    """查看操作日志：谁、何时、用什么命令、改了什么（个人信息已脱敏）。"""
    import sys

    from laomo.store import audit
    from laomo.store.db import read_session

    since_day, until_day = _day(since, "--since"), _day(until, "--until")
    with read_session(engine()) as session:
        log = audit.read_log(session.connection(), entity=entity, key=key, since=since_day, until=until_day,
                             limit=limit or None)
    if json_out:
        emit_json(log.to_json())
    elif sys.stdout.isatty():
        _log_table(log)
    else:
        from laomo.safe import visible

        for e in log.entries:
            typer.echo("\t".join(visible(str(v)) for v in (
                e.id, e.at.strftime("%Y-%m-%d %H:%M:%S"), e.os_user, e.entity, e.key,
                _change(e.before, e.after), e.command)))
    if log.left_out:
        info(f"另有更早的 {log.left_out} 条未显示（共 {log.matched} 条；--limit 0 显示全部）")
    elif not log.entries:
        info("没有符合条件的操作日志")


def _log_table(log: Any) -> None:
    from laomo.safe import visible

    # cells go to Rich as plain Text (print_table): stored text is never read as markup
    table = TextTable([Column("id", short=True, justify="right"), Column("时间", min_width=10), Column("用户"),
                       Column("类别"), Column("键", min_width=6), Column("变更", min_width=8),
                       Column("命令", min_width=8)], title="操作日志（时间为 UTC）")
    for e in log.entries:
        table.add_row(str(e.id), e.at.strftime("%Y-%m-%d %H:%M:%S"), *(visible(v) for v in (
            e.os_user, e.entity, e.key, _change(e.before, e.after), e.command)))
    print_table(table)
