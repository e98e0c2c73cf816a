"""Who is who in a people import: the 身份证号 checks that look beyond one row.

An 18-character ID number identifies a person across the whole ledger
(import-formats.md, "Identity"), so an import refuses a row whose 身份证号 is
stored under another 编号, and a row whose 身份证号 an earlier row of the same
file gave to another 编号 (the file contradicts itself, whether or not that
earlier row is written).  Both checks are set-based, one statement per chunk:

* :class:`StoredIdNumbers` (the writing side, in the import's transaction):
  ``person.id_number`` has no index, so a temporary table keyed by ID number
  holds the stored ``id_number -> code``, filled once when the import starts
  (one scan); per chunk, one indexed ``SELECT … WHERE id_number IN (…)`` —
  none at all when no stored person has an ID number.  It goes with the
  transaction (a rollback) or :meth:`StoredIdNumbers.close` (before a commit).
* :class:`FileIdNumbers` (the parsing side: the parse worker process for a
  large file, see :mod:`laomo.ledger.pipeline`): which line and code of this
  file first gave each ID number — a dict for the first
  :data:`MEMORY_IDS`, then a private temporary SQLite database of the parsing
  process (never the ledger), so memory stays bounded.  On a two-core machine
  this work runs beside the writer, which is the slower half of an import.

A row's 编号 stored with another 姓名 or 身份证号 is checked per row where the
stored row is read anyway (:meth:`PeopleChecks.conflicting`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from laomo.safe import mask

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from laomo.ledger.pipeline import Packed
    from laomo.ledger.rowparser import Row

TABLE = "laomo_import_id_numbers"
#: ID numbers of one file the parsing side remembers in memory before it moves them to disk
MEMORY_IDS = 200_000
#: the page cache of the parsing side's private database (KiB): random inserts stay in memory
FILE_CACHE_KIB = 8192
_MASK = (1 << 64) - 1  # a code is compared by its 64-bit hash (hash() of a str is stable within a process)


def _signed(value: int) -> int:
    """A 64-bit hash as SQLite's signed INTEGER."""
    return value - (1 << 64) if value >= 1 << 63 else value


