"""值的解析与校验：日期、年份、布尔、金额和带单位的数、身份证号、电话、代码。

Each parser takes the raw cell (a string, or a native value from an .xlsx
cell) and returns the stored value, or raises :class:`Invalid` with the
Chinese reason shown to the user.  Both ``register import`` and the single
``register …`` commands go through these functions, so a value is accepted
or refused the same way everywhere.

Values are taken as clerks write them (import-formats.md, "Files as they really
arrive" → "Values"): full-width digits, letters and punctuation read as ASCII in
codes, numbers, dates, ID numbers and phone numbers; spaces inside ID and phone
numbers dropped; dates with a time after them, ``20210315``, ``2021年3月15号`` and
Excel date serials; units after numbers where they fit the column.  Each parser
tries the canonical ASCII form first and only then normalises, so the common
cell costs what it did.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from laomo.domain.numbers import FIRST_YEAR, LAST_YEAR, whole
from laomo.enums import Enumeration, form_key
from laomo.safe import CONTROL_RE
from laomo.vocabulary import CURRENCY_SIGNS, FULLWIDTH, UNIT_WHAT, UNITS, fold_width


class Invalid(ValueError):
    """A value that cannot be accepted; ``str(exc)`` is the Chinese reason."""


_SPACES_RE = re.compile("[ \t\u00a0]+")  # not \s: a control character (\x1d) must stay an error


def _squeeze(text: str) -> str:
    """Full-width read as ASCII and spaces removed (``410506 19900401 1501``)."""
    return _SPACES_RE.sub("", text if text.isascii() else text.translate(FULLWIDTH))


# --- Dates ------------------------------------------------------------------------

_DATE_RE = re.compile(
    r"^([0-9]{4})(?:[-/.]([0-9]{1,2})[-/.]([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日?)$"
)
_TIME = r"(?:(?: +|T)[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?)?"
#: Every written form of a whole date, after full-width folding: a time may follow
#: (``2021/3/15 0:00``), 号 for 日, ``20210315``, spaces around 年 月 日.
_DAY_RE = re.compile(
    r"^([0-9]{4}) *(?:[-/.] *([0-9]{1,2}) *[-/.] *([0-9]{1,2})|年 *([0-9]{1,2}) *月 *([0-9]{1,2}) *[日号]?"
    r"|([0-9]{2})([0-9]{2}))" + _TIME + "$"
)
_MONTH_RE = re.compile(r"^([0-9]{4}) *(?:[-/.] *([0-9]{1,2})|年 *([0-9]{1,2}) *月份?)$")
_YEAR_RE = re.compile(r"^([0-9]{4}) *(?:年度?)?$")
_SERIAL_RE = re.compile(r"^[0-9]{5}(?:\.[0-9]+)?$")
_DATE_HINT = "日期格式应为 2025-03-01、2025/3/1、2025.3.1、2025年3月1日 或 20250301"

#: How much of a date was written: a whole day, a month alone, a year alone.
DAY, MONTH, YEAR = 3, 2, 1

#: Excel's 1900 date system counts days from 1899-12-31 and believes in a 29 February 1900
#: (serial 60), so from serial 61 (1900-03-01) on, day n is 1899-12-30 + n.
_EXCEL_EPOCH = _dt.date(1899, 12, 30)
_EXCEL_LAST = 2958465  # 9999-12-31
#: The serials taken as dates in a date column: 1950-01-01 … 2099-12-31.  A number outside is
#: more likely something else (a year 2019, an amount 8000 in the wrong column) than a date.
SERIAL_FIRST, SERIAL_LAST = _dt.date(1950, 1, 1), _dt.date(2099, 12, 31)
_SERIAL_LO, _SERIAL_HI = (SERIAL_FIRST - _EXCEL_EPOCH).days, (SERIAL_LAST - _EXCEL_EPOCH).days


def excel_date(serial: float) -> _dt.date:
    """The day of an Excel date serial (1900 date system; a fraction is the time of day):
    1 is 1900-01-01, 59 is 1900-02-28, 60 is Excel's 29 February 1900 that never was, 61 is 1900-03-01."""
    if not 1 <= serial < _EXCEL_LAST + 1:  # also NaN
        raise Invalid(f"Excel 日期序号 {whole(serial)} 超出范围（1–{_EXCEL_LAST}）")
    n = int(serial)
    if n == 60:
        raise Invalid("Excel 日期序号 60 是不存在的 1900年2月29日")
    return _EXCEL_EPOCH + _dt.timedelta(days=n if n > 60 else n + 1)


