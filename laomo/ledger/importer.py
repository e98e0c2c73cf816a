"""批量导入的核心：流式读取、逐行校验、分块集合式写入、按自然键更新插入。

How one import runs (``import_source``), all inside the caller's single
transaction:

1. The header is matched (Chinese header or English alias, after trimming
   spaces, a BOM and a trailing ``*``).  A missing required column stops the
   import before any row is read; unknown columns become warnings.  The
   command does this before it opens the database (:func:`start_import`), so a
   large file's parse worker is already reading while the database layer loads.
2. Rows stream in and are parsed cell by cell (``laomo.ledger.columns``); they are
   buffered in chunks of ``CHUNK`` rows, never the whole file.
3. Per chunk, set-based SQL: one ``SELECT code, id … WHERE code IN (…)`` per
   reference column, one ``SELECT`` of the existing rows with the chunk's
   natural keys, then ``INSERT`` and ``UPDATE`` with executemany.  Keys
   written earlier in the same import are remembered in a temporary table
   (not in Python memory), so a key repeated with different values is an
   error naming both lines, and an exact duplicate row is counted once.
4. ``on_error="abort"`` (default): after the last row, if any row was bad,
   the transaction is rolled back — nothing is written (``committed`` is false).
   ``on_error="skip"``: bad rows go to the rejects file, the rest is written.
   ``dry_run=True``: everything is computed, then rolled back.

Audit: one entry for the import (file, SHA-256, counts) and one per updated
row with the changed fields before and after.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError, UsageError
from laomo.ledger import pipeline
from laomo.ledger.assign import Assigner
from laomo.ledger.changes import Changes
from laomo.ledger.columns import KINDS, Kind
from laomo.ledger.header import HeaderMap, map_header
from laomo.ledger.identity import FileIdNumbers, PeopleChecks, file_check
from laomo.ledger.parsing import FileParser, database_kind
from laomo.ledger.references import References
from laomo.ledger.rowparser import Row
from laomo.ledger.sources import Source
from laomo.safe import mask, neutralise, scrub, visible
from laomo.store import audit
from laomo.store.bulk import BulkStatement
from laomo.store.engine import bulk_cache

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session

CHUNK = 2000
#: Cells of low-variety columns (enumerations, flags, years, units) repeat a
#: lot; each such column remembers up to this many parsed values.
MAX_LISTED_ERRORS = 50


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
    """What one import did.  Filled in while the import runs; ``to_json()`` is the JSON summary
    the import command prints."""

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
    #: dry run: the records it would insert or change (laomo.ledger.changes), the first
    #: ``changes.MAX_CHANGES``; ``changes_omitted`` counts the rest
    changes: list[dict[str, Any]] = field(default_factory=list)
    changes_omitted: int = 0
    #: patch mode: the row's key is not stored, and a new record needs these fields (column keys)
    missing: tuple[str, ...] = ()
    #: a person's name or ID number differed from the stored one (a correction would be needed)
    correctable: bool = False
    #: records that got a new code: ``{"line", "key"}``, the first ``assign.MAX_LISTED``
    assigned: list[dict[str, Any]] = field(default_factory=list)
    assigned_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)  # headers not taken, as written
    skipped: int = 0  # title, total, signature and empty rows (the reader's count)
    sheet: str | None = None
    header_line: int = 1

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file": self.file, "encoding": self.encoding,
            "read": self.read, "inserted": self.inserted, "updated": self.updated,
            "unchanged": self.unchanged, "rejected": self.rejected,
            "duplicates": self.duplicates, "seconds": round(self.seconds, 3),
            "errors": [e.as_dict() for e in self.errors], "error_count": self.error_count,
            "warnings": self.warnings, "dry_run": self.dry_run, "committed": self.committed,
            "rejects_file": self.rejects_file, "skipped": self.skipped, "sheet": self.sheet,
            "header_line": self.header_line, "assigned": self.assigned, "assigned_count": self.assigned_count,
            "ignored_columns": self.ignored_columns,
        } | ({"changes": self.changes, "changes_omitted": self.changes_omitted} if self.dry_run else {})

    as_dict = to_json


def _shown(raw: Any, pii: bool = False) -> str:
    """A cell as quoted in a message: one line, at most 60 characters, personal data masked.

    A personal column's value is masked whole (``mask``); any other value has
    ID-number-like and mobile-like digit runs masked (``scrub``: a personal
    value in the wrong column), before it is shortened.
    """
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = visible(mask(str(raw)) if pii else scrub(str(raw)))  # one problem, one line
    return text if len(text) <= 60 else text[:57] + "…"


def _cell_text(raw: Any) -> str:
    """A native .xlsx value (number, date) as text for the rejects file, unshortened."""
    if isinstance(raw, dt.datetime):
        return raw.isoformat(sep=" ")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw)


@dataclass(frozen=True)
class Mode:
    """How the rows of one import change stored records (see :func:`import_source`)."""

    clear_blank: bool = False  # an empty cell of a present column clears the field
    clear: frozenset[str] = frozenset()  # column keys whose empty cell clears the field
    patch: bool = False  # required columns may be absent: the row must update a stored record
    correct: str | None = None  # the reason of a deliberate correction of a person's name or ID number
    audit_inserts: bool = False  # one audit entry per inserted row (single records)


class MissingFields(UsageError):
    """A single record that gives only some fields names a key that is not stored yet: a new
    record needs ``fields`` (column keys) too."""

    def __init__(self, message: str, *, fields: tuple[str, ...]) -> None:
        super().__init__(message)
        self.fields = fields


def clear_keys(kind: Kind, names: Iterable[str]) -> frozenset[str]:
    """The column keys of fields to clear, given by English key or Chinese header; a required
    field (e.g. 姓名) cannot be cleared."""
    keys = set()
    for name in names:
        text = str(name).strip()
        col = next((c for c in kind.columns if text in (c.key, c.header, c.key.replace("_", "-"))), None)
        if col is None:
            known = "、".join(f"{c.key}（{c.header}）" for c in kind.columns if not c.required)
            raise UsageError(f"{kind.label}没有可清空的字段「{visible(text)}」，可清空：{known}", option="clear")
        if col.required:
            raise UsageError(f"{col.header}是{kind.label}的必填项，不能清空", option="clear")
        keys.add(col.key)
    return frozenset(keys)


class _Importer:
    """One import's per-chunk writing (see the module docstring); its rows are parsed by a
    :class:`~laomo.ledger.parsing.FileParser`.

    A parsed row is a list of the table's insert columns in a fixed order
    (absent columns hold their defaults), already in the driver's own form
    (:func:`laomo.ledger.parsing.row_layout`).  Fresh rows go to the driver's executemany as they
    are; comparison with the rows read back needs no per-row SQLAlchemy
    processing either.

    Rows written earlier by the same import are recognised without keeping
    keys in memory: a row inserted by this import has an id above the largest
    id before the import (the import holds the write lock: SQLite's BEGIN
    IMMEDIATE; on a server the import runs REPEATABLE READ, so rows committed
    meanwhile by others stay invisible), and pre-existing rows touched by it
    are marked in a bitmap of ids.  When a key repeats with other values, the
    line of its first occurrence is found by a second read of the file —
    that only happens on the error path.
    """

    # long: one import's fixed state, computed once (the per-row code only indexes into it)
    def __init__(self, session: Session, parser: FileParser, result: ImportResult, rejects: _Rejects | None,
                 mode: Mode):
        from sqlalchemy import bindparam, func, insert, select, update

        from laomo.models import SQLModel

        self.conn = conn = session.connection()
        self.kind = kind = parser.kind
        mapped = parser.mapped
        self.result = result
        self.rejects = rejects
        self.mode = mode
        self.table = table = SQLModel.metadata.tables[kind.table]
        self.parse, self.parse_packed = parser.parse, parser.parse_packed
        self.shown = parser.shown
        self.pii_shown = {shown for _, col, shown in mapped if col.pii}  # columns whose values are masked
        self.cols = parser.cols  # the insert columns, in the order of a parsed row
        self.pos = pos = parser.pos
        present = [col.target for _, col, _ in mapped]
        full_key = kind.key + ((kind.seq,) if kind.seq else ())
        compare = present + [k for k in kind.fixed if k not in present]
        self.data_cols = [c for c in compare if c not in full_key]
        data_index = {c: j for j, c in enumerate(self.data_cols)}
        # blank cells an update leaves as stored: (bit of the plan entry, index among the data
        # columns, position in a parsed row); cleared on purpose with clear_blank / clear
        self.fill = [(1 << i, data_index[col.target], p) for i, (_, col, _, _, p) in enumerate(parser.layout.plan)
                     if col.target in data_index and not mode.clear_blank and col.key not in mode.clear]
        self.keep_mask = sum(bit for bit, _, _ in self.fill)
        self.nkey = len(kind.key)
        self.key_pos = [pos[k] for k in kind.key]
        self.data_pos = [pos[c] for c in self.data_cols]
        self.seq_pos = pos[kind.seq] if kind.seq else None
        self.ref_pos = [(pos[col.target], col, shown) for _, col, shown in mapped if col.ref]
        self.refs = References(conn, table.metadata.tables, self.ref_pos,
                               by_studio=kind.name in ("members", "mentorships")) if self.ref_pos else None
        self._insert = BulkStatement(conn, insert(table), self.cols)
        self._update = BulkStatement(
            conn,
            update(table).where(table.c.id == bindparam("_id")).values({c: bindparam(c) for c in self.data_cols}),
            [*self.data_cols, "_id"],
        ) if self.data_cols else None
        # a selected row: key…, id, [seq,] data…, then what the checks need (voided, who a person is)
        head = ["id", *((kind.seq,) if kind.seq else ())]
        extra = [c for c in ("voided_at",) if c in table.c]
        if kind.name == "people":
            extra += ["name", "id_number"]
        self.off = self.nkey + len(head)  # data columns start here in a selected row
        self.end = self.off + len(self.data_cols)
        self.at = {c: self.end + i for i, c in enumerate(extra)}
        self._select = _KeyQuery(conn, table, kind.key, [*head, *self.data_cols, *extra])
        self.max_before: int = conn.execute(select(func.max(table.c.id))).scalar() or 0
        self.touched = bytearray((self.max_before >> 3) + 1)
        self.audit_entries: list[tuple[str, str, Any, Any]] = []
        self.conflicts: list[tuple[Row, str]] = []  # rows whose key repeated with other values
        self.missing = [c for c in kind.columns if c.required and c.key not in self.shown]  # patch only
        self.people = PeopleChecks(conn, pos=pos, present=set(self.data_cols), at=self.at, shown=self.shown,
                                   correct=mode.correct is not None) if kind.name == "people" else None
        self.changes = Changes(conn, kind, table, pos, self._keytext, result.changes) if result.dry_run else None
        self.assigner = Assigner(conn, kind, table, pos, self.shown, self.people.stored if self.people else None,
                                 result.assigned) if kind.assigned is not None and not mode.patch else None
        self.note_inserts = mode.audit_inserts or self.changes is not None
        self.voided = 0  # rows that matched a voided record
        # what a chunk of good, fresh rows may skip (flush_packed): nothing to resolve, assign only
        # where a code is missing, no ID number stored under another code, nothing else to write
        self.code_p = pos[kind.assigned.target] if self.assigner is not None and kind.assigned else None
        self.plain = (self.refs is None and not mode.patch and not self.note_inserts
                      and not (kind.name == "studios" and "leader_id" in self.data_cols))
        self.stored_ids = self.people.stored if self.people is not None else None

    def as_dict(self, values: list[Any], names: list[str] | None = None) -> dict[str, Any]:
        pos = self.pos
        return {n: values[pos[n]] for n in (names or self.cols)}

    # -- per chunk ---------------------------------------------------------
    def flush_packed(self, packed: list[pipeline.Packed]) -> None:
        """Write one chunk as the parser packed it.  The common chunk of a fresh import — every
        row good and with its code, no key stored yet or repeated within the chunk — is inserted
        as it is, without a :class:`Row` per row; any other chunk goes through :meth:`flush`,
        which tells every case apart (the stored rows already read are handed on)."""
        existing = None
        if self.plain and (self.stored_ids is None or self.stored_ids.empty) and not any(p[3] for p in packed):
            values = [p[2] for p in packed]
            if self.code_p is None or all(v[self.code_p] is not None for v in values):
                if len(self.key_pos) == 1:
                    k0 = self.key_pos[0]
                    keys = [(v[k0],) for v in values]
                else:
                    keyget = itemgetter(*self.key_pos)
                    keys = [keyget(v) for v in values]
                existing = self._select.run(keys)
                if not existing and len(set(keys)) == len(keys):
                    self.result.inserted += len(values)
                    self._insert.run(values)
                    return
        self.flush([Row(*p) for p in packed], existing)

    def flush(self, rows: list[Row], stored: list[Any] | None = None) -> None:
        """Write one chunk: references resolved, then each good row inserted, updated, counted
        unchanged or as a repeat, or held back as a conflicting repeat (set-based SQL)."""
        if self.refs is not None:
            self.refs.resolve(rows)
        good = [r for r in rows if not r.problems]
        if self.assigner is not None and good:
            good = self.assigner.run(good, self._keytext)
        if self.people is not None and good:
            good = self.people.check_stored(good)
        existing = self._existing(good, stored)
        if self.mode.patch:
            good = self._only_stored(good, existing)
        inserts: list[list[Any]] = []
        updates: list[list[Any]] = []
        self._classify(good, existing, inserts, updates)
        self.result.inserted += len(inserts)
        self._insert.run(inserts)
        if updates and self._update is not None:
            self._update.run(updates)
        if self.kind.name == "studios" and "leader_id" in self.data_cols:
            self._ensure_leaders([r for r in good if not r.problems])
        if self.audit_entries:  # audit entries go out with their chunk: memory stays flat
            audit.record_many(self.conn, self.audit_entries)
            self.audit_entries.clear()
        if self.changes is not None:
            self.changes.resolve()
        self._report(rows)

    def _existing(self, good: list[Row], stored: list[Any] | None = None) -> dict[tuple[Any, ...], list[Any]]:
        """Sets each row's natural key; the rows already stored under these keys, by key
        (several for a kind with ``seq``).  ``stored``: those rows, read already for these keys."""
        if len(self.key_pos) == 1:
            k0 = self.key_pos[0]
            for r in good:
                r.key = (r.values[k0],)
        else:
            keyget = itemgetter(*self.key_pos)
            for r in good:
                r.key = keyget(r.values)
        existing: dict[tuple[Any, ...], list[Any]] = {}
        if good:
            nkey = self.nkey
            for row in self._select.run([r.key for r in good]) if stored is None else stored:
                existing.setdefault(tuple(row[:nkey]), []).append(row)
        return existing

    def _only_stored(self, good: list[Row], existing: dict[tuple[Any, ...], list[Any]]) -> list[Row]:
        """Patch mode (a single record giving only some fields): a key not stored yet is refused,
        naming what a new record needs (``ImportResult.missing``)."""
        key_col = self.kind.columns[0]
        shown = self.shown.get(key_col.key, key_col.header)
        for r in good:
            if r.key not in existing:
                self.result.missing = tuple(c.key for c in self.missing)
                needed = "、".join(c.header for c in self.missing)
                r.problems.append((shown, self._keytext(r), f"{self.kind.label} {self._keytext(r)} 尚未登记，"
                                                             f"新登记须提供：{needed}"))
        return [r for r in good if not r.problems]

    def _classify(self, good: list[Row], existing: dict[tuple[Any, ...], list[Any]],
                  inserts: list[list[Any]], updates: list[list[Any]]) -> None:
        """Each good row: a fresh insert (the common case, handled inline) or a repeated key."""
        mine: dict[tuple[Any, ...], list[Any]] = {}  # base key -> [(seq, values)] written by this chunk
        note_inserts = self.note_inserts
        for r in good:
            olds = existing.get(r.key)
            earlier = mine.get(r.key)
            if olds is None and earlier is None:  # the common case of a fresh import
                inserts.append(r.values)
                mine[r.key] = [(1, r.values)]
                if note_inserts:
                    self._inserted(r, r.values)
                continue
            self._repeated(r, olds, earlier, mine, inserts, updates)

    # long: the one place every kind of repeated key is told apart, in order
    def _repeated(self, r: Row, olds: list[Any] | None, earlier: list[Any] | None,
                  mine: dict[tuple[Any, ...], list[Any]], inserts: list[list[Any]],
                  updates: list[list[Any]]) -> None:
        """A row whose key is stored already or was written earlier by this import: an update,
        unchanged, an exact repeat, a conflict, or (``seq`` kinds) the next record under the key.

        A blank cell leaves the stored field as it is (``fill``), unless cleared on purpose; a
        stored record that is voided is left alone (counted unchanged, with a warning); a person
        whose stored name or ID number differs is a conflict, not an update (:class:`PeopleChecks`).
        """
        kind, nkey, data_pos, off, end = self.kind, self.nkey, self.data_pos, self.off, self.end
        values = r.values
        new = [values[p] for p in data_pos]
        keep = r.blanks & self.keep_mask
        # what this import already wrote under this key, by seq: this chunk's rows
        # first (the table still holds their old values), then earlier chunks' rows
        done: dict[int, list[Any]] = {seq: [written[p] for p in data_pos] for seq, written in earlier or ()}
        for old in olds or ():
            rid = old[nkey]
            seq = old[nkey + 1] if kind.seq else 1
            if seq not in done and (rid > self.max_before or self.touched[rid >> 3] & (1 << (rid & 7))):
                done[seq] = list(old[off:end])
        if any(self._same(prev, new, keep) for prev in done.values()):
            self.result.duplicates += 1
            return
        if done and not kind.seq:
            self.conflicts.append((r, self._keytext(r)))
            return
        seq = len(done) + 1
        old = next((c for c in olds or () if not kind.seq or c[nkey + 1] == seq), None)
        if self.seq_pos is not None:
            values[self.seq_pos] = seq
        given = values
        if old is not None and keep:  # blank cells: the stored values stay
            given = values.copy()  # later rows of this chunk compare with what this row gave
            for bit, j, p in self.fill:
                if keep & bit:
                    values[p] = old[off + j]
            new = [values[p] for p in data_pos]
        if old is not None and self._held(r, old):
            return
        mine.setdefault(r.key, []).append((seq, given))
        if old is None:
            inserts.append(values)
            if self.note_inserts:
                self._inserted(r, values)
            return
        rid = old[nkey]
        if rid <= self.max_before:
            self.touched[rid >> 3] |= 1 << (rid & 7)
        self._update_row(r, rid, new, old[off:end], updates)

    def _same(self, prev: list[Any], new: list[Any], keep: int) -> bool:
        """Whether a row repeats one written earlier: equal, blank cells (that keep) aside.  For a
        ``seq`` kind, equal only: a row that differs, even by a blank cell, is another record."""
        if not keep or self.kind.seq:
            return prev == new
        skip = {j for bit, j, _ in self.fill if keep & bit}
        return all(a == b for j, (a, b) in enumerate(zip(prev, new)) if j not in skip)

    def _held(self, r: Row, old: list[Any]) -> bool:
        """A stored record the row must not change: voided (counted unchanged, with a warning),
        or (people) a conflict of name or ID number (the row is refused)."""
        at = self.at.get("voided_at")
        if at is not None and old[at] is not None:
            rid = old[self.nkey]
            if rid <= self.max_before:
                self.touched[rid >> 3] |= 1 << (rid & 7)
            self.result.unchanged += 1
            self.voided += 1
            if self.voided <= MAX_LISTED_ERRORS:
                self.result.warnings.append(f"第 {r.line} 行：{self.kind.label} {self._keytext(r)} 已作废，未恢复")
            return True
        return self.people is not None and self.people.conflicting(r, old)

    def _update_row(self, r: Row, rid: int, new: list[Any], before: list[Any], updates: list[list[Any]]) -> None:
        changed = {c: v for c, v, b in zip(self.data_cols, new, before) if v != b}
        if not changed:
            self.result.unchanged += 1
            return
        updates.append([*new, rid])
        self.result.updated += 1
        was = {c: b for c, v, b in zip(self.data_cols, new, before) if v != b}
        self._audit(r, was, {**changed, "reason": self.mode.correct} if self.mode.correct else changed)
        if self.changes is not None:
            self.changes.note(r, "update", was, changed)

    def _inserted(self, r: Row, values: list[Any]) -> None:
        """An inserted row that is audited on its own (single records) or listed (dry run)."""
        if self.mode.audit_inserts:
            self._audit(r, None, self.as_dict(values, self.data_cols))
        if self.changes is not None:
            self.changes.note(r, "insert", None, self.as_dict(values, self.data_cols))

    def _audit(self, r: Row, before: Any, after: Any) -> None:
        key = self._keytext(r)
        if self.mode.audit_inserts:
            self.result.keys.append(key)
        self.audit_entries.append((self.kind.table, key, before, dict(after)))

    def close(self) -> None:
        """After the last chunk: the summary of rows that met voided records; temporary tables go."""
        if self.voided > MAX_LISTED_ERRORS:
            self.result.warnings.append(f"……另有 {self.voided - MAX_LISTED_ERRORS} 行对应已作废的记录，均未恢复")
        if self.changes is not None:
            self.result.changes_omitted = self.changes.omitted
        if self.assigner is not None:
            self.result.assigned_count = self.assigner.count
        if self.people is not None:
            self.result.correctable = self.people.correctable
            self.people.close()

    def finish_conflicts(self, source: Source) -> None:
        """Name the first line of every key that repeated with other values (second read)."""
        if not self.conflicts:
            return
        wanted = {text for _, text in self.conflicts}
        first: dict[str, int] = {}
        for line, cells in source.rows_again():
            row = self.parse(line, cells)
            if row is None or row.problems:
                continue
            text = self._keytext(row)
            if text in wanted and text not in first:
                first[text] = line
                if len(first) == len(wanted):
                    break
        key_col = self.kind.columns[0]
        shown = self.shown.get(key_col.key, key_col.header)
        for r, text in self.conflicts:
            r.problems.append((shown, text, f"与第 {first.get(text, '?')} 行的关键字段相同但内容不同"))
        self._report([r for r, _ in sorted(self.conflicts, key=lambda c: c[0].line)])
        self.conflicts = []

    def _keytext(self, r: Row) -> str:
        """The natural key as the user wrote it (codes, not ids), for messages and the audit log."""
        parts = []
        for k in self.kind.key:
            p = self.pos[k]
            value = r.codes.get(p, r.values[p])
            parts.append("" if value is None else str(value))
        text = "/".join(parts)
        if self.seq_pos is not None and r.values[self.seq_pos] != 1:
            text += f"#{r.values[self.seq_pos]}"
        return text

    def _ensure_leaders(self, rows: list[Row]) -> None:
        """Registering a studio makes its leader a 领衔人 member (joined = founded)."""
        from sqlalchemy import insert, select

        if not rows:
            return
        meta = self.table.metadata
        studio, member = meta.tables["studio"], meta.tables["member"]
        pc, pl, pf = self.pos["code"], self.pos["leader_id"], self.pos["founded"]
        codes = [r.values[pc] for r in rows]
        sid = dict(self.conn.execute(select(studio.c.code, studio.c.id).where(studio.c.code.in_(codes))).all())
        pairs = {(sid[r.values[pc]], r.values[pl]): r.values[pf] for r in rows if r.values[pc] in sid}
        if not pairs:
            return
        have = set(self.conn.execute(
            select(member.c.studio_id, member.c.person_id).where(
                member.c.studio_id.in_({p[0] for p in pairs}), member.c.person_id.in_({p[1] for p in pairs}))
        ).all())
        new = [[s, p, "leader", founded, None] for (s, p), founded in pairs.items() if (s, p) not in have]
        if new:
            BulkStatement(self.conn, insert(member), ["studio_id", "person_id", "role", "joined", "left"]).run(new)

    def _report(self, rows: list[Row]) -> None:
        res = self.result
        pii = self.pii_shown
        for r in rows:
            if not r.problems:
                continue
            res.rejected += 1
            for shown, raw, reason in r.problems:
                res.error_count += 1
                if len(res.errors) < MAX_LISTED_ERRORS:
                    res.errors.append(RowError(r.line, shown, _shown(raw, shown in pii), scrub(reason)))
            if self.rejects is not None:
                self.rejects.write(r.cells or [], "；".join(
                    f"第{r.line}行 列「{s}」值「{_shown(v, s in pii)}」: {scrub(why)}" for s, v, why in r.problems))


class _KeyQuery:
    """``SELECT key, id, [seq,] data… FROM table WHERE k1 IN (…) AND k2 IN (…)``, rows in driver form.

    The SQL text is built once per list size from SQLAlchemy's compiled
    column list and the dialect's quoting and placeholder, and run with the
    driver directly: the chunk's keys are a superset filter, matched exactly
    by the caller.
    """

    def __init__(self, conn: Connection, table: Table, key: tuple[str, ...], extra: list[str]):
        prep = conn.dialect.identifier_preparer
        self.conn = conn
        self.key = key
        cols = [*key, *extra]
        self.head = f"SELECT {', '.join(prep.quote(c) for c in cols)} FROM {prep.format_table(table)} WHERE "
        self.quoted = [prep.quote(k) for k in key]
        self.ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"

    def run(self, keys: list[tuple[Any, ...]]) -> list[Any]:
        where: list[str] = []
        params: list[Any] = []
        for pos, qcol in enumerate(self.quoted):
            vals = {k[pos] for k in keys}
            non_null = [v for v in vals if v is not None]
            part = f"{qcol} IN ({', '.join([self.ph] * len(non_null))})" if non_null else "1 = 0"
            if None in vals:
                part = f"({part} OR {qcol} IS NULL)"
            where.append(part)
            params.extend(non_null)
        return list(self.conn.exec_driver_sql(self.head + " AND ".join(where), tuple(params)).fetchall())


class _Rejects:
    """The rejects file of ``on_error="skip"``: original columns plus 错误原因, UTF-8 with BOM.

    Written to a new temporary file beside the target (created exclusively, mode 0600: the rows
    hold personal data as written), which replaces the target only when the import ends with
    rejected rows (:meth:`finish`).  So a file that was there before is never truncated, and is
    left as it was when no row is rejected or the import fails; the target itself was checked
    before (never the database, the input, a link, a directory or a device).
    """

    def __init__(self, path: Path, header: list[str]):
        import os
        import tempfile

        self.path = path
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent or Path(".")))
        except OSError as exc:
            raise LaomoError(f"无法写入拒收文件 {path}：{exc.strerror or exc}") from None
        self._tmp = Path(tmp)
        try:
            self._fp = open(fd, "w", encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by finish()
        except BaseException:
            os.close(fd)
            self._tmp.unlink(missing_ok=True)
            raise
        self._writer = csv.writer(self._fp)
        self._writer.writerow([neutralise(h) for h in header] + ["错误原因"])
        self.width = len(header)
        self.count = 0

    def write(self, cells: list[Any], reason: str) -> None:
        row = ["" if c is None else neutralise(c if isinstance(c, str) else _cell_text(c)) for c in cells]
        row = (row + [""] * self.width)[: max(self.width, len(row))]
        self._writer.writerow(row + [reason])
        self.count += 1

    def finish(self, *, keep: bool) -> bool:
        """Close; put the rows in place when ``keep`` and there are any (True), else discard them."""
        import os

        self._fp.close()
        if keep and self.count:
            try:
                os.replace(self._tmp, self.path)
            except OSError as exc:
                self._tmp.unlink(missing_ok=True)
                raise LaomoError(f"无法写入拒收文件 {self.path}：{exc.strerror or exc}") from None
            return True
        self._tmp.unlink(missing_ok=True)
        return False


@dataclass
class Started:
    """An import of one source begun before its database is opened (:func:`start_import`): the
    header mapped, the file's parser built and, for a large file, the parse worker reading."""

    kind: str
    database: str  # which conversions the parsed rows have (laomo.ledger.parsing.database_kind)
    header: HeaderMap
    parser: FileParser
    file_check: FileIdNumbers | None
    keep_cells: bool
    patch: bool
    worker: pipeline.Worker | None = None

    def __enter__(self) -> Started:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """The worker stopped (killed if it has not finished) and the file check's storage freed."""
        if self.worker is not None:
            self.worker.stop()
        if self.file_check is not None:
            self.file_check.close()


