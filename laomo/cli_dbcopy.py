"""`laomo db copy` 的输出：进度、逐表核对结果（Rich 表格）、JSON。

The command itself is registered in ``laomo/cli.py`` beside ``db check`` and
``db backup``; the work is done by :func:`laomo.dbcopy.copy_database`.
"""

from __future__ import annotations

from .cli_common import STATE, Progress, emit_json, info, out_console


def run_copy(source: str, target: str, json_out: bool, quiet: bool) -> None:
    from .dbcopy import copy_database

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
    from rich.table import Table

    table = Table(title=f"{result.source} → {result.target}", title_justify="left")
    table.add_column("表")
    table.add_column("行数", justify="right")
    table.add_column("逐行核对")
    for t in result.tables:
        table.add_row(t.table, f"{t.rows:,}", "一致" if t.verified else "不一致")
    table.add_row("合计", f"{result.rows:,}", "一致" if all(t.verified for t in result.tables) else "不一致",
                  end_section=True)
    out_console().print(table)
    chain = result.audit
    info(f"已复制 {len(result.tables)} 张表共 {result.rows:,} 行，逐行核对一致；"
         f"操作日志 {chain.get('entries', 0)} 条，哈希链完整；"
         f"用时 {result.seconds:.1f} 秒（{result.rows_per_second:,.0f} 行/秒）")
    info(f"目标数据库结构版本 {result.schema_version}。改用它：设置 LAOMO_DB 为目标地址，然后运行 laomo db check")
