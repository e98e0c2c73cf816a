"""Reports are safe to open: HTML escaped, CSV/XLSX formulas neutralised, personal data masked, templates sandboxed."""

from __future__ import annotations

import csv
import io

import pytest
from support.assess import load, studio
from support.db import query

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def hostile(cli, assessed):
    """The sample county plus studios whose names and units are an XSS payload and spreadsheet formulas."""
    from laomo.store.db import open_engine

    records = studio("X0001", named=[("county", "2025-12-01")])
    records["studios"][0].update(name=SCRIPT, unit="=HYPERLINK(\"http://evil\",\"x\")")
    records["people"][0].update(name="@SUM(A1:A9)", unit="+86-1")
    more = studio("X0002", named=[("county", "2025-12-01")])
    more["studios"][0].update(name="-2+3", unit="@cmd")
    for part in (records, more):
        for d in part["designations"]:
            d["doc"] = "=1+1"
        load(open_engine(str(assessed)), part)
    return assessed


def _outputs(cli, tmp_path, args, fmt):
    out = tmp_path / f"out.{fmt}"
    r = cli(*args, "--format", fmt, "--out", out)
    assert r.code == 0, r
    return out


def test_html_escapes_a_script_name(cli, hostile, tmp_path):
    htmls = [
        cli("report", "studio", "X0001", "--format", "html").out,
        cli("report", "assessment", "--year", "2025", "--format", "html").out,
        cli("report", "notice", "--year", "2025", "--kind", "naming", "--format", "html").out,
        cli("report", "summary", "--year", "2025", "--county", SCRIPT, "--format", "html").out,
    ]
    assert cli("assess", "run", "--year", "2025", "--json").code == 0
    htmls.append(cli("report", "assessment", "--year", "2025", "--format", "html").out)
    for html in htmls:
        assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in htmls[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in htmls[2]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in htmls[-1]
    md = cli("report", "ledger", "--format", "md").out
    assert SCRIPT not in md and r"\<script\>alert(1)\</script\>" in md
    notice_md = cli("report", "notice", "--year", "2025", "--kind", "naming", "--format", "md").out
    assert SCRIPT not in notice_md


def test_csv_and_xlsx_neutralise_formulas(cli, hostile, tmp_path):
    from openpyxl import load_workbook

    data = _outputs(cli, tmp_path, ("report", "ledger"), "csv").read_bytes()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header = rows[0]
    by_code = {r[0]: dict(zip(header, r)) for r in rows[1:]}
    assert by_code["X0001"]["所在单位"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert by_code["X0001"]["领衔人"] == "'@SUM(A1:A9)"
    assert by_code["X0002"]["名称"] == "'-2+3" and by_code["X0002"]["所在单位"] == "'@cmd"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell

    xlsx = _outputs(cli, tmp_path, ("report", "ledger"), "xlsx")
    wb = load_workbook(xlsx)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), (cell.coordinate, cell.value)
    values = {c.value for row in wb.active.iter_rows() for c in row}
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in values and "'-2+3" in values

    assert cli("assess", "run", "--year", "2025", "--json").code == 0
    for fmt in ("csv", "xlsx"):
        path = _outputs(cli, tmp_path, ("report", "assessment", "--year", "2025"), fmt)
        if fmt == "csv":
            cells = [c for row in csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))) for c in row]
        else:
            cells = [c.value for ws in load_workbook(path).worksheets for row in ws.iter_rows() for c in row]
            assert all(c.data_type != "f" for ws in load_workbook(path).worksheets for row in ws.iter_rows()
                       for c in row)
        assert "'-2+3" in cells
        assert not any(isinstance(c, str) and c.startswith(("=", "+", "-", "@")) for c in cells)


def _pii(db) -> list[str]:
    rows = query(db, "SELECT id_number, phone FROM person")
    values = [v for row in rows for v in row if v]
    assert len(values) > 100
    return values