class StoredIdNumbers:
    """The stored ``id_number -> code`` of the ledger as the import starts (see the module docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        sqlite = conn.dialect.name == "sqlite"
        self.ph = "?" if conn.dialect.paramstyle == "qmark" else "%s"
        self.table = table = f"temp.{TABLE}" if sqlite else f"pg_temp.{TABLE}"
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {TABLE} (id_number VARCHAR(18) PRIMARY KEY, code VARCHAR(64) NOT NULL)"
            + (" WITHOUT ROWID" if sqlite else ""))
        # a ledger written before these checks may hold one ID number under two codes: the
        # lowest code stands for it (a row with either other code is then a conflict to resolve)
        self.empty = conn.exec_driver_sql(
            f"INSERT INTO {table} (id_number, code) SELECT id_number, MIN(code) FROM person "
            "WHERE id_number IS NOT NULL GROUP BY id_number").rowcount == 0

    def owners(self, id_numbers: Iterable[str]) -> dict[str, tuple[str, str]]:
        """``id_number -> (code, name)`` of those of these ID numbers that are stored."""
        wanted = list(id_numbers)
        if self.empty or not wanted:
            return {}
        sql = (f"SELECT t.id_number, t.code, p.name FROM {self.table} t JOIN person p ON p.code = t.code "
               f"WHERE t.id_number IN ({', '.join([self.ph] * len(wanted))})")
        return {idn: (code, name) for idn, code, name in self.conn.exec_driver_sql(sql, tuple(wanted)).fetchall()}

    def add(self, codes: dict[str, str]) -> None:
        """Remember ``id_number -> code`` of people this import assigns codes to (its later rows with
        the same ID number are then the same person)."""
        self.conn.exec_driver_sql(f"INSERT INTO {self.table} (id_number, code) VALUES ({self.ph}, {self.ph})",
                                  list(codes.items()))
        self.empty = False

    def close(self) -> None:
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {self.table}")


def file_check(*, pos: dict[str, int], present: set[str], shown: dict[str, str]) -> FileIdNumbers | None:
    """The parsing side's check of a people file with these parsed-row positions, mapped fields and
    headers as written (None without an ID number column)."""
    if "id_number" not in present:
        return None
    return FileIdNumbers(id_p=pos["id_number"], code_p=pos["code"], name_p=pos["name"] if "name" in present else None,
                         id_shown=shown.get("id_number", "身份证号"))


class FileIdNumbers:
    """The parsing side's check of one file: an ID number given to two codes (see the module
    docstring).  ``check`` takes a chunk of parsed rows (``Packed``) and adds a problem to each
    row whose ID number an earlier row of the file gave to another code.

    The first :data:`MEMORY_IDS` ID numbers are remembered in a dict, each with its line and a
    64-bit hash of its code in one int (about 150 bytes each; a row costs one dict call);
    beyond that, they move to a private temporary SQLite database of the parsing process
    (never the ledger; its page cache is bounded), claimed per chunk with one ``INSERT … ON
    CONFLICT DO NOTHING`` and, only when some were there already, one ``SELECT`` — so memory
    stays bounded however large the file.  The message names the earlier line.
    """

    def __init__(self, *, id_p: int, code_p: int, name_p: int | None, id_shown: str) -> None:
        self.id_p, self.code_p, self.name_p, self.id_shown = id_p, code_p, name_p, id_shown
        self._seen: dict[str, int] = {}  # ID number -> line << 64 | hash of the code, of its first row
        self._db: sqlite3.Connection | None = None  # opened when the dict is full, where the file is parsed

    def _who(self, values: list[Any]) -> str:
        name = values[self.name_p] if self.name_p is not None else None
        return f"{values[self.code_p]} {name}" if name else str(values[self.code_p])

    def _refuse(self, row: Packed, line: int) -> None:
        idn = row[2][self.id_p]
        row[3].append((self.id_shown, idn, f"身份证号 {mask(idn)} 已在第 {line} 行用于另一编号，"
                                           f"本行是 {self._who(row[2])}"))

    def check(self, rows: list[Packed]) -> None:
        if self._db is not None:
            self._check_stored(rows)
            return
        p, pc, seen = self.id_p, self.code_p, self._seen
        remember = seen.setdefault
        for row in rows:
            line, _, values, problems, _ = row
            idn = values[p]
            if idn is None or problems or values[pc] is None:  # no code: found by ID number when written
                continue
            code = hash(values[pc]) & _MASK
            first = remember(idn, line << 64 | code)
            if first & _MASK != code:
                self._refuse(row, first >> 64)
        if len(seen) > MEMORY_IDS:
            self._spill()

    def _spill(self) -> None:
        db = self._db = sqlite3.connect("", isolation_level=None)  # a private temporary database
        db.execute(f"PRAGMA cache_size = -{FILE_CACHE_KIB}")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("CREATE TABLE claim (id_number TEXT PRIMARY KEY, code INTEGER NOT NULL, line INTEGER NOT NULL)"
                   " WITHOUT ROWID")
        db.execute("BEGIN")  # one transaction, never committed: pages are written out only when the cache is full
        db.executemany("INSERT INTO claim VALUES (?, ?, ?)",
                       ((i, _signed(v & _MASK), v >> 64) for i, v in self._seen.items()))
        self._seen = {}

    def _check_stored(self, rows: list[Packed]) -> None:
        assert self._db is not None
        p, pc = self.id_p, self.code_p
        good = [row for row in rows if not row[3] and row[2][p] is not None and row[2][pc] is not None]
        given = [row[2][p] for row in good]
        first = dict(zip(reversed(given), reversed(good)))  # the first row of each ID number
        if len(first) < len(given):  # an ID number repeats within the chunk
            for row in good:
                f = first[row[2][p]]
                if f is not row and f[2][pc] != row[2][pc]:
                    self._refuse(row, f[0])
        claims = [(idn, _signed(hash(row[2][pc]) & _MASK), row[0]) for idn, row in first.items()]
        if self._db.executemany("INSERT INTO claim VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                                claims).rowcount == len(claims):
            return
        wanted = list(first)
        owners = {idn: (code, line) for idn, code, line in self._db.execute(
            f"SELECT id_number, code, line FROM claim WHERE id_number IN ({', '.join('?' * len(wanted))})", wanted)}
        for row in good:
            code, line = owners[row[2][p]]
            if code != _signed(hash(row[2][pc]) & _MASK) and line < row[0] and not row[3]:
                self._refuse(row, line)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._seen = {}


def _paren(id_number: str | None) -> str:
    return f"（{mask(id_number)}）" if id_number else ""


class PeopleChecks:
    """The identity rules of a people import (import-formats.md, "Conflicts are errors, never
    updates") on the writing side, applied to the rows of a chunk before they are written.

    * :meth:`check_stored` (per chunk, set-based): a row whose 身份证号 is stored under another
      编号 is refused (an ID number given to two codes within the file: :class:`FileIdNumbers`);
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
        self.stored = StoredIdNumbers(conn) if "id_number" in present else None
        self.code_p, self.name_p, self.id_p = pos["code"], pos["name"], pos["id_number"]
        self.has_name, self.has_id = "name" in present, "id_number" in present
        self.at_name, self.at_id = at["name"], at["id_number"]
        self.code_shown = shown.get("code", "编号")
        self.id_shown = shown.get("id_number", "身份证号")
        self.correct = correct
        #: a conflict a deliberate correction would resolve was found (the command layer's hint)
        self.correctable = False

    def _who(self, r: Row) -> str:
        name = r.values[self.name_p] if self.has_name else None
        return f"{r.values[self.code_p]} {name}" if name else str(r.values[self.code_p])

    def check_stored(self, good: list[Row]) -> list[Row]:
        """Refuse rows giving an ID number stored under another code; the rows left."""
        if self.stored is None or self.stored.empty:
            return good
        p, pc = self.id_p, self.code_p
        owners = self.stored.owners({r.values[p] for r in good if r.values[p] is not None})
        clash = [r for r in good if r.values[p] in owners and owners[r.values[p]][0] != r.values[pc]]
        for r in clash:
            code, name = owners[r.values[p]]
            r.problems.append((self.id_shown, r.values[p], f"身份证号 {mask(r.values[p])} 已属于 {code} {name}，"
                                                          f"本行是 {self._who(r)}"))
        return [r for r in good if not r.problems] if clash else good

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

    def close(self) -> None:
        if self.stored is not None:
            self.stored.close()
