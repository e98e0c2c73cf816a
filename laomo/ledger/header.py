"""表头识别：把文件里的表头（同义词、单位、空白、换行、括号）对应到每种数据的列。

import-formats.md, "Header spelling": headers are compared after removing all white
space (also full-width, and line breaks inside a cell), a leading or trailing
required mark ``*`` and a trailing bracket (``面积（平方米）``, ``年度经费(万元)``).  A
bracket that names a unit the column knows scales bare numbers (``年度经费（万元）``:
``10`` is 100,000 元); any other bracket is a note and ignored (``身份证号（18位）``);
a unit the column cannot convert stops the import.

Each column has its synonyms (``laomo.ledger.columns``); a reference column (领衔人,
人员, 工作室, 师傅, 徒弟) is also known by headers that give the record's ID number or
name (``领衔人身份证号``, ``领衔人姓名``, ``姓名``, ``工作室名称``) or any of them
(``领衔人``, ``工作室``).  When one file gives several of them (姓名 and 身份证号),
their cells are read together as one reference (:class:`RefCell`): the ID number
decides, the name is checked against it.

A header that is not taken is reported, with the nearest known header when one is
close (``列「身份证号码1」未使用，是否应为「身份证号」？``); ``序号`` is ignored silently.
Everything here runs once per file, nothing per row.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from laomo.errors import LaomoError
from laomo.ledger import values as v
from laomo.ledger.columns import Col, Kind
from laomo.safe import scrub, visible

#: headers of a running number: never data, never reported
IGNORED = frozenset({"序号", "序", "No.", "NO.", "no.", "No", "编号序号"})
_BRACKET = re.compile(r"[（(【\[]([^（()）【】\[\]]*)[）)】\]]$")
_MARK = "*＊"
_SPACES = re.compile(r"[ \t\r\n\u3000]+")  # a header as written, on one line (other characters escaped)
_ID_LIKE = re.compile(r"[0-9]{17}[0-9Xx]|[0-9]{15}")


def normalize(text: Any) -> tuple[str, str]:
    """``(header, bracket)``: the header without white space, required marks and a trailing
    bracket, and that bracket's text (a unit or a note; empty when there is none)."""
    name = "".join(str(text).replace("\ufeff", "").split()).strip(_MARK)
    unit = ""
    m = _BRACKET.search(name)
    if m and m.start() > 0:
        unit = m.group(1)
        name = name[: m.start()].strip(_MARK)
    return name, unit


@dataclass(frozen=True)
class RefCell:
    """The cells that name one referenced record, read together: its code, ID number, name,
    or a cell that may hold any of them (raw text, None when blank)."""

    code: Any = None
    id: Any = None
    name: Any = None
    any: Any = None


@dataclass(frozen=True)
class Combined:
    """A reference given by several columns (or by another form than its code): the cells
    ``parts`` (index, form) are read into one :class:`RefCell` placed at ``index``."""

    index: int
    parts: tuple[tuple[int, str], ...]


def parse_ref(raw: Any) -> Any:
    """A reference cell as the importer keeps it: a code as text (one column of codes), or a
    :class:`RefCell` whose parts are checked (an ID number, a name; a cell that may hold
    either is taken for an ID number when it looks like one)."""
    if not isinstance(raw, RefCell):
        return v.parse_code(raw)
    code = v.parse_code(raw.code) if raw.code is not None else None
    # a masked number (a report read back: 410***********0013) says nothing; the other parts decide
    idn = v.parse_id_number(raw.id) if raw.id is not None and "*" not in str(raw.id) else None
    name = ref_name(raw.name) if raw.name is not None else None
    anything = None
    if raw.any is not None and "*" not in str(raw.any):
        text = "".join(str(raw.any).split())
        if _ID_LIKE.fullmatch(text) and idn is None:
            idn = v.parse_id_number(text)
        else:
            anything = ref_name(raw.any)
    return RefCell(code=code, id=idn, name=name, any=anything)


