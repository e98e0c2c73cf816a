"""Fuzz every import KIND with mutated sample rows, as CSV (several encodings, corrupted bytes) and XLSX.

Each example starts from rows of the sample county's own file for the KIND and mutates them:
cells truncated, emptied, swapped with another column's, replaced by a value of the wrong type,
made huge, given unicode oddities (full-width digits, zero-width and bidi characters, NBSP,
ideographic space, emoji, combining marks), control characters, quotes, commas and line breaks,
formula prefixes; keys changed (new rows) or repeated with other values (conflicts); rows
duplicated, shortened, lengthened, blanked, or replaced by random garbage; the header written
with English aliases, a trailing ``*``, columns reordered, an optional column dropped, an
unknown one added, or (rarely) a required one dropped; the CSV encoded as UTF-8 (with or
without BOM), GB18030 or UTF-16, sometimes with corrupted or cut bytes, sometimes with an
explicit ``--encoding``.  XLSX cells may hold numbers, dates and booleans instead of text.

The file is imported through the CLI into the whole sample county (so keys and references
exist and an import inserts, updates and leaves rows unchanged) and:

* never a traceback or bug report; the exit code is 0, 1 or 3 (cli.md);
* exit 1 leaves the database exactly as before (audit log included) and names the file,
  a line, and for row problems the column, in Chinese;
* exit 0 accounts for every non-blank row, and importing the file again changes nothing;
* exit 3 (``--on-error skip``) accounts for every row and writes one rejects line per rejected row;
* no full ID number or mobile number from the file appears in stdout or stderr.

Budget: the ``laomo-fuzz`` Hypothesis profile (``LAOMO_FUZZ_EXAMPLES`` examples per KIND, 20 by
default — about 40 s on SQLite, 60 s on PostgreSQL with 2 cores — no deadline, random seed,
no shrinking unless ``LAOMO_FUZZ_SHRINK=1``).  The seed of the run is printed at the end with the number
of examples, rows and exit codes per KIND; ``LAOMO_FUZZ_SEED=N`` replays a run.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import random
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, event, given, seed, settings
from hypothesis import strategies as st
from support.db import copy_db, dump
from support.fuzzing import small_chunks
from support.sample import ORDER, SAMPLE

pytestmark = pytest.mark.slow

settings.register_profile(
    "laomo-fuzz",
    max_examples=int(os.environ.get("LAOMO_FUZZ_EXAMPLES", "20")),
    deadline=None,
    derandomize=False,
    print_blob=True,
    # a failing example is reported as found (replay it with the printed blob or seed); shrinking
    # files of tens of rows through the CLI takes minutes, so only with LAOMO_FUZZ_SHRINK=1
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target]
    + ([Phase.shrink] if os.environ.get("LAOMO_FUZZ_SHRINK") == "1" else []),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
FUZZ = settings.get_profile("laomo-fuzz")
SEED = int(os.environ.get("LAOMO_FUZZ_SEED") or random.SystemRandom().randrange(2**32))

# --- the sample rows -------------------------------------------------------------------------


def _sample(kind: str) -> tuple[list[str], list[list[str]]]:
    from laomo.ledger.sources import open_source

    with open_source(str(SAMPLE / f"{kind}.csv")) as source:
        return list(source.header), [list(cells) for _, cells in source.rows()]


SAMPLES = {kind: _sample(kind) for kind in ORDER}

# --- cell mutations ------------------------------------------------------------------------------

FULLWIDTH = str.maketrans({**{d: chr(0xFF10 + int(d)) for d in "0123456789"}, "-": "－", "/": "／", ".": "．"})
ODD = ["\u200b", "\u200d", "\u202e", "\ufeff", "\u00a0", "\u3000", "\u0301", "😀", "𠀀", "\u2028", "\u00ad"]
CONTROL = [chr(c) for c in range(1, 32)] + ["\x7f", "\x00"]
FORMULA = ["=", "+", "-", "@", "\t", " ="]
WRONG = ["", " ", "abc", "是", "否", "-1", "0", "1e400", "NaN", "9" * 400, "12.5万万", "2025-02-30",
         "二〇二五", "2025年13月1日", "1/3/2025", "P404", "S404", "县级", "优秀", "发明专利", "true",
         "999999999999999999999", "0x1F", "１２３", "None", "null", "\\N", "'", '"', ",", "\n", "\r\n"]
GARBAGE = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


def _swap_from(row: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(row) if row else st.just("")


def cell_mutation(value: str, row: list[str]) -> st.SearchStrategy[str]:
    """One way to spoil (or merely reshape) a cell."""
    n = len(value)
    return st.one_of(
        st.integers(0, max(n - 1, 0)).map(lambda k: value[:k]),                      # truncated
        st.sampled_from(WRONG),                                                       # wrong type, empty
        _swap_from(row),                                                              # another column's value
        st.just(value.translate(FULLWIDTH)),                                          # full-width digits
        st.tuples(st.sampled_from(ODD), st.integers(0, n)).map(lambda t: value[:t[1]] + t[0] + value[t[1]:]),
        st.tuples(st.sampled_from(CONTROL), st.integers(0, n)).map(lambda t: value[:t[1]] + t[0] + value[t[1]:]),
        st.sampled_from(FORMULA).map(lambda p: p + value),                            # formula prefix
        st.sampled_from(['"', '""', "\n", "\r", ",", "，", "'"]).map(lambda q: q + value + q),
        st.sampled_from([" ", "\t", "\u3000", "  "]).map(lambda s: s + value + s),    # padded (valid)
        st.just(value.lower()), st.just(value.upper()),
        st.integers(2, 400).map(lambda k: (value or "长") * k),                      # huge
        GARBAGE,
    )


def _new_key(value: str, salt: int) -> str:
    return f"{value}Z{salt}" if value else f"Z{salt}"


@st.composite
def mutated_file(draw, kind: str):
    """``(header, rows, meta)``: sample rows of ``kind``, mutated; ``meta`` says what was done."""
    from laomo.ledger.columns import KINDS
    from laomo.ledger.header import normalize

    k = KINDS[kind]
    header, rows = SAMPLES[kind]
    by_name = {c.header: c for c in k.columns} | {c.key: c for c in k.columns}
    cols = [by_name.get(normalize(h)[0]) for h in header]
    meta: Counter = Counter()
    n = draw(st.integers(1, 60))
    picked = [list(rows[i]) for i in draw(st.lists(st.integers(0, len(rows) - 1), min_size=n, max_size=n))]
    width = len(header)
    for row in picked:
        row += [""] * (width - len(row))
    # cell mutations, a few per file (many rows stay valid, so inserts, updates and unchanged rows
    # mix); one file in three is only reshaped in ways that keep it valid (padding, case of
    # enumerations, new keys, duplicates, blank lines, header forms), to exercise the success path
    clean = draw(st.integers(0, 2)) == 0
    for _ in range(draw(st.integers(0, 10))):
        r, c = draw(st.integers(0, len(picked) - 1)), draw(st.integers(0, width - 1))
        value = picked[r][c]
        picked[r][c] = draw(st.sampled_from([" ", "\u3000", "\t"]).map(lambda p, v=value: p + v + p)
                            if clean else cell_mutation(value, picked[r]))
        meta["cell"] += 1
    key_idx = [i for i, c in enumerate(cols)
               if c is not None and (c.key == "code" or (not clean and c.target in k.key))]
    for _ in range(draw(st.integers(0, 3)) if key_idx else 0):  # new keys: inserts
        r = draw(st.integers(0, len(picked) - 1))
        i = draw(st.sampled_from(key_idx))
        picked[r][i] = _new_key(picked[r][i], draw(st.integers(0, 99)))
        meta["new key"] += 1
    # rows: exact duplicates, repeats with other values (conflicts), short/long/blank/random rows
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["dup", "blank"] if clean else
                                  ["dup", "conflict", "short", "long", "blank", "random"]))
        r = draw(st.integers(0, len(picked) - 1))
        meta[op] += 1
        if op == "dup":
            picked.insert(draw(st.integers(0, len(picked))), list(picked[r]))
        elif op == "conflict":
            other = picked[r] + [""] * (width - len(picked[r]))
            c = draw(st.integers(0, width - 1))
            other[c] = draw(cell_mutation(other[c], other))
            picked.append(other)
        elif op == "short":
            picked[r] = picked[r][: draw(st.integers(0, width - 1))]
        elif op == "long":
            picked[r] = picked[r] + draw(st.lists(GARBAGE, min_size=1, max_size=3))
        elif op == "blank":
            picked.insert(r, [""] * width)
        else:
            picked.insert(r, draw(st.lists(GARBAGE, min_size=width, max_size=width)))
    # the header: aliases, a '*', order, a dropped optional column, an unknown one, a dropped required one
    header = list(header)
    if draw(st.booleans()):
        header = [(c.key if c is not None and draw(st.booleans()) else h) for h, c in zip(header, cols)]
        meta["aliases"] += 1
    if draw(st.booleans()):
        header = [h + ("*" if c is not None and c.required else "") for h, c in zip(header, cols)]
    if draw(st.integers(0, 5)) == 0:
        order = draw(st.permutations(range(width)))
        header = [header[i] for i in order]
        picked = [[row[i] if i < len(row) else "" for i in order] for row in picked]
        cols = [cols[i] for i in order]
        meta["reordered"] += 1
    optional = [i for i, c in enumerate(cols) if c is not None and not c.required]
    required = [i for i, c in enumerate(cols) if c is not None and c.required]
    drop = None
    if optional and draw(st.integers(0, 3)) == 0:
        drop = draw(st.sampled_from(optional))
        meta["dropped optional"] += 1
    elif not clean and draw(st.integers(0, 24)) == 0:
        drop = draw(st.sampled_from(required))
        meta["dropped required"] += 1
    if drop is not None:
        header.pop(drop)
        picked = [row[:drop] + row[drop + 1:] for row in picked]
    if draw(st.integers(0, 5)) == 0:
        header.append(draw(st.sampled_from(["不认识的列", "=HYPERLINK(\"x\")", "备注２", "  "])))
        meta["unknown column"] += 1
    return header, picked, meta


# --- writing the file ------------------------------------------------------------------------------

ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]
XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@st.composite
def csv_bytes(draw, header: list[str], rows: list[list[str]]):
    """``(data, option)``: the file's bytes and an ``--encoding`` option (or None)."""
    enc = draw(st.sampled_from(ENCODINGS))
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    data = buf.getvalue().encode(enc)
    option = None
    corrupt = draw(st.integers(0, 11))
    if corrupt == 0:  # bytes no encoding decodes
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xff", b"\x80\x80", b"\xfe\xff\xfe", b"\xc3"])) + data[at:]
        event("csv: corrupted bytes")
    elif corrupt == 1:  # cut anywhere (maybe inside a character or a quoted cell)
        data = data[: draw(st.integers(1, len(data)))]
        event("csv: cut")
    if draw(st.integers(0, 3)) == 0:  # an explicit --encoding: mostly the right one, sometimes not
        right = {"utf-8-sig": "utf-8"}.get(enc, enc)
        option = draw(st.sampled_from([right, right, right, "auto", "utf-8", "gb18030", "utf-16"]))
    return data, option


