"""下发给基层工会的填报模板（.xlsx）：每类数据一个工作表，外加一张「填表说明」。

import-formats.md, "Templates to send out": the header row (required columns
marked ``*``, which the importer's header matching ignores), one sheet per kind
in reference order for ``all``, drop-down lists for every enumeration and yes/no
column, text-formatted ID-number, phone and code columns (Excel keeps leading
zeros and all 18 digits), date-formatted date columns, and a 填表说明 sheet
generated from the same column information as ``register columns``
(:mod:`laomo.ledger.forms`).  A template filled in correctly imports with 0
rejects.

What a sheet asks for is what an enterprise union knows (:func:`fields`):

* the county's own codes are left out (人员「编号」, 工作室「编号」): an enterprise
  does not know them, and its own numbering 1, 2, 3 would name other records of
  the ledger; new people and studios get codes on import;
* a person is named by 姓名 and 身份证号 (the ID number decides, the name is
  checked against it), a studio by its 名称; in the 人员 sheet 身份证号 is marked
  required, as it is what identifies a person in later files;
* an achievement's 编号 stays, optional: it is the enterprise's own numbering,
  counted within its studio;
* money is asked for in 万元 and areas in 平方米, the unit written in the header
  (``年度经费（万元）``), which the importer reads as the unit of bare numbers.

The workbook is written with xlsxwriter: data validation, number formats and
column widths in one fast pass, nothing read back.  Formats are set per column
and validations per range, so the sheets' used range stays the header row.
"""

from __future__ import annotations

import io
import math
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from laomo.ledger import values as v
from laomo.ledger.columns import KINDS, Col
from laomo.ledger.forms import ColumnInfo, join_values, kind_columns, kinds_named, parser_of

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook
    from xlsxwriter.worksheet import Worksheet

GUIDE = "填表说明"
LISTS = "下拉选项"  # hidden: the drop-down lists too long to be written into a validation (255 characters)
LAST_ROW = 1_048_575  # validations run to the sheet's last row: a range, not cells
#: Excel holds at most 255 characters of list in a validation; counted here in UTF-8 bytes, so that a
#: reader counting bytes takes it too (the honors and the industries go to the hidden sheet)
_LIST_LIMIT = 255

#: the county's codes, left out of the sheets sent to enterprises (see the module's docstring)
OMITTED = {"people": ("code",), "studios": ("code",)}
#: columns the template asks for although the importer would go without them
ALSO_REQUIRED = {("people", "id_number")}
#: the unit a header names, when the column takes it (bare numbers are read in it)
PREFERRED_UNITS = ("万元", "平方米")

_TEXT_TYPES = ("text", "code", "id", "phone")
_WIDTHS = {"id": 21, "phone": 14, "date": 12, "year": 9, "number": 10, "amount": 12, "code": 10, "bool": 8,
           "enum": 10, "text": 14}


@dataclass(frozen=True)
class Field:
    """One column of a template sheet."""

    header: str  # as written in row 1, without the required mark and the unit
    required: bool
    type: str  # kind of value (laomo.ledger.forms.TYPES)
    choices: tuple[str, ...]  # a drop-down list's values
    format: str  # how to write a value
    note: str  # what the column holds
    width: int  # column width, in characters of the default font
    unit: str = ""  # the unit the header names: 年度经费（万元）

    @property
    def written(self) -> str:
        """The header on one line: 名称*, 年度经费（万元）."""
        return self.header + ("*" if self.required else "") + (f"（{self.unit}）" if self.unit else "")

    @property
    def cell_format(self) -> str | None:
        """The number format of the column's cells: text, a date, a whole year, or None (general)."""
        if self.type in _TEXT_TYPES:
            return "@"
        return {"date": "yyyy-mm-dd", "year": "0"}.get(self.type)


@dataclass(frozen=True)
class Sheet:
    kind: str  # KIND
    name: str  # the sheet's name (人员 …), which ``register import all`` reads as the kind
    label: str
    fields: tuple[Field, ...]