def ref_name(raw: Any) -> str:
    """A name as compared with the ledger's: white space runs are one space."""
    return " ".join(v.parse_text(raw, max_len=200).split())


Mapped = list[tuple[int, Col, str]]  # (cell index, column, header as written)


@dataclass
class HeaderMap:
    mapped: Mapped
    combined: list[Combined]
    ignored: list[str]  # headers not taken, as written
    warnings: list[str]

    def combiner(self) -> Callable[[list[Any]], list[Any]] | None:
        """``cells -> cells`` with the combined reference cells appended (None when there are none)."""
        if not self.combined:
            return None
        specs = [(c.index, c.parts) for c in self.combined]
        width = min(c.index for c in self.combined)

        def combine(cells: list[Any]) -> list[Any]:
            out = list(cells[:width]) + [None] * (width - len(cells))
            for _, parts in specs:
                got = {}
                for idx, form in parts:
                    raw = cells[idx] if idx < len(cells) else None
                    if isinstance(raw, str):
                        raw = raw.strip()
                    if raw is not None and raw != "":
                        got[form] = raw
                out.append(RefCell(**got) if got else None)
            return out

        return combine


def _lookup(kind: Kind) -> dict[str, tuple[Col, str]]:
    """Normalised header → (column, form): form "" for a column's own value, else a REF_FORMS entry."""
    table: dict[str, tuple[Col, str]] = {}
    for c in kind.columns:
        if c.source:
            continue
        table.setdefault(c.key.lower(), (c, "code" if c.ref else ""))
        for h in (c.header, *c.synonyms):
            table.setdefault(normalize(h)[0], (c, "code" if c.ref else ""))
        for h, form in c.forms:
            table.setdefault(normalize(h)[0], (c, form))
    return table


def _scale(col: Col, unit: str, shown: str, file: str, line: int) -> Col:
    """The column with a parser that scales bare numbers by the header's unit."""
    if not col.units or not unit:
        return col
    factors = dict(col.units)
    factor = factors.get(unit) or factors.get(unit.lower())
    if factor is None:
        known = "、".join(u for u, _ in col.units)
        raise LaomoError(f"{file}:{line}: 列「{visible(shown)}」的单位「{visible(unit)}」无法换算，可用的单位：{known}；"
                         "导入未开始，数据库未改动")
    if factor == 1:
        return col
    # the value parsers of unit columns (area, amounts, hours) take the header's ``scale``: they
    # scale a bare number and take a number written with its own unit as written
    parse: Callable[..., Any] = col.parse
    return replace(col, parse=partial(parse, scale=factor))


def nearest(name: str, kind: Kind) -> str | None:
    """The column (by its own header) whose known headers come closest to ``name``, if one is close."""
    owner = {normalize(h)[0]: c.header for c in kind.columns for h in c.headers}
    close = difflib.get_close_matches(name, list(owner), n=1, cutoff=0.75)
    return owner[close[0]] if close else None


def satisfied(kind: Kind, found: set[str], *, patch: bool = False) -> list[Col]:
    """The required columns (or, with ``patch``, key columns) missing from ``found`` column keys.
    A code column that may be assigned is not required; a people file needs 编号 or 身份证号."""
    missing = [c for c in kind.columns if c.required and c.key not in found
               and (not patch or c.target in kind.key)]
    if kind.name == "people" and not patch and not ({"code", "id_number"} & found):
        missing.insert(0, kind.column("id_number"))
    return missing


