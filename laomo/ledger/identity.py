"""Who is who during one people import: which code each ID number belongs to.

An 18-character ID number identifies a person across the whole ledger
(import-formats.md, "Identity"), so an import refuses a row whose 身份证号 is
already stored under another 编号 — stored before the import, or written by an
earlier row of the same import.

``person.id_number`` has no index, so asking the person table for a chunk's ID
numbers would scan the whole table once per chunk (quadratic in a large
import).  Instead :class:`IdNumbers` keeps a temporary table, keyed by ID
number, of ``id_number -> (code, line)``: filled once from the stored people
when the import starts (one scan; line NULL), then the file's rows *claim*
their ID numbers chunk by chunk with one ``INSERT … ON CONFLICT DO NOTHING``
(executemany).  When every ID number of a chunk is new — a fresh import — that
is all; only when some ID number was there already does one ``SELECT … WHERE
id_number IN (…)`` say whose it is: a stored person's, or a code on an earlier
line of the file (a file giving one ID number to two codes contradicts itself,
whether or not the earlier row is written).  No per-row queries, no per-row
memory.  The table lives in the import's transaction: a rollback (dry run,
abort, error) takes it away, and :meth:`IdNumbers.close` drops it before a
commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from laomo.safe import mask

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from laomo.ledger.rowparser import Row

TABLE = "laomo_import_id_numbers"
#: SQLite: the page cache of the temporary table while an import runs (KiB; memory stays bounded)
TEMP_CACHE_KIB = 16384


class IdNumbers:
    """The ``id_number -> (code, line)`` table of one import (see the module docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        sqlite = conn.dialect.name == "sqlite"
        self.ph = ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.table = table = f"temp.{TABLE}" if sqlite else f"pg_temp.{TABLE}"
        self._cache: int | None = None
        if sqlite:  # room for the table's pages in memory (2 MB by default): a quarter less time to claim
            self._cache = conn.exec_driver_sql("PRAGMA temp.cache_size").scalar()
            conn.exec_driver_sql(f"PRAGMA temp.cache_size = -{TEMP_CACHE_KIB}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {TABLE} (id_number VARCHAR(18) PRIMARY KEY, code VARCHAR(64) NOT NULL, "
            "line INTEGER)" + (" WITHOUT ROWID" if sqlite else ""))
        # a ledger written before these checks may hold one ID number under two codes: the
        # lowest code stands for it (a row with either other code is then a conflict to resolve)
        conn.exec_driver_sql(
            f"INSERT INTO {table} (id_number, code) SELECT id_number, MIN(code) FROM person "
            "WHERE id_number IS NOT NULL GROUP BY id_number")
        self._claim = f"INSERT INTO {table} (id_number, code, line) VALUES ({ph}, {ph}, {ph}) ON CONFLICT DO NOTHING"

    def claim(self, rows: list[tuple[str, str, int]]) -> bool:
        """Record ``(id_number, code, line)``; True when every ID number was new (no owner to check)."""
        if not rows:
            return True
        done = self.conn.exec_driver_sql(self._claim, rows).rowcount
        return done == len(rows)

    def drop(self, id_numbers: list[str]) -> None:
        """ID numbers no longer stored (a deliberate correction of a person's ID number)."""
        if id_numbers:
            self.conn.exec_driver_sql(f"DELETE FROM {self.table} WHERE id_number = {self.ph}",
                                      [(i,) for i in id_numbers])

    def owners(self, id_numbers: Iterable[str]) -> dict[str, tuple[str, int | None]]:
        """``id_number -> (code, line)``: whose each of these ID numbers is (line None: stored)."""
        wanted = list(id_numbers)
        if not wanted:
            return {}
        sql = (f"SELECT id_number, code, line FROM {self.table} "
               f"WHERE id_number IN ({', '.join([self.ph] * len(wanted))})")
        return {idn: (code, line) for idn, code, line in self.conn.exec_driver_sql(sql, tuple(wanted)).fetchall()}

    def names(self, codes: Iterable[str]) -> dict[str, tuple[str, str | None]]:
        """``code -> (name, id_number)`` of stored people (for messages: the error path only)."""
        wanted = list(set(codes))
        if not wanted:
            return {}
        sql = f"SELECT code, name, id_number FROM person WHERE code IN ({', '.join([self.ph] * len(wanted))})"
        return {code: (name, idn) for code, name, idn in self.conn.exec_driver_sql(sql, tuple(wanted)).fetchall()}

    def close(self) -> None:
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.table}")
        if self._cache is not None:
            self.conn.exec_driver_sql(f"PRAGMA temp.cache_size = {int(self._cache)}")


def _paren(id_number: str | None) -> str:
    return f"（{mask(id_number)}）" if id_number else ""


