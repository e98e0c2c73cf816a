"""laomo report ledger / assessment in every format: CSV, XLSX read back, md, html, json; --out and file names."""

from __future__ import annotations

import ast
import csv
import io
import subprocess
import sys
from pathlib import Path

from support.db import query
from support.sample import EXPECTED

ROOT = Path(__file__).resolve().parents[1]


def _studios(db) -> dict[str, tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {c: (n, u) for c, n, u in query(db, "SELECT code, name, unit FROM studio")}


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    text = data[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text)))


def test_ledger_csv_has_every_studio(cli, assessed, tmp_path):
    out = tmp_path / "ledger.csv"
    r = cli("report", "ledger", "--format", "csv", "--out", out)
    assert r.code == 0, r
    assert r.out.strip() == str(out.resolve())
    rows = _csv_rows(out.read_bytes())
    header, body = rows[0], rows[1:]
    assert header[:5] == ["编号", "名称", "类型", "领衔人编号", "领衔人"] and "年度经费" in header and "状态" in header
    studios = _studios(assessed)
    assert {r[0] for r in body} == set(studios)
    for row in body:
        assert row[1] == studios[row[0]][0] and row[header.index("所在单位")] == studios[row[0]][1]
    status = {row[0]: row[header.index("状态")] for row in body}
    assert status["S0040"] == "已摘牌" and status["S0023"] == "已登记" and status["S0004"] == "已命名"
    assert {row[0]: row[header.index("级别")] for row in body}["S0004"] == "市级"


def test_ledger_csv_to_stdout_keeps_the_bom(assessed, capfdbinary):
    from laomo.cli import main

    capfdbinary.readouterr()
    assert main(["report", "ledger", "--format", "csv"]) == 0
    out = capfdbinary.readouterr().out
    assert len(_csv_rows(out)) == 41