def _serial_date(serial: float) -> _dt.date:
    if not _SERIAL_LO <= serial < _SERIAL_HI + 1:
        raise Invalid(f"数字 {whole(serial)} 不是日期（Excel 日期序号应在 {_SERIAL_LO}–{_SERIAL_HI} 之间，"
                      f"即 {SERIAL_FIRST.isoformat()} 至 {SERIAL_LAST.isoformat()}）；{_DATE_HINT}")
    return excel_date(serial)


def _ymd(year: int, month: int, day: int) -> _dt.date:
    if not FIRST_YEAR <= year <= LAST_YEAR:  # 0001-01-01 would underflow every date computed from it
        raise Invalid(f"年份 {year} 超出范围 {FIRST_YEAR}–{LAST_YEAR}")
    try:
        return _dt.date(year, month, day)
    except ValueError:
        raise Invalid(f"不存在的日期（{year}年{month}月{day}日）") from None


def read_date(raw: object) -> tuple[_dt.date, int]:
    """A date as written and how much of it was written: ``(day, DAY)``; a month alone gives
    ``(the 1st, MONTH)``, a year alone ``(31 December, YEAR)``.  Date cells, Excel serials (a number,
    or five digits as text), ``20210315`` (also as a number) and every text form of
    :data:`_DAY_RE`; full-width forms are read as ASCII."""
    if isinstance(raw, _dt.datetime):
        return raw.date(), DAY
    if isinstance(raw, _dt.date):
        return raw, DAY
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        number = whole(raw)
        if not (isinstance(number, int) and (FIRST_YEAR <= number <= LAST_YEAR or 10_000_000 <= number <= 99_991_231)):
            return _serial_date(raw), DAY
        text = str(number)  # a year 2019 or 20210315 typed into a General cell
    else:
        text = fold_width(str(raw).strip())
    m = _DAY_RE.match(text)
    if m:
        g = m.groups()
        return _ymd(int(g[0]), int(g[1] or g[3] or g[5]), int(g[2] or g[4] or g[6])), DAY
    if _SERIAL_RE.match(text):
        return _serial_date(float(text)), DAY
    m = _MONTH_RE.match(text)
    if m:
        month = int(m.group(2) or m.group(3))
        if not 1 <= month <= 12:
            raise Invalid(f"不存在的月份（{m.group(1)}年{month}月）")
        return _ymd(int(m.group(1)), month, 1), MONTH
    m = _YEAR_RE.match(text)
    if m:
        return _ymd(int(m.group(1)), 12, 31), YEAR
    raise Invalid(_DATE_HINT)


_PART_REASON = {MONTH: "只写了年月，这里需要完整日期（年月日），如 2025-03-01",
                YEAR: "只写了年份，这里需要完整日期（年月日），如 2025-03-01"}


def parse_date(raw: object) -> _dt.date:
    """A whole date (see :func:`read_date`); a month or a year alone is refused."""
    if raw.__class__ is str:
        m = _DATE_RE.match(raw.strip())  # the canonical forms, as fast as ever
        if m:
            return _ymd(int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5)))
    elif isinstance(raw, _dt.datetime):
        return raw.date()
    elif isinstance(raw, _dt.date):
        return raw
    day, written = read_date(raw)
    if written != DAY:
        raise Invalid(_PART_REASON[written])
    return day


def parse_month_date(raw: object) -> _dt.date:
    """:func:`parse_date` for a date of founding or joining, where a month alone is the 1st of
    that month (``2021年3月``, ``2021.03``, ``2021-3`` → 2021-03-01); a year alone is refused."""
    if raw.__class__ is str:
        m = _DATE_RE.match(raw.strip())
        if m:
            return _ymd(int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5)))
    day, written = read_date(raw)
    if written == YEAR:
        raise Invalid(_PART_REASON[YEAR])
    return day


def today() -> _dt.date:
    """Today's date, the latest day a record of something that happened may carry.

    The one place "today" comes from for the ledger and the award commands: tests that
    need a fixed today monkeypatch ``laomo.ledger.values.today`` (in-process only).
    """
    return _dt.date.today()


