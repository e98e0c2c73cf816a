"""`laomo register columns KIND [--json]`: the columns of a kind as the importer reads them — headers
(required ones marked), English aliases, synonyms, reference forms, units, accepted values and what
each column holds (import-formats.md, "Header spelling" and "Templates to send out")."""

from __future__ import annotations

from laomo import enums
from laomo.ledger.columns import KINDS


def columns_of(cli, kind: str) -> dict[str, dict]:
    r = cli("register", "columns", kind, "--json")
    assert r.code == 0, r
    return {c["key"]: c for c in r.json["columns"]}


def test_json_gives_each_column_with_its_synonyms_forms_units_and_values(cli):
    r = cli("register", "columns", "studios", "--json")

    assert r.code == 0, r
    assert (r.json["kind"], r.json["label"]) == ("studios", "工作室")
    cols = {c["key"]: c for c in r.json["columns"]}
    assert list(cols) == [c.key for c in KINDS["studios"].columns]
    assert set(r.json["columns"][0]) >= {"key", "header", "required", "synonyms", "forms", "units", "values", "note",
                                         "type"}
    leader = cols["leader"]
    assert (leader["header"], leader["required"]) == ("领衔人编号", True)
    assert {f["header"] for f in leader["forms"]} >= {"领衔人身份证号", "领衔人姓名", "领衔人"}
    assert "工作室名称" in cols["name"]["synonyms"]
    assert {"unit": "万元", "factor": 10000.0} in cols["funds"]["units"]
    assert cols["industry"]["values"][:20] == [label for _, label in enums.INDUSTRY.items]
    assert cols["has_sign"]["values"][:2] == ["是", "否"]
    assert [cols[k]["type"] for k in ("founded", "has_sign", "industry", "funds", "area", "credit_code")] == [
        "date", "bool", "enum", "amount", "number", "code"]
    assert cols["notes"]["required"] is False


def test_chinese_kind_names_and_the_values_an_enumeration_accepts(cli):
    people = columns_of(cli, "人员")
    designations = columns_of(cli, "命名记录")

    assert people["id_number"]["type"] == "id"
    assert "身份证号码" in people["id_number"]["synonyms"] and "联系电话" in people["phone"]["synonyms"]
    assert people["gender"]["values"][:2] == ["男", "女"]
    level = designations["level"]["values"]
    assert level[:5] == ["企业级", "县级", "市级", "省级", "全国"] and "省部级" in level  # labels first, then other forms
    assert "approximate" not in designations  # derived from 日期, never a header of its own


def test_all_lists_every_kind_in_reference_order(cli):
    r = cli("register", "columns", "all", "--json")

    assert r.code == 0, r
    assert [k["kind"] for k in r.json["kinds"]] == list(KINDS)


def test_plain_output_marks_required_columns_and_names_the_english_alias(cli):
    r = cli("register", "columns", "members")

    assert r.code == 0, r
    lines = r.out.splitlines()
    assert lines[0].startswith("成员（members）")
    assert any(line.split() == ["工作室编号*", "studio"] for line in lines)
    assert any(line.split() == ["角色", "role"] for line in lines)
    assert any("工作室名称" in line for line in lines)  # the reference forms
    assert any("领衔人、核心成员、成员" in line for line in lines)


def test_unknown_kind_is_a_usage_error(cli):
    r = cli("register", "columns", "studioz")

    assert r.code == 2, r
    assert "studioz" in r.err and "people" in r.err and "人员" in r.err
