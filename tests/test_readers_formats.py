"""Issue 13 item 2: the files enterprise unions send open as they are — .csv in GBK, Excel's
UTF-16 "Unicode 文本", .xlsx with title rows, merged cells and total rows, .xls, .ods — giving the
header row, sheet, skipped rows and data rows that the enterprise files' README names."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from support.db import query
from support.workbooks import ENTERPRISE, cell, row, write_ods

from laomo.ledger.sources import open_source, sheet_names

EXPECTED = json.loads((ENTERPRISE / "expected.json").read_text(encoding="utf-8"))["files"] \
    if (ENTERPRISE / "expected.json").exists() else {}

#: Two header cells of each file's KIND (the importer's probe asks for every required column).
HEADERS = {
    "01-hongda-people-gbk.csv": {"姓名", "身份证号码"},
    "02-hongda-honors.xlsx": {"姓名", "荣誉称号"},
    "03-hongda-studios-summary.xlsx": {"工作室名称", "领衔人身份证号"},
    "04-hongda-members-merged.xlsx": {"工作室名称", "姓名"},
    "05-hongda-achievements.xlsx": {"工作室名称", "成果名称"},
    "07-antai-people-unicode.txt": {"姓名", "手机号码"},
    "08-antai-studio.xls": {"名称", "领衔人身份证号"},
    "09-antai-members.ods": {"工作室", "姓名"},
    "10-antai-activities-long-range.xlsx": {"工作室名称", "日期"},
    "11-antai-achievements-code-clash.csv": {"工作室名称", "名称"},
    "13-jixie5-members-update.csv": {"工作室名称", "姓名"},
}


def probe(*names: str) -> Any:
    wanted = set(names)
    return lambda cells: wanted <= {str(c).strip() for c in cells}


def read(name: str, **kw: Any) -> tuple[Any, list[tuple[int, list[Any]]]]:
    with open_source(str(ENTERPRISE / name), probe=probe(*HEADERS.get(name, ())), **kw) as source:
        rows = list(source.rows())
        again = list(source.rows_again())
        assert again == rows, "rows_again gives other records or lines"
    return source, rows


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_each_enterprise_file_gives_the_header_sheet_and_rows_its_readme_names(name: str) -> None:
    want = EXPECTED[name]
    source, rows = read(name)
    assert (source.header_line, source.sheet) == (want["header_line"], want.get("sheet"))
    assert (source.skipped, list(source.skipped_lines)) == (want["skipped"], want.get("skipped_lines", []))
    assert len(rows) == want["data_rows"]
    lines = [line for line, _ in rows]
    assert lines == sorted(lines) and lines[0] > source.header_line
    assert not set(lines) & set(source.skipped_lines)
    for record in want.get("records", []):  # every stored record comes from a line handed on
        assert record["line"] in lines


def test_the_summary_sheet_skips_title_date_empty_total_signature_and_note_rows() -> None:
    source, rows = read("03-hongda-studios-summary.xlsx")
    assert source.header[:3] == ["序号", "工作室名称", "类型"]
    assert "年度经费\n（万元）" in source.header  # the line break in the cell stays: headers are matched later
    assert [line for line, _ in rows] == [4, 5]
    assert rows[0][1][10] == dt.date(2025, 3, 18)  # a date cell is a date
    assert rows[1][1][10] == "2025.5.6"


def test_every_row_of_a_merged_range_gets_its_value() -> None:
    source, rows = read("04-hongda-members-merged.xlsx")
    studios = {line: cells[1] for line, cells in rows}
    assert {studios[line] for line in range(3, 11)} == {"郑卫东劳模创新工作室"}
    assert {studios[line] for line in range(11, 17)} == {"贺丽萍工匠人才创新工作室"}


def test_number_and_date_cells_stay_native() -> None:
    _source, rows = read("05-hongda-achievements.xlsx")
    by_line = {line: cells for line, cells in rows}
    assert [by_line[line][0] for line in range(3, 8)] == [1, 2, 3, 4, 5]  # numbers (1.0 == 1)
    assert all(isinstance(by_line[line][0], int | float) for line in range(3, 8))
    assert [by_line[line][5] for line in (3, 5, 7)] == [dt.date(2025, 4, 22), dt.date(2025, 8, 12),
                                                       dt.date(2025, 9, 26)]
    assert [by_line[line][5] for line in (4, 6)] == [45814, 45846]  # serials in General format: numbers


def test_excel_unicode_text_is_utf16_tab_separated() -> None:
    source, rows = read("07-antai-people-unicode.txt")
    assert source.encoding == "utf-16"
    assert source.header[:5] == ["姓名", "性别", "出生年份", "身份证号", "手机号码"]
    assert all(len(cells) == len(source.header) for _, cells in rows)


def test_the_data_sheet_is_found_behind_a_sheet_of_instructions() -> None:
    source, rows = read("08-antai-studio.xls")
    assert (source.encoding, source.sheet) == ("xls", "工作室信息")
    assert rows[0][1][0] == "石运涛劳模创新工作室"


def test_a_libreoffice_sheet_with_a_million_repeated_rows_reads_as_its_rows() -> None:
    started = time.monotonic()
    source, rows = read("09-antai-members.ods")
    assert time.monotonic() - started < 5
    assert source.encoding == "ods"
    assert all(len(cells) == 5 for _, cells in rows)  # the 16,379 empty cells of each row are not there


def test_a_used_range_to_row_60000_costs_nothing_and_counts_nothing() -> None:
    started = time.monotonic()
    source, rows = read("10-antai-activities-long-range.xlsx")
    assert time.monotonic() - started < 5
    assert (len(rows), source.skipped) == (12, 0)


def test_a_workbook_of_all_kinds_lists_its_sheets_and_each_opens_by_name() -> None:
    path = str(ENTERPRISE / "12-huitong-all.xlsx")
    assert sheet_names(path) == ["填表说明", "人员", "工作室", "成员", "成果"]
    sheets = EXPECTED["12-huitong-all.xlsx"]["sheets"]
    heads = {"人员": ("姓名", "身份证号"), "工作室": ("名称", "领衔人身份证号"), "成员": ("工作室名称", "姓名"),
             "成果": ("工作室名称", "名称")}
    for sheet, names in heads.items():
        with open_source(path, sheet=sheet, probe=probe(*names)) as source:
            rows = list(source.rows())
        assert (source.sheet, source.header_line, source.skipped) == (sheet, sheets[sheet]["header_line"], 0)
        if "data_rows" in sheets[sheet]:
            assert len(rows) == sheets[sheet]["data_rows"]
    with open_source(path, probe=probe("名称", "领衔人身份证号")) as source:  # no sheet named: found by header
        assert source.sheet == "工作室"


def test_sheet_names_of_a_text_file_says_a_workbook_is_needed() -> None:
    from laomo.errors import LaomoError

    with pytest.raises(LaomoError, match="不是工作簿"):
        sheet_names(str(ENTERPRISE / "01-hongda-people-gbk.csv"))


@pytest.mark.parametrize("first, skipped", [
    ("合计", True), ("  总计：", True), ("小计", True), ("填表人：刘芳", True), ("审核人：赵明", True),
    ("注", True), ("注：面积单位为平方米", True), ("注:单位", True), ("注、", True), ("注 1", True), ("注1.", True),
    ("注意事项", True), ("注塑车间创新工作室", False), ("注册", False), ("合作交流工作室", False),
])
def test_total_signature_and_note_rows_are_skipped_but_a_name_beginning_with_zhu_is_not(
        tmp_path: Any, first: str, skipped: bool) -> None:
    path = tmp_path / "studios.csv"
    path.write_text(f"名称,类型\nA,劳模创新工作室\n{first},劳模创新工作室\n,\nB,职工创新工作室\n", encoding="utf-8")
    with open_source(str(path), probe=probe("名称", "类型")) as source:
        lines = [line for line, _ in source.rows()]
    assert lines == ([2, 5] if skipped else [2, 3, 5])
    assert list(source.skipped_lines) == ([3, 4] if skipped else [4])


def test_a_row_naming_total_in_a_later_column_is_found_by_its_first_non_empty_cell(tmp_path: Any) -> None:
    path = tmp_path / "studios.csv"
    path.write_text("序号,名称,类型\n1,A,x\n,合计,\n , 小计 ,\n", encoding="utf-8")
    with open_source(str(path), probe=probe("名称", "类型")) as source:
        assert [line for line, _ in source.rows()] == [2]
    assert source.skipped == 2


def test_the_skipped_rows_are_known_after_the_chunks_with_and_without_the_parse_worker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from laomo.ledger import pipeline

    def parse(line: int, cells: list[Any]) -> tuple[int, list[Any], list[Any], list[Any], int]:
        return line, cells, list(cells), [], 0

    path = str(ENTERPRISE / "03-hongda-studios-summary.xlsx")
    for worker in (False, True):
        if worker and not hasattr(os, "fork"):
            continue
        monkeypatch.setattr(pipeline, "WORKER_MIN_BYTES", 0 if worker else 1 << 60)
        monkeypatch.setenv("LAOMO_IMPORT_WORKER", "1")
        with open_source(path, probe=probe("工作室名称", "领衔人身份证号")) as source:
            lines = [r.line for rows, _n, _f in pipeline.chunks(parse, source, 1, keep_cells=True, size=1)
                     for r in rows]
            assert lines == [4, 5]
            assert (source.skipped, list(source.skipped_lines)) == (6, [1, 2, 6, 7, 8, 9]), worker


def test_cells_are_native_values_in_every_workbook_format(tmp_path: Any) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["编号", "日期", "时刻", "合计"])
    ws.append([7, dt.datetime(2021, 3, 15), dt.datetime(2021, 3, 15, 10, 30), "=SUM(1,2)"])  # no cached value
    wb.save(tmp_path / "a.xlsx")
    write_ods(tmp_path / "a.ods", {"表": row(cell("编号"), cell("日期"), cell("时刻"))
                                   + row(cell(7), cell("date:2021-03-15T00:00:00"), cell("date:2021-03-15T10:30:00"))})
    for name in ("a.xlsx", "a.ods"):
        with open_source(str(tmp_path / name)) as source:
            [(_line, cells)] = list(source.rows())
        assert cells[0] == 7 and cells[1] == dt.date(2021, 3, 15) and type(cells[1]) is dt.date, name
        assert cells[2] == dt.datetime(2021, 3, 15, 10, 30)  # a time of day stays
        if name == "a.xlsx":
            assert cells[3] in (None, "")  # a formula without a cached value is blank


def test_a_merged_header_cell_names_its_first_column(tmp_path: Any) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["人员名单"])
    ws.merge_cells("A1:C1")
    ws.append(["编号", "姓名", None])
    ws.merge_cells("B2:C2")
    ws.append(["P1", "张三", "备注"])
    wb.save(tmp_path / "merged.xlsx")
    with open_source(str(tmp_path / "merged.xlsx"), probe=probe("编号", "姓名")) as source:
        rows = list(source.rows())
    assert (source.header, source.header_line, source.skipped) == (["编号", "姓名", ""], 2, 1)
    assert rows == [(3, ["P1", "张三", "备注"])]


def test_gbk_is_accepted_as_the_encoding(cli: Any, laomo_db: Any, tmp_path: Any) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes("编号,姓名\nP1,张三\n".encode("gbk"))
    r = cli("register", "import", "people", path, "--encoding", "gbk", "--json")
    assert r.code == 0 and r.json["encoding"] == "gb18030", r
    assert query(laomo_db, "SELECT name FROM person") == [("张三",)]
