"""Value parsers: dates, years, booleans, amounts, ID numbers, credit codes, masking."""

import datetime as dt

import pytest

from laomo import enums, safe
from laomo.ledger import values as v


@pytest.mark.parametrize("text", ["2025-03-01", "2025/3/1", "2025.3.1", "2025年3月1日", " 2025-3-1 "])
def test_four_date_formats(text):
    assert v.parse_date(text) == dt.date(2025, 3, 1)


def test_xlsx_date_cells_are_accepted():
    assert v.parse_date(dt.datetime(2024, 12, 31)) == dt.date(2024, 12, 31)
    assert v.parse_date(dt.date(2024, 1, 2)) == dt.date(2024, 1, 2)


@pytest.mark.parametrize("text,reason", [("2025-13-45", "不存在的日期"), ("2025-02-30", "不存在的日期"),
                                         ("03/01/2025", "日期格式"), ("昨天", "日期格式")])
def test_bad_dates_say_why(text, reason):
    with pytest.raises(v.Invalid, match=reason):
        v.parse_date(text)


@pytest.mark.parametrize("text,value", [("125000", 125000), ("125,000", 125000), ("12.5万", 125000),
                                        ("12.5万元", 125000), ("125000元", 125000), ("0.00005万", 1),
                                        ("1.5", 2), ("2.5", 3), (120000.0, 120000)])
def test_amounts_in_yuan_rounded_half_up(text, value):
    assert v.parse_amount(text) == value


@pytest.mark.parametrize("text", ["-5", "-1万", "abc", "1e5", "12.5亿"])
def test_bad_amounts(text):
    with pytest.raises(v.Invalid):
        v.parse_amount(text)


def test_negative_amount_is_named():
    with pytest.raises(v.Invalid, match="负数"):
        v.parse_amount("-5")


@pytest.mark.parametrize("text,value", [("是", True), ("有", True), ("Y", True), ("yes", True), ("TRUE", True),
                                        ("1", True), ("否", False), ("无", False), ("n", False), ("No", False),
                                        ("false", False), ("0", False)])
def test_booleans_any_case(text, value):
    assert v.parse_bool(text) is value


def test_bad_boolean():
    with pytest.raises(v.Invalid):
        v.parse_bool("也许")


def test_id_number_check_digit():
    assert v.parse_id_number("11010519491231002x") == "11010519491231002X"
    assert v.parse_id_number("370102197811184370") == "370102197811184370"
    with pytest.raises(v.Invalid, match="校验位"):
        v.parse_id_number("410502199001011234")
    with pytest.raises(v.Invalid, match="出生日期"):
        v.parse_id_number("110105194913310" + "01" + v.id_check_char("11010519491331001"))
    with pytest.raises(v.Invalid):
        v.parse_id_number(110105194912310021)  # a number cell loses precision: refuse it


def test_credit_code_check_character():
    assert v.parse_credit_code("91410100323194874N") == "91410100323194874N"
    with pytest.raises(v.Invalid, match="校验位"):
        v.parse_credit_code("91410100323194874M")
    with pytest.raises(v.Invalid):
        v.parse_credit_code("9141010032319487")


def test_codes_stay_text():
    assert v.parse_code("007") == "007"
    assert v.parse_code(1001.0) == "1001"
    with pytest.raises(v.Invalid):
        v.parse_code("P 1")


def test_enumerations_accept_chinese_english_and_letters():
    assert v.parse_enum("市级", enums.LEVEL) == "city"
    assert v.parse_enum("City", enums.LEVEL) == "city"
    assert v.parse_enum("C", enums.INDUSTRY) == "C"
    assert v.parse_enum("制造业", enums.INDUSTRY) == "C"
    assert v.parse_enum("c", enums.INDUSTRY) == "C"
    assert v.parse_enum("高级技师", enums.SKILL_GRADE) == "senior_technician"
    with pytest.raises(v.Invalid, match="可选"):
        v.parse_enum("厅级", enums.LEVEL)


def test_honor_kinds_carry_their_level():
    assert enums.honor_level(v.parse_enum("大国工匠", enums.HONOR_KIND)) == "national"
    assert enums.honor_level(v.parse_enum("市五一劳动奖章", enums.HONOR_KIND)) == "city"
    assert enums.honor_level(v.parse_enum("县级劳动模范", enums.HONOR_KIND)) == "county"


def test_masking():
    assert safe.mask_id_number("110105194912310021") == "110***********0021"
    assert safe.mask_phone("13812345678") == "138****5678"
    assert safe.mask_id_number(None) == ""


@pytest.mark.parametrize("text, shown", [
    ("+8613812345678", "+86*******5678"),
    ("电话 138-1234-5678 谢谢", "电话 138******5678 谢谢"),
    ("138 1234 5678", "138******5678"),
    ("13812345678", "138****5678"),
    ("110105199001011234", "110***********1234"),
    ("2025-12-31 S0001 A00012 0371-12345678", "2025-12-31 S0001 A00012 0371-12345678"),
    ("金额 1381234567800 元", "金额 1381234567800 元"),
])
def test_scrub_masks_mobiles_in_every_form_parse_phone_accepts(text, shown):
    from laomo.safe import scrub

    assert scrub(text) == shown