XLSX_NATIVE = st.one_of(st.integers(-10**15, 10**18), st.floats(allow_nan=False), st.booleans(),
                        st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
                        st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2100, 1, 1)), st.none())


def _native(value: str):
    """The value Excel would store for a cell typed as ``value`` (numbers and dates stop being text)."""
    text = value.strip()
    if re.fullmatch(r"-?[0-9]{1,15}", text):
        return int(text)
    if re.fullmatch(r"-?[0-9]+\.[0-9]+", text):
        return float(text)
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", text)
    if m:
        try:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return value
    return value


@st.composite
def xlsx_rows(draw, rows: list[list[str]]):
    """Cells as openpyxl will store them: text, or (typed cells) numbers/dates/booleans."""
    typed = draw(st.booleans())
    out = []
    for row in rows:
        cells = []
        for value in row:
            value = XLSX_ILLEGAL.sub("", value)
            if typed:
                value = _native(value)
            if draw(st.integers(0, 30)) == 0:
                value = draw(XLSX_NATIVE)
            cells.append(value)
        out.append(cells)
    return out


def _write_xlsx(path: Path, header: list[str], rows: list[list]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    ws.append([XLSX_ILLEGAL.sub("", h) for h in header])
    for row in rows:
        ws.append(row)
    wb.save(path)


# --- the property ------------------------------------------------------------------------------------

PII_RUN = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15}|1[3-9][0-9]{9})(?![0-9Xx])")
PROBLEM = re.compile(r"^(?P<file>.+):(?P<line>\d+): 列「(?P<col>[^」]*)」值「.*」: (?P<why>.+)$")
STATS: dict[str, Counter] = defaultdict(Counter)