def future_reason(day: _dt.date, now: _dt.date) -> str:
    """Why ``day`` (after ``now``) cannot be recorded."""
    return f"日期 {day.isoformat()} 晚于今天（{now.isoformat()}），不能登记尚未发生的事"


def parse_past_date(raw: object) -> _dt.date:
    """:func:`parse_date` for things that happened (achievements, activities, joining,
    promotions, designations): a day after :func:`today` is refused.  One comparison
    after parsing; the import remembers results per cell text, so it is not per row."""
    day = parse_date(raw)
    now = today()
    if day > now:
        raise Invalid(future_reason(day, now))
    return day


def parse_past_month_date(raw: object) -> _dt.date:
    """:func:`parse_month_date` for a date of joining: a month alone is its 1st, and a day after
    :func:`today` is refused."""
    day = parse_month_date(raw)
    now = today()
    if day > now:
        raise Invalid(future_reason(day, now))
    return day


def parse_year_or_date(raw: object, *, past: bool = True) -> tuple[_dt.date, bool]:
    """``(date, approximate)`` for an old ledger's designation date (import-formats.md): a year
    alone (``2019``, ``2019年``, a number 2019) is 31 December of it, the latest it can be, so no
    eligibility is overstated, marked approximate; only a year that has ended may be given so
    (31 December of this year would be a day still to come).  Otherwise a whole date as
    :func:`parse_date` (``past``: not after today), not approximate; a month alone is refused."""
    day, written = read_date(raw)
    if written == MONTH:
        raise Invalid("只写了年月，这里需要年份（如 2019）或完整日期（年月日，如 2019-03-01）")
    now = today()
    if written == YEAR:
        if day.year >= now.year:
            raise Invalid(f"{day.year}年尚未结束，只写年份时须是已过去的年份；请填写完整日期")
        return day, True
    if past and day > now:
        raise Invalid(future_reason(day, now))
    return day, False


def parse_year(raw: object) -> int:
    """A year: 4 digits (``2024``; an .xlsx number 2024.0; ``2024年``, ``2024年度``, full-width)."""
    text = raw.strip() if isinstance(raw, str) else str(whole(raw))  # an .xlsx number 2024.0 is 2024
    if len(text) != 4 or not text.isascii() or not text.isdigit():
        text = fold_width(text).removesuffix("年度").removesuffix("年").rstrip(" ")
        if len(text) != 4 or not text.isascii() or not text.isdigit():
            raise Invalid("年份应为4位数字")
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(f"年份超出范围 {FIRST_YEAR}–{LAST_YEAR}")
    return year


# ○ is yes: import-formats.md pairs ○/× as yes/no (as √/×); ● is not taken (where ●/○ mark
# has/has not, ○ would be no), nor 对/错
_TRUE = {"是", "有", "y", "yes", "true", "1", "t", "√", "✓", "✔", "☑", "○"}
_FALSE = {"否", "无", "没有", "n", "no", "false", "0", "f", "×", "✗", "✘", "✕", "✖", "☒"}