class HeaderProbe:
    """``probe(cells) -> bool``: whether a row is this kind's header row (it holds every required
    column).  The reader that searches a file's first rows for it also asks ``score(cells)`` (how
    many known headers a row holds) and, when no row is the header, ``explain(cells)`` of the row
    that came closest: the missing columns and the header found (import-formats.md)."""

    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.table = _lookup(kind)

    def found(self, cells: list[Any]) -> set[str]:
        keys = set()
        for cell in cells:
            if cell is None or not isinstance(cell, str):
                continue
            name = normalize(cell)[0]
            hit = self.table.get(name) or self.table.get(name.lower())
            if hit is not None:
                keys.add(hit[0].key)
        return keys

    def __call__(self, cells: list[Any]) -> bool:
        keys = self.found(cells)
        return bool(keys) and not satisfied(self.kind, keys)

    def score(self, cells: list[Any]) -> int:
        return len(self.found(cells))

    def explain(self, cells: list[Any]) -> str:
        missing = satisfied(self.kind, self.found(cells))
        names = "、".join(f"「{c.header}」({c.key})" for c in missing)
        return f"缺少必需的列 {names}（找到的表头：{_found_text(cells)}），导入未开始，数据库未改动"


def _found_text(cells: list[Any]) -> str:
    return "、".join(visible(scrub(str(c))) for c in cells if c not in (None, ""))[:200]


def probe(kind: Kind) -> HeaderProbe:
    """The header probe of ``kind`` (see :class:`HeaderProbe`)."""
    return HeaderProbe(kind)


# long: one pass over the header cells; the cases (ignored, unknown, repeated, forms) read in order
def map_header(kind: Kind, header: list[Any], file: str, *, line: int = 1, patch: bool = False) -> HeaderMap:
    """Match header cells to columns.  Raises on a missing required column (with ``patch``,
    only on a missing key column: the other required ones matter for new records only), on a
    column given twice and on a unit that cannot be converted."""
    table = _lookup(kind)
    mapped: Mapped = []
    forms: dict[str, list[tuple[int, str, str]]] = {}  # reference key -> [(index, form, header)]
    seen: dict[tuple[str, str], int] = {}
    ignored: list[str] = []
    warnings: list[str] = []
    for idx, cell in enumerate(header):
        written = "" if cell is None else visible(scrub(_SPACES.sub(" ", str(cell)).strip()))
        name, unit = normalize("" if cell is None else cell)
        if not name:
            continue
        if name in IGNORED:
            continue
        hit = table.get(name) or table.get(name.lower())
        if hit is None:
            ignored.append(written)
            near = nearest(name, kind)
            warnings.append(f"{file}:{line}: 列「{written}」未使用，是否应为「{near}」？" if near else
                            f"{file}:{line}: 列「{written}」不是{kind.label}的已知列，未使用")
            continue
        col, form = hit
        slot = (col.key, form)
        if slot in seen:
            raise LaomoError(f"{file}:{line}: 列「{written}」重复（第 {seen[slot] + 1} 列和第 {idx + 1} 列都是"
                             f"「{col.header if not form or form == 'code' else name}」），导入未开始，数据库未改动")
        seen[slot] = idx
        if col.ref:
            forms.setdefault(col.key, []).append((idx, form, written))
        else:
            mapped.append((idx, _scale(col, unit, written, file, line), written))
    combined: list[Combined] = []
    virtual = len(header)
    for key, given in forms.items():
        col = kind.column(key)
        if len(given) == 1 and given[0][1] == "code":
            mapped.append((given[0][0], col, given[0][2]))
            continue
        shown = "、".join(w for _, _, w in given) if len(given) > 1 else given[0][2]
        combined.append(Combined(virtual, tuple((i, f) for i, f, _ in given)))
        mapped.append((virtual, replace(col, parse=parse_ref, memo=False), shown))
        virtual += 1
    for derived in (c for c in kind.columns if c.source):
        mapped += [(idx, derived, shown) for idx, c, shown in list(mapped) if c.key == derived.source]
    missing = satisfied(kind, {c.key for _, c, _ in mapped}, patch=patch)
    if missing:
        names = "、".join(f"「{c.header}」({c.key})" for c in missing)
        raise LaomoError(f"{file}:{line}: 缺少必需的列 {names}（找到的表头：{_found_text(header)}），导入未开始，数据库未改动")
    return HeaderMap(mapped, combined, ignored, warnings)
