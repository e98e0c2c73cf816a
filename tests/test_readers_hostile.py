"""Issue 13 items 2 and 4: files that are not what their name says, that repeat one cell a
million times, that hide a zip bomb or mix encodings — each read by content and within bounds,
or refused in one line naming the file, with nothing stored."""

from __future__ import annotations

import codecs
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from support.db import dump, query
from support.workbooks import ENTERPRISE, cell, row, text_rows, write_ods

from laomo.errors import LaomoError
from laomo.ledger.sources import open_source

ROOT = Path(__file__).resolve().parents[1]


def probe(*names: str) -> Any:
    wanted = set(names)
    return lambda cells: wanted <= {str(c).strip() for c in cells}


def _people_workbook(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "人员"
    ws.append(["编号", "姓名"])
    ws.append(["P1", "张三"])
    ws.append(["P2", "李四"])
    wb.save(path)
    return path


# --- recognised by content -----------------------------------------------------------------


def test_a_workbook_named_csv_is_read_as_a_workbook(cli: Any, laomo_db: Any, tmp_path: Path) -> None:
    path = _people_workbook(tmp_path / "人员.csv")
    r = cli("register", "import", "people", path, "--json")
    assert r.code == 0 and r.json["encoding"] == "xlsx" and r.json["inserted"] == 2, r
    assert sorted(query(laomo_db, "SELECT name FROM person")) == [("张三",), ("李四",)]


def test_an_xls_named_csv_or_et_is_read_as_xls(tmp_path: Path) -> None:
    for name in ("工作室.csv", "工作室.et"):
        shutil.copy(ENTERPRISE / "08-antai-studio.xls", tmp_path / name)
        with open_source(str(tmp_path / name), probe=probe("名称", "领衔人身份证号")) as source:
            rows = list(source.rows())
        assert (source.encoding, source.sheet, len(rows)) == ("xls", "工作室信息", 1), name


def test_excel_unicode_text_saved_as_txt_imports(cli: Any, laomo_db: Any, tmp_path: Path) -> None:
    path = tmp_path / "人员.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "编号\t姓名\t单位\r\nP1\t张三\t示例厂，一车间\r\nP2\t李四\t\r\n".encode("utf-16-le"))
    r = cli("register", "import", "people", path, "--json")
    assert r.code == 0 and (r.json["encoding"], r.json["inserted"]) == ("utf-16", 2), r
    assert query(laomo_db, "SELECT code, name, unit FROM person ORDER BY code") == [
        ("P1", "张三", "示例厂，一车间"), ("P2", "李四", None)]


def test_a_tab_separated_csv_with_commas_in_its_cells_is_split_on_tabs(tmp_path: Path) -> None:
    path = tmp_path / "人员.csv"
    path.write_text("编号\t姓名\t岗位\nP1\t张三\t电工,焊工\nP2\t李四\t钳工\n", encoding="utf-8")
    with open_source(str(path)) as source:
        rows = list(source.rows())
    assert source.header == ["编号", "姓名", "岗位"] and rows[0][1] == ["P1", "张三", "电工,焊工"]


# --- mixed encodings -----------------------------------------------------------------------


def test_the_mixed_encoding_file_is_refused_naming_line_7(cli: Any, laomo_db: Any) -> None:
    path = ENTERPRISE / "06-hongda-activities-mixed-encoding.csv"
    before = dump(laomo_db)
    for extra in ((), ("--on-error", "skip")):
        r = cli("register", "import", "activities", path, *extra)
        assert r.code == 1 and "Traceback" not in r.err, r
        assert f"{path}:7:" in r.err and "第 7 行不能按 UTF-8 解码" in r.err, r
        assert "其余各行都是 UTF-8" in r.err and "没有导入任何数据" in r.err, r
    assert dump(laomo_db) == before


def test_several_foreign_lines_are_all_named(tmp_path: Path) -> None:
    path = tmp_path / "活动.csv"
    lines = ["工作室名称,日期", "郑卫东劳模创新工作室,2025-01-02", "郑卫东劳模创新工作室,2025-01-03"]
    data = "\n".join(lines).encode() + "\n贺丽萍工作室,2025-01-04\n".encode("gbk") + "甲,2025-01-05\n".encode() \
        + "乙工作室,2025-01-06\n".encode("gbk")
    path.write_bytes(data)
    with pytest.raises(LaomoError) as info:
        open_source(str(path))
    assert "第 4、6 行（共 2 行）" in str(info.value) and str(info.value).startswith(f"{path}:4:")


# --- the header found, or said not to be there ---------------------------------------------


def test_no_header_within_ten_rows_is_one_line_showing_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "人员.csv"
    path.write_text("\n".join(["某县劳模创新工作室人员登记表"] + [f"第{i}行说明" for i in range(2, 11)]
                              + ["姓名,身份证号", "张三,410523197209245851"]) + "\n", encoding="utf-8")
    with pytest.raises(LaomoError) as info:
        open_source(str(path), probe=probe("姓名", "身份证号"))
    message = str(info.value)
    assert message.startswith(f"{path}:1: ") and "\n" not in message
    assert "前 10 行" in message and "第 1 行" in message and "某县劳模创新工作室人员登记表" in message


def test_the_first_row_shown_is_shortened_and_masked(tmp_path: Path) -> None:
    path = tmp_path / "人员.csv"
    path.write_text("张三,410523197209245851," + "很长的备注" * 30 + "\n", encoding="utf-8")
    with pytest.raises(LaomoError) as info:
        open_source(str(path), probe=probe("姓名", "身份证号"))
    assert "410523197209245851" not in str(info.value) and "…" in str(info.value)


def test_a_workbook_without_the_header_in_any_sheet_names_its_sheets(cli: Any, laomo_db: Any,
                                                                   tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["请按表头填写"])
    wb.create_sheet("名单").append(["序号", "姓名"])
    wb.save(tmp_path / "book.xlsx")
    with pytest.raises(LaomoError) as info:
        open_source(str(tmp_path / "book.xlsx"), probe=probe("姓名", "身份证号"))
    assert "填表说明" in str(info.value) and "名单" in str(info.value) and info.value.option == "sheet"


def test_an_unknown_sheet_is_refused_naming_the_sheets_and_the_option(cli: Any, laomo_db: Any,
                                                                     tmp_path: Path) -> None:
    path = _people_workbook(tmp_path / "人员.xlsx")
    before = dump(laomo_db)
    r = cli("register", "import", "people", path, "--sheet", "职工")
    assert r.code == 1 and "Traceback" not in r.err, r
    assert "职工" in r.err and "人员" in r.err and "--sheet" in r.err, r
    assert dump(laomo_db) == before


# --- bounded however the file is written ---------------------------------------------------


def test_an_ods_row_repeated_a_million_times_is_refused_quickly(cli: Any, laomo_db: Any, tmp_path: Path) -> None:
    """20 KB of XML that would unpack to millions of cells (the reader holds a sheet as a grid)."""
    header = row(cell("编号"), cell("姓名"), cell("性别"), cell("单位"), cell("岗位"))
    bombs = {
        "rows.ods": header + row(cell("P1"), cell("张三"), cell("男"), cell("示例厂"), cell("电工"), repeat=1_048_000),
        "cells.ods": header + row(cell("x", repeat=16_384), repeat=100_000),
    }
    before = dump(laomo_db)
    for name, rows in bombs.items():
        path = write_ods(tmp_path / name, {"人员": rows})
        started = time.monotonic()
        r = cli("register", "import", "people", path)
        assert time.monotonic() - started < 20, name
        assert r.code == 1 and "超出读取上限" in r.err and str(path) in r.err and "Traceback" not in r.err, r
    assert dump(laomo_db) == before


def test_libreoffice_repeated_empty_rows_and_cells_cost_nothing(cli: Any, laomo_db: Any, tmp_path: Path) -> None:
    path = write_ods(tmp_path / "人员.ods", {"人员": text_rows([["编号", "姓名"], ["P1", "张三"], [], ["P2", "李四"]])})
    started = time.monotonic()
    r = cli("register", "import", "people", path, "--json")
    assert time.monotonic() - started < 20
    assert r.code == 0 and (r.json["encoding"], r.json["inserted"]) == ("ods", 2), r


def test_a_zip_bomb_ods_is_refused_before_reading(cli: Any, laomo_db: Any, tmp_path: Path) -> None:
    path = write_ods(tmp_path / "人员.ods", {"人员": row(cell("编号"), cell("姓名"))},
                     extra={"Thumbnails/big.xml": b" " * (64 << 20)})
    before = dump(laomo_db)
    r = cli("register", "import", "people", path)
    assert r.code == 1 and "超出读取上限" in r.err and str(path) in r.err and "Traceback" not in r.err, r
    assert dump(laomo_db) == before


def test_two_cells_a_million_rows_apart_are_read_without_a_dense_grid(tmp_path: Path) -> None:
    """A 5 KB .xlsx whose cells A1 and CU999001 would make a grid of 99 million cells (3 GB):
    read in bounded memory; the empty rows between are counted, not listed beyond the first 1000."""
    import xlsxwriter

    path = tmp_path / "sparse.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("人员")
    sheet.write_row(0, 0, ["编号", "姓名"])
    sheet.write_row(1, 0, ["P1", "张三"])
    sheet.write(999_000, 98, "x")
    book.close()
    code = (
        "import sys\n"
        "from laomo.ledger.sources import open_source\n"
        f"with open_source({str(path)!r}) as s:\n"
        "    lines = [line for line, _ in s.rows()]\n"
        "hwm = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:')).split()[1]\n"
        "print(lines, s.skipped, len(s.skipped_lines), int(hwm) // 1024)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    lines, skipped, listed, peak_mb = out.stdout.rsplit("]", 1)[0] + "]", *out.stdout.rsplit("]", 1)[1].split()
    assert lines == "[2, 999001]" and (int(skipped), int(listed)) == (998_998, 1000)
    assert int(peak_mb) < 500, f"peak {peak_mb} MB"