class PeopleChecks:
    """The identity rules of a people import (import-formats.md, "Conflicts are errors, never
    updates"), applied to the rows of a chunk before they are written.

    * :meth:`check_id_numbers` (per chunk, set-based): a row whose 身份证号 is stored under
      another 编号, or given to another 编号 by an earlier row of this chunk, is refused;
    * :meth:`conflicting` (per row whose 编号 is stored): a row whose 姓名 differs from the stored
      one, or whose 身份证号 differs from a stored one, is refused naming the stored person.
      A blank cell is no difference (it keeps the stored value); a deliberate correction
      (``correct``, a single record with a reason) is let through.

    ``pos``: positions in a parsed row; ``present``: the fields the source gives; ``at``:
    positions of the stored name and ID number in a selected row; ``shown``: the columns as
    written in the file's header.
    """

    def __init__(self, conn: Connection, *, pos: dict[str, int], present: set[str], at: dict[str, int],
                 shown: dict[str, str], correct: bool) -> None:
        self.ids = IdNumbers(conn) if "id_number" in present else None
        self.code_p, self.name_p, self.id_p = pos["code"], pos["name"], pos["id_number"]
        self.has_name, self.has_id = "name" in present, "id_number" in present
        self.at_name, self.at_id = at["name"], at["id_number"]
        self.code_shown = shown.get("code", "编号")
        self.id_shown = shown.get("id_number", "身份证号")
        self.correct = correct
        #: a conflict a deliberate correction would resolve was found (the command layer's hint)
        self.correctable = False
        self._dropped: list[str] = []

    def _who(self, r: Row) -> str:
        name = r.values[self.name_p] if self.has_name else None
        return f"{r.values[self.code_p]} {name}" if name else str(r.values[self.code_p])

    def check_id_numbers(self, good: list[Row]) -> list[Row]:
        """Refuse rows giving an ID number that belongs to another code; the rows left.  The
        chunk's ID numbers are claimed for their rows' codes (see the module docstring)."""
        if self.ids is None:
            return good
        p, pc = self.id_p, self.code_p
        given: list[Any] = [r.values[p] for r in good]  # ID numbers, None for rows without one
        first: dict[Any, Row] = dict(zip(reversed(given), reversed(good)))  # the first row of each
        first.pop(None, None)
        bad = False
        if len(first) < len(given) - given.count(None):  # an ID number repeats within the chunk
            for r in good:
                f = first.get(r.values[p])
                if f is not None and f is not r and f.values[pc] != r.values[pc]:
                    r.problems.append((self.id_shown, r.values[p], f"身份证号 {mask(r.values[p])} 已在第 {f.line} "
                                                                  f"行用于 {self._who(f)}，本行是 {self._who(r)}"))
                    bad = True
        if self.ids.claim([(idn, r.values[pc], r.line) for idn, r in first.items()]):
            return [r for r in good if not r.problems] if bad else good
        owners = self.ids.owners(first)
        clash = [(r, *owners[r.values[p]]) for r in good
                 if r.values[p] in owners and owners[r.values[p]][0] != r.values[pc] and not r.problems]
        names = self.ids.names(code for _, code, line in clash if line is None)
        for r, code, line in clash:
            idn = mask(r.values[p])
            whose = f"已在第 {line} 行用于 {code}" if line is not None else f"已属于 {code} {names.get(code, ('',))[0]}"
            r.problems.append((self.id_shown, r.values[p], f"身份证号 {idn} {whose}，本行是 {self._who(r)}"))
        return [r for r in good if not r.problems]

    def conflicting(self, r: Row, old: list[Any]) -> bool:
        """Whether a row for a stored person (blank cells already filled in from the stored
        record) would change the name or the ID number: then it is refused."""
        if self.correct:
            return False
        name, idn = old[self.at_name], old[self.at_id]
        new_name = r.values[self.name_p] if self.has_name else name
        new_id = r.values[self.id_p] if self.has_id else idn
        if new_name == name and (idn is None or new_id is None or new_id == idn):
            return False
        code = r.values[self.code_p]
        r.problems.append((self.code_shown, code, f"编号 {code} 已属于 {name}{_paren(idn)}，本行是 {new_name}"
                                                  f"{_paren(new_id) if new_id != idn else ''}"))
        self.correctable = True
        return True

    def moved(self, old: str | None) -> None:
        """A stored person's ID number was corrected: the old one is free again (the new one was
        claimed with the chunk)."""
        if old is not None:
            self._dropped.append(old)

    def written(self) -> None:
        """After a chunk is written: corrected ID numbers are free again."""
        if self.ids is not None and self._dropped:
            self.ids.drop(self._dropped)
            self._dropped = []

    def close(self) -> None:
        if self.ids is not None:
            self.ids.close()
