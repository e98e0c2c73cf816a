"""Choice lists read: labels that hold 、 themselves are listed with their codes and joined by ；
(issue 15, item 7)."""

from laomo.enums import INDUSTRY, LEVEL


def test_industry_choices_are_readable():
    text = INDUSTRY.choices_text()
    assert text.startswith("A 农、林、牧、渔业；B 采矿业；C 制造业；")
    assert "、采矿业" not in text


def test_plain_choices_stay_joined_by_the_comma():
    assert LEVEL.choices_text() == "企业级、县级、市级、省级、全国"


def test_a_wrong_industry_lists_the_sections_readably(cli, laomo_db):
    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0
    r = cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
            "--industry", "无此行业", "--county", "县")
    assert r.code != 0
    assert "A 农、林、牧、渔业；B 采矿业" in r.err