def start_import(source: Source, *, kind: str, url: str, keep_cells: bool, patch: bool = False) -> Started:
    """Begin importing ``source`` into the database at ``url`` before that database is opened.

    A large file's parse worker then reads while this process loads SQLAlchemy and the table
    classes and opens the database (about 0.6 s, which a bulk import otherwise spends before
    its first row).  ``keep_cells``: good rows keep their cells (a rejects file may need them:
    ``on_error="skip"`` without a dry run).  The result goes to :func:`import_source` as
    ``started``, inside a ``with`` block that stops the worker if the import never gets there."""
    kind_def = KINDS.get(kind)
    if kind_def is None:
        raise UsageError(f"未知的导入类型 {kind}，可选：{' '.join(KINDS)}")
    started = _prepare(source, kind_def, database_kind(url), keep_cells=keep_cells, patch=patch)
    started.worker = pipeline.start_worker(started.parser.parse_packed, source, CHUNK, keep_cells,
                                           size=getattr(source, "size", None),
                                           check=started.file_check.check if started.file_check else None)
    return started


def _prepare(source: Source, kind: Kind, database: str, *, keep_cells: bool, patch: bool) -> Started:
    header = map_header(kind, source.header, source.name, line=source.header_line, patch=patch)
    parser = FileParser(kind, header.mapped, database, header.combiner(), text_cells=source.text_cells)
    present = {col.target for _, col, _ in header.mapped}
    check = file_check(pos=parser.pos, present=present, shown=parser.shown) if kind.name == "people" else None
    return Started(kind.name, database, header, parser, check, keep_cells, patch)


