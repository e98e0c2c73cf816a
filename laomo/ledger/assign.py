"""没有编号的行：按身份证号（人员）、名称（工作室）或工作室+名称+日期（成果）找到已登记的记录，
找不到时分配下一个编号。

import-formats.md, "Identity": enterprise files carry no codes.  A people row without
编号 is the person stored under its 身份证号, else a new person (a row with neither
is refused: nothing else identifies a person for sure); a studio row without 编号 is
the studio of that exact name, else a new studio; an achievement row without 编号
is the achievement of its studio with that title and date, else a new one.  A new
record gets the next free code continuing the ledger's own pattern: the highest code
of the kind's prefix plus one, in that code's width (after P0325 comes P0326,
after A00542 A00543; ``P0001``, ``S0001``, ``A00001`` in an empty ledger).  Codes
are handed out in line order; a row refused later (``--on-error skip``) may leave
its number unused — a gap, never a code given twice.

Set-based per chunk (one ``SELECT`` for the chunk's ID numbers, names or titles);
what this import assigned stays findable for its later chunks because every chunk
is written before the next is read (people: also through the import's ID-number table).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from laomo.ledger.references import MAX_CANDIDATES

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

    from laomo.ledger.columns import Kind
    from laomo.ledger.identity import StoredIdNumbers
    from laomo.ledger.rowparser import Row

#: width of the first code of a kind in an empty ledger (the sample county's: P0001, S0001, A00001)
FIRST_WIDTH = {"P": 4, "S": 4, "A": 5}
#: assigned codes listed in a summary (the count is always whole)
MAX_LISTED = 10_000


class CodeCounter:
    """The next free code with ``prefix`` in ``table`` (read once, on first use)."""

    def __init__(self, conn: Connection, table: Table, prefix: str) -> None:
        self.conn, self.table, self.prefix = conn, table, prefix
        self.last: int | None = None
        self.width = FIRST_WIDTH.get(prefix, 4)

    def _start(self) -> None:
        from sqlalchemy import select

        pattern = re.compile(re.escape(self.prefix) + r"([0-9]+)")
        best, width = 0, self.width
        rows = self.conn.execute(select(self.table.c.code).where(self.table.c.code.like(self.prefix + "%")))
        for (code,) in rows:
            m = pattern.fullmatch(code)
            if m is None:
                continue
            number = int(m.group(1))
            if number > best:
                best, width = number, len(m.group(1))
            elif number == best:
                width = max(width, len(m.group(1)))
        self.last, self.width = best, width

    def next(self) -> str:
        if self.last is None:
            self._start()
        assert self.last is not None
        self.last += 1
        return f"{self.prefix}{self.last:0{self.width}d}"


class Assigner:
    """Finds or assigns the codes of one import's rows that have none (see the module docstring).
    ``pos``: positions in a parsed row; ``shown``: headers as written; ``stored``: the people
    import's table of stored ID numbers; ``assigned``: the summary's list to append to."""

    # long: one import's fixed state (positions and queries per kind)
    def __init__(self, conn: Connection, kind: Kind, table: Table, pos: dict[str, int], shown: dict[str, str],
                 stored: StoredIdNumbers | None, assigned: list[dict[str, Any]]) -> None:
        col = kind.assigned
        assert col is not None and col.assign is not None
        self.conn, self.kind, self.table, self.pos = conn, kind, table, pos
        self.code_p = pos[col.target]
        self.code_shown = shown.get(col.key, col.header)
        self.shown = shown
        self.stored = stored
        self.counter = CodeCounter(conn, table, col.assign)
        self.assigned = assigned
        self.count = 0

    def run(self, rows: list[Row], keytext: Any) -> list[Row]:
        """Give every row without a code its code; the rows left without problems."""
        todo = [r for r in rows if r.values[self.code_p] is None]
        if not todo:
            return rows
        match = {"people": self._people, "studios": self._studios, "achievements": self._achievements}
        match[self.kind.name](todo, keytext)
        return [r for r in rows if not r.problems]

    def _new(self, r: Row, keytext: Any) -> str:
        code = self.counter.next()
        r.values[self.code_p] = code
        self.count += 1
        if len(self.assigned) < MAX_LISTED:
            self.assigned.append({"line": r.line, "key": keytext(r)})
        return code

    def _people(self, rows: list[Row], keytext: Any) -> None:
        p = self.pos["id_number"]
        ids = {r.values[p] for r in rows if r.values[p] is not None}
        owners = self.stored.owners(ids) if self.stored is not None else {}
        mine: dict[str, str] = {}
        for r in rows:
            idn = r.values[p]
            if idn is None:
                r.problems.append((self.code_shown, "", "编号和身份证号都没有填写：新人员须填写身份证号"
                                                        "（据以识别人员、分配编号），已登记的人员请填写编号"))
                continue
            if idn in owners:
                r.values[self.code_p] = owners[idn][0]
            elif idn in mine:
                r.values[self.code_p] = mine[idn]
            else:
                mine[idn] = self._new(r, keytext)
        if mine and self.stored is not None:
            self.stored.add(mine)

    def _studios(self, rows: list[Row], keytext: Any) -> None:
        from sqlalchemy import select

        p = self.pos["name"]
        t = self.table
        names = {" ".join(str(r.values[p]).split()) for r in rows}
        stored: dict[str, list[str]] = {}
        for name, code in self.conn.execute(select(t.c.name, t.c.code).where(t.c.name.in_(names))):
            stored.setdefault(" ".join(name.split()), []).append(code)
        mine: dict[str, str] = {}
        for r in rows:
            name = " ".join(str(r.values[p]).split())
            codes = stored.get(name, [])
            if len(codes) > 1:
                listed = "、".join(sorted(codes)[:MAX_CANDIDATES])
                r.problems.append((self.shown.get("name", "名称"), name,
                                   f"名称「{name}」对应多个工作室：{listed}，请填写编号"))
            elif codes:
                r.values[self.code_p] = codes[0]
            elif name in mine:
                r.values[self.code_p] = mine[name]
            else:
                mine[name] = self._new(r, keytext)

    def _achievements(self, rows: list[Row], keytext: Any) -> None:
        ps, pt, pd = self.pos["studio_id"], self.pos["title"], self.pos["date"]
        t = self.table
        sql = (f"SELECT studio_id, title, date, code FROM {self.conn.dialect.identifier_preparer.format_table(t)}"
               " WHERE studio_id IN ({}) AND title IN ({})")
        ph = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        studios = sorted({r.values[ps] for r in rows})
        titles = sorted({r.values[pt] for r in rows})
        stored: dict[tuple[Any, Any, Any], list[str]] = {}
        for sid, title, day, code in self.conn.exec_driver_sql(
                sql.format(", ".join([ph] * len(studios)), ", ".join([ph] * len(titles))), (*studios, *titles)):
            stored.setdefault((sid, title, day), []).append(code)
        mine: dict[tuple[Any, Any, Any], str] = {}
        for r in rows:
            key = (r.values[ps], r.values[pt], r.values[pd])
            codes = stored.get(key, [])
            if len(codes) > 1:
                r.problems.append((self.code_shown, "", f"本工作室已有多条同名同日期的成果（编号 "
                                                        f"{'、'.join(sorted(codes)[:MAX_CANDIDATES])}），请填写编号"))
            elif codes:
                r.values[self.code_p] = codes[0]
            elif key in mine:
                r.values[self.code_p] = mine[key]
            else:
                mine[key] = self._new(r, keytext)

