"""Issue 12: a fuzz run of the workbook reader and the template sandbox with hostile input stays
within its bounds — every mutated .xlsx (bytes flipped, parts cut short, entities, huge claims) and
every generated template ends in exit 0, 1 or 3 with Chinese lines, never a stack, each within
TIME_BOUND seconds, and the database is unchanged whenever the import did not succeed."""

import io
import time
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.db import dump

pytestmark = pytest.mark.slow
TIME_BOUND = 20  # seconds per case on a loaded 2-core machine; measured cases take < 2 s


def _base_workbook() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["编号", "姓名", "出生年份"])
    for i in range(1, 6):
        ws.append([f"P{i}", f"人{i}", 1980 + i])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


BASE = _base_workbook()
PARTS = zipfile.ZipFile(io.BytesIO(BASE)).namelist()
SNIPPETS = [b"<!DOCTYPE x [<!ENTITY a 'aaaaaaaa'>]>", b"&a;", b"<dimension ref=\"A1:XFD1048576\"/>",
            b"<row r=\"1048576\"><c r=\"XFD1048576\" s=\"1\"/></row>", b"\x00\xff", b"<c t=\"e\"><v>#N/A</v></c>",
            b"</sheetData>", b"<c r=\"A9\" t=\"s\"><v>99999</v></c>", "张三".encode("gbk")]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(BASE))
    target = draw(st.sampled_from(PARTS))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in PARTS:
            data = src.read(name)
            if name == target:
                how = draw(st.sampled_from(["cut", "flip", "insert", "drop"]))
                if how == "drop":
                    continue
                pos = draw(st.integers(0, max(len(data) - 1, 0)))
                if how == "cut":
                    data = data[:pos]
                elif how == "flip":
                    data = data[:pos] + bytes([data[pos] ^ draw(st.integers(1, 255))]) + data[pos + 1:] if data else data
                else:
                    data = data[:pos] + draw(st.sampled_from(SNIPPETS)) + data[pos:]
            dst.writestr(name, data)
    raw = out.getvalue()
    if draw(st.booleans()) and draw(st.integers(0, 9)) == 0:  # now and then, the archive itself is cut
        raw = raw[: draw(st.integers(0, len(raw)))]
    return raw


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=mutated())
def test_mutated_workbooks_stay_within_bounds(cli, laomo_db, tmp_path, data):
    path = tmp_path / "人员.xlsx"
    path.write_bytes(data)
    before = dump(laomo_db)
    started = time.monotonic()
    r = cli("register", "import", "people", path, "--on-error", "skip", "--rejects", tmp_path / "拒收.csv")
    assert time.monotonic() - started < TIME_BOUND
    assert r.code in (0, 1, 3), r
    assert "Traceback" not in r.err and "程序内部错误" not in r.err, r
    if r.code == 1:
        assert dump(laomo_db) == before


TEMPLATE_PARTS = ["{{ title }}", "{{ title|center(NUM) }}", "{% for i in range(NUM) %}x{% endfor %}",
                  "{{ '%0NUMd' % 1 }}", "{{ 'ab'|replace('a', 'x' * NUM) }}", "{{ lipsum(NUM) }}",
                  "{{ [1,2]|join('-' * NUM) }}", "{{ 'x' * NUM }}", "{{ 2 ** NUM }}", "[/]", "\x1b[2J"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(parts=st.lists(st.tuples(st.sampled_from(TEMPLATE_PARTS), st.sampled_from([3, 10**4, 10**6, 10**9, 10**13])),
                      min_size=1, max_size=4))
def test_generated_templates_stay_within_bounds(cli, assessed, tmp_path, parts):
    text = "".join(p.replace("NUM", str(n)) for p, n in parts)
    tpl = tmp_path / "t.md"
    tpl.write_text(text, encoding="utf-8")
    started = time.monotonic()
    r = cli("report", "notice", "--year", "2023", "--kind", "naming", "--template", tpl)
    assert time.monotonic() - started < TIME_BOUND
    assert r.code in (0, 1) and "Traceback" not in r.err and "程序内部错误" not in r.err, (text, r)
    assert len(r.out) <= 5_100_000
