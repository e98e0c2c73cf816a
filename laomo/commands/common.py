"""What every command uses, in one import: the global options' state, the database engine,
output (:mod:`laomo.commands.output`), errors (:mod:`laomo.commands.errors`) and the
required-option check (:mod:`laomo.commands.options`).

Only the command modules import this; core modules never import Typer or Rich.
Everything heavy is imported lazily so that ``laomo --help`` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from laomo.commands.errors import bug_report, error, fail, handle_errors, usage_error
from laomo.commands.options import need
from laomo.commands.output import Progress, emit_json, err_console, info, out_console
from laomo.commands.state import STATE, State

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

__all__ = [
    "PII_OPTIONS", "STATE", "Progress", "State", "bug_report", "emit_json", "engine", "err_console", "error",
    "fail", "handle_errors", "info", "masked_argv", "need", "out_console", "usage_error",
]

#: Options whose value is personal data: masked in the command line the audit log records.
PII_OPTIONS = ("--id-number", "--phone")


def engine(check: bool = True) -> Engine:
    """The database of ``--db``/``LAOMO_DB``/``./laomo.db`` (schema checked unless ``check=False``)."""
    from laomo.store import db
    from laomo.store import engine as connections

    connections.lock_wait_notice = _waiting
    return db.open_engine(STATE.db, check=check)


def _waiting(seconds: int, holder: str | None = None) -> None:
    """Said once on stderr when a change has to wait for another writer's lock (naming the other
    command where the database server knows it)."""
    who = f"另一个命令（{holder}）" if holder and holder.startswith("laomo") else (
        f"另一个程序（{holder}）" if holder else "另一个程序（如另一个 laomo 命令）")
    info(f"{who}正在写入数据库，等它写完再继续（最多等 {seconds} 秒）……")


def masked_argv(argv: list[str]) -> str:
    """The command line for the audit log, with personal data masked."""
    from laomo.safe import mask_id_number, readable, scrub

    out: list[str] = []
    mask_next = False
    for arg in argv:
        if mask_next:
            out.append(mask_id_number(arg))
            mask_next = False
            continue
        name, eq, value = arg.partition("=")
        if name in PII_OPTIONS:
            if eq:
                out.append(f"{name}={mask_id_number(value)}")
            else:
                out.append(arg)
                mask_next = True
            continue
        out.append(arg)
    return scrub(readable("laomo " + " ".join(out)))  # a personal number given anywhere else is masked too
