"""Values as clerks write them (import-formats.md, "Files as they really arrive" → "Values"): every
written form of the enterprise files gives the value expected.json stores; full-width forms; more
date forms and Excel serials; a month alone only for founding and joining dates, a year alone only
for old designations; units that fit their column; a header's unit scales a bare number; √ and ×."""

import datetime as dt
import json

import pytest
from support.db import query as q
from support.sample import SHARED

from laomo import enums
from laomo.ledger import values as v

D = dt.date
ENTERPRISE = SHARED / "data" / "enterprise-files"

#: expected.json's written forms: field → (how that column reads it, how the stored value is written there).
WRITTEN = {
    "written": (lambda raw: v.parse_enum(raw, enums.HONOR_KIND), enums.HONOR_KIND.label),  # honors' kind
    "type_written": (lambda raw: v.parse_enum(raw, enums.ACHIEVEMENT_TYPE), enums.ACHIEVEMENT_TYPE.label),
    "stage_written": (lambda raw: v.parse_enum(raw, enums.STAGE), enums.STAGE.label),
    "kind_written": (lambda raw: v.parse_enum(raw, enums.ACTIVITY_KIND), enums.ACTIVITY_KIND.label),
    "benefit_written": (v.parse_amount, lambda value: value),
    "participants_written": (v.parse_participants, lambda value: value),
    "hours_written": (v.parse_hours, lambda value: value),
    "joined_written": (v.parse_past_month_date, dt.date.isoformat),
}


def _written_forms() -> list[tuple[str, str, object, object]]:
    expected = json.loads((ENTERPRISE / "expected.json").read_text(encoding="utf-8"))
    found = []
    for name, entry in expected["files"].items():
        for record in entry.get("records") or []:
            for field, written in record.items():
                if field in WRITTEN and written is not None:
                    stored = record["kind" if field == "written" else field.removesuffix("_written")]
                    found.append((f"{name}:{record['line']}", field, written, stored))
            if str(record.get("date_cell", "")).startswith("serial number "):
                serial = int(record["date_cell"].removeprefix("serial number "))
                found.append((f"{name}:{record['line']}", "date", serial, record["date"]))
    return found


def test_every_written_form_in_expected_json_gives_the_stored_value():
    forms = _written_forms()
    assert len(forms) >= 60  # honors, achievements, members, activities
    wrong = []
    for where, field, written, stored in forms:
        if field == "date":
            got = v.parse_past_date(written).isoformat()
        else:
            parse, show = WRITTEN[field]
            got = show(parse(written))
        if got != stored:
            wrong.append((where, field, written, got, stored))
    assert wrong == []


def test_the_other_written_forms_of_the_enterprise_files():
    """The cells of files 01, 03, 08, 12 and 14 that expected.json states only as stored values."""
    assert v.parse_phone("１３８０７８２３０９３") == "13807823093"  # 01, lines 3, 8, 11
    assert v.parse_phone("180 2812 4503") == "18028124503"  # 01, line 14
    assert v.parse_id_number("410506 19900401 1501") == "410506199004011501"  # 01, line 4
    assert v.parse_id_number("410502 19930115 575X") == "41050219930115575X"  # 01, line 6
    assert v.parse_enum("C 制造业", enums.INDUSTRY) == "C"  # 03
    assert v.parse_enum("电力", enums.INDUSTRY) == "D"  # 08
    assert v.parse_enum("交通运输、仓储和邮政业", enums.INDUSTRY) == "G"  # 12
    assert v.parse_month_date("2024年9月") == D(2024, 9, 1)  # 08, 创建时间
    assert v.parse_month_date(D(2025, 3, 18)) == D(2025, 3, 18)  # 03, a date cell
    assert v.parse_month_date("2025.5.6") == D(2025, 5, 6)  # 03
    assert v.parse_area(120.0) == 120 and v.parse_area(85.5) == 85.5  # 03, 面积（平方米）
    assert v.parse_area("96平方米") == 96  # 08
    scale = v.unit_scale("amount", "万元")  # 03, 年度经费（万元）
    assert (v.parse_amount(10.0, scale=scale), v.parse_amount(5.5, scale=scale)) == (100000, 55000)
    assert v.parse_amount("￥80000") == 80000  # 08
    assert v.parse_amount(150000.0, scale=v.unit_scale("amount", "元")) == 150000  # 12, 经济效益（元）
    assert v.parse_amount("2万") == 20000  # 14
    assert [v.parse_bool(mark) for mark in ("√", "×")] == [True, False]  # 03
    assert v.parse_code(1.0) == "1"  # 05, 编号 as number cells