def _nonblank(rows: list[list]) -> int:
    return sum(1 for row in rows if any(c is not None and str(c).strip() for c in row))


def _without_audit(d: dict[str, list]) -> dict[str, list]:
    """The tables without the audit log and its head (the `audit_head` setting moves with every entry)."""
    return {name: [r for r in rows if name != "setting" or r[0] != "audit_head"]
            for name, rows in d.items() if name != "audit"}


def check(cli, db, path: Path, kind: str, rows: list[list], options: list[str], skip: bool, exact: bool) -> None:
    """``exact``: the file was written as-is (no cut or corrupted bytes), so every row must be read."""
    rejects = path.with_name("rejects.csv")
    rejects.unlink(missing_ok=True)
    base = list(options)
    if skip:
        options = [*options, "--on-error", "skip", "--rejects", str(rejects)]
    secrets = {m.group(0) for row in rows for c in row if c is not None for m in PII_RUN.finditer(str(c))}
    before = dump(db)

    r = cli("register", "import", kind, path, "--json", *options)

    event(f"exit {r.code}")
    STATS[kind][f"exit {r.code}"] += 1
    assert r.code in (0, 1, 3), r
    assert "Traceback" not in r.out + r.err and "程序内部错误" not in r.err, r
    leaked = [s for s in secrets if re.search(rf"(?<![0-9]){s}(?![0-9Xx])", r.out + r.err)]
    assert leaked == [], (leaked, r)
    if r.code == 1:
        assert dump(db) == before, r
        assert str(path) in r.err, r  # names the file, and a line unless the file is empty
        assert re.search(r":\d+:", r.err) or "为空" in r.err, r
        if r.out.strip():  # row problems: the JSON summary lists them, each with line, column, Chinese reason
            doc = r.json
            assert doc["committed"] is False and doc["error_count"] >= len(doc["errors"]) > 0, r
            for e in doc["errors"]:
                assert e["line"] >= 2 and e["column"] and re.search(r"[\u4e00-\u9fff]", e["reason"]), e
            for line in r.err.splitlines():
                if line.startswith(str(path) + ":") and "列「" in line:
                    assert PROBLEM.match(line), line
        return
    doc = r.json
    if exact:
        assert doc["read"] == _nonblank(rows), r
    written = doc["inserted"] + doc["updated"] + doc["unchanged"] + doc["duplicates"]
    if r.code == 3:
        assert skip and doc["rejected"] > 0 and doc["read"] == written + doc["rejected"], r
        with rejects.open(encoding="utf-8-sig", newline="") as fp:
            assert len(list(csv.reader(fp))) == doc["rejected"] + 1
        return
    assert doc["rejected"] == 0 and doc["read"] == written, r
    after = dump(db)
    again = cli("register", "import", kind, path, "--json", *base)
    assert again.code == 0, again
    assert (again.json["inserted"], again.json["updated"]) == (0, 0), again
    assert _without_audit(dump(db)) == _without_audit(after)


