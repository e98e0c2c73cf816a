"""每一列怎么填：表头、同义表头、引用写法、单位、可填的值和格式（``register columns`` 与填报模板共用）。

The column tables of :mod:`laomo.ledger.columns` say how the importer reads each
column; this module turns them into what a person filling a sheet needs to know:
one :class:`ColumnInfo` per column, with the kind of value the column holds
(``text code id phone date year number amount bool enum``), the accepted values
of an enumeration or yes/no column (:func:`accepted_values`), the drop-down
choices (:func:`choices`) and a line on how to write a value.  ``register
columns`` prints it and the workbook of :mod:`laomo.ledger.template` is built
from it, so the printed table, the 填表说明 sheet and the importer never disagree.

The kind of value is derived from the column's parser (:func:`value_type`): a
known parser function, an enumeration given to ``parse_enum``, or, for a small
wrapper of the column table (``lambda raw: v.parse_int(...)``), the first known
parser it calls.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from laomo.enums import Enumeration
from laomo.errors import UsageError
from laomo.ledger import values as v
from laomo.ledger.columns import KINDS, Col, Kind, kind_named

#: the kinds of value a column holds
TYPES = ("text", "code", "id", "phone", "date", "year", "number", "amount", "bool", "enum")

#: parser name in :mod:`laomo.ledger.values` → kind of value (names not defined there are skipped)
_PARSER_TYPES = {
    "parse_text": "text",
    "parse_code": "code",
    "parse_credit_code": "code",
    "parse_id_number": "id",
    "parse_phone": "phone",
    "parse_date": "date",
    "parse_past_date": "date",
    "parse_month_date": "date",
    "parse_past_month_date": "date",
    "parse_year_or_date": "date",
    "parse_year": "year",
    "parse_number": "number",
    "parse_int": "number",
    "parse_area": "number",
    "parse_participants": "number",
    "parse_hours": "number",
    "parse_score": "number",
    "parse_amount": "amount",
    "parse_bool": "bool",
    "parse_enum": "enum",
}
_BY_FUNCTION: dict[Callable[..., Any], str] = {
    getattr(v, name): kind for name, kind in _PARSER_TYPES.items() if hasattr(v, name)
}

#: yes/no forms offered, each shown only if the importer takes it (:func:`laomo.ledger.values.parse_bool`)
_BOOL_FORMS = ("是", "否", "有", "无", "√", "×", "✓", "○", "Y", "N", "1", "0")

_FORMATS = {
    "id": "18位身份证号（末位可为X），按文本填写",
    "phone": "手机号码（11位）或固定电话",
    "date": "日期，如 2025-03-01（也可写 2025/3/1、2025年3月1日）",
    "year": "4位年份，如 2024",
    "number": "数字",
    "amount": "金额（元），如 125000、12.5万",
    "bool": "是/否（也可写 有/无、√/×）",
    "code": "编号（文字，保留开头的0）",
    "text": "文字",
}
_CREDIT_FORMAT = "18位统一社会信用代码"


def _parser(parse: Callable[..., Any]) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The function behind ``parse`` and the keywords bound to it (a ``functools.partial``)."""
    keywords: dict[str, Any] = {}
    while isinstance(parse, functools.partial):
        keywords = {**parse.keywords, **keywords}
        parse = parse.func
    return parse, keywords


def parser_of(col: Col) -> Callable[..., Any]:
    """The parser function of ``col`` (behind any ``functools.partial``)."""
    return _parser(col.parse)[0]


def value_type(col: Col) -> str:
    """The kind of value ``col`` holds (one of :data:`TYPES`), from its parser."""
    fn, keywords = _parser(col.parse)
    if isinstance(keywords.get("enum"), Enumeration):
        return "enum"
    known = _BY_FUNCTION.get(fn)
    if known is not None:
        return known
    code = getattr(fn, "__code__", None)  # a wrapper in the column table: the first known parser it calls
    for name in code.co_names if code is not None else ():
        if name in _PARSER_TYPES and hasattr(v, name):
            return _PARSER_TYPES[name]
    return "text"


def enumeration(col: Col) -> Enumeration | None:
    """The enumeration an enumeration column takes, or None."""
    found = _parser(col.parse)[1].get("enum")
    return found if isinstance(found, Enumeration) else None


def _takes(parse: Callable[[Any], Any], raw: Any) -> bool:
    try:
        parse(raw)
    except (v.Invalid, ValueError, TypeError):
        return False
    return True


