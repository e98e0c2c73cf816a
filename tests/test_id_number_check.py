"""The ID number's check character (GB 11643, ISO 7064 MOD 11-2), computed the short way, equals the
standard's weighted sum; an import accepts exactly the numbers whose last character is that one."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from laomo.ledger.values import Invalid, id_check_char, parse_id_number

#: The standard's weights, left to right (2**17 … 2**1 modulo 11), and its table of check characters.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2030, 12, 31))


def textbook(first17: str) -> str:
    return CHECK[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]


@settings(max_examples=500, derandomize=True, database=None)
@given(digits17)
def test_the_check_character_is_the_standards_weighted_sum(first17: str) -> None:
    assert id_check_char(first17) == textbook(first17)


@settings(max_examples=300, derandomize=True, database=None)
@given(area=st.text(alphabet="0123456789", min_size=6, max_size=6), birth=births,
       seq=st.text(alphabet="0123456789", min_size=3, max_size=3), last=st.sampled_from("0123456789Xx"))
def test_a_number_is_taken_exactly_when_its_check_character_is_right(area: str, birth: dt.date, seq: str,
                                                                      last: str) -> None:
    first17 = f"{area}{birth:%Y%m%d}{seq}"
    number = first17 + last
    if last.upper() == textbook(first17):
        assert parse_id_number(number) == number.upper()
        assert parse_id_number(f" {number} ") == number.upper()
    else:
        with pytest.raises(Invalid, match="校验位错误"):
            parse_id_number(number)


def test_the_known_numbers() -> None:
    assert id_check_char("11010519491231002") == "X"
    assert parse_id_number("11010519491231002x") == "11010519491231002X"
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"  # full-width digits
    with pytest.raises(Invalid, match="出生日期无效"):
        parse_id_number("110105" + "19490230" + "002" + id_check_char("11010519490230002"))
    with pytest.raises(ValueError):
        id_check_char("1101051949123100A")
