"""Text files: CSV and tab-separated text (Excel's "Unicode 文本"), any common encoding.

Encoding (``auto``): a UTF-8 or UTF-16 byte-order mark is honoured; otherwise the whole file
is decoded strictly as UTF-8, then as GB18030 (a superset of GBK), in a cheap streaming
pre-pass; a file that is UTF-8 in its first lines and not further on is refused naming the
lines that differ (never read as GB18030 mojibake); a file neither decodes as is refused,
asking for the encoding.  ``gbk`` is accepted as another name of ``gb18030``.  The same
pre-pass computes the file's SHA-256 for the audit log.

Delimiter: a tab when, of the first lines that hold anything (up to HEADER_ROWS), more hold a
tab than a comma (Excel's "Unicode 文本" and "文本文件(制表符分隔)"); a comma when more hold a
comma; when neither decides (one column), a tab for ``.txt``/``.tsv`` and a comma otherwise.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
from collections.abc import Iterator
from typing import IO, Any

from laomo.errors import LaomoError, UsageError
from laomo.ledger.readers.base import HEADER_ROWS, Probe, Raw, Source

ENCODINGS = ("auto", "utf-8", "gb18030", "gbk", "utf-16")
_ALIASES = {"gbk": "gb18030", "utf-8": "utf-8-sig"}  # a BOM is never data
_BLOCK = 1 << 20
_SNIFF = 64 << 10  # bytes of text looked at for the delimiter
csv.field_size_limit(1 << 24)


def _first_bad_line(fp: IO[bytes], encoding: str) -> int | None:
    """The line holding the first byte sequence ``encoding`` cannot decode, or None.

    A streaming pass over the whole file; lines are counted in the decoded text,
    so this is right for every encoding, UTF-16 included.
    """
    fp.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    lines = 1
    while True:
        block = fp.read(_BLOCK)
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeError as exc:  # UnicodeDecodeError, or UTF-16 without a byte-order mark
            good = block[: max(getattr(exc, "start", 0), 0)]
            with contextlib.suppress(UnicodeError):
                lines += decoder.decode(good).count("\n") if good else 0
            return lines
        lines += text.count("\n")
        if not block:
            return None


def _utf8_text_before_failure(fp: IO[bytes]) -> int | None:
    """The line where UTF-8 decoding fails if the text before it holds a character that only a
    3- or 4-byte UTF-8 sequence makes (Chinese, say): then the file is UTF-8 with foreign lines,
    not a GBK file (GBK bytes rarely form even one such sequence by chance).  None otherwise."""
    fp.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines = 1
    wide = False
    while block := fp.read(_BLOCK):
        try:
            text = decoder.decode(block)
        except UnicodeDecodeError as exc:
            good = block[: max(exc.start, 0)]
            with contextlib.suppress(UnicodeError):
                text = decoder.decode(good)
                wide = wide or any(ord(ch) >= 0x800 for ch in text)
                lines += text.count("\n")
            return lines if wide else None
        wide = wide or any(ord(ch) >= 0x800 for ch in text)
        lines += text.count("\n")
    return None


def _lines_not_utf8(fp: IO[bytes], limit: int = 5) -> tuple[list[int], int]:
    """The first ``limit`` lines that do not decode as UTF-8, and how many there are (a pass over
    the whole file, line by line: only on the way to refusing it)."""
    fp.seek(0)
    bad: list[int] = []
    total = 0
    for number, line in enumerate(fp, start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            total += 1
            if len(bad) < limit:
                bad.append(number)
    return bad, total


def _mixed(name: str, fp: IO[bytes], first: int) -> LaomoError:
    bad, total = _lines_not_utf8(fp)
    if not bad:  # cannot be (the whole file did not decode); name the line the decoder stopped at
        bad, total = [first], 1
    which = "、".join(str(n) for n in bad) + ("…" if total > len(bad) else "")
    count = f"（共 {total} 行）" if total > 1 else ""
    return LaomoError(
        f"{name}:{bad[0]}: 文件编码不一致：第 {which} 行{count}不能按 UTF-8 解码，而文件其余各行都是 UTF-8"
        f"（{'这些行' if total > 1 else '这一行'}可能是从 GBK 文件粘贴进来的）；为免存成乱码，没有导入任何数据。"
        "请在 Excel/WPS 中把整个文件另存为 UTF-8 或 GBK 后再导入（确认整个文件是 GBK 时可指定编码 gb18030）",
        option="encoding")


def detect_encoding(fp: IO[bytes], name: str) -> str:
    fp.seek(0)
    head = fp.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _first_bad_line(fp, "utf-8") is None:
        return "utf-8"
    mixed = _utf8_text_before_failure(fp)
    if mixed is not None:  # UTF-8 Chinese, then a line that is not: never read it all as GB18030
        raise _mixed(name, fp, mixed)
    if _first_bad_line(fp, "gb18030") is None:
        return "gb18030"
    line = _first_bad_line(fp, "utf-8")
    raise LaomoError(
        f"{name}:{line}: 无法识别文件编码（既不是 UTF-8 也不是 GB18030/GBK，第 {line} 行起无法按 UTF-8 解码）。"
        "请确认文件内容，或指定编码（utf-16 / gb18030 / utf-8）",
        option="encoding",
    )


def sha256(fp: IO[bytes]) -> str:
    fp.seek(0)
    h = hashlib.sha256()
    while block := fp.read(_BLOCK):
        h.update(block)
    return h.hexdigest()


def sniff_delimiter(fp: IO[bytes], encoding: str, suffix: str) -> str:
    """Tab or comma, from the first lines of the file (see the module's docstring)."""
    fp.seek(0)
    head = fp.read(_SNIFF)
    text = head.decode(encoding, errors="ignore")
    lines = [line for line in (text.splitlines()[:-1] if len(head) == _SNIFF else text.splitlines())
             if line.strip(" \t,\ufeff")][:HEADER_ROWS]
    tabs = sum("\t" in line for line in lines)
    commas = sum("," in line for line in lines)
    if tabs == commas:  # every line holds both, or neither: then the one written more often
        tabs = sum(line.count("\t") for line in lines)
        commas = sum(line.count(",") for line in lines)
    if tabs != commas:
        return "\t" if tabs > commas else ","
    return "\t" if suffix in (".txt", ".tsv", ".tab") else ","


class CsvSource(Source):
    text_cells = True  # csv.reader gives text, and nothing here changes a cell

    def __init__(self, fp: IO[bytes], name: str, encoding: str = "auto", size: int | None = None, *,
                 probe: Probe | None = None, suffix: str = ".csv"):
        self.name = name
        self._fp = fp
        self.sha256 = sha256(fp)
        self._size = self.size = size if size is not None else fp.tell()
        if encoding == "auto":
            encoding = detect_encoding(fp, name)
        else:
            if encoding not in ENCODINGS:
                raise UsageError(f"不支持的编码 {encoding}，可选：{'、'.join(ENCODINGS)}", option="encoding")
            encoding = _ALIASES.get(encoding, encoding)
            bad = _first_bad_line(fp, encoding)
            if bad is not None:
                raise LaomoError(f"{name}:{bad}: 按 {encoding} 解码失败，请指定正确的编码"
                                 "（auto、utf-8、gb18030 或 utf-16）", option="encoding")
        self.encoding = encoding
        self.delimiter = sniff_delimiter(fp, encoding, suffix)
        self._text: io.TextIOWrapper | None = None
        self._start(probe)

    def _raw(self) -> Raw:
        if self._text is not None:
            self._text.detach()
        self._fp.seek(0)
        self._text = io.TextIOWrapper(self._fp, encoding=self.encoding, errors="strict", newline="")
        return self._read(csv.reader(self._text, delimiter=self.delimiter))

    def _read(self, reader: Any) -> Iterator[tuple[int, list[Any]]]:
        start = 1
        try:
            for cells in reader:
                yield start, cells
                start = reader.line_num + 1
        except UnicodeError:
            raise LaomoError(
                f"{self.name}:{start}: 按 {self.encoding} 解码失败，请指定正确的编码", option="encoding"
            ) from None
        except csv.Error as exc:
            raise LaomoError(f"{self.name}:{start}: CSV 格式错误：{exc}") from None

    def fraction(self) -> float:
        try:
            pos = self._fp.tell()
        except (OSError, ValueError):
            return 0.0
        return min(1.0, pos / self._size) if self._size else 1.0

    def close(self) -> None:
        if self._text is not None:
            with contextlib.suppress(ValueError):  # already detached
                self._text.detach()
        self._fp.close()