def parse_bool(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    text = form_key(text)  # full-width Ｙ, １
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise Invalid("应为 是/否、有/无、√/×、Y/N、yes/no、true/false 或 1/0")


# --- Numbers, with the units that fit their column ---------------------------------

_NUMBER_UNIT_RE = re.compile(r"^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)) *(.*)$", re.DOTALL)


def unit_scale(family: str, unit: str) -> int | None:
    """The factor a unit written in a header gives the column's values (``amount``, ``万元`` →
    10000; ``area``, ``平方米`` → 1), or None when the unit is not one of that family's
    (:data:`laomo.vocabulary.UNITS`)."""
    return UNITS.get(family, {}).get(form_key(unit))


def _units_text(family: str) -> str:
    text = "、".join(UNITS[family])
    return text + "（前面可带 ￥）" if family == "amount" else text


def _decimal(number: float) -> Decimal:
    return Decimal(number) if isinstance(number, int) else Decimal(str(number))


def _with_unit(text: str, family: str | None, scale: float, bad: str) -> Decimal:
    """A number written with a unit or in full-width forms (``120㎡``, ``30人次``, ``１２``).  A unit
    of the column's family gives its own factor (``10万`` is 100,000 also under a 万元 header:
    the header's ``scale`` applies only to a bare number); any other unit is refused naming
    the ones that fit.  ``bad``: the reason when the text is not a number at all."""
    t = fold_width(text).strip().replace(",", "")
    signed = family == "amount" and t.startswith(CURRENCY_SIGNS)  # ￥50000: 元, whatever the header
    if signed:
        t = t[1:].lstrip(" ")
    m = _NUMBER_UNIT_RE.match(t)
    if not m:
        raise Invalid(bad)
    value, unit = Decimal(m.group(1)), m.group(2)
    if not unit:
        return value if signed else value * _decimal(scale)
    factor = UNITS[family].get(unit.lower()) if family in UNITS else None
    if factor is None:
        if family in UNITS and not any(c.isdigit() for c in unit):  # 1e3, 12.5万万2 are no units
            raise Invalid(f"{UNIT_WHAT[family]}的单位应为 {_units_text(family)}，不能是「{unit}」")
        raise Invalid(bad)
    return value * factor


_AMOUNT_RE = re.compile(r"^([+-]?)([0-9]+(?:\.[0-9]+)?)(万元|万|元)?$")
_AMOUNT_UNITS = UNITS["amount"]


def parse_amount(raw: object, *, scale: float = 1) -> int:
    """An amount of 元: ``125000``, ``125,000``, ``12.5万``, ``12.5万元``, ``125000元``, ``￥125000``.

    ``scale`` is the header's unit (10000 under 年度经费（万元）): it multiplies a bare number
    (``10`` → 100,000), never a number with its own unit or sign (``10万`` stays 100,000,
    ``￥50000`` 50,000).
    Never negative; stored as whole 元, rounded half up.
    """
    if isinstance(raw, bool):
        raise Invalid("金额应为数字")
    if isinstance(raw, (int, float)):
        value = Decimal(str(raw))
        if not value.is_finite():
            raise Invalid("金额应为数字")
        if scale != 1:
            value *= _decimal(scale)
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").replace(" ", "")
        m = _AMOUNT_RE.match(text)
        if m:
            value, unit = Decimal(m.group(2)), m.group(3)
            if unit:
                value *= _AMOUNT_UNITS[unit]
            elif scale != 1:
                value *= _decimal(scale)
            if m.group(1) == "-":
                value = -value
        else:
            value = _with_unit(text, "amount", scale, "金额格式应为 125000、125,000、12.5万、12.5万元 或 ￥125000")
    if value < 0:
        raise Invalid("金额不能为负数")
    if value > Decimal(10) ** 13:
        raise Invalid("金额过大")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_number(raw: object, *, lo: float = 0, hi: float = 1e12, what: str = "数值",
                 unit: str | None = None, scale: float = 1) -> float:
    """A number between ``lo`` and ``hi``.  ``unit`` names the column's unit family in
    :data:`laomo.vocabulary.UNITS` (``area``, ``people``, ``hours``, ``score``): a number may be
    written with one of its units (``120㎡``); ``scale`` multiplies a bare number (a header's unit)."""
    return _number(raw, lo, hi, what, unit, scale)


def _number(raw: object, lo: float, hi: float, what: str, unit: str | None, scale: float) -> float:
    if raw.__class__ is str:  # text first: the common cell
        text = raw.replace(",", "")
        try:
            value = Decimal(text)  # leading and trailing white space allowed
        except InvalidOperation:
            value = _with_unit(text.strip(), unit, scale, f"{what}应为数字")  # scaled there, if bare
            scale = 1
    elif isinstance(raw, bool):
        raise Invalid(f"{what}应为数字")
    elif isinstance(raw, int | float):
        value = Decimal(str(raw))
    else:
        return _number(str(raw), lo, hi, what, unit, scale)
    if not value.is_finite():
        raise Invalid(f"{what}应为数字")
    if scale != 1:
        value *= _decimal(scale)
    if value < lo or value > hi:
        raise Invalid(f"{what}应在 {lo:g}–{hi:g} 之间")
    return float(value)


def parse_int(raw: object, *, lo: int = 0, hi: int = 10**9, what: str = "数值",
              unit: str | None = None, scale: float = 1) -> int:
    value = _number(raw, lo, hi, what, unit, scale)
    if not value.is_integer():
        raise Invalid(f"{what}应为整数")
    return int(value)


def parse_area(raw: object, *, scale: float = 1) -> float:
    """场所面积 in m²: ``120``, ``85.5``, ``120㎡``, ``80平方米``, ``96平米``, ``100m2``."""
    return _number(raw, 0, 1e7, "场所面积", "area", scale)


def parse_participants(raw: object) -> int:
    """人次: ``30``, ``30人次``, ``30人``."""
    value = _number(raw, 0, 1_000_000, "人次", "people", 1)
    if not value.is_integer():
        raise Invalid("人次应为整数")
    return int(value)


def parse_hours(raw: object, *, scale: float = 1) -> float:
    """学时: ``4``, ``4学时``, ``4课时``, ``4小时``, ``4h``."""
    return _number(raw, 0, 10_000, "学时", "hours", scale)


def parse_score(raw: object) -> float:
    """得分 0–100: ``85``, ``85.5``, ``85分``."""
    return _number(raw, 0, 100, "得分", "score", 1)


def _shown(enum: Enumeration, value: str) -> str:
    label = enum.label(value)
    return f"{value} {label}" if len(value) == 1 and value.isupper() else label  # industries: C 制造业


def parse_enum(raw: object, enum: Enumeration) -> str:
    text = str(raw)
    value = enum.parse(text)
    if value is None:
        maybe = enum.candidates(text)
        if len(maybe) > 1:
            raise Invalid(f"「{text.strip()}」可指多个{enum.name}：{'；'.join(_shown(enum, v) for v in maybe)}，请写完整")
        raise Invalid(f"不是有效的{enum.name}，可选：{enum.choices_text()}")
    return value


_SPACE_RE = re.compile(r"\s")


def parse_code(raw: object, what: str = "编号") -> str:
    """Codes stay text: leading zeros are kept; an int-valued Excel number loses '.0'; a code in
    full-width letters and digits (``Ｐ０００１``) is read as ASCII (a name with full-width
    brackets in a reference column is left as written)."""
    text = raw.strip() if isinstance(raw, str) else str(whole(raw)).strip()
    if not text.isascii():
        folded = text.translate(FULLWIDTH)
        if folded.isascii():
            text = folded
    if len(text) > 64:
        raise Invalid(f"{what}过长（最多64个字符）")
    if _SPACE_RE.search(text) or CONTROL_RE.search(text):
        raise Invalid(f"{what}不能包含空白或控制字符")
    return text


def parse_text(raw: object, max_len: int = 500) -> str:
    text = raw.strip() if isinstance(raw, str) else str(whole(raw)).strip()
    if len(text) > max_len:
        raise Invalid(f"文字过长（最多{max_len}个字符）")
    if CONTROL_RE.search(text):
        raise Invalid("包含控制字符")
    return text


# --- ID numbers (GB 11643, ISO 7064 MOD 11-2) ---------------------------------

_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The check character of an 18-digit ID number (GB 11643, ISO 7064 MOD 11-2) from its first 17 digits.

    The weighted sum Σ dᵢ·2^(18−i) modulo 11 is the 17 digits read as a number in base 13 (13 ≡ 2
    modulo 11, and every decimal digit is a base-13 digit), times 2: one ``int()`` in C instead of
    17 multiplications (an import checks every person's number)."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"需要17位数字: {first17!r}")
    return _check_char(first17)


def _check_char(first17: str) -> str:
    """:func:`id_check_char` of 17 ASCII digits the caller has checked already."""
    return _ID_CHECK[int(first17, 13) * 2 % 11]


_BIRTHS: dict[str, bool] = {}


def _valid_birth(yyyymmdd: str) -> bool:
    known = _BIRTHS.get(yyyymmdd)
    if known is None:
        try:
            _dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
            known = True
        except ValueError:
            known = False
        if len(_BIRTHS) < 100_000:  # at most ~73,000 real dates in two centuries
            _BIRTHS[yyyymmdd] = known
    return known


#: How to keep an ID number column as text in Excel/WPS.
_AS_TEXT = "请把该列的单元格格式设为“文本”后重新输入，或在号码前加英文单引号（'）"
#: An ID number that Excel stored as a number: only 15 significant digits kept (…000, 4.10523E+17).
_EXCEL_NUMBER = ("身份证号校验位错误：很可能是 Excel 把身份证号当作数字保存，只保留了前 15 位有效数字"
                 f"（末几位变成 0 或显示为科学计数法）；{_AS_TEXT}")
_SCIENTIFIC_RE = re.compile(r"\d(?:\.\d+)?E\+?\d+")


def _check_failed(text: str) -> Invalid:
    """A wrong check digit; for a number ending in 000, the likely cause: Excel kept 15 digits."""
    return Invalid(_EXCEL_NUMBER if text.endswith("000") else "身份证号校验位错误")


def parse_id_number(raw: object) -> str:
    if not isinstance(raw, str):
        if isinstance(raw, (int, float)):
            raise Invalid(f"身份证号应按文本保存（数字格式会丢失末位）；{_AS_TEXT}")
        raw = str(raw)
    text = raw.strip().upper()
    # the common case, kept short (it runs once per imported person): 18 ASCII characters, 17 digits
    if len(text) == 18 and text.isascii() and text[:17].isdigit() and (text[17].isdigit() or text[17] == "X"):
        if _check_char(text[:17]) != text[17]:
            raise _check_failed(text)
        if not _valid_birth(text[6:14]):
            raise Invalid("身份证号中的出生日期无效")
        return text
    text = _squeeze(text).upper()  # written in groups (410506 19900401 1501) or in full-width digits
    if _SCIENTIFIC_RE.fullmatch(text):
        raise Invalid(f"身份证号是科学计数法：Excel 把身份证号当作数字保存，末几位已丢失；{_AS_TEXT}")
    if not text.isascii():
        raise Invalid("身份证号应为18位（末位可为X）或15位数字")
    if len(text) == 15 and text.isdigit():  # first-generation numbers carry no check digit
        birth = "19" + text[6:12]
    elif len(text) == 18 and text[:17].isdigit() and (text[17].isdigit() or text[17] == "X"):
        if _check_char(text[:17]) != text[17]:
            raise _check_failed(text)
        birth = text[6:14]
    else:
        raise Invalid("身份证号应为18位（末位可为X）或15位数字")
    try:
        _dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]))
    except ValueError:
        raise Invalid("身份证号中的出生日期无效") from None
    return text