# long: the one entry point's arguments, their checks and its single pass, in order
def import_source(
    session: Session,
    source: Source,
    *,
    kind: str,
    dry_run: bool = False,
    on_error: str = "abort",
    rejects_path: Path | None = None,
    progress: Callable[[float], None] | None = None,
    audit_inserts: bool = False,
    clear_blank: bool = False,
    clear: Iterable[str] = (),
    patch: bool = False,
    correct: str | None = None,
    own_transaction: bool = True,
    started: Started | None = None,
) -> ImportResult:
    """Import one source of ``kind`` (a key of ``KINDS``) into the session's transaction.

    The caller owns the transaction (``laomo.store.db.write_session``); this function
    rolls it back itself for ``dry_run`` and for an aborted import, so the
    database is left exactly as before.  ``on_error``: ``"abort"`` (any bad row:
    nothing is written) or ``"skip"`` (bad rows go to ``rejects_path``, by default
    ``<file>.rejects.csv``).  ``progress`` is called with the fraction read.
    ``audit_inserts``: one audit entry per inserted row and none for the import
    (the single-record commands).  ``dry_run`` also lists the changes (``result.changes``).

    A blank cell, like an absent column, leaves the field of a stored record as it is;
    ``clear_blank``: an empty cell of a present column clears it (to empty, or to the
    column's default where it has one: the studio's 有标牌… flags 否, 类型 劳模创新工作室,
    经济效益 0); ``clear``: only these fields (English keys or Chinese headers) are cleared so.
    ``patch``: required columns may be absent and a row whose key is not stored is refused
    (raises :class:`MissingFields` naming what a new record needs).  ``correct``: the reason
    of a deliberate correction of a person's name or ID number (people only; audited).
    ``own_transaction=False``: a dry run or an aborted import leaves the rollback to the caller
    (several sheets of one workbook are one transaction: ``laomo.ledger.workbook``).
    ``started``: this source's import begun before the database was opened (:func:`start_import`,
    for the same kind and database, with ``patch`` and ``keep_cells`` as this call implies); the
    caller closes it.
    """
    kind_def = KINDS.get(kind)
    if kind_def is None:
        raise UsageError(f"未知的导入类型 {kind}，可选：{' '.join(KINDS)}")
    if on_error not in ("abort", "skip"):
        raise UsageError(f"出错时的处理方式「{on_error}」无效，只能是 abort 或 skip", option="on_error")
    if correct is not None and kind != "people":
        raise UsageError("更正只适用于人员的姓名和身份证号", option="correct")
    if correct is not None and not correct.strip():
        raise UsageError("更正须注明原因", option="reason")
    mode = Mode(clear_blank=clear_blank, clear=clear_keys(kind_def, clear), patch=patch,
                correct=correct.strip() if correct else None, audit_inserts=audit_inserts)
    began = time.perf_counter()
    result = ImportResult(kind, source.name, source.encoding, dry_run=dry_run)
    result.sheet, result.header_line = source.sheet, source.header_line
    keep_cells = on_error == "skip" and not dry_run  # for the rejects file
    database = session.connection().dialect.name
    if started is None:
        prepared = _prepare(source, kind_def, database, keep_cells=keep_cells, patch=patch)
    elif (started.kind, started.database, started.keep_cells, started.patch) != (kind, database, keep_cells, patch):
        raise ValueError("import_source: started for another kind, database, rejects or patch setting")
    else:
        prepared = started
    header, file_check = prepared.header, prepared.file_check
    result.warnings, result.ignored_columns = header.warnings, header.ignored
    rejects = None
    try:
        rejects = _open_rejects(session, source, rejects_path) if keep_cells else None
        imp = _Importer(session, prepared.parser, result, rejects, mode)
        with bulk_cache(imp.conn), pipeline.no_cycle_collection():
            for packed, fraction in pipeline.packed_chunks(imp.parse_packed, source, CHUNK, keep_cells=keep_cells,
                                                           size=getattr(source, "size", None),
                                                           check=file_check.check if file_check else None,
                                                           worker=prepared.worker):
                result.read += len(packed)
                imp.flush_packed(packed)
                if progress is not None:
                    progress(fraction)
            imp.finish_conflicts(source)
            imp.close()
        result.skipped = source.skipped
        if progress is not None:
            progress(1.0)
    except BaseException:
        if rejects is not None:
            rejects.finish(keep=False)
            rejects = None
        raise
    finally:
        if started is None:
            prepared.close()
    if rejects is not None and rejects.finish(keep=True):
        result.rejects_file = str(rejects.path)
    result.errors.sort(key=lambda e: e.line)  # conflicts are found after the other problems
    _finish(session, source, result, aborted=result.rejected > 0 and on_error == "abort",
            audit_import=not audit_inserts, own_transaction=own_transaction)
    result.seconds = time.perf_counter() - began
    if result.missing:
        needed = "、".join(kind_def.column(k).header for k in result.missing)
        raise MissingFields(f"{kind_def.label} {result.errors[0].value} 尚未登记，新登记须提供：{needed}",
                            fields=result.missing)
    return result