def _texts_of(path) -> str:
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        return "\n".join(str(c.value) for ws in load_workbook(path).worksheets for row in ws.iter_rows()
                         for c in row if c.value is not None)
    if path.suffix == ".docx":
        import docx

        d = docx.Document(path)
        return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])
    return path.read_bytes().decode("utf-8-sig")


def test_nothing_unmasked_without_show_pii(cli, assessed, tmp_path):
    secrets = _pii(assessed)
    leaders = [c for (c,) in query(assessed, "SELECT code FROM studio ORDER BY code LIMIT 5")]
    outputs: list[str] = []
    for fmt in ("text", "csv", "xlsx", "md", "json"):
        path = tmp_path / f"ledger.{fmt if fmt != 'text' else 'txt'}"
        assert cli("report", "ledger", "--format", fmt, "--out", path).code == 0
        outputs.append(_texts_of(path))
        r = cli("report", "ledger", "--format", fmt) if fmt not in ("xlsx",) else None
        if r is not None:
            outputs.append(r.out)
    for code in leaders:
        for fmt in ("text", "md", "html", "json"):
            outputs.append(cli("report", "studio", code, "--format", fmt).out)
    for fmt in ("text", "md", "html", "json", "xlsx"):
        path = tmp_path / f"summary.{fmt if fmt != 'text' else 'txt'}"
        assert cli("report", "summary", "--format", fmt, "--out", path).code == 0
        outputs.append(_texts_of(path))
    for fmt in ("text", "md", "html", "csv", "json"):
        outputs.append(cli("report", "assessment", "--year", "2025", "--format", fmt).out)
    notice = tmp_path / "n.docx"
    assert cli("report", "notice", "--year", "2023", "--kind", "naming", "--out", notice).code == 0
    outputs.append(_texts_of(notice))
    blob = "\n".join(outputs)
    assert "***" in blob  # masked values are there
    leaked = [s for s in secrets if s in blob]
    assert leaked == [], leaked[:5]

    # --show-pii shows them
    shown = cli("report", "ledger", "--format", "json", "--show-pii").out
    assert sum(1 for s in secrets if s in shown) >= 40
    shown = cli("report", "studio", leaders[0], "--format", "md", "--show-pii").out
    assert any(s in shown for s in secrets)


@pytest.mark.parametrize("payload", [
    "{{ ''.__class__.__mro__ }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for c in ().__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
    "{{ title.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os }}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "{{ groups.append(1) }}{{ groups|length }}",
    "{{ d.__class__.__subclasses__() }}",
    "{% include '/etc/passwd' %}",
    "{{ self._TemplateReference__context }}",
])
def test_a_template_cannot_reach_python_internals(cli, assessed, tmp_path, payload):
    assert cli("init", "--union", "示例县总工会").code == 0
    tpl = tmp_path / "evil.md"
    tpl.write_text("开始 " + payload + " 结束", encoding="utf-8")
    r = cli("report", "notice", "--year", "2023", "--kind", "naming", "--template", tpl)
    assert r.code in (0, 1), r
    assert "Traceback" not in r.err
    for bad in ("<class", "object", "subclasses", "uid=", "root:", "__", "builtins", "function"):
        assert bad not in r.out, (payload, r.out[:300])
    if r.code == 1:
        assert "模板" in r.err
    html_tpl = tmp_path / "evil.html"
    html_tpl.write_text(payload, encoding="utf-8")
    r = cli("report", "notice", "--year", "2023", "--kind", "naming", "--template", html_tpl)
    assert r.code in (0, 1) and "<class" not in r.out and "&lt;class" not in r.out


def test_template_output_is_escaped_too(cli, hostile, tmp_path):
    html_tpl = tmp_path / "t.html"
    html_tpl.write_text("{% for g in groups %}{% for s in g.studios %}<li>{{ s.name }}</li>{% endfor %}{% endfor %}",
                        encoding="utf-8")
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--template", html_tpl)
    assert r.code == 0, r
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt;</li>" in r.out and "<script" not in r.out