def test_full_width_forms_read_as_ascii():
    assert v.parse_date("２０２５－０３－１５") == D(2025, 3, 15)
    assert v.parse_date("2021－03－15") == D(2021, 3, 15)
    assert v.parse_id_number("４１０５２３１９７２０９２４５８５１") == "410523197209245851"
    assert v.parse_id_number("４１０５０２１９９３０１１５５７５ｘ") == "41050219930115575X"
    assert v.parse_code("Ｐ００１２") == "P0012"
    assert v.parse_code("工作室（二）") == "工作室（二）"  # a name in a reference column stays as written
    assert v.parse_amount("１２．５万") == 125000
    assert v.parse_number("８５．５") == 85.5
    assert v.parse_year("２０２４") == 2024 and v.parse_year("2024年") == 2024
    assert v.parse_credit_code("９１４１０５２２７９８８４２４８４９") == "914105227988424849"
    assert v.parse_bool("Ｙ") is True


def test_control_characters_are_not_swallowed_as_spaces():
    for parse, text in ((v.parse_id_number, "410506\x1d199004011501"), (v.parse_phone, "180\x1d28124503"),
                        (v.parse_year, "19\n85")):
        with pytest.raises(v.Invalid):
            parse(text)
    with pytest.raises(v.Invalid):
        v.parse_enum("中\x1d级工", enums.SKILL_GRADE)
    assert v.parse_phone("180\u30002812\u30004503") == "18028124503"  # the ideographic space is a space


@pytest.mark.parametrize("written", [
    "2021/3/15 0:00", "2021/3/15 12:30:45", "2021-03-15 12:30", "2021-3-15T08:00:00", "20210315",
    "2021年3月15号", "2021 年 3 月 15 日", 20210315, 20210315.0,
])
def test_dates_with_a_time_or_in_compact_forms(written):
    assert v.parse_date(written) == D(2021, 3, 15)


def test_excel_date_serials():
    # a General-format cell: a number; a CSV exported from such a sheet: five digits as text
    assert v.parse_date(45814) == v.parse_date(45814.0) == v.parse_date("45814") == D(2025, 6, 6)
    assert v.parse_past_date(45846) == D(2025, 7, 8)
    assert v.parse_date(45814.75) == D(2025, 6, 6)  # a time of day
    # the 1900 date system, with Excel's 29 February 1900 that never was
    assert [v.excel_date(n) for n in (1, 59, 61)] == [D(1900, 1, 1), D(1900, 2, 28), D(1900, 3, 1)]
    with pytest.raises(v.Invalid, match="60"):
        v.excel_date(60)
    # outside 1950–2099 a number is more likely something else: refused, saying why
    for number in (8000, 60, 99999, -1, float("nan")):
        with pytest.raises(v.Invalid, match="不是日期（Excel 日期序号应在 18264–73050 之间"):
            v.parse_date(number)


@pytest.mark.parametrize(("written", "first"), [
    ("2021年3月", D(2021, 3, 1)), ("2021.03", D(2021, 3, 1)), ("2021-3", D(2021, 3, 1)),
    ("2024.10", D(2024, 10, 1)), ("2021/3", D(2021, 3, 1)), ("２０２５年１月", D(2025, 1, 1)),
])
def test_a_month_alone_is_the_first_only_for_founding_and_joining(written, first):
    assert v.parse_month_date(written) == first
    assert v.parse_past_month_date(written) == first
    for parse in (v.parse_date, v.parse_past_date):
        with pytest.raises(v.Invalid, match="只写了年月，这里需要完整日期"):
            parse(written)


def test_month_dates_refuse_a_year_alone_a_month_13_and_the_future(monkeypatch):
    monkeypatch.setattr(v, "today", lambda: D(2025, 12, 5))
    with pytest.raises(v.Invalid, match="只写了年份"):
        v.parse_month_date("2021")
    with pytest.raises(v.Invalid, match="不存在的月份"):
        v.parse_month_date("2021.13")
    assert v.parse_past_month_date("2025年12月") == D(2025, 12, 1)
    with pytest.raises(v.Invalid, match="晚于今天"):
        v.parse_past_month_date("2026年1月")
    assert v.parse_month_date("2026年1月") == D(2026, 1, 1)  # founding may be planned


