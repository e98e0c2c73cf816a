"""`register import all`：一个工作簿，每种数据一个工作表，按引用顺序在一个事务里全部导入或全部不导入。

import-formats.md, "One workbook for everything": the sheets are named by kind (人员,
荣誉, 工作室, 成员, 成果, 活动, 师带徒, 现场检查, 命名记录, 考核结果, or the English KIND);
they are imported in reference order (people before the studios they lead, studios
before their members …) whatever their order in the workbook, all in the caller's one
transaction.  A sheet that names no kind (填表说明, a chart) is left alone and listed.
The first sheet with a bad row ends the import: nothing of any sheet is written (the
later sheets would refer to records that are not there), and the summary says which
sheets were not read.  ``dry_run``: every sheet is imported and the whole is rolled back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError, UsageError
from laomo.ledger.columns import KINDS, kind_named

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from laomo.ledger.importer import ImportResult


@dataclass
class WorkbookResult:
    file: str
    sheets: list[ImportResult] = field(default_factory=list)
    left_alone: list[str] = field(default_factory=list)  # sheets that name no kind
    not_read: list[str] = field(default_factory=list)  # kind sheets after the first that failed
    dry_run: bool = False
    committed: bool = False
    seconds: float = 0.0

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sheets)

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "sheets": [s.to_json() for s in self.sheets], "left_alone": self.left_alone,
                "not_read": self.not_read, "dry_run": self.dry_run, "committed": self.committed,
                "seconds": round(self.seconds, 3)}


def plan_sheets(names: list[str], file: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``([(kind, sheet)] in reference order, [sheets naming no kind])``; a kind named by two
    sheets is an error."""
    by_kind: dict[str, str] = {}
    alone: list[str] = []
    for name in names:
        kind = kind_named(name)
        if kind is None:
            alone.append(name)
        elif kind in by_kind:
            raise LaomoError(f"{file}: 工作表「{by_kind[kind]}」和「{name}」都是{KINDS[kind].label}，请只保留一个")
        else:
            by_kind[kind] = name
    if not by_kind:
        known = "、".join(k.sheet for k in KINDS.values())
        raise LaomoError(f"{file}: 没有以数据类型命名的工作表（现有：{'、'.join(names)}）；"
                         f"工作表应命名为 {known}，或英文类型名")
    return [(k, by_kind[k]) for k in KINDS if k in by_kind], alone


# long: the sheets in order, each one import, and the one place that decides commit or rollback
def import_workbook(session: Session, file: str, *, encoding: str = "auto", dry_run: bool = False,
                    on_error: str = "abort", clear_blank: bool = False,
                    progress: Callable[[float], None] | None = None) -> WorkbookResult:
    """Import every kind sheet of ``file`` in one transaction (see the module docstring).
    ``on_error="skip"``: bad rows of each sheet go to ``FILE.工作表.rejects.csv``."""
    from laomo.ledger.header import probe
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source, sheet_names

    if on_error not in ("abort", "skip"):
        raise UsageError(f"出错时的处理方式「{on_error}」无效，只能是 abort 或 skip", option="on_error")
    started = time.perf_counter()
    plan, alone = plan_sheets(sheet_names(file), file)
    result = WorkbookResult(file, left_alone=alone, dry_run=dry_run)
    for n, (kind, sheet) in enumerate(plan):
        with open_source(file, encoding, sheet, probe=probe(KINDS[kind])) as source:
            rejects = Path(f"{file}.{sheet}.rejects.csv") if on_error == "skip" else None
            one = import_source(session, source, kind=kind, dry_run=dry_run, on_error=on_error,
                                rejects_path=rejects, clear_blank=clear_blank, own_transaction=False)
        result.sheets.append(one)
        if progress is not None:
            progress((n + 1) / len(plan))
        if one.rejected and on_error == "abort":
            result.not_read = [s for _, s in plan[n + 1:]]
            break
    failed = on_error == "abort" and result.rejected > 0
    if dry_run or failed:
        session.rollback()
        for one in result.sheets:
            one.committed = False
            if failed:
                one.inserted = one.updated = one.unchanged = 0
    else:
        for one in result.sheets:
            one.committed = True
        result.committed = True
    result.seconds = time.perf_counter() - started
    return result