def test_ledger_xlsx_reads_back(cli, assessed, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "台账.xlsx"
    r = cli("report", "ledger", "--out", out)  # xlsx from the extension
    assert r.code == 0, r
    wb = load_workbook(out)
    ws = wb.active
    assert ws.title == "台账"
    assert ws.freeze_panes == "C4"  # two title rows, then the header (issue 15: printed as sent)
    header = [c.value for c in ws[3]]
    assert all(c.font.bold for c in ws[3])
    assert header[:2] == ["编号", "名称"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    studios = _studios(assessed)
    assert len(rows) == 40
    assert {r[0]: r[1] for r in rows} == {c: v[0] for c, v in studios.items()}
    funds = header.index("年度经费") + 1
    assert ws.cell(row=4, column=funds).number_format == '#,##0"元"'
    assert isinstance(ws.cell(row=4, column=funds).value, int)
    assert ws.column_dimensions["B"].width >= 20  # widths follow the content
    founded = header.index("成立日期") + 1
    assert ws.cell(row=4, column=founded).number_format == "yyyy-mm-dd"


def test_ledger_filters_and_text(cli, assessed):
    reg = cli("report", "ledger", "--status", "已登记", "--json").json
    assert reg["count"] == 2 and [s["studio"] for s in reg["studios"]] == ["S0023", "S0034"]
    city = cli("report", "ledger", "--level", "city", "--json").json
    assert [s["studio"] for s in city["studios"]] == ["S0004"]
    assert city["studios"][0]["levels_held"] == ["county", "city"]
    county = cli("report", "ledger", "--level", "县级", "--status", "named", "--county", "示例县", "--json").json
    assert county["count"] == 36
    assert cli("report", "ledger", "--status", "nonsense").code == 2
    assert cli("report", "ledger", "--level", "宇宙级").code == 2
    text = cli("report", "ledger")
    assert text.code == 0 and "熊桂强劳模创新工作室" in text.out and "共 40 个工作室" in text.out
    md = cli("report", "ledger", "--format", "md", "--status", "registered")
    assert "| S0023 | 林建劳模创新工作室 |" in md.out


def test_assessment_list_in_every_format(cli, assessed, tmp_path):
    from openpyxl import load_workbook

    expected = EXPECTED["2025"]
    data = cli("report", "assessment", "--year", "2025", "--json").json
    assert data["year"] == 2025 and data["assessed"] == len(expected)
    assert [i["id"] for i in data["items"]] == sorted(expected[next(iter(expected))]["items"])
    for res in data["results"]:
        exp = expected[res["studio"]]
        assert (res["total"], res["grade"], res["recommendation"], res["items"]) == \
            (exp["total"], exp["grade"], exp["recommendation"], exp["items"])
    totals = [r["total"] for r in data["results"] if r["grade"] == "excellent"]
    assert totals == sorted(totals, reverse=True)

    out = tmp_path / "a.xlsx"
    assert cli("report", "assessment", "--year", "2025", "--format", "xlsx", "--out", out).code == 0
    ws = load_workbook(out).active
    header = [c.value for c in ws[3]]
    assert header[:3] == ["序号", "编号", "名称"] and "A1 创建标准" in header and "D2 现场检查" in header
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    studios = _studios(assessed)
    assert len(rows) == len(expected)
    for row in rows:
        code = row[1]
        assert row[2] == studios[code][0]
        assert row[header.index("总分")] == expected[code]["total"]
        assert row[header.index("A1 创建标准")] == expected[code]["items"]["A1"]

    csv_out = tmp_path / "a.csv"
    assert cli("report", "assessment", "--year", "2025", "--format", "csv", "--out", csv_out).code == 0
    rows = _csv_rows(csv_out.read_bytes())
    assert len(rows) == len(expected) + 1 and rows[0][1] == "编号"

    md = cli("report", "assessment", "--year", "2025", "--format", "md").out
    html = cli("report", "assessment", "--year", "2025", "--format", "html").out
    text = cli("report", "assessment", "--year", "2025").out
    for code in expected:
        assert studios[code][0] in md and studios[code][0] in html and code in text
    assert "限期整改" in text and "不合格" in html
    assert cli("report", "assessment").code == 2  # --year is required
    empty = cli("report", "assessment", "--year", "2019", "--json")  # issue 15 item 4: no list is not an empty list
    assert empty.code == 1 and empty.out == "", empty


def test_binary_without_out_goes_to_a_default_file(cli, assessed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = cli("report", "ledger", "--format", "xlsx")
    assert r.code == 0, r
    assert r.out.strip() == str((tmp_path / "台账.xlsx").resolve())
    assert (tmp_path / "台账.xlsx").stat().st_size > 1000
    r = cli("report", "summary", "--year", "2025", "--format", "xlsx")
    assert r.out.strip().endswith("2025年度统计报告.xlsx")


def test_out_errors_and_conflicts(cli, assessed, tmp_path):
    r = cli("report", "ledger", "--format", "csv", "--out", tmp_path / "no" / "such" / "dir.csv")
    assert r.code == 1 and "不存在" in r.err
    assert cli("report", "ledger", "--format", "html").code == 2
    assert cli("report", "ledger", "--format", "csv", "--json").code == 2
    text_out = tmp_path / "ledger.txt"
    assert cli("report", "ledger", "--out", text_out).code == 0
    assert "熊桂强劳模创新工作室" in text_out.read_text(encoding="utf-8")


def test_quickstart_function_writes_the_four_reports(assessed, tmp_path):
    """The function quickstart calls: summary HTML, ledger XLSX, assessment list XLSX, naming notice DOCX."""
    import docx
    from openpyxl import load_workbook

    from laomo.demo.quickstart import write_reports as write_quickstart_reports
    from laomo.store.db import open_engine

    written = write_quickstart_reports(open_engine(str(assessed)), tmp_path / "reports")
    names = {p.name for _, p in written}
    assert {"2025年度统计报告.html", "台账.xlsx", "2025年度考核结果.xlsx"} <= names
    assert "2023年度市级命名决定.docx" in names  # the latest namings of the sample: 2023, city
    for _, path in written:
        assert path.is_file() and path.parent == (tmp_path / "reports").resolve()
    assert load_workbook(tmp_path / "reports" / "台账.xlsx").active.max_row == 43  # two title rows
    paragraphs = [p.text for p in docx.Document(tmp_path / "reports" / "2023年度市级命名决定.docx").paragraphs]
    assert "关于命名2023年度市级劳模创新工作室的决定" in paragraphs


def test_core_report_code_never_imports_typer_or_rich():
    for path in (ROOT / "laomo" / "reports").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in ("typer", "rich"), f"{path.name} imports {name}"
                assert not name.startswith(("cli", ".cli")), f"{path.name} imports {name}"


def test_report_help_is_chinese_and_light():
    code = ("import sys; from laomo.cli import app; import laomo.commands.report; "
            "print(sorted(m for m in ('sqlalchemy', 'jinja2', 'openpyxl', 'docx', 'laomo.reports.data') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    r = subprocess.run([sys.executable, "-m", "laomo", "report", "--help"], capture_output=True, text=True)
    assert r.returncode == 0 and "台账" in r.stdout and "决定" in r.stdout
