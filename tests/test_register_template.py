"""`laomo register template KIND|all --out FILE.xlsx`: the workbook a union sends to enterprise unions
(import-formats.md, "Templates to send out"). Filled in correctly, it imports with 0 rejects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from support.db import query

from laomo import enums
from laomo.ledger.columns import KINDS
from laomo.ledger.values import credit_check_char, id_check_char


def idn(first17: str) -> str:
    return first17 + id_check_char(first17)


LEADER, MEMBER, APPRENTICE = idn("41052219750312001"), idn("41052219880704002"), idn("41052219990101003")
STUDIO = "张建国劳模创新工作室"
CREDIT = "91410500MA4412345" + credit_check_char("91410500MA4412345")

#: every sheet filled in as an enterprise union would, by header (no codes: people by 身份证号, studios by 名称)
FILLED: dict[str, list[dict[str, object]]] = {
    "人员": [
        {"姓名": "张建国", "性别": "男", "出生年份": 1975, "身份证号": LEADER, "手机": "13803720001",
         "单位": "安阳钢铁公司", "岗位": "钳工", "一线职工": "是", "技能等级": "高级技师"},
        {"姓名": "李明", "性别": "男", "出生年份": 1988, "身份证号": MEMBER, "单位": "安阳钢铁公司", "技能等级": "技师"},
        {"姓名": "王强", "性别": "男", "身份证号": APPRENTICE, "一线职工": "是", "技能等级": "中级工"},
    ],
    "荣誉": [{"姓名": "张建国", "身份证号": LEADER, "荣誉": "全国劳动模范", "年份": 2020, "授予单位": "中华全国总工会"}],
    "工作室": [
        {"名称": STUDIO, "类型": "劳模创新工作室", "领衔人姓名": "张建国", "领衔人身份证号": LEADER,
         "所在单位": "安阳钢铁公司", "统一社会信用代码": CREDIT, "行业": "制造业", "区县": "示例县",
         "成立日期": dt.datetime(2021, 3, 15), "场所面积": 120, "年度经费": 10, "有标牌": "是", "有制度": "是",
         "有计划": "是", "有展示": "否", "有活动记录": "是", "有设施": "是", "备注": "设在二号车间"},
    ],
    "成员": [
        {"工作室名称": STUDIO, "姓名": "李明", "身份证号": MEMBER, "角色": "核心成员", "加入日期": dt.datetime(2021, 4, 1)},
        {"工作室名称": STUDIO, "姓名": "王强", "身份证号": APPRENTICE, "角色": "成员", "加入日期": dt.datetime(2022, 9, 1)},
    ],
    "成果": [
        {"编号": "1", "工作室名称": STUDIO, "名称": "高炉风口快速更换装置", "类型": "实用新型专利", "阶段": "推广转化",
         "日期": dt.datetime(2023, 6, 1), "经济效益": 12.5, "专利号": "ZL202320123456.7", "一线主导": "是"},
    ],
    "活动": [{"工作室名称": STUDIO, "日期": dt.datetime(2024, 5, 20), "类型": "培训", "主题": "设备点检培训",
              "人次": 30, "学时": 4}],
    "师带徒": [{"工作室名称": STUDIO, "师傅姓名": "张建国", "师傅身份证号": LEADER, "徒弟姓名": "王强",
                "徒弟身份证号": APPRENTICE, "开始日期": dt.datetime(2022, 9, 1), "签订协议": "是"}],
    "现场检查": [{"工作室名称": STUDIO, "年度": 2024, "考核项": "D2", "得分": 8.5, "检查人": "刘芳"}],
    "命名记录": [{"工作室名称": STUDIO, "处理": "命名", "级别": "县级", "年度": 2022, "日期": "2022-06-01",
                  "批次": "第一批", "文号": "县工发〔2022〕5号", "金额": 2},
                 {"工作室名称": STUDIO, "处理": "示范", "级别": "县级", "年度": 2019, "日期": "2019"}],
    "考核结果": [{"工作室名称": STUDIO, "年度": 2024, "得分": 92, "等级": "优秀"},
                 {"工作室名称": STUDIO, "年度": 2023, "等级": "良好"}],
}


def bare(header: object) -> str:
    """A header cell without its required mark, unit and line break: 年度经费\\n（万元） → 年度经费."""
    text = "".join(str(header).split()).replace("*", "")
    return text.split("（")[0]


def make(cli, tmp_path: Path, kind: str = "all") -> Path:
    out = tmp_path / "模板.xlsx"
    r = cli("register", "template", kind, "--out", out)
    assert r.code == 0, r
    assert r.out.strip() == str(out.resolve())
    return out


def fill(template: Path, target: Path) -> Path:
    wb = openpyxl.load_workbook(template)
    for name, rows in FILLED.items():
        ws = wb[name]
        columns = {bare(c.value): c.column for c in ws[1]}
        for number, row in enumerate(rows, 2):
            for header, value in row.items():
                ws.cell(number, columns[header], value)
    wb.save(target)
    return target


def test_a_filled_template_imports_with_no_rejects(cli, laomo_db, tmp_path):
    assert cli("init").code == 0
    filled = fill(make(cli, tmp_path), tmp_path / "填好的.xlsx")

    for kind in KINDS.values():
        r = cli("register", "import", kind.name, filled, "--sheet", kind.sheet, "--json")
        assert r.code == 0, (kind.sheet, r)
        assert (r.json["rejected"], r.json["inserted"]) == (0, len(FILLED[kind.sheet])), (kind.sheet, r.json)

    assert query(laomo_db, "SELECT code, name, id_number FROM person ORDER BY code") == [
        ("P0001", "张建国", LEADER), ("P0002", "李明", MEMBER), ("P0003", "王强", APPRENTICE)]
    assert query(laomo_db, "SELECT s.name, p.name, s.industry, s.funds, s.area, s.credit_code, s.has_display "
                           "FROM studio s JOIN person p ON p.id = s.leader_id") == [
        (STUDIO, "张建国", "C", 100_000, 120.0, CREDIT, False)]  # 10 under 年度经费（万元）
    assert query(laomo_db, "SELECT COUNT(*) FROM member") == [(3,)]  # the leader, and the two of the sheet
    assert query(laomo_db, "SELECT code, benefit FROM achievement") == [("1", 125_000)]
    assert sorted(query(laomo_db, "SELECT action, amount, approximate FROM designation")) == [
        ("demonstrate", None, True), ("name", 20_000, False)]
    assert query(laomo_db, "SELECT COUNT(*) FROM assessment") == [(2,)]


def test_every_kind_has_its_sheet_after_the_guide_and_the_guide_lists_every_column(cli, tmp_path):
    wb = openpyxl.load_workbook(make(cli, tmp_path))

    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == ["填表说明", *(k.sheet for k in KINDS.values())]
    guide = wb["填表说明"]
    listed = {(row[0], bare(row[1])) for row in guide.iter_rows(values_only=True) if row[0] and row[1]}
    for kind in KINDS.values():
        ws = wb[kind.sheet]
        headers = [bare(c.value) for c in ws[1]]
        assert headers and all(headers)
        assert {(kind.sheet, h) for h in headers} <= listed, kind.sheet
        assert ws.max_row == 1  # formats per column, validations per range: the used range is the header row
        assert ws.freeze_panes == "A2"


def header_cells(ws) -> dict[str, tuple[str, str]]:
    """header (bare) → (as written, column letter)."""
    return {bare(c.value): ("".join(str(c.value).split()), get_column_letter(c.column)) for c in ws[1]}


def test_required_columns_are_marked_and_people_are_named_by_id_number(cli, tmp_path):
    wb = openpyxl.load_workbook(make(cli, tmp_path))

    people = header_cells(wb["人员"])
    assert people["姓名"][0] == "姓名*" and people["身份证号"][0] == "身份证号*" and people["手机"][0] == "手机"
    assert "编号" not in people  # the county's codes are not asked of an enterprise
    studios = header_cells(wb["工作室"])
    assert "编号" not in studios and studios["领衔人身份证号"][0] == "领衔人身份证号*" and "领衔人姓名" in studios
    assert studios["年度经费"][0] == "年度经费（万元）"
    assert set(header_cells(wb["成员"])) == {"工作室名称", "姓名", "身份证号", "角色", "加入日期", "退出日期"}


def drop_down(wb, ws, letter: str) -> list[str]:
    """The values of the list validation on column ``letter`` (inline, or a range of another sheet)."""
    for dv in ws.data_validations.dataValidation:
        if str(dv.sqref).startswith(f"{letter}2:") and dv.type == "list":
            source = dv.formula1.lstrip("=")
            if source.startswith('"'):
                return source.strip('"').split(",")
            sheet, cells = source.rsplit("!", 1)
            first, last = cells.replace("$", "").split(":")
            return [c.value for row in wb[sheet.strip("'")][f"{first}:{last}"] for c in row]
    return []


def test_drop_down_lists_for_enumerations_and_yes_no(cli, tmp_path):
    wb = openpyxl.load_workbook(make(cli, tmp_path))

    studios = header_cells(wb["工作室"])
    assert drop_down(wb, wb["工作室"], studios["行业"][1]) == [label for _, label in enums.INDUSTRY.items]
    assert len(drop_down(wb, wb["工作室"], studios["行业"][1])) == 20
    assert drop_down(wb, wb["工作室"], studios["有标牌"][1]) == ["是", "否"]
    assert drop_down(wb, wb["工作室"], studios["类型"][1]) == [label for _, label in enums.STUDIO_KIND.items]
    honors = header_cells(wb["荣誉"])
    assert drop_down(wb, wb["荣誉"], honors["荣誉"][1]) == [label for _, label in enums.HONOR_KIND.items]
    assert drop_down(wb, wb["人员"], header_cells(wb["人员"])["技能等级"][1])[-1] == "高级技师"
    assert drop_down(wb, wb["命名记录"], header_cells(wb["命名记录"])["处理"][1])[0] == "命名"
    assert drop_down(wb, wb["工作室"], studios["名称"][1]) == []


def test_id_numbers_phones_and_codes_are_text_and_dates_are_dates(cli, tmp_path):
    wb = openpyxl.load_workbook(make(cli, tmp_path))

    def number_format(sheet: str, header: str) -> str:
        return wb[sheet].column_dimensions[header_cells(wb[sheet])[header][1]].number_format

    assert number_format("人员", "身份证号") == "@"
    assert number_format("人员", "手机") == "@"
    assert number_format("工作室", "统一社会信用代码") == "@"
    assert number_format("师带徒", "徒弟身份证号") == "@"
    assert number_format("成果", "编号") == "@"
    assert number_format("工作室", "成立日期") == "yyyy-mm-dd"
    assert number_format("活动", "日期") == "yyyy-mm-dd"
    assert number_format("命名记录", "日期") == "@"  # an old ledger's year alone stays a year


def test_one_kind_by_its_chinese_name(cli, tmp_path):
    wb = openpyxl.load_workbook(make(cli, tmp_path, "成员"))

    assert wb.sheetnames == ["填表说明", "成员"]


@pytest.mark.parametrize(("target", "code", "says"), [("模板.csv", 2, ".xlsx"), ("folder", 1, "目录"),
                                                     ("link.xlsx", 1, "符号链接")])
def test_refused_targets(cli, tmp_path, target, code, says):
    (tmp_path / "folder").mkdir()
    (tmp_path / "real.xlsx").write_bytes(b"keep")
    (tmp_path / "link.xlsx").symlink_to(tmp_path / "real.xlsx")

    r = cli("register", "template", "all", "--out", tmp_path / target)

    assert r.code == code and says in r.err, r
    assert (tmp_path / "real.xlsx").read_bytes() == b"keep"
    assert not (tmp_path / "模板.csv").exists()


@pytest.mark.sqlite_only
def test_the_database_is_never_the_output(cli, laomo_db):
    before = Path(str(laomo_db)).read_bytes()

    r = cli("register", "template", "all", "--out", str(laomo_db))

    assert r.code != 0 and "数据库" in r.err, r
    assert Path(str(laomo_db)).read_bytes() == before


def test_unknown_kind_and_missing_out(cli, tmp_path):
    unknown = cli("register", "template", "studioz", "--out", tmp_path / "a.xlsx")
    missing = cli("register", "template", "all")

    assert unknown.code == 2 and "studioz" in unknown.err and "人员" in unknown.err, unknown
    assert missing.code == 2 and "--out" in missing.err, missing
    assert not (tmp_path / "a.xlsx").exists()


def test_a_filled_template_imports_whole_with_import_all(cli, laomo_db, tmp_path):
    """The workbook goes back in with one command: every kind sheet, in reference order, one
    transaction; 填表说明 and the hidden lists are left alone."""
    assert cli("init").code == 0
    filled = fill(make(cli, tmp_path), tmp_path / "填好的.xlsx")

    r = cli("register", "import", "all", filled, "--json")

    assert r.code == 0, r
    assert [s["kind"] for s in r.json["sheets"]] == list(KINDS), r.json
    assert all(s["rejected"] == 0 and s["inserted"] == len(FILLED[KINDS[s["kind"]].sheet]) for s in r.json["sheets"])
    assert "填表说明" in r.json["left_alone"] and r.json["committed"], r.json
    again = cli("register", "import", "all", filled, "--json")
    assert again.code == 0 and sum(s["inserted"] + s["updated"] for s in again.json["sheets"]) == 0, again.json