def _open_rejects(session: Session, source: Source, rejects_path: Path | None) -> _Rejects:
    from laomo.store.targets import check_target, url_files

    path = rejects_path or Path((source.name if source.name != "<标准输入>" else "stdin") + ".rejects.csv")
    url = session.connection().engine.url.render_as_string(hide_password=False)
    path = check_target(path, label="拒收文件", database=url_files(url), inputs=[Path(source.name)])
    return _Rejects(path, source.header)


def _finish(session: Session, source: Source, result: ImportResult, *, aborted: bool, audit_import: bool,
            own_transaction: bool = True) -> None:
    """Roll back a dry run or an aborted import; otherwise audit the import (unless its rows were)."""
    if result.dry_run or aborted:
        if own_transaction:
            session.rollback()
        if aborted:
            result.inserted = result.updated = result.unchanged = 0
        return
    if audit_import:
        where = f"{source.name}#{result.sheet}" if result.sheet else source.name
        audit.record(session.connection(), "import", f"{result.kind}:{where}"[:200], None, {
            "file": source.name, **({"sheet": result.sheet} if result.sheet else {}),
            "sha256": source.sha256, "encoding": source.encoding,
            "read": result.read, "inserted": result.inserted, "updated": result.updated,
            "unchanged": result.unchanged, "rejected": result.rejected,
        })
    result.committed = True


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

    rows_again = rows