def _enum_forms(enum: Enumeration) -> list[str]:
    """The other forms an enumeration accepts, in its table's order (its synonyms, else its aliases)."""
    synonyms = getattr(enum, "synonyms", None)
    if callable(synonyms):
        return [form for forms in synonyms().values() for form in forms]
    return list(getattr(enum, "aliases", {}))


def accepted_values(col: Col) -> list[str]:
    """Every value written in a cell that the column takes, the canonical ones first (the Chinese
    labels of an enumeration, 是/否), then the other forms; empty for a column of free values."""
    enum = enumeration(col)
    if enum is not None:
        out = [label for _, label in enum.items]
        out += [form for form in _enum_forms(enum) if form not in out]
        return out
    if value_type(col) == "bool":
        return [form for form in _BOOL_FORMS if _takes(v.parse_bool, form)]
    return []


def choices(col: Col) -> list[str]:
    """The values of a drop-down list for the column: an enumeration's Chinese labels, or 是/否."""
    enum = enumeration(col)
    if enum is not None:
        return [label for _, label in enum.items]
    return ["是", "否"] if value_type(col) == "bool" else []


def join_values(values: list[str] | tuple[str, ...]) -> str:
    """Values in one line: 、 between them, or ； where a value holds 、 itself (农、林、牧、渔业)."""
    return ("；" if any("、" in value for value in values) else "、").join(values)


@dataclass(frozen=True)
class ColumnInfo:
    """What one column of a KIND holds and how to write it."""

    col: Col
    type: str  # one of TYPES
    values: tuple[str, ...]  # accepted values (enumerations, yes/no), canonical first
    choices: tuple[str, ...]  # a drop-down list's values
    format: str  # how to write a value, in one line
    year_only: bool  # a date column that also takes a year alone (an old ledger's date)

    @property
    def key(self) -> str:
        return self.col.key

    @property
    def header(self) -> str:
        return self.col.header

    @property
    def required(self) -> bool:
        return self.col.required

    @property
    def note(self) -> str:
        return self.col.note

    @property
    def enum(self) -> Enumeration | None:
        return enumeration(self.col)

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.col.key,
            "header": self.col.header,
            "required": self.col.required,
            "synonyms": list(self.col.synonyms),
            "forms": [{"header": header, "form": form} for header, form in self.col.forms],
            "units": [{"unit": unit, "factor": factor} for unit, factor in self.col.units],
            "values": list(self.values),
            "note": self.col.note,
            "type": self.type,
            "format": self.format,
        }


def _format(col: Col, vtype: str, year_only: bool) -> str:
    enum = enumeration(col)
    if enum is not None:
        note = getattr(enum, "note", "")
        return f"可选：{join_values(choices(col))}" + (f"；{note}" if note else "")
    fn, keywords = _parser(col.parse)
    if fn is v.parse_credit_code:
        return _CREDIT_FORMAT
    text = _FORMATS[vtype]
    if vtype == "text" and isinstance(keywords.get("max_len"), int):
        text += f"（最多{keywords['max_len']}字）"
    if year_only:
        text += "；旧台账只有年份时可只填年份，如 2019"
    return text


def column_info(col: Col) -> ColumnInfo:
    kind = value_type(col)
    year_only = kind == "date" and _takes(col.parse, "2000")
    return ColumnInfo(col, kind, tuple(accepted_values(col)), tuple(choices(col)), _format(col, kind, year_only),
                      year_only)


@dataclass(frozen=True)
class KindColumns:
    """The columns of one KIND, in the column table's order (derived fields left out)."""

    kind: Kind
    columns: tuple[ColumnInfo, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.name, "label": self.kind.label, "columns": [c.to_json() for c in self.columns]}


def kind_columns(name: str) -> KindColumns:
    """The columns of the KIND ``name`` (English, as in :data:`laomo.ledger.columns.KINDS`)."""
    kind = KINDS[name]
    return KindColumns(kind, tuple(column_info(c) for c in kind.columns if not c.source))


def kinds_named(text: str) -> list[str]:
    """The KINDs a command argument names: one (English or Chinese), or every KIND in reference order
    for ``all``."""
    if text.strip().lower() == "all":
        return list(KINDS)
    name = kind_named(text)
    if name is None:
        known = " ".join(KINDS) + "（或 " + " ".join(k.sheet for k in KINDS.values()) + "）"
        raise UsageError(f"未知的数据类型「{text}」，可选：{known}，或 all")
    return [name]