# --- Unified social credit codes (GB 32100) -----------------------------------

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_char(first17: str) -> str:
    """The check character of a unified social credit code (GB 32100) from its first 17 characters."""
    if len(first17) != 17 or any(c not in _CREDIT_CHARS for c in first17):
        raise ValueError(f"需要17位代码字符: {first17!r}")
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS))
    return _CREDIT_CHARS[(31 - total % 31) % 31]


def parse_credit_code(raw: object) -> str:
    text = fold_width(str(raw).strip()).upper()
    if len(text) != 18 or any(c not in _CREDIT_CHARS for c in text):
        raise Invalid("统一社会信用代码应为18位数字或大写字母（不含 I、O、Z、S、V）")
    if credit_check_char(text[:17]) != text[17]:
        raise Invalid("统一社会信用代码校验位错误")
    return text


_PHONE_RE = re.compile(r"^\+?[0-9][0-9\-]{4,19}$")


_MOBILE_SECOND = frozenset("3456789")


def parse_phone(raw: object) -> str:
    """A phone number as written, in ASCII digits and without spaces (``１３８０７８２３０９３``,
    ``180 2812 4503`` → ``18028124503``); a landline keeps its hyphen (``0372-5512345``)."""
    text = raw.strip() if isinstance(raw, str) else str(whole(raw)).strip()
    if len(text) == 11 and text[0] == "1" and text.isascii() and text.isdigit():
        if text[1] not in _MOBILE_SECOND:
            raise Invalid("手机号码格式不正确")
        return text
    text = _squeeze(text)
    if len(text) == 11 and text[0] == "1" and text.isascii() and text.isdigit():
        if text[1] not in _MOBILE_SECOND:
            raise Invalid("手机号码格式不正确")
        return text
    if not _PHONE_RE.match(text):
        raise Invalid("电话号码格式不正确")
    digits = re.sub(r"\D", "", text)
    if len(digits) == 11 and digits.startswith("1") and digits[1] not in "3456789":
        raise Invalid("手机号码格式不正确")
    return text
