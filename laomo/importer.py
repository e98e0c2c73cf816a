"""批量导入的核心：流式读取、逐行校验、分块集合式写入、按自然键更新插入。

How one import runs (``import_source``), all inside the caller's single
transaction:

1. The header is matched (Chinese header or English alias, after trimming
   spaces, a BOM and a trailing ``*``).  A missing required column stops the
   import before any row is read; unknown columns become warnings.
2. Rows stream in and are parsed cell by cell (``laomo.kinds``); they are
   buffered in chunks of ``CHUNK`` rows, never the whole file.
3. Per chunk, set-based SQL: one ``SELECT code, id … WHERE code IN (…)`` per
   reference column, one ``SELECT`` of the existing rows with the chunk's
   natural keys, then ``INSERT`` and ``UPDATE`` with executemany.  Keys
   written earlier in the same import are remembered in a temporary table
   (not in Python memory), so a key repeated with different values is an
   error naming both lines, and an exact duplicate row is counted once.
4. ``--on-error abort`` (default): after the last row, if any row was bad,
   the transaction is rolled back — nothing is written, exit 1.
   ``--on-error skip``: bad rows go to the rejects file, the rest is written.
   ``--dry-run``: everything is computed, then rolled back.

Audit: one entry for the import (file, SHA-256, counts) and one per updated
row with the changed fields before and after.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from . import audit
from .errors import LaomoError
from .exports import neutralise
from .kinds import KINDS, Col, Kind
from .sources import Source
from .validate import Invalid

CHUNK = 2000
MAX_LISTED_ERRORS = 50

REF_TABLES = {"person": ("person", "人员"), "studio": ("studio", "工作室")}


@dataclass
class RowError:
    line: int
    column: str
    value: str
    reason: str

    def format(self, file: str) -> str:
        return f"{file}:{self.line}: 列「{self.column}」值「{self.value}」: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "value": self.value, "reason": self.reason}


@dataclass
class ImportResult:
    kind: str
    file: str
    encoding: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False
    rejects_file: str | None = None
    keys: list[str] = field(default_factory=list)  # keys written (single-record commands)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.file, "encoding": self.encoding,
            "read": self.read, "inserted": self.inserted, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "duplicates": self.duplicates, "seconds": round(self.seconds, 3),
            "errors": [e.as_dict() for e in self.errors], "error_count": self.error_count,
            "warnings": self.warnings, "dry_run": self.dry_run, "committed": self.committed,
            "rejects_file": self.rejects_file,
        }


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _shown(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw)
    return text if len(text) <= 60 else text[:57] + "…"


def _norm_header(text: str) -> str:
    return str(text).replace("\ufeff", "").strip().rstrip("*＊").strip()


def map_header(kind: Kind, header: list[str], file: str) -> tuple[list[tuple[int, Col, str]], list[str]]:
    """Match header cells to columns; raise on a missing required column."""
    by_name: dict[str, Col] = {}
    for col in kind.columns:
        by_name[col.header] = col
        by_name[col.key.lower()] = col
    mapped: list[tuple[int, Col, str]] = []
    seen: dict[str, int] = {}
    warnings: list[str] = []
    for idx, cell in enumerate(header):
        name = _norm_header(cell)
        if not name:
            continue
        col = by_name.get(name) or by_name.get(name.lower())
        if col is None:
            warnings.append(f"{file}:1: 列「{name}」不是{kind.label}的已知列，已忽略")
            continue
        if col.key in seen:
            raise LaomoError(
                f"{file}:1: 列「{name}」重复（第 {seen[col.key] + 1} 列和第 {idx + 1} 列都是「{col.header}」）"
            )
        seen[col.key] = idx
        mapped.append((idx, col, name))
    missing = [c for c in kind.columns if c.required and c.key not in seen]
    if missing:
        names = "、".join(f"「{c.header}」({c.key})" for c in missing)
        raise LaomoError(f"{file}:1: 缺少必需的列 {names}，导入未开始，数据库未改动")
    return mapped, warnings


@dataclass
class _Row:
    line: int
    cells: list[Any]
    values: dict[str, Any]
    problems: list[tuple[str, Any, str]]  # (column shown, raw value, reason)
    key: tuple[Any, ...] = ()
    keytext: str = ""


class _Importer:
    def __init__(self, session, kind: Kind, mapped, result: ImportResult, on_error: str,
                 rejects: "_Rejects | None"):  # type: ignore[no-untyped-def]
        from sqlalchemy import Column, Integer, MetaData, String, Table

        from .models import SQLModel

        self.conn = session.connection()
        self.kind = kind
        self.mapped = mapped
        self.result = result
        self.on_error = on_error
        self.rejects = rejects
        self.table = SQLModel.metadata.tables[kind.table]
        self.shown = {col.key: shown for _, col, shown in mapped}
        present = [col.target for _, col, _ in mapped]
        self.compare = present + [k for k in kind.fixed if k not in present]
        self.insert_defaults = {c.target: c.default for c in kind.columns}
        self.insert_defaults.update(kind.fixed)
        if "created_at" in self.table.c:
            self.insert_defaults["created_at"] = dt.datetime.now(dt.timezone.utc)
        self.updates: list[tuple[str, str, dict | None, dict]] = []
        self.audit_inserts = False  # single records: every insert gets its own entry
        self.seen = Table(
            "laomo_import_seen", MetaData(),
            Column("k", String, primary_key=True), Column("base", String, index=True),
            Column("line", Integer),
            prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
        )
        self.seen.drop(self.conn, checkfirst=True)
        self.seen.create(self.conn)
        self._key_cols = [self.table.c[k] for k in kind.key]
        full_key = kind.key + ((kind.seq,) if kind.seq else ())
        self._full_key_cols = [self.table.c[k] for k in full_key]
        self._data_cols = [c for c in self.compare if c not in full_key]

    def close(self) -> None:
        self.seen.drop(self.conn, checkfirst=True)

    # -- per row -----------------------------------------------------------
    def parse(self, line: int, cells: list[Any]) -> _Row | None:
        if all(_blank(c) for c in cells):
            return None
        values: dict[str, Any] = {}
        problems: list[tuple[str, Any, str]] = []
        n = len(cells)
        for idx, col, shown in self.mapped:
            raw = cells[idx] if idx < n else None
            if _blank(raw):
                if col.required:
                    problems.append((shown, "", "必填项为空"))
                values[col.target] = col.default
                continue
            try:
                values[col.target] = col.parse(raw)
            except Invalid as exc:
                problems.append((shown, raw, str(exc)))
        if not problems and self.kind.check is not None:
            for key, reason in self.kind.check(values):
                col = self.kind.column(key) if key in {c.key for c in self.kind.columns} else None
                shown = self.shown.get(key, col.header if col else key)
                raw = values.get(col.target if col else key)
                problems.append((shown, raw, reason))
        return _Row(line, cells, values, problems)

    # -- per chunk ---------------------------------------------------------
    def flush(self, rows: list[_Row]) -> None:
        from sqlalchemy import insert, select, update, bindparam

        conn = self.conn
        # 1. references: one query per reference column for the whole chunk
        for _, col, shown in self.mapped:
            if not col.ref:
                continue
            table_name, label = REF_TABLES[col.ref]
            ref_table = self.table.metadata.tables[table_name]
            codes = {r.values[col.target] for r in rows if not r.problems and r.values.get(col.target)}
            ids = dict(conn.execute(
                select(ref_table.c.code, ref_table.c.id).where(ref_table.c.code.in_(codes))
            ).all()) if codes else {}
            for r in rows:
                if r.problems:
                    continue
                code = r.values.get(col.target)
                if code is None:
                    continue
                if code not in ids:
                    r.problems.append((shown, code, f"{label}编号 {code} 不存在（须先导入或登记）"))
                else:
                    r.values[col.target] = ids[code]
        # 2. existing rows with these natural keys (superset by IN per key column, matched exactly)
        good = [r for r in rows if not r.problems]
        for r in good:
            r.key = tuple(r.values.get(k) for k in self.kind.key)
            r.keytext = self._keytext(r)
        existing: dict[tuple, Any] = {}
        if good:
            conds = []
            for pos, kc in enumerate(self._key_cols):
                vals = {r.key[pos] for r in good}
                non_null = [x for x in vals if x is not None]
                cond = kc.in_(non_null)
                if None in vals:
                    cond = cond | kc.is_(None)
                conds.append(cond)
            cols = [self.table.c.id] + [self.table.c[c] for c in self._data_cols]
            stmt = select(*self._full_key_cols, *cols).where(*conds)
            nk = len(self._full_key_cols)
            for row in conn.execute(stmt):
                existing[tuple(row[:nk])] = row._mapping
        # 3. rows with the same key earlier in this import: this chunk, or the seen table
        earlier: dict[str, list[tuple[int, int, Any]]] = {}  # base -> [(seq, line, values)]
        bases_in_db = {self._basekey(k[: len(self.kind.key)]) for k in existing}
        probe = {self._basekey(r.key) for r in good} & bases_in_db
        if probe:
            for base, full, line in conn.execute(
                select(self.seen.c.base, self.seen.c.k, self.seen.c.line).where(self.seen.c.base.in_(probe))
            ):
                seq = int(full.rsplit("\x1f", 1)[1]) if self.kind.seq else 1
                earlier.setdefault(base, []).append((seq, line, None))
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        written: list[_Row] = []
        for r in good:
            base = self._basekey(r.key)
            before = earlier.setdefault(base, [])
            dup_line = conflict_line = None
            for seq, line, vals in before:
                prev = vals if vals is not None else self._stored(existing, r.key, seq)
                if prev is not None and all(prev.get(c) == r.values.get(c, self.kind.fixed.get(c))
                                            for c in self._data_cols if c != self.kind.seq):
                    dup_line = line
                    break
                conflict_line = conflict_line or line
            if dup_line is not None:
                self.result.duplicates += 1
                continue
            if conflict_line is not None and not self.kind.seq:
                key_col = self.kind.columns[0]
                r.problems.append((self.shown.get(key_col.key, key_col.header), r.keytext,
                                   f"与第 {conflict_line} 行的关键字段相同但内容不同"))
                continue
            seq = len(before) + 1
            if self.kind.seq:
                r.values[self.kind.seq] = seq
                r.keytext += f"#{seq}"
                r.key = r.key + (seq,)
            before.append((seq, r.line, {c: r.values.get(c, self.kind.fixed.get(c)) for c in self._data_cols}))
            written.append(r)
            old = existing.get(r.key)
            if old is None:
                row = dict(self.insert_defaults)
                row.update(r.values)
                row.update(self.kind.fixed)
                inserts.append(row)
                if self.audit_inserts:
                    self.result.keys.append(r.keytext)
                self.result.inserted += 1
                if self.audit_inserts:
                    self.updates.append((self.kind.table, r.keytext, None, dict(r.values)))
                continue
            new = {c: r.values.get(c, self.kind.fixed.get(c)) for c in self._data_cols}
            changed = {c: v for c, v in new.items() if old[c] != v}
            if not changed:
                self.result.unchanged += 1
                continue
            updates.append({**new, "_id": old["id"]})
            if self.audit_inserts:
                self.result.keys.append(r.keytext)
            self.updates.append((self.kind.table, r.keytext, {c: old[c] for c in changed}, changed))
            self.result.updated += 1
        if inserts:
            conn.execute(insert(self.table), inserts)
        if updates:
            stmt = update(self.table).where(self.table.c.id == bindparam("_id")).values(
                {c: bindparam(c) for c in self._data_cols})
            conn.execute(stmt, updates)
        if written:
            conn.execute(insert(self.seen), [
                {"base": self._basekey(r.key[: len(self.kind.key)]), "k": self._basekey(r.key), "line": r.line}
                for r in written])
        if self.kind.name == "studios" and written:
            self._ensure_leaders(written)
        if self.updates:  # audit entries go out with their chunk: memory stays flat
            audit.record_many(conn, self.updates)
            self.updates.clear()
        self._report(rows)

    @staticmethod
    def _basekey(key: tuple) -> str:
        return "\x1f".join("" if x is None else str(x) for x in key)

    def _stored(self, existing: dict, key: tuple, seq: int) -> Any:
        full = key[: len(self.kind.key)] + ((seq,) if self.kind.seq else ())
        return existing.get(full)

    def _keytext(self, r: _Row) -> str:
        parts = []
        for k in self.kind.key:
            col = next((c for c in self.kind.columns if c.target == k), None)
            if col is not None and col.ref:
                parts.append(str(self._code_of(r, col)))
            else:
                val = r.values.get(k)
                parts.append("" if val is None else str(val))
        return "/".join(parts)

    def _code_of(self, r: _Row, col: Col) -> Any:
        for idx, c, _ in self.mapped:
            if c is col:
                return r.cells[idx] if idx < len(r.cells) else ""
        return ""

    def _ensure_leaders(self, rows: list[_Row]) -> None:
        """Registering a studio makes its leader a 领衔人 member (joined = founded)."""
        from sqlalchemy import insert, select

        meta = self.table.metadata
        studio, member = meta.tables["studio"], meta.tables["member"]
        codes = [r.values["code"] for r in rows]
        sid = dict(self.conn.execute(select(studio.c.code, studio.c.id).where(studio.c.code.in_(codes))).all())
        pairs = {(sid[r.values["code"]], r.values["leader_id"]): r.values.get("founded") for r in rows}
        have = set(self.conn.execute(
            select(member.c.studio_id, member.c.person_id).where(
                member.c.studio_id.in_({p[0] for p in pairs}), member.c.person_id.in_({p[1] for p in pairs}))
        ).all())
        new = [{"studio_id": s, "person_id": p, "role": "leader", "joined": founded, "left": None}
               for (s, p), founded in pairs.items() if (s, p) not in have]
        if new:
            self.conn.execute(insert(member), new)

    def _report(self, rows: list[_Row]) -> None:
        res = self.result
        for r in rows:
            if not r.problems:
                continue
            res.rejected += 1
            for shown, raw, reason in r.problems:
                res.error_count += 1
                if len(res.errors) < MAX_LISTED_ERRORS:
                    res.errors.append(RowError(r.line, shown, _shown(raw), reason))
            if self.rejects is not None:
                self.rejects.write(r.cells, "；".join(
                    f"第{r.line}行 列「{s}」值「{_shown(v)}」: {why}" for s, v, why in r.problems))


class _Rejects:
    """The rejects file of ``--on-error skip``: original columns plus 错误原因, UTF-8 with BOM."""

    def __init__(self, path: Path, header: list[str]):
        self.path = path
        self._fp = open(path, "w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._fp)
        self._writer.writerow([neutralise(h) for h in header] + ["错误原因"])
        self.width = len(header)
        self.count = 0

    def write(self, cells: list[Any], reason: str) -> None:
        row = ["" if c is None else neutralise(_shown(c) if not isinstance(c, str) else c) for c in cells]
        row = (row + [""] * self.width)[: max(self.width, len(row))]
        self._writer.writerow(row + [reason])
        self.count += 1

    def close(self) -> None:
        self._fp.close()


def import_source(
    session,  # type: ignore[no-untyped-def]
    kind_name: str,
    source: Source,
    *,
    dry_run: bool = False,
    on_error: str = "abort",
    rejects_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
    audit_inserts: bool = False,
) -> ImportResult:
    """Import one source into the session's transaction and return the summary.

    The caller owns the transaction (``laomo.db.write_session``); this function
    rolls it back itself for ``dry_run`` and for an aborted import, so the
    database is left exactly as before.
    """
    kind = KINDS.get(kind_name)
    if kind is None:
        raise LaomoError(f"未知的导入类型 {kind_name}，可选：{' '.join(KINDS)}", exit_code=2)
    if on_error not in ("abort", "skip"):
        raise LaomoError("--on-error 只能是 abort 或 skip", exit_code=2)
    started = time.perf_counter()
    result = ImportResult(kind_name, source.name, source.encoding, dry_run=dry_run)
    mapped, result.warnings = map_header(kind, source.header, source.name)
    rejects = None
    if on_error == "skip" and not dry_run:
        path = rejects_path or Path(
            (source.name if source.name != "<标准输入>" else "stdin") + ".rejects.csv")
        rejects = _Rejects(path, source.header)
    imp = _Importer(session, kind, mapped, result, on_error, rejects)
    imp.audit_inserts = audit_inserts
    try:
        pending: list[_Row] = []
        for line, cells in source.rows():
            row = imp.parse(line, cells)
            if row is None:
                continue
            result.read += 1
            pending.append(row)
            if len(pending) >= CHUNK:
                imp.flush(pending)
                pending = []
                if progress is not None:
                    progress(source.fraction())
        if pending:
            imp.flush(pending)
        imp.close()
        if progress is not None:
            progress(1.0)
    finally:
        if rejects is not None:
            rejects.close()
            if rejects.count:
                result.rejects_file = str(rejects.path)
            else:
                rejects.path.unlink(missing_ok=True)
    aborted = result.rejected > 0 and on_error == "abort"
    if dry_run or aborted:
        session.rollback()
        if aborted:
            result.inserted = result.updated = result.unchanged = 0
    else:
        if not audit_inserts:
            audit.record(session.connection(), "import", f"{result.kind}:{source.name}"[:200], None, {
                "file": source.name, "sha256": source.sha256, "encoding": source.encoding,
                "read": result.read, "inserted": result.inserted, "updated": result.updated,
                "unchanged": result.unchanged, "rejected": result.rejected,
            })
        result.committed = True
    result.seconds = time.perf_counter() - started
    return result


class RecordSource(Source):
    """Records given as ``{column key: raw value}`` dicts (the single ``register`` commands)."""

    def __init__(self, kind_name: str, records: Iterable[dict[str, Any]], name: str = "命令行"):
        kind = KINDS[kind_name]
        self.name = name
        self.encoding = "-"
        self.sha256 = ""
        self._records = list(records)
        keys: list[str] = []
        for rec in self._records:
            keys.extend(k for k in rec if k not in keys)
        self._keys = [c.key for c in kind.columns if c.key in keys]
        self.header = list(self._keys)

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        for i, rec in enumerate(self._records, start=1):
            yield i, [rec.get(k) for k in self._keys]