@pytest.mark.parametrize("name", ["人员.xlsx", "人员.ods", "人员.csv"])
def test_a_zip_that_is_no_workbook_is_one_line_saying_so(cli: Any, laomo_db: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:  # a .docx, say
        archive.writestr("word/document.xml", "<w/>")
    r = cli("register", "import", "people", path)
    assert r.code == 1 and "Traceback" not in r.err and "程序内部错误" not in r.err, r
    assert f"{path}: 是压缩包，但不是 Excel（.xlsx）或 OpenDocument（.ods）工作簿" in r.err, r


def test_text_named_as_a_workbook_says_what_it_is(cli: Any, laomo_db: Any, tmp_path: Path) -> None:
    for name in ("人员.xls", "人员.ods"):
        path = tmp_path / name
        path.write_text("编号,姓名\nP1,张三\n", encoding="utf-8")
        r = cli("register", "import", "people", path)
        assert r.code == 1 and "内容是文本" in r.err and ".csv" in r.err and str(path) in r.err, r
    path = tmp_path / "导出.xls"  # what many web systems export
    path.write_text("<html><body><table><tr><td>编号</td><td>姓名</td></tr></table></body></html>", encoding="utf-8")
    r = cli("register", "import", "people", path)
    assert r.code == 1 and "网页（HTML）" in r.err and str(path) in r.err, r


@pytest.mark.parametrize("suffix", [".xls", ".et"])
def test_a_damaged_xls_that_would_abort_the_reader_is_refused_in_one_line(cli: Any, laomo_db: Any,
                                                                          tmp_path: Path, suffix: str) -> None:
    """One byte changed in file 08 makes the .xls parser ask for 39 GB, and a failed allocation
    aborts the process: laomo must survive it and refuse the file."""
    data = bytearray((ENTERPRISE / "08-antai-studio.xls").read_bytes())
    data[4241] = 0xC5
    path = tmp_path / f"工作室{suffix}"
    path.write_bytes(bytes(data))
    before = dump(laomo_db)
    r = cli("register", "import", "studios", path)
    assert r.code == 1 and f"{path}: 无法读取 {suffix} 文件（文件已损坏）" in r.err, r
    assert ("WPS 自己的 .et 格式" in r.err) == (suffix == ".et"), r
    assert dump(laomo_db) == before
