"""引用识别：把文件里的人员（编号、身份证号或姓名）和工作室（编号或名称）找成台账记录。

import-formats.md, "Identity": a reference to a person (领衔人, 人员, 师傅, 徒弟) may be
a code, an ID number, or a name that is unique in the ledger — and, for members and
mentorships, unique among that studio's members when several people share it; a
reference to a studio is its code or its name (exact, white space normalised).  An
ambiguous name is an error listing the candidates' codes; the ID number decides who
is meant, and a name or code that disagrees with it is an error, never a guess.

All set-based, per chunk of rows: one ``SELECT`` per form (codes, ID numbers, names)
and reference column, plus one over ``member`` for the names that are ambiguous.
A reference written as a plain code (the common case of a county's own files) costs
one query for the chunk, as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.ledger import values as v
from laomo.ledger.header import RefCell
from laomo.safe import mask

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Connection

    from laomo.ledger.columns import Col
    from laomo.ledger.rowparser import Row

LABEL = {"person": "人员", "studio": "工作室"}
MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Found:
    id: int
    code: str
    name: str
    id_number: str | None = None


def _shown(ref: Any) -> str:
    """A reference as quoted in a message (an ID number masked)."""
    if not isinstance(ref, RefCell):
        return str(ref)
    parts = [p for p in (ref.code, mask(ref.id) if ref.id else None, ref.name, ref.any) if p]
    return " ".join(parts)


class References:
    """Resolves the reference columns of one import (``ref_pos``: position in a parsed row,
    column, header as written), studio references first, in the import's transaction."""

    def __init__(self, conn: Connection, meta_tables: Any, ref_pos: list[tuple[int, Col, str]],
                 *, by_studio: bool) -> None:
        self.conn = conn
        self.tables = meta_tables
        # studios first: a member's or a mentorship's name is looked up among that studio's members
        self.ref_pos = sorted(ref_pos, key=lambda e: e[1].ref != "studio")
        self.studio_p = next((p for p, c, _ in ref_pos if c.ref == "studio"), None)
        self.by_studio = by_studio

    def resolve(self, rows: list[Row]) -> None:
        for p, col, shown in self.ref_pos:
            assert col.ref is not None
            live = [r for r in rows if not r.problems and r.values[p] is not None]
            if not live:
                continue
            found = self._lookup(col.ref, [r.values[p] for r in live])
            members = self._members(col.ref, live, found)
            for r in live:
                ref = r.values[p]
                try:
                    hit = self._pick(col.ref, ref, found, members.get(r.values[self.studio_p])
                                     if self.studio_p is not None and self.by_studio else None)
                except v.Invalid as exc:
                    r.problems.append((shown, _shown(ref), str(exc)))
                    continue
                r.values[p] = hit.id
                r.codes[p] = hit.code

    # -- lookups -----------------------------------------------------------
    def _lookup(self, what: str, refs: list[Any]) -> dict[str, dict[Any, list[Found]]]:
        """Stored records by code, ID number and name, for the chunk's references."""
        codes, ids, names = set(), set(), set()
        for ref in refs:
            if not isinstance(ref, RefCell):
                codes.add(ref)
                continue
            if ref.code:
                codes.add(ref.code)
            if ref.id:
                ids.add(ref.id)
            if ref.name:
                names.add(ref.name)
            if ref.any:
                codes.add(ref.any)
                names.add(ref.any)
        table = self.tables[what]
        person = what == "person"
        return {"code": self._select(table, "code", codes, person),
                "id": self._select(table, "id_number", ids, person) if person else {},
                "name": self._select(table, "name", names, person)}

    def _select(self, table: Table, column: str, wanted: set[Any], person: bool) -> dict[Any, list[Found]]:
        from sqlalchemy import select

        if not wanted:
            return {}
        cols = [table.c.id, table.c.code, table.c.name] + ([table.c.id_number] if person else [])
        out: dict[Any, list[Found]] = {}
        for row in self.conn.execute(select(*cols, table.c[column]).where(table.c[column].in_(wanted))):
            out.setdefault(row[-1], []).append(Found(*row[:-1]))
        return out

    def _members(self, what: str, live: list[Row], found: dict[str, dict[Any, list[Found]]]) -> dict[Any, set[int]]:
        """For names shared by several people: which of them are members of each row's studio."""
        from sqlalchemy import select

        from laomo.domain.predicates import in_force

        if what != "person" or not self.by_studio or self.studio_p is None:
            return {}
        shared = {f.id for fs in found["name"].values() if len(fs) > 1 for f in fs}
        studios = {r.values[self.studio_p] for r in live}
        if not shared or not studios:
            return {}
        m = self.tables["member"]
        out: dict[Any, set[int]] = {}
        for sid, pid in self.conn.execute(select(m.c.studio_id, m.c.person_id).where(
                m.c.studio_id.in_(studios), m.c.person_id.in_(shared), in_force(m))):
            out.setdefault(sid, set()).add(pid)
        return out

    # -- one reference -----------------------------------------------------
    def _pick(self, what: str, ref: Any, found: dict[str, dict[Any, list[Found]]],
              members: set[int] | None) -> Found:
        label = LABEL[what]
        if not isinstance(ref, RefCell):
            return self._by_code(label, ref, found)
        hit = None
        if ref.code:
            hit = self._by_code(label, ref.code, found)
        if ref.id:
            by_id = found["id"].get(ref.id)
            if not by_id:
                raise v.Invalid(f"身份证号 {mask(ref.id)} 不在台账中（须先导入该人员）")
            if hit is not None and hit.id != by_id[0].id:
                raise v.Invalid(f"编号 {hit.code} 是 {hit.name}，与身份证号 {mask(ref.id)}"
                                f"（{by_id[0].code} {by_id[0].name}）不是同一人")
            hit = by_id[0]
        if hit is None and ref.any and ref.any in found["code"]:
            hit = found["code"][ref.any][0]
        name = ref.name or (ref.any if hit is None else None)
        if hit is not None:
            if ref.name and ref.name != hit.name:
                how = f"身份证号 {mask(ref.id)}" if ref.id else f"编号 {hit.code}"
                raise v.Invalid(f"{how} 是 {hit.code} {hit.name}，本行姓名是 {ref.name}（以{how.split()[0]}为准，请核对）")
            return hit
        if name is None:  # only a masked number was given
            raise v.Invalid(f"打码的身份证号无法识别{label}，请填写{label}编号、身份证号或名称")
        return self._by_name(what, name, found, members)

    @staticmethod
    def _by_code(label: str, code: str, found: dict[str, dict[Any, list[Found]]]) -> Found:
        hit = found["code"].get(code)
        if not hit:
            raise v.Invalid(f"{label}编号 {code} 不存在（须先导入或登记）")
        return hit[0]

    def _by_name(self, what: str, name: str, found: dict[str, dict[Any, list[Found]]],
                 members: set[int] | None) -> Found:
        label = LABEL[what]
        cands = found["name"].get(name, [])
        if len(cands) == 1:
            return cands[0]
        if not cands:
            hint = "，或填写身份证号" if what == "person" else ""
            raise v.Invalid(f"台账中没有名为「{name}」的{label}（须先导入或登记{label}{hint}）")
        if members is not None:
            inside = [c for c in cands if c.id in members]
            if len(inside) == 1:
                return inside[0]
        codes = "、".join(sorted(c.code for c in cands)[:MAX_CANDIDATES])
        more = f" 等 {len(cands)} 个" if len(cands) > MAX_CANDIDATES else ""
        how = "身份证号或人员编号" if what == "person" else "工作室编号"
        what_name = "姓名" if what == "person" else "名称"
        raise v.Invalid(f"{what_name}「{name}」对应多个{label}：{codes}{more}，无法确定是哪一个，请改填{how}")
