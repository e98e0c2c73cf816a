"""Tests of laomo.demo.generator, the deterministic demo-data generator (stdlib only)."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from laomo.demo import generator as demo

# Headers copied from import-formats.md (not from the module under test).
HEADERS = {
    "people": "编号,姓名,性别,出生年份,身份证号,手机,单位,岗位,一线职工,技能等级",
    "honors": "人员编号,荣誉,年份,授予单位",
    "studios": "编号,名称,类型,领衔人编号,所在单位,统一社会信用代码,行业,区县,成立日期,场所面积,年度经费,"
               "有标牌,有制度,有计划,有展示,有活动记录,有设施,备注",
    "members": "工作室编号,人员编号,角色,加入日期,退出日期",
    "achievements": "编号,工作室编号,名称,类型,阶段,日期,经济效益,专利号,一线主导",
    "activities": "工作室编号,日期,类型,主题,人次,学时",
    "mentorships": "工作室编号,师傅编号,徒弟编号,开始日期,结束日期,签订协议,晋级日期",
    "inspections": "工作室编号,年度,考核项,得分,检查人",
    "designations": "工作室编号,处理,级别,年度,日期,批次,文号,金额,原因",
    "assessments": "工作室编号,年度,得分,等级",
}
ORDER = list(HEADERS)

HONORS = {"全国劳动模范", "全国先进工作者", "全国五一劳动奖章", "大国工匠", "中华技能大奖", "全国技术能手",
          "省部级劳动模范", "省部级先进工作者", "省五一劳动奖章", "省级工匠", "市级劳动模范", "市级先进工作者",
          "市五一劳动奖章", "市级工匠", "县级劳动模范", "企业劳动模范"}
GRADES = {"初级工", "中级工", "高级工", "技师", "高级技师"}
STUDIO_KINDS = {"劳模创新工作室", "工匠人才创新工作室", "职工创新工作室", "联合创新工作室"}
INDUSTRIES = dict(zip("ABCDEFGHIJKLMNOPQRST", (
    "农、林、牧、渔业", "采矿业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业", "批发和零售业",
    "交通运输、仓储和邮政业", "住宿和餐饮业", "信息传输、软件和信息技术服务业", "金融业", "房地产业",
    "租赁和商务服务业", "科学研究和技术服务业", "水利、环境和公共设施管理业", "居民服务、修理和其他服务业",
    "教育", "卫生和社会工作", "文化、体育和娱乐业", "公共管理、社会保障和社会组织", "国际组织")))
ACH_TYPES = {"发明专利", "实用新型专利", "外观设计专利", "技术革新", "先进操作法", "工法", "五小成果",
             "合理化建议", "论文", "标准"}
STAGES = {"问题查找", "课题立项", "项目攻关", "应用试验", "改进提升", "鉴定评价", "推广转化"}
ACTIVITY_KINDS = {"培训", "技术交流", "技术攻关", "技能比武", "宣传展示"}
ACTIONS = {"命名", "示范", "整改", "通报", "恢复", "摘牌", "撤销"}
LEVELS = {"企业级", "县级", "市级", "省级", "全国"}
ASSESS_GRADES = {"优秀", "良好", "合格", "不合格"}


# --- independent check-character implementations -------------------------------------

def id_ok(number: str) -> bool:
    """GB 11643: sum of digit × 2^(17-i) mod 11, mapped through 1 0 X 9 8 7 6 5 4 3 2."""
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = 0
    for digit, weight in zip(number[:17], weights):
        total += int(digit) * weight
    return "10X98765432"[total % 11] == number[17]


def credit_ok(code: str) -> bool:
    charset = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    if len(code) != 18 or any(c not in charset for c in code):
        return False
    total = 0
    for char, weight in zip(code[:17], weights):
        total += charset.index(char) * weight
    check = 31 - total % 31
    if check == 31:
        check = 0
    return charset[check] == code[17]


def test_check_helpers_match_known_values():
    # Published example numbers (GB 11643 / GB 32100 specimen values).
    assert demo.id_check_char("11010519491231002") == "X"
    assert demo.id_check_char("44052418800101001") == "4"
    assert demo.credit_check_char("91350100M000100Y4") == "3"
    assert id_ok("11010519491231002X") and credit_ok("91350100M000100Y43")
    with pytest.raises(ValueError):
        demo.id_check_char("1234")
    with pytest.raises(ValueError):
        demo.credit_check_char("9135010OM000100Y4")  # the letter O is not in the charset


# --- helpers -----------------------------------------------------------------------------

def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: no UTF-8 BOM"
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, r, strict=True)) for r in reader]
    return header, rows


def load(files: list[tuple[str, Path]]) -> dict[str, list[dict[str, str]]]:
    assert [k for k, _ in files] == ORDER
    data = {}
    for kind, path in files:
        header, rows = read(path)
        assert ",".join(header) == HEADERS[kind], kind
        data[kind] = rows
    return data


def date(text: str) -> dt.date:
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", text), text
    return dt.date.fromisoformat(text)


def check_dataset(data: dict[str, list[dict[str, str]]]) -> None:
    """Validity and referential consistency shared by the demo and the large county."""
    people = {r["编号"]: r for r in data["people"]}
    studios = {r["编号"]: r for r in data["studios"]}
    assert len(people) == len(data["people"]), "duplicate person codes"
    assert len(studios) == len(data["studios"]), "duplicate studio codes"
    ach_codes = [r["编号"] for r in data["achievements"]]
    assert len(set(ach_codes)) == len(ach_codes), "duplicate achievement codes"
    assert all(re.fullmatch(r"P\d{4,}", c) for c in people)
    assert all(re.fullmatch(r"S\d{4,}", c) for c in studios)
    assert all(re.fullmatch(r"A\d{5,}", c) for c in ach_codes)

    ids = [p["身份证号"] for p in people.values() if p["身份证号"]]
    assert len(set(ids)) == len(ids), "duplicate ID numbers"
    for p in people.values():
        assert p["性别"] in ("男", "女") and p["技能等级"] in GRADES and p["一线职工"] in ("是", "否")
        n = p["身份证号"]
        assert id_ok(n), n
        born = dt.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))  # a real date
        assert str(born.year) == p["出生年份"]
        assert int(n[16]) % 2 == (p["性别"] == "男")
        assert p["手机"] == "" or re.fullmatch(r"1[3589]\d{9}", p["手机"]), p["手机"]

    for h in data["honors"]:
        assert h["人员编号"] in people and h["荣誉"] in HONORS and re.fullmatch(r"\d{4}", h["年份"])
    for s in studios.values():
        assert s["领衔人编号"] in people
        assert s["类型"] in STUDIO_KINDS and s["名称"].endswith(s["类型"])
        assert s["行业"] in INDUSTRIES or s["行业"] in INDUSTRIES.values()
        assert s["统一社会信用代码"] == "" or credit_ok(s["统一社会信用代码"]), s["统一社会信用代码"]
        date(s["成立日期"])
        assert s["场所面积"].isdigit() and s["年度经费"].isdigit()
        assert all(s[k] in ("是", "否") for k in ("有标牌", "有制度", "有计划", "有展示", "有活动记录", "有设施"))

    member_keys = Counter((m["工作室编号"], m["人员编号"]) for m in data["members"])
    assert max(member_keys.values()) == 1
    leaders = {(m["工作室编号"], m["人员编号"]) for m in data["members"] if m["角色"] == "领衔人"}
    assert leaders == {(code, s["领衔人编号"]) for code, s in studios.items()}
    for m in data["members"]:
        assert m["工作室编号"] in studios and m["人员编号"] in people
        assert m["角色"] in ("领衔人", "核心成员", "成员")
        if m["退出日期"]:
            assert date(m["退出日期"]) > date(m["加入日期"])
    for a in data["achievements"]:
        assert a["工作室编号"] in studios and a["类型"] in ACH_TYPES and a["阶段"] in STAGES
        date(a["日期"])
        assert a["经济效益"].isdigit() and a["一线主导"] in ("是", "否")
        assert bool(a["专利号"]) == a["类型"].endswith("专利")
    activity_keys = Counter((a["工作室编号"], a["日期"], a["类型"], a["主题"]) for a in data["activities"])
    assert max(activity_keys.values()) == 1, "activity natural key repeated"
    for a in data["activities"]:
        assert a["工作室编号"] in studios and a["类型"] in ACTIVITY_KINDS
        date(a["日期"])
        assert a["人次"].isdigit() and a["学时"].isdigit()
    for m in data["mentorships"]:
        assert m["工作室编号"] in studios and m["师傅编号"] in people and m["徒弟编号"] in people
        assert (m["工作室编号"], m["徒弟编号"]) in member_keys and m["师傅编号"] != m["徒弟编号"]
        start = date(m["开始日期"])
        for k in ("结束日期", "晋级日期"):
            assert m[k] == "" or date(m[k]) > start
        assert m["签订协议"] in ("是", "否")
    for i in data["inspections"]:
        assert i["工作室编号"] in studios and i["考核项"] == "D2" and 0 <= int(i["得分"]) <= 10
    for d in data["designations"]:
        assert d["工作室编号"] in studios and d["处理"] in ACTIONS and d["级别"] in LEVELS
        assert abs(date(d["日期"]).year - int(d["年度"])) <= 1
        assert d["金额"] == "" or d["金额"].isdigit()
    named = {d["工作室编号"] for d in data["designations"] if d["处理"] == "命名"}
    for a in data["assessments"]:
        assert a["工作室编号"] in named and a["等级"] in ASSESS_GRADES and 0 <= int(a["得分"]) <= 100


# --- the demo county -------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return demo.write_demo_county(tmp_path_factory.mktemp("demo"))


def test_demo_is_deterministic(demo_files, tmp_path):
    again = demo.write_demo_county(tmp_path / "again")
    for (kind, a), (kind2, b) in zip(demo_files, again, strict=True):
        assert kind == kind2 and a.read_bytes() == b.read_bytes(), kind
    other = demo.write_demo_county(tmp_path / "other", seed=7)
    assert other[0][1].read_bytes() != demo_files[0][1].read_bytes()


def test_demo_headers_values_and_references(demo_files):
    assert all(p.name == f"{k}.csv" for k, p in demo_files)
    check_dataset(load(demo_files))


def test_demo_content(demo_files):
    data = load(demo_files)
    assert len(data["studios"]) == 30
    assert {s["区县"] for s in data["studios"]} >= {"演示县", "演示新区"}
    assert len({s["所在单位"] for s in data["studios"]}) >= 5
    assert len({s["行业"] for s in data["studios"]}) >= 4
    # The same unit always carries the same credit code.
    codes = {(s["所在单位"], s["统一社会信用代码"]) for s in data["studios"] if s["统一社会信用代码"]}
    assert len(codes) == len({u for u, _ in codes})
    team = Counter(m["工作室编号"] for m in data["members"])
    assert min(team.values()) == 2 and max(team.values()) <= 9
    assert sum(4 <= n <= 9 for n in team.values()) >= 25
    frontline = sum(p["一线职工"] == "是" for p in data["people"]) / len(data["people"])
    assert frontline > .7
    assert any(s["有标牌"] == "否" for s in data["studios"])
    # Every leader qualifies at least for the enterprise level: an honor or 技师/高级技师.
    honored = {h["人员编号"] for h in data["honors"]}
    people = {p["编号"]: p for p in data["people"]}
    for s in data["studios"]:
        leader = s["领衔人编号"]
        assert leader in honored or people[leader]["技能等级"] in ("技师", "高级技师")
    years = Counter(a["日期"][:4] for a in data["achievements"])
    assert set(years) == {"2021", "2022", "2023", "2024", "2025"}
    benefits = [int(a["经济效益"]) for a in data["achievements"]]
    assert 0 in benefits and max(benefits) >= 1_000_000
    kinds = Counter(a["类型"] for a in data["activities"])
    assert set(kinds) == ACTIVITY_KINDS and kinds.most_common(1)[0][0] == "培训"
    assert any(m["晋级日期"] for m in data["mentorships"])
    assert Counter(i["年度"] for i in data["inspections"]) == {"2024": 30, "2025": 30}
    namings = [d for d in data["designations"] if d["处理"] == "命名"]
    county = [d for d in namings if d["级别"] == "县级"]
    assert 20 <= len(county) < 30 and all(d["日期"][5:7] == "12" and d["金额"] == "20000" for d in county)
    assert all(re.fullmatch(r"演示\w+工发〔\d{4}〕\d+号", d["文号"]) for d in namings)
    assert 1 <= sum(d["级别"] == "市级" for d in namings) <= 2
    assert {a["年度"] for a in data["assessments"]} == {"2023"}
    grades = Counter(a["等级"] for a in data["assessments"])
    assert set(grades) == ASSESS_GRADES
    assert grades["优秀"] <= max(1, len(data["assessments"]) // 5)  # the 优秀 cap
    assert any(d["处理"] == "整改" for d in data["designations"])


def test_demo_small_and_bad_arguments(tmp_path):
    data = load(demo.write_demo_county(tmp_path / "one", studios=1))
    assert len(data["studios"]) == 1
    check_dataset(data)
    with pytest.raises(ValueError):
        demo.write_demo_county(tmp_path / "bad", first_year=2024, last_year=2025)


# --- streaming generators ----------------------------------------------------------------

def test_people_stream(tmp_path):
    path = demo.write_people_csv(tmp_path / "people.csv", n=1000)
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 1001 and lines[0] == HEADERS["people"]
    header, rows = read(path)
    codes = [r["编号"] for r in rows]
    assert codes[0] == "P0001" and codes[-1] == "P1000" and len(set(codes)) == 1000
    assert all(id_ok(r["身份证号"]) for r in rows)
    assert len({r["身份证号"] for r in rows}) == 1000
    assert tuple(demo.PEOPLE_HEADER) == tuple(HEADERS["people"].split(","))
    assert next(demo.iter_people_rows(100_000))[0] == "P000001"  # width follows n
    gb = demo.write_people_csv(tmp_path / "gb.csv", n=10, encoding="gb18030")
    assert gb.read_bytes().decode("gb18030").startswith(HEADERS["people"])


def test_large_county(tmp_path):
    files = demo.write_large_county(tmp_path / "large", studios=50)
    data = load(files)
    check_dataset(data)
    assert len(data["studios"]) == 50
    assert len(data["people"]) == len(data["members"])  # each member is a new person
    assert 4 <= len(data["members"]) / 50 <= 10
    assert 5 <= len(data["activities"]) / 50 <= 15
    assert 2 <= len(data["achievements"]) / 50 <= 8
    assert Counter(i["年度"] for i in data["inspections"]) == {"2024": 50, "2025": 50}
    again = demo.write_large_county(tmp_path / "again", studios=50)
    assert all(a.read_bytes() == b.read_bytes() for (_, a), (_, b) in zip(files, again))


def test_stdlib_only():
    tree = ast.parse(Path(demo.__file__).read_text(encoding="utf-8"))
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.level == 0}
    assert modules <= set(sys.stdlib_module_names) | {"__future__", "laomo"}, modules
    # the laomo modules it uses (the check characters of laomo.ledger.values) are stdlib-only too
    code = ("import sys\nbefore = set(sys.modules)\nimport laomo.demo.generator\n"
            "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
            "print(sorted(new - set(sys.stdlib_module_names) - {'laomo'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out