def width(text: str) -> int:
    """Display width: a Chinese character is two columns of the default font."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _width(info: ColumnInfo, header: str, vtype: str, unit: str) -> int:
    """A column's width: its values' (a drop-down's longest choice, up to 30), and its header's on one
    line, or on two when that is long (the header row holds two lines; a unit goes on the second)."""
    values = _WIDTHS.get(vtype, 12)
    if parser_of(info.col) is v.parse_credit_code:
        values = 20
    elif vtype == "text" and ("名称" in header or header in ("主题", "备注", "原因")):
        values = 18
    choices = min(max((width(c) for c in info.choices), default=0) + 3, 30)
    title = width(header) + 3
    return max(values, choices, title if title <= 12 else math.ceil(width(header) / 2) + 3,
               width(unit) + 5 if unit else 0)


def _field(info: ColumnInfo, header: str, *, required: bool, type: str | None = None, fmt: str | None = None,
           note: str | None = None, unit: str = "") -> Field:
    vtype = type or info.type
    if info.year_only:  # a date or a year alone: kept as written (a bare 2019 in a date cell is a day of 1905)
        vtype = "text"
    return Field(header, required, vtype, info.choices, fmt or info.format, info.note if note is None else note,
                 _width(info, header, vtype, unit), unit)


def _first_headers(col: Col) -> dict[str, str]:
    """Each form of a reference column (id, name …) → the first header the column table gives it."""
    return {form: header for header, form in reversed(col.forms)}


def _person_ref(info: ColumnInfo) -> list[Field]:
    """A reference to a person as an enterprise knows it: 姓名 and 身份证号 (the ID number decides)."""
    col = info.col
    forms = _first_headers(col)
    who = col.header.removesuffix("编号").removesuffix("人员") or ""
    whose = f"{who}的" if who else ""
    return [
        _field(info, forms["name"], required=False, type="text", fmt="文字",
               note=f"{whose}姓名，与身份证号对应（用于核对）"),
        _field(info, forms["id"], required=col.required, type="id", fmt="18位身份证号（末位可为X），按文本填写",
               note=f"{whose}身份证号；此人须填在「人员」表中（或已在台账中）"),
    ]


def _studio_ref(info: ColumnInfo) -> Field:
    header = _first_headers(info.col)["name"]
    return _field(info, header, required=info.col.required, type="text", fmt="文字",
                  note="工作室名称，与「工作室」表中的名称一致（或已在台账中）")


def _unit(col: Col) -> str:
    units = [unit for unit, _ in col.units]
    return next((unit for unit in PREFERRED_UNITS if unit in units), units[0])


def _with_unit(info: ColumnInfo) -> Field:
    unit = _unit(info.col)
    example = "，如 12.5" if unit == "万元" else ""
    return _field(info, info.header, required=info.required, fmt=f"数字，单位为{unit}{example}", note="",
                  unit=unit)


def fields(kind: str) -> tuple[Field, ...]:
    """The columns of the template sheet of ``kind`` (English KIND), in the column table's order."""
    out: list[Field] = []
    for info in kind_columns(kind).columns:
        col = info.col
        if col.key in OMITTED.get(kind, ()):
            continue
        if col.ref == "person":
            out += _person_ref(info)
        elif col.ref == "studio":
            out.append(_studio_ref(info))
        elif col.units:
            out.append(_with_unit(info))
        else:
            out.append(_field(info, info.header, required=info.required or (kind, col.key) in ALSO_REQUIRED))
    return tuple(out)


def sheets(kind: str) -> list[Sheet]:
    """The data sheets of the template of ``kind``: one KIND (English or Chinese), or ``all``."""
    return [Sheet(n, KINDS[n].sheet, KINDS[n].label, fields(n)) for n in kinds_named(kind)]


# --------------------------------------------------------------------------- the workbook


class _Styles:
    """The cell formats of one workbook."""

    def __init__(self, book: Workbook) -> None:
        base = {"font_name": "宋体", "font_size": 11, "valign": "vcenter"}
        self.header = book.add_format({**base, "bold": True, "text_wrap": True, "align": "center", "border": 1,
                                       "bg_color": "#DDEBF7"})
        self.bold = book.add_format({"font_name": "宋体", "font_size": 11, "bold": True})
        self.mark = book.add_format({"font_name": "宋体", "font_size": 11, "bold": True, "color": "#C00000"})
        self.title = book.add_format({**base, "bold": True, "font_size": 16, "align": "center"})
        self.heading = book.add_format({**base, "bold": True, "font_size": 12})
        self.wrap = book.add_format({**base, "text_wrap": True, "valign": "top"})
        self.cell = book.add_format({**base, "text_wrap": True, "valign": "top", "border": 1})
        self.center = book.add_format({**base, "valign": "top", "align": "center", "border": 1})
        self.numbers: dict[str, Format] = {}
        for number in ("@", "yyyy-mm-dd", "0"):
            self.numbers[number] = book.add_format({**base, "num_format": number})


def _print_setup(sheet: Worksheet, *, landscape: bool) -> None:
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    sheet.set_footer("&C第 &P 页，共 &N 页")


class _Lists:
    """Drop-down lists longer than a validation may hold: each written once, to a hidden sheet added
    after the data sheets (:meth:`write`)."""

    def __init__(self) -> None:
        self.made: dict[tuple[str, ...], str] = {}

    def source(self, values: tuple[str, ...]) -> str | list[str]:
        """A validation's source: the values themselves, or a range of the hidden sheet."""
        if len(",".join(values).encode("utf-8")) <= _LIST_LIMIT and not any("," in v for v in values):
            return list(values)
        if values not in self.made:
            letter = _letter(len(self.made))
            self.made[values] = f"='{LISTS}'!${letter}$1:${letter}${len(values)}"
        return self.made[values]

    def write(self, book: Workbook) -> None:
        if not self.made:
            return
        sheet = book.add_worksheet(LISTS)
        for col, values in enumerate(self.made):
            for row, value in enumerate(values):
                sheet.write_string(row, col, value)
        sheet.hide()


def _letter(col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _validation(f: Field, lists: _Lists) -> dict[str, Any]:
    """The data validation of a column: a drop-down list, a length or a whole year, else only a hint.
    Warnings, not stops: a value the list does not hold may still be one the importer reads."""
    hint = {"input_title": f.header[:32], "input_message": "；".join(t for t in (f.format, f.note) if t)[:255]}
    if f.choices:
        return {"validate": "list", "source": lists.source(f.choices), "error_type": "warning",
                "error_title": "不在下拉列表中", "error_message": "请从下拉列表中选择。", **hint}
    if f.type == "id":
        return {"validate": "length", "criteria": "between", "minimum": 15, "maximum": 18, "error_type": "warning",
                "error_title": "身份证号位数不对", "error_message": "身份证号应为18位（末位可为X）。", **hint}
    if f.type == "year":
        return {"validate": "integer", "criteria": "between", "minimum": 1900, "maximum": 2100,
                "error_type": "warning", "error_title": "年份", "error_message": "年份应为4位数字，如 2024。", **hint}
    return {"validate": "any", **hint}


def _data_sheet(book: Workbook, styles: _Styles, lists: _Lists, sheet: Sheet) -> None:
    ws = book.add_worksheet(sheet.name)
    ws.set_row(0, 36)
    for col, f in enumerate(sheet.fields):
        number = f.cell_format
        ws.set_column(col, col, f.width, styles.numbers[number] if number else None)
        parts: list[Any] = [styles.bold, f.header]
        if f.required:  # the mark in red; the importer's header matching ignores it
            parts += [styles.mark, "*"]
        if f.unit:  # on a second line: line breaks in a header are ignored too
            parts += [styles.bold, f"\n（{f.unit}）"]
        if len(parts) > 2:
            ws.write_rich_string(0, col, *parts, styles.header)
        else:
            ws.write_string(0, col, f.header, styles.header)
        ws.data_validation(1, col, LAST_ROW, col, _validation(f, lists))
    ws.freeze_panes(1, 0)
    ws.repeat_rows(0)
    ws.hide_gridlines(0)  # gridlines printed too: the rows an enterprise fills in
    _print_setup(ws, landscape=True)


RULES = (
    "每个工作表填写一类信息，工作表名称（{sheets}）和第1行的表头请勿修改，不要在表头上方加标题行，不要合并单元格。",
    "表头带 * 的列必须填写；其余各列不了解的可以留空。",
    "人员以身份证号识别：请填写18位身份证号（末位X大小写均可），姓名须与身份证号一致；同一人在各表中的身份证号应相同。"
    "领衔人、成员、师傅、徒弟等须同时填入「人员」表（已在台账中的可不再填）。",
    "工作室以名称识别：其他各表中的「工作室名称」须与「工作室」表中的名称完全一致。",
    "人员和工作室的编号由县（区）总工会统一编排，模板中不设编号列；成果「编号」可填本单位自编的序号，也可不填。",
    "留空的单元格不会清除台账中已有的信息；不了解的内容请留空，不要填写“—”“/”等符号。",
    "日期按 2025-03-01 的格式填写（日期列已设为日期格式），年份填4位数字；金额以万元、面积以平方米为单位，只填数字。",
    "带下拉箭头的列请从下拉列表中选择；身份证号、手机、编号、信用代码等列已设为文本格式，请直接输入，不要改为数值格式（否则会丢失末位）。",
    "填好后请保存为 .xlsx 格式发回。",
)
_GUIDE_COLUMNS = (("工作表", 10), ("列", 20), ("必填", 6), ("可填的值 / 格式", 50), ("说明", 40))
_LINE = 15.0  # points per line of 11-point text


def _height(texts: list[tuple[str, int]]) -> float:
    """The height of a row whose cells hold ``texts`` (text, column width), wrapped."""
    lines = max(max(1, math.ceil(width(t) / max(w - 1, 1))) for t, w in texts)
    return lines * _LINE + 3


def _guide(book: Workbook, styles: _Styles, data: list[Sheet]) -> None:
    ws = book.add_worksheet(GUIDE)
    for col, (_, cols) in enumerate(_GUIDE_COLUMNS):
        ws.set_column(col, col, cols)
    last = len(_GUIDE_COLUMNS) - 1
    total = sum(cols for _, cols in _GUIDE_COLUMNS)
    title = "劳模创新工作室信息填报表" if len(data) > 1 else f"{data[0].label}信息填报表"
    ws.merge_range(0, 0, 0, last, f"{title}　填表说明", styles.title)
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last, "一、填写要求", styles.heading)
    row = 2
    names = "、".join(s.name for s in data)
    for number, rule in enumerate(RULES, 1):
        text = f"{number}. {rule.format(sheets=names)}"
        ws.merge_range(row, 0, row, last, text, styles.wrap)
        ws.set_row(row, _height([(text, total)]))
        row += 1
    row += 1
    ws.merge_range(row, 0, row, last, "二、各表各列说明", styles.heading)
    row += 1
    for col, (header, _) in enumerate(_GUIDE_COLUMNS):
        ws.write_string(row, col, header, styles.header)
    ws.repeat_rows(row)
    row += 1
    for sheet in data:
        for f in sheet.fields:
            cells = [sheet.name, f.written, "是" if f.required else "", _values_text(f), f.note]
            for col, text in enumerate(cells):
                ws.write_string(row, col, text, styles.center if col in (0, 2) else styles.cell)
            ws.set_row(row, _height([(t, cols) for t, (_, cols) in zip(cells, _GUIDE_COLUMNS)]))
            row += 1
    _print_setup(ws, landscape=True)
    ws.activate()


def _values_text(f: Field) -> str:
    if f.choices:
        return "从下拉列表选择：" + join_values(f.choices)
    return f.format


def workbook(kind: str) -> bytes:
    """The template of ``kind`` (a KIND in English or Chinese, or ``all``) as the bytes of an .xlsx file."""
    import xlsxwriter

    data = sheets(kind)
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.set_properties({"title": GUIDE if len(data) > 1 else f"{data[0].label}填报表"})
    styles = _Styles(book)
    lists = _Lists()
    _guide(book, styles, data)
    for sheet in data:
        _data_sheet(book, styles, lists, sheet)
    lists.write(book)
    book.close()
    return buf.getvalue()
