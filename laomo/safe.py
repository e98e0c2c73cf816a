"""Making text safe to show and to write: masking personal data, writing invisible
characters as escapes, neutralising spreadsheet formulas.

Foundation layer: used by the audit log, the importer's messages and rejects file,
the reports and the command layer alike, so it imports nothing of laomo.
"""

from __future__ import annotations

import re
from typing import Any

# --- Masking of personal data ---------------------------------------------------


def mask(value: str | None) -> str:
    """Keep the first 3 and last 4 characters of an ID or mobile number: ``110105199001011234`` ->
    ``110***********1234``, ``13812345678`` -> ``138****5678``; of a shorter number (an 8-digit
    landline) the first and last 2, so at least half is hidden (``62345678`` -> ``62****78``);
    values of 7 characters or fewer are masked whole."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    if len(value) < 11:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


mask_id_number = mask_phone = mask

# Digit runs that look like an ID number (15 or 18 characters, maybe ending in X) or a
# mainland mobile number — also as parse_phone accepts it: +86/86 in front, groups of
# 3-4-4 digits split by a hyphen or a space — not part of a longer run of digits.
_PII_RUN_RE = re.compile(
    r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2})(?![0-9Xx])")


def scrub(text: str) -> str:
    """Mask every ID-number-like or mobile-number-like digit run inside free text.

    Used on text the product echoes from outside (error messages quoting a
    cell of a non-personal column, exception texts of a bug report), where a
    personal value may sit in the wrong column.
    """
    return _PII_RUN_RE.sub(lambda m: mask(m.group(0)), text) if text else text


# Characters that would break a message line or act on the terminal when echoed: C0/C1 controls
# (ESC starts terminal escape sequences), the line and paragraph separators, bidi overrides.
_INVISIBLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
#: The same characters less tab, LF and CR (Alt+Enter in an Excel cell): text that holds one of these
#: cannot be meant (ESC drives a terminal, U+202E shows a name backwards) and is refused on input.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with control, line-separator and bidi characters written as escapes (``\\n``, ``\\x1b``)."""
    if not _INVISIBLE_RE.search(text):
        return text
    return _INVISIBLE_RE.sub(lambda m: _NAMED.get(m.group(0)) or (
        f"\\x{ord(m.group(0)):02x}" if ord(m.group(0)) < 0x100 else f"\\u{ord(m.group(0)):04x}"), text)


def has_surrogates(text: str) -> bool:
    """Whether ``text`` holds bytes that were not UTF-8 (Python keeps them as lone surrogates:
    an argument typed on a GBK terminal, a file name written by a GBK system)."""
    return not text.isascii() and any("\ud800" <= ch <= "\udfff" for ch in text)


def readable(text: str) -> str:
    """``text`` with such bytes read as GB18030 (what a Chinese Windows or GBK terminal wrote),
    else written as ``\\xNN`` escapes: safe to print, to store and to send to a database."""
    if not has_surrogates(text):
        return text
    raw = text.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


# --- Spreadsheet cells -------------------------------------------------------------

#: What a spreadsheet runs as a formula at the start of a cell, also after leading white space …
FORMULA_CHARS = ("=", "+", "-", "@")
#: … and at the very start only: a tab or a carriage return.
FORMULA_PREFIXES = (*FORMULA_CHARS, "\t", "\r")


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe.

    Numbers are left alone (a negative amount is a number, not a formula);
    only text cells are changed: those starting with ``= + - @`` or a tab/CR,
    and those whose first character after leading white space (spaces, the
    ideographic space U+3000, line breaks) is ``= + - @`` — spreadsheet
    programs that trim cells on import (LibreOffice's "trim spaces", some
    WPS versions) would otherwise still see a formula.
    """
    if isinstance(value, str) and (value.startswith(FORMULA_PREFIXES)
                                   or (value[:1].isspace() and value.lstrip().startswith(FORMULA_CHARS))):
        return "'" + value
    return value
