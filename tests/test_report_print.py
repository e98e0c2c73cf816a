"""Issue 15 item 1: the XLSX ledger, assessment list and summary print as a union office sends them —
a title row (union, report, year, date), the header frozen and repeated on every printed page,
thin borders, A4 landscape scaled to the page's width for wide lists, widths from the content,
the 合计 rows in bold — and the ledger still imports back (tests/test_ledger_round_trip.py)."""

from __future__ import annotations

import datetime as dt

import pytest


def _sheet(cli, tmp_path, *args):
    from openpyxl import load_workbook

    out = tmp_path / "r.xlsx"
    r = cli("report", *args, "--format", "xlsx", "--out", out)
    assert r.code == 0, r
    return load_workbook(out)


def _set_union(cli):
    assert cli("init", "--union", "示例县总工会").code == 0


@pytest.mark.parametrize("args, title, header, key", [
    (("ledger",), "劳模和工匠人才创新工作室台账", ["编号", "名称"], "C4"),
    (("assessment", "--year", "2025"), "2025年度劳模和工匠人才创新工作室考核结果", ["序号", "编号", "名称"], "D4"),
])
def test_wide_lists_print_landscape_one_page_wide_with_title_and_repeated_header(cli, assessed, tmp_path, args,
                                                                                  title, header, key):
    _set_union(cli)
    ws = _sheet(cli, tmp_path, *args).active

    assert ws["A1"].value == title and ws["A1"].font.bold
    line = ws["A2"].value
    assert "制表单位：示例县总工会" in line and f"制表日期：{dt.date.today().isoformat()}" in line
    assert [c.value for c in ws[3]][:len(header)] == header and all(c.font.bold for c in ws[3])
    assert ws.print_title_rows == "$3:$3"  # the header on every printed page
    assert ws.freeze_panes == key  # the header and the columns naming a studio stay in view
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth or 1) == 1 and ws.page_setup.fitToHeight == 0  # 1 page wide, any tall
    assert "&P" in (ws.oddFooter.center.text or "")  # page numbers
    last = ws.max_row
    for cell in (ws.cell(3, 1), ws.cell(4, 2), ws.cell(last, ws.max_column)):
        assert cell.border.left.style == "thin" and cell.border.bottom.style == "thin", cell.coordinate
    widths = [ws.column_dimensions[c].width for c in ("A", "B", "C")]
    assert all(6 <= w <= 30 for w in widths)
    assert ws.column_dimensions[chr(ord("A") + len(header) - 1)].width >= 20  # 名称 is wide


def test_year_columns_are_never_grouped_and_amounts_are_yuan(cli, assessed, tmp_path):
    ws = _sheet(cli, tmp_path, "ledger").active
    header = [c.value for c in ws[3]]
    assert ws.cell(4, header.index("最近考核年度") + 1).number_format == "0"
    assert ws.cell(4, header.index("经济效益合计") + 1).number_format == '#,##0"元"'


def test_the_summary_prints_portrait_with_its_totals_in_bold(cli, assessed, tmp_path):
    wb = _sheet(cli, tmp_path, "summary", "--year", "2025")
    ws = wb["按级别"]
    assert ws["A1"].value.endswith("按级别（命名在册）") and ws["A1"].value.startswith("2025年度")
    assert "统计年度：2025年" in ws["A2"].value
    assert ws.page_setup.orientation == "portrait" and ws.print_title_rows == "$3:$3"
    total = next(row for row in ws.iter_rows(min_row=4) if row[0].value == "合计")
    assert all(c.font.bold for c in total) and total[1].value == 37
    assert not ws.cell(4, 1).font.bold