@pytest.fixture
def county(sample_template, laomo_db):  # type: ignore[no-untyped-def]
    """A private copy of the whole sample county."""
    return copy_db(sample_template, laomo_db)


@pytest.fixture(scope="module", autouse=True)
def fuzz_report(request):  # type: ignore[no-untyped-def]
    """Print the seed and the examples, rows and exit codes per KIND at the end of the module."""
    yield
    if not STATS:
        return
    lines = [f"import fuzz (seed {SEED}, replay with LAOMO_FUZZ_SEED={SEED}):"]
    for kind in ORDER:
        s = STATS.get(kind)
        if s:
            exits = ", ".join(f"{k} ×{v}" for k, v in sorted(s.items()) if k.startswith("exit"))
            lines.append(f"  {kind:13} {s['examples']:4} examples ({s['csv']} csv, {s['xlsx']} xlsx), "
                         f"{s['rows']:6} rows; {exits}")
    target = os.environ.get("LAOMO_FUZZ_STATS")  # a file to append the figures to (docs/reliability.md)
    if target:
        with open(target, "a", encoding="utf-8") as fp:
            fp.write("\n".join(lines) + "\n")
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            for line in lines:
                reporter.write_line(line)


def _fuzz_test(kind: str):
    @seed(SEED)
    @FUZZ
    @given(data=st.data(), skip=st.booleans(), xlsx=st.integers(0, 3), chunk=st.sampled_from([3, 7, None]))
    def test(cli, county, tmp_path, data, skip, xlsx, chunk):
        header, rows, meta = data.draw(mutated_file(kind), label="file")
        for what in meta:
            event(f"mutation: {what}")
        if xlsx == 0:  # one example in four is an .xlsx file
            path = tmp_path / f"{kind}.xlsx"
            cells = data.draw(xlsx_rows(rows), label="xlsx cells")
            _write_xlsx(path, header, cells)
            # text starting with '=' is a formula in .xlsx, read back (data_only, no cached value) as empty
            cells = [[None if isinstance(c, str) and c.startswith("=") else c for c in row] for row in cells]
            options, exact = [], True
        else:
            path = tmp_path / f"{kind}.csv"
            raw, encoding = data.draw(csv_bytes(header, rows), label="csv bytes")
            path.write_bytes(raw)
            buf = io.StringIO()
            csv.writer(buf).writerows([header, *rows])
            exact = buf.getvalue() in _decodings(raw)
            options = ["--encoding", encoding] if encoding else []
            cells = rows
        STATS[kind]["examples"] += 1  # counted once every draw is done (an aborted draw is no example)
        STATS[kind]["rows"] += len(rows)
        STATS[kind]["xlsx" if xlsx == 0 else "csv"] += 1
        with small_chunks(chunk):
            check(cli, county, path, kind, cells, options, skip, exact)

    test.__name__ = f"test_fuzz_mutated_{kind}"
    return test


