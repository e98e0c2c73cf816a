"""An ID number that Excel stored as a number (15 significant digits: …000, or 4.10523E+17) is
reported with its likely cause and how to keep the column as text (issue 15, item 11)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("written", ["410523197209245000", "4.10523E+17"])
def test_an_id_number_excel_turned_into_a_number_says_why(cli, tmp_path, written):
    path = tmp_path / "people.csv"
    path.write_text(f"编号,姓名,身份证号\nP1,张三,{written}\n", encoding="utf-8")
    r = cli("register", "import", "people", str(path), "--dry-run")
    assert r.code == 1, r
    assert "Excel" in r.err and "数字" in r.err and "文本" in r.err and "'" in r.err


def test_a_wrong_check_digit_alone_says_only_that(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("编号,姓名,身份证号\nP1,张三,410523197209245012\n", encoding="utf-8")
    r = cli("register", "import", "people", str(path), "--dry-run")
    assert r.code == 1 and "校验位错误" in r.err and "Excel" not in r.err
