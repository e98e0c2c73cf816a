"""Enumerations in everyday wording (import-formats.md, "Files as they really arrive" → "Enumerations"):
honors named with their place, industries by a unique part of their name or as the ledger writes
them, the usual short forms of types, stages, kinds, levels, roles and grades; an ambiguous form
lists its candidates, an unknown one the accepted values; every form is listable."""

import pytest
from support.db import query as q

from laomo import enums
from laomo.ledger.values import Invalid, parse_enum


@pytest.mark.parametrize(("written", "kind"), [
    ("河南省劳动模范", "province_model_worker"),
    ("河南劳模", "province_model_worker"),
    ("北京市劳动模范", "province_model_worker"),  # a municipality is provincial
    ("重庆劳模", "province_model_worker"),
    ("内蒙古自治区劳动模范", "province_model_worker"),
    ("广西劳模", "province_model_worker"),
    ("安阳市劳动模范", "city_model_worker"),
    ("吉林市劳动模范", "city_model_worker"),  # the city, not the province
    ("延边朝鲜族自治州劳动模范", "city_model_worker"),
    ("锡林郭勒盟劳动模范", "city_model_worker"),
    ("示例县劳动模范", "county_model_worker"),
    ("北京市朝阳区劳动模范", "county_model_worker"),
    ("阿拉善左旗劳模", "county_model_worker"),
    ("全国劳模", "national_model_worker"),
    ("河南省五一劳动奖章", "province_may_day_medal"),
    ("安阳市五一劳动奖章", "city_may_day_medal"),
    ("河南省先进工作者", "province_advanced_worker"),
    ("中原大工匠", "province_craftsman"),
    ("河南大工匠", "province_craftsman"),
    ("安阳市工匠", "city_craftsman"),
    ("省劳模", "province_model_worker"),
    ("市劳模", "city_model_worker"),
    ("县劳模", "county_model_worker"),
    ("区劳模", "county_model_worker"),
    ("省级劳动模范", "province_model_worker"),
    ("市级五一劳动奖章", "city_may_day_medal"),
    ("全国劳动模范称号", "national_model_worker"),
    ("河南省 劳动模范", "province_model_worker"),
])
def test_honors_written_with_their_place_or_level(written, kind):
    assert parse_enum(written, enums.HONOR_KIND) == kind


@pytest.mark.parametrize(("refused", "accepted", "kind"), [
    ("郑州劳模", "郑州市劳模", "city_model_worker"),  # 郑州 or 林州 (a county-level city)? a two-character 州 is not taken
    ("安阳劳模", "安阳市劳模", "city_model_worker"),  # no suffix: city or county?
    ("河南省技术能手", "河南省先进工作者", "province_advanced_worker"),  # no 技术能手 at province level
    ("县级先进工作者", "县级劳模", "county_model_worker"),  # no 先进工作者 at county level
    ("优秀劳模", "市级劳模", "city_model_worker"),
])
def test_honors_that_cannot_be_placed_are_refused(refused, accepted, kind):
    with pytest.raises(Invalid, match="不是有效的荣誉，可选：全国劳动模范、"):
        parse_enum(refused, enums.HONOR_KIND)
    assert parse_enum(accepted, enums.HONOR_KIND) == kind


@pytest.mark.parametrize(("written", "letter"), [
    ("电力", "D"), ("制造", "C"), ("交通运输", "G"), ("电力行业", "D"),
    ("C 制造业", "C"), ("C制造业", "C"), ("C-制造业", "C"), ("c、制造业", "C"), ("制造业（C）", "C"),
    ("交通运输仓储和邮政业", "G"), ("Ｃ", "C"), ("农业", "A"),
])
def test_industries_by_a_part_of_the_name_or_with_the_letter(written, letter):
    assert parse_enum(written, enums.INDUSTRY) == letter


def test_an_ambiguous_part_of_an_industry_is_refused_listing_the_candidates():
    with pytest.raises(Invalid) as exc:
        parse_enum("服务", enums.INDUSTRY)
    message = str(exc.value)
    assert message.startswith("「服务」可指多个行业：")
    for candidate in ("I 信息传输、软件和信息技术服务业", "L 租赁和商务服务业", "M 科学研究和技术服务业",
                      "O 居民服务、修理和其他服务业"):
        assert candidate in message
    assert "\n" not in message


def test_a_letter_and_a_name_must_agree():
    assert parse_enum("D 电力、热力、燃气及水生产和供应业", enums.INDUSTRY) == "D"
    with pytest.raises(Invalid, match="不是有效的行业"):
        parse_enum("D 制造业", enums.INDUSTRY)


