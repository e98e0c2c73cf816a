"""Issue 12 items 5 and 6: a small .xlsx cannot make the import walk billions of cells, decompress
hundreds of MB, or die with a stack (broken XML, a chart sheet)."""

import time
import zipfile

import pytest
from support.db import dump


def _workbook(path, *, far_cell=False, chart=False):
    from openpyxl import Workbook
    from openpyxl.styles import PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["编号", "姓名"])
    ws.append(["P1", "张三"])
    ws.append(["P2", "李四"])
    if far_cell:  # one formatted empty cell: the used range claims the whole sheet
        ws["XFD1048576"].fill = PatternFill("solid", fgColor="FFFF00")
    if chart:
        wb.create_chartsheet("图表")
    wb.save(path)
    return path


def _replace_part(path, part, data):
    src = zipfile.ZipFile(path)
    out = path.with_name("x" + path.name)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, data if info.filename == part else src.read(info.filename))
        if part not in src.namelist():
            dst.writestr(part, data)
    return out


def test_a_formatted_cell_at_xfd1048576_costs_nothing(cli, laomo_db, tmp_path):
    path = _workbook(tmp_path / "人员.xlsx", far_cell=True)
    started = time.monotonic()
    r = cli("register", "import", "people", path, "--json")
    assert time.monotonic() - started < 60, "the used range was walked cell by cell"
    assert r.code == 0 and r.json["inserted"] == 2 and not r.json["rejected"], r


def test_a_decompression_bomb_is_refused_before_reading(cli, laomo_db, tmp_path):
    path = _workbook(tmp_path / "人员.xlsx")
    huge = ('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'count="1" uniqueCount="1"><si><t>' + "a" * (8 << 20) + "</t></si></sst>")
    bomb = _replace_part(path, "xl/sharedStrings.xml", huge)
    before = dump(laomo_db)
    r = cli("register", "import", "people", bomb)
    assert r.code == 1 and "超出读取上限" in r.err and "Traceback" not in r.err, r
    assert dump(laomo_db) == before


@pytest.mark.parametrize("xml", [
    b"<worksheet><sheetData><row r='1'><c r='A1' t='inlineStr'><is><t>x",   # cut off
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet><sheetData>'
    b"<row r='1'><c r='A1' t='inlineStr'><is><t>&a;</t></is></c></row></sheetData></worksheet>",
])
def test_a_broken_worksheet_is_one_line(cli, laomo_db, tmp_path, xml):
    path = _replace_part(_workbook(tmp_path / "人员.xlsx"), "xl/worksheets/sheet1.xml", xml)
    r = cli("register", "import", "people", path)
    assert r.code == 1 and "Traceback" not in r.err and "程序内部错误" not in r.err, r
    assert str(path) in r.err


def test_a_chart_sheet_is_one_line(cli, laomo_db, tmp_path):
    path = _workbook(tmp_path / "人员.xlsx", chart=True)
    r = cli("register", "import", "people", path, "--sheet", "图表")
    assert r.code == 1 and "图表工作表" in r.err and "Traceback" not in r.err, r
    r = cli("register", "import", "people", path, "--json")  # the data sheet still imports
    assert r.code == 0 and r.json["inserted"] == 2, r