def test_a_year_alone_for_an_old_designation_is_31_december_approximate(monkeypatch):
    monkeypatch.setattr(v, "today", lambda: D(2025, 12, 5))
    for written in ("2019", "2019年", 2019, 2019.0, "２０１９"):
        assert v.parse_year_or_date(written) == (D(2019, 12, 31), True)
    assert v.parse_year_or_date("2019-05-01") == (D(2019, 5, 1), False)
    assert v.parse_year_or_date(45814) == (D(2025, 6, 6), False)
    with pytest.raises(v.Invalid, match="2025年尚未结束"):
        v.parse_year_or_date("2025")  # 31 December 2025 is still to come
    with pytest.raises(v.Invalid, match="只写了年月"):
        v.parse_year_or_date("2019年5月")
    with pytest.raises(v.Invalid, match="晚于今天"):
        v.parse_year_or_date("2026-01-01")
    with pytest.raises(v.Invalid, match="只写了年份"):
        v.parse_date("2019")  # elsewhere a year alone is not a date


def test_units_after_numbers_where_they_fit_the_column():
    assert [v.parse_area(x) for x in ("120㎡", "80平方米", "96平米", "100m2", "100 m²", "８５．５")] == [
        120, 80, 96, 100, 100, 85.5]
    assert [v.parse_participants(x) for x in ("30人", "30人次", "30", 8.0)] == [30, 30, 30, 8]
    assert [v.parse_hours(x) for x in ("4学时", "4课时", "4小时", "4h", 3.0)] == [4, 4, 4, 4, 3]
    assert [v.parse_amount(x) for x in ("￥50000", "¥50000", "5万", "12万元", "3.5万", "6.8万元", "125,000",
                                         "50000元", "￥5万")] == [
        50000, 50000, 50000, 120000, 35000, 68000, 125000, 50000, 50000]
    assert v.parse_score("85分") == 85
    assert v.parse_number("30人次", what="人次", unit="people") == 30


@pytest.mark.parametrize(("parse", "written", "reason"), [
    (v.parse_area, "30人", "面积的单位应为 平方米、平米、平方、㎡、m²、m2，不能是「人」"),
    (v.parse_area, "5万", "面积的单位应为 平方米、平米、平方、㎡、m²、m2，不能是「万」"),
    (v.parse_participants, "4学时", "人次的单位应为 人次、人，不能是「学时」"),
    (v.parse_hours, "30人次", "学时的单位应为 学时、课时、小时、h，不能是「人次」"),
    (v.parse_amount, "120㎡", "金额的单位应为 元、万元、万（前面可带 ￥），不能是「㎡」"),
])
def test_a_unit_that_does_not_fit_the_column_is_refused_naming_what_fits(parse, written, reason):
    with pytest.raises(v.Invalid) as exc:
        parse(written)
    assert str(exc.value) == reason


def test_a_header_unit_scales_a_bare_number_only():
    scale = v.unit_scale("amount", "万元")
    assert scale == 10000 and v.unit_scale("amount", "元") == 1 and v.unit_scale("area", "平方米") == 1
    assert v.unit_scale("area", "万元") is None  # a header unit that is not the column's
    assert [v.parse_amount(x, scale=scale) for x in (10, 5.5, "10", "5.5", "１０")] == [
        100000, 55000, 100000, 55000, 100000]
    # a number with its own unit is taken by that unit, never scaled twice
    assert [v.parse_amount(x, scale=scale) for x in ("10万", "10万元", "50000元", "￥50000")] == [
        100000, 100000, 50000, 50000]
    assert v.parse_area("120", scale=1) == 120 and v.parse_hours("2", scale=1) == 2


def test_check_marks_as_yes_and_no():
    assert [v.parse_bool(x) for x in ("√", "✓", "✔", "○", "☑")] == [True] * 5
    assert [v.parse_bool(x) for x in ("×", "✗", "✘", "✕", "☒", "没有")] == [False] * 6
    for unclear in ("对", "●", "x"):
        with pytest.raises(v.Invalid, match="√/×"):
            v.parse_bool(unclear)


def test_register_person_with_spaced_and_full_width_numbers(cli, laomo_db):
    r = cli("register", "person", "--code", "P1", "--name", "庞春燕", "--id-number", "410506 19900401 1501",
            "--phone", "１３８０７８２３０９３")

    assert r.code == 0, r
    assert q(laomo_db, "SELECT id_number, phone FROM person") == [("410506199004011501", "13807823093")]


def test_register_activity_dated_with_a_time(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三")
    cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
        "--industry", "C", "--county", "县")

    r = cli("register", "activity", "--studio", "S1", "--kind", "培训", "--date", "2025/3/15 0:00")

    assert r.code == 0, r
    assert q(laomo_db, "SELECT date FROM activity") == [("2025-03-15",)]


def test_register_studio_funds_with_a_currency_sign(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三")

    r = cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
            "--industry", "C", "--county", "县", "--funds", "￥80000")

    assert r.code == 0, r
    assert q(laomo_db, "SELECT funds FROM studio") == [(80000,)]
