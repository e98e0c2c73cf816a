"""What a dry run would change: every record it would insert or update, field by field.

``import_source(..., dry_run=True)`` fills ``ImportResult.changes`` with
``{"line", "key", "action", "fields": {FIELD: [before, after]}}`` (import-formats.md,
Behaviour): ``action`` is ``"insert"`` or ``"update"``; ``FIELD`` is the column's English
key (``leader``, not ``leader_id``); values are JSON-able (text, numbers, booleans, ISO
dates), references are given by code, and personal data (ID numbers, phones) is masked.
An insert lists the fields it sets (blank ones left out), an update the fields it changes.

Memory stays bounded: at most :data:`MAX_CHANGES` changes are kept, in file order; the
rest are only counted (``ImportResult.changes_omitted``).  The command line prints the
first :data:`MAX_SHOWN` of them as text (all kept ones with ``--json``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from laomo.safe import mask

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

    from laomo.ledger.columns import Kind
    from laomo.ledger.rowparser import Row

MAX_CHANGES = 10_000
MAX_SHOWN = 200

Change = dict[str, Any]


class Changes:
    """Collects one dry run's changes into ``changes`` (a list the result owns)."""

    def __init__(self, conn: Connection, kind: Kind, table: Table, pos: dict[str, int],
                 keytext: Callable[[Row], str], changes: list[Change]) -> None:
        from sqlalchemy import Boolean

        self.conn = conn
        self.changes = changes
        self.omitted = 0
        self.keytext = keytext
        self.names = {c.target: c.key for c in kind.columns}  # fixed columns are not the user's fields
        self.pii = {c.target for c in kind.columns if c.pii}
        self.bools = {c.target for c in kind.columns if isinstance(table.c[c.target].type, Boolean)}
        self.refs = {c.target: (table.metadata.tables[c.ref], pos[c.target]) for c in kind.columns if c.ref}
        self._pending: list[tuple[list[Any], Table, int]] = []  # [before, after] whose before is a row id

    def note(self, r: Row, action: str, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
        if len(self.changes) >= MAX_CHANGES:
            self.omitted += 1
            return
        fields: dict[str, list[Any]] = {}
        for name, value in after.items():
            field = self.names.get(name)
            if field is None or (before is None and value is None):
                continue
            pair = [self._plain(name, None if before is None else before.get(name)), self._plain(name, value)]
            ref = self.refs.get(name)
            if ref is not None:  # references by code: the row's as written, the stored one looked up
                table, p = ref
                pair[1] = r.codes.get(p, pair[1])
                if pair[0] is not None:
                    self._pending.append((pair, table, pair[0]))
            fields[field] = pair
        self.changes.append({"line": r.line, "key": self.keytext(r), "action": action, "fields": fields})

    def _plain(self, name: str, value: Any) -> Any:
        if value is None:
            return None
        if name in self.bools:
            return bool(value)
        if name in self.pii:
            return mask(str(value))
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        if isinstance(value, Decimal):
            return float(value)
        return value

    def resolve(self) -> None:
        """Stored references (row ids) become codes: one query per referenced table (per chunk)."""
        from sqlalchemy import select

        pending, self._pending = self._pending, []
        for table in {t for _, t, _ in pending}:
            ids = {rid for _, t, rid in pending if t is table}
            codes = dict(self.conn.execute(select(table.c.id, table.c.code).where(table.c.id.in_(ids))).all())
            for pair, t, rid in pending:
                if t is table:
                    pair[0] = codes.get(rid, rid)