def _decodings(raw: bytes) -> set[str]:
    out = set()
    for enc in ENCODINGS:
        with contextlib.suppress(UnicodeDecodeError):
            out.add(raw.decode(enc))
    return out


test_fuzz_mutated_people = _fuzz_test("people")
test_fuzz_mutated_honors = _fuzz_test("honors")
test_fuzz_mutated_studios = _fuzz_test("studios")
test_fuzz_mutated_members = _fuzz_test("members")
test_fuzz_mutated_achievements = _fuzz_test("achievements")
test_fuzz_mutated_activities = _fuzz_test("activities")
test_fuzz_mutated_mentorships = _fuzz_test("mentorships")
test_fuzz_mutated_inspections = _fuzz_test("inspections")
test_fuzz_mutated_designations = _fuzz_test("designations")
test_fuzz_mutated_assessments = _fuzz_test("assessments")


# --- inputs this fuzz tripped over, pinned as plain tests --------------------------------------------


def test_utf16_option_on_a_file_without_bom_is_a_message(cli, laomo_db, tmp_path):
    """Found by this fuzz: ``--encoding utf-16`` on a file without a byte-order mark crashed
    (UnicodeError "UTF-16 stream does not start with BOM" is not a UnicodeDecodeError)."""
    path = tmp_path / "people.csv"
    path.write_bytes("编号,姓名\r\nP1,甲\r\n".encode())
    before = dump(laomo_db) if cli("init").code == 0 else None

    r = cli("register", "import", "people", path, "--encoding", "utf-16")

    assert r.code == 1 and "Traceback" not in r.err, r
    assert f"{path}:1: 按 utf-16 解码失败" in r.err, r
    assert dump(laomo_db) == before


@pytest.mark.parametrize("char", ["\x1d", "\x1e", "\x85", "\u2028", "\x1b", "\u202e"])
def test_an_echoed_value_stays_on_one_line_and_cannot_drive_the_terminal(cli, laomo_db, tmp_path, char):
    """Found by this fuzz: a cell holding a record/group separator (\\x1c–\\x1e), NEL or U+2028 split
    its problem over two lines (they are line breaks to many readers), and ESC or a bidi override
    went to the terminal as is.  Such characters are now shown as escapes."""
    path = tmp_path / "people.csv"
    path.write_text(f"编号,姓名,技能等级,不认识{char}的列\nP1,甲,中{char}级工,x\n", encoding="utf-8")
    escaped = f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"

    r = cli("register", "import", "people", path, "--on-error", "skip", "--rejects", tmp_path / "r.csv")

    assert r.code == 3, r
    problems = [line for line in r.err.splitlines() if "列「技能等级」" in line]
    assert problems == [f"{path}:2: 列「技能等级」值「中{escaped}级工」: " + problems[0].split("」: ", 1)[1]], r
    assert char not in r.err and f"不认识{escaped}的列" in r.err, r
    with (tmp_path / "r.csv").open(encoding="utf-8-sig", newline="") as fp:
        rows = list(csv.reader(fp))
    assert rows[1][2] == f"中{char}级工" and escaped in rows[1][-1]  # the cell as written; the reason escaped
