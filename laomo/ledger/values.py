"""值的解析与校验：日期、年份、布尔、金额、身份证号、统一社会信用代码。

Each parser takes the raw cell (a string, or a native value from an .xlsx
cell) and returns the stored value, or raises :class:`Invalid` with the
Chinese reason shown to the user.  Both ``register import`` and the single
``register …`` commands go through these functions, so a value is accepted
or refused the same way everywhere.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import mul

from laomo.domain.numbers import FIRST_YEAR, LAST_YEAR, whole
from laomo.enums import Enumeration
from laomo.safe import CONTROL_RE


class Invalid(ValueError):
    """A value that cannot be accepted; ``str(exc)`` is the Chinese reason."""


_DATE_RE = re.compile(
    r"^(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?)$"
)
_DATE_HINT = "日期格式应为 2025-03-01、2025/3/1、2025.3.1 或 2025年3月1日"


def parse_date(raw: object) -> _dt.date:
    if isinstance(raw, _dt.datetime):
        return raw.date()
    if isinstance(raw, _dt.date):
        return raw
    text = str(raw).strip()
    # Excel sometimes appends a midnight time ("2025-03-01 00:00:00").
    if len(text) > 10 and text.endswith(" 00:00:00"):
        text = text[:-9]
    m = _DATE_RE.match(text)
    if not m:
        raise Invalid(_DATE_HINT)
    year = int(m.group(1))
    month = int(m.group(2) or m.group(4))
    day = int(m.group(3) or m.group(5))
    if not FIRST_YEAR <= year <= LAST_YEAR:  # 0001-01-01 would underflow every date computed from it
        raise Invalid(f"年份 {year} 超出范围 {FIRST_YEAR}–{LAST_YEAR}")
    try:
        return _dt.date(year, month, day)
    except ValueError:
        raise Invalid(f"不存在的日期（{year}年{month}月{day}日）") from None


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


def parse_year(raw: object) -> int:
    text = raw.strip() if isinstance(raw, str) else str(whole(raw))  # an .xlsx number 2024.0 is 2024
    if len(text) != 4 or not text.isascii() or not text.isdigit():
        raise Invalid("年份应为4位数字")
    year = int(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Invalid(f"年份超出范围 {FIRST_YEAR}–{LAST_YEAR}")
    return year


_TRUE = {"是", "有", "y", "yes", "true", "1", "t", "√"}
_FALSE = {"否", "无", "n", "no", "false", "0", "f", "×"}


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
    raise Invalid("应为 是/否、有/无、Y/N、yes/no、true/false 或 1/0")


_AMOUNT_RE = re.compile(r"^([+-]?)(\d+(?:\.\d+)?)(万)?(元)?$")


def parse_amount(raw: object) -> int:
    """An amount of 元: ``125000``, ``125,000``, ``12.5万``, ``12.5万元``, ``125000元``.

    Never negative; stored as whole 元, rounded half up.
    """
    if isinstance(raw, bool):
        raise Invalid("金额应为数字")
    if isinstance(raw, (int, float)):
        value = Decimal(str(raw))
    else:
        text = str(raw).strip().replace(",", "").replace("，", "").replace(" ", "")
        m = _AMOUNT_RE.match(text)
        if not m:
            raise Invalid("金额格式应为 125000、125,000、12.5万 或 12.5万元")
        value = Decimal(m.group(2))
        if m.group(3):
            value *= 10000
        if m.group(1) == "-":
            value = -value
    if value < 0:
        raise Invalid("金额不能为负数")
    if value > Decimal(10) ** 13:
        raise Invalid("金额过大")
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_number(raw: object, *, lo: float = 0, hi: float = 1e12, what: str = "数值") -> float:
    if isinstance(raw, bool):
        raise Invalid(f"{what}应为数字")
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise Invalid(f"{what}应为数字") from None
    if not value.is_finite():
        raise Invalid(f"{what}应为数字")
    if value < lo or value > hi:
        raise Invalid(f"{what}应在 {lo:g}–{hi:g} 之间")
    return float(value)


def parse_int(raw: object, *, lo: int = 0, hi: int = 10**9, what: str = "数值") -> int:
    value = parse_number(raw, lo=lo, hi=hi, what=what)
    if not value.is_integer():
        raise Invalid(f"{what}应为整数")
    return int(value)


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
    """Codes stay text: leading zeros are kept; an int-valued Excel number loses '.0'."""
    text = raw.strip() if isinstance(raw, str) else str(whole(raw)).strip()
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

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_OFFSET = 48 * sum(_ID_WEIGHTS)  # ASCII '0' is 48: weigh the bytes, subtract the offset
_ID_CHECK = "10X98765432"


def id_check_char(first17: str) -> str:
    """The check character of an 18-digit ID number (GB 11643, ISO 7064 MOD 11-2) from its first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"需要17位数字: {first17!r}")
    return _ID_CHECK[(sum(map(mul, first17.encode("ascii"), _ID_WEIGHTS)) - _ID_OFFSET) % 11]


_ID18_RE = re.compile(r"[0-9]{17}[0-9X]")  # ASCII only: \d would admit full-width digits


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


def parse_id_number(raw: object) -> str:
    if not isinstance(raw, str):
        if isinstance(raw, (int, float)):
            raise Invalid("身份证号应按文本保存（数字格式会丢失末位）")
        raw = str(raw)
    text = raw.strip().upper()
    if _ID18_RE.fullmatch(text):  # the common case, kept short: it runs once per imported person
        if _ID_CHECK[(sum(map(mul, text.encode("ascii"), _ID_WEIGHTS)) - _ID_OFFSET) % 11] != text[17]:
            raise Invalid("身份证号校验位错误")
        if not _valid_birth(text[6:14]):
            raise Invalid("身份证号中的出生日期无效")
        return text
    if not text.isascii():
        raise Invalid("身份证号应为18位（末位可为X）或15位数字")
    if len(text) == 15 and text.isdigit():  # first-generation numbers carry no check digit
        birth = "19" + text[6:12]
    elif len(text) == 18 and text[:17].isdigit() and (text[17].isdigit() or text[17] == "X"):
        if id_check_char(text[:17]) != text[17]:
            raise Invalid("身份证号校验位错误")
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
    text = str(raw).strip().upper()
    if len(text) != 18 or any(c not in _CREDIT_CHARS for c in text):
        raise Invalid("统一社会信用代码应为18位数字或大写字母（不含 I、O、Z、S、V）")
    if credit_check_char(text[:17]) != text[17]:
        raise Invalid("统一社会信用代码校验位错误")
    return text


_PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")


_MOBILE_SECOND = frozenset("3456789")


def parse_phone(raw: object) -> str:
    text = raw.strip() if isinstance(raw, str) else str(whole(raw)).strip()
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