@pytest.mark.parametrize(("enum", "written", "value"), [
    (enums.ACHIEVEMENT_TYPE, "实用新型", "utility_patent"),
    (enums.ACHIEVEMENT_TYPE, "发明", "invention_patent"),
    (enums.ACHIEVEMENT_TYPE, "外观设计", "design_patent"),
    (enums.ACHIEVEMENT_TYPE, "操作法", "operating_method"),
    (enums.ACHIEVEMENT_TYPE, "五小", "small_result"),
    (enums.STAGE, "推广应用", "promotion"),
    (enums.STAGE, "推广转化阶段", "promotion"),
    (enums.ACTIVITY_KIND, "技术培训", "training"),
    (enums.ACTIVITY_KIND, "交流", "exchange"),
    (enums.ACTIVITY_KIND, "技能竞赛", "competition"),
    (enums.ACTIVITY_KIND, "比武", "competition"),
    (enums.ACTIVITY_KIND, "攻关", "tackling"),
    (enums.ACTIVITY_KIND, "宣传", "publicity"),
    (enums.LEVEL, "市级劳模创新工作室", "city"),
    (enums.LEVEL, "省级示范性劳模创新工作室", "province"),
    (enums.ROLE, "骨干", "core"),
    (enums.ROLE, "一般成员", "member"),
    (enums.STUDIO_KIND, "工匠工作室", "craftsman"),
    (enums.STUDIO_KIND, "职工工作室", "worker"),
    (enums.GENDER, "男性", "male"),
    (enums.SKILL_GRADE, "一级/高级技师", "senior_technician"),
    (enums.SKILL_GRADE, "二级", "technician"),
    (enums.SKILL_GRADE, "三级/高级工", "senior"),
    (enums.SKILL_GRADE, "中级工（四级）", "intermediate"),
    (enums.SKILL_GRADE, "五级初级工", "junior"),
    (enums.GRADE, "优", "excellent"),
    (enums.ACTION, "授牌", "name"),
])
def test_short_forms(enum, written, value):
    assert parse_enum(written, enum) == value


@pytest.mark.parametrize(("enum", "refused", "accepted", "value"), [
    (enums.SKILL_GRADE, "高级", "一级/高级技师", "senior_technician"),  # 高级: 高级工 or 高级技师?
    (enums.SKILL_GRADE, "一级/技师", "二级/技师", "technician"),  # level and name disagree
    (enums.ACHIEVEMENT_TYPE, "专利", "发明", "invention_patent"),  # 专利: which patent?
    (enums.ROLE, "负责人", "骨干", "core"),
])
def test_forms_that_could_mean_another_value_are_not_taken(enum, refused, accepted, value):
    with pytest.raises(Invalid, match=f"不是有效的{enum.name}，可选："):
        parse_enum(refused, enum)
    assert parse_enum(accepted, enum) == value


def test_a_nonsense_value_lists_the_accepted_ones_and_every_form_is_listable():
    with pytest.raises(Invalid) as exc:
        parse_enum("随便写写", enums.ACTIVITY_KIND)
    assert str(exc.value) == "不是有效的类型，可选：培训、技术交流、技术攻关、技能比武、宣传展示"

    synonyms = enums.ACTIVITY_KIND.synonyms()
    assert list(synonyms) == list(enums.ACTIVITY_KIND.values)
    assert "技术培训" in synonyms["training"] and "交流" in synonyms["exchange"]
    assert "培训" not in synonyms["training"]  # the label itself is not a synonym
    for enum in (enums.LEVEL, enums.STUDIO_KIND, enums.GENDER, enums.SKILL_GRADE, enums.HONOR_KIND,
                 enums.INDUSTRY, enums.ACHIEVEMENT_TYPE, enums.STAGE, enums.ROLE, enums.ACTIVITY_KIND,
                 enums.ACTION, enums.GRADE):
        for value, forms in enum.synonyms().items():
            assert all(enum.parse(form) == value for form in forms), (enum.name, value)
    assert "河南省" in enums.HONOR_KIND.note and "电力" in enums.INDUSTRY.note


def test_register_honor_written_with_its_place(cli, laomo_db):
    assert cli("register", "person", "--code", "P1", "--name", "张三").code == 0

    r = cli("register", "honor", "--person", "P1", "--kind", "河南省劳动模范", "--year", "2015")
    assert r.code == 0, r
    r = cli("register", "honor", "--person", "P1", "--kind", "北京市五一劳动奖章", "--year", "2016")
    assert r.code == 0, r

    assert q(laomo_db, "SELECT kind, year FROM honor ORDER BY year") == [
        ("province_model_worker", 2015), ("province_may_day_medal", 2016)]


def test_register_activity_kind_in_its_short_form(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三")
    assert cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
               "--industry", "C", "--county", "县").code == 0

    r = cli("register", "activity", "--studio", "S1", "--kind", "技术培训", "--date", "2025-03-01")

    assert r.code == 0, r
    assert q(laomo_db, "SELECT kind FROM activity") == [("training",)]


def test_register_studio_industry_by_part_and_ambiguous_part_refused(cli, laomo_db):
    cli("register", "person", "--code", "P1", "--name", "张三")

    r = cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
            "--industry", "服务", "--county", "县")
    assert r.code == 1 and "可指多个行业" in r.err and "L 租赁和商务服务业" in r.err and "--industry" in r.err, r
    assert q(laomo_db, "SELECT count(*) FROM studio") == [(0,)]

    r = cli("register", "studio", "--code", "S1", "--name", "X", "--leader", "P1", "--unit", "厂",
            "--industry", "电力", "--county", "县")
    assert r.code == 0, r
    assert q(laomo_db, "SELECT industry FROM studio") == [("D",)]


@pytest.mark.parametrize("name", sorted(n for n, v in vars(enums).items() if isinstance(v, enums.Enumeration)))
def test_labels_mapping_labels_as_label_does_and_cannot_be_changed(name):
    """The exports label every row through ``labels.get(v, v or "")``: the same text as ``label(v)``
    for every value, for None and for a value the enumeration does not know; the mapping is read-only."""
    e = getattr(enums, name)
    for value in [*e.values, None, "", "no-such-value"]:
        assert e.labels.get(value, value or "") == e.label(value)
    with pytest.raises(TypeError):
        e.labels["no-such-value"] = "x"  # type: ignore[index]
