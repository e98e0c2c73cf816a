"""laomo report summary: the figures of expected.json, the JSON shape of cli.md, set-based queries, the HTML charts."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from support.sample import EXPECTED


def test_summary_2025_matches_expected_json(cli, assessed):
    r = cli("report", "summary", "--year", "2025", "--format", "json")
    assert r.code == 0, r
    got = r.json
    expected = EXPECTED["summary_2025"]
    for section, figures in expected.items():
        for key, value in figures.items():
            assert got[section][key] == value, (section, key)
    # the shape of cli.md, English values
    assert got["year"] == 2025 and got["county"] is None
    assert {"total", "by_status", "by_level", "by_industry", "by_county"} <= set(got["studios"])
    assert {"count", "benefit", "by_type"} <= set(got["achievements"])
    assert set(got["training"]) == {"sessions", "participants"}
    assert set(got["mentorships"]) == {"active", "promoted"}
    assert "by_grade" in got["assessment"]
    assert set(got["studios"]["by_status"]) <= {"registered", "named", "rectification", "warned", "revoked", "closed"}
    assert set(got["studios"]["by_level"]) <= {"enterprise", "county", "city", "province", "national"}
    assert all(re.fullmatch(r"[A-T]", k) for k in got["studios"]["by_industry"])
    assert sum(got["achievements"]["by_type"].values()) == got["achievements"]["count"]
    assert all(v > 0 for v in got["studios"]["by_status"].values())  # zeros are left out


def test_json_flag_default_year_and_trends(cli, assessed):
    a = cli("report", "summary", "--year", "2025", "--json").json
    b = cli("report", "summary", "--json").json  # the latest year with data
    assert b["year"] == 2025
    assert a["studios"] == b["studios"] and a["achievements"] == b["achievements"]
    trends = {t["year"]: t for t in a["trends"]}
    assert set(trends) == {2021, 2022, 2023, 2024, 2025}
    assert trends[2025]["achievements"] == 116 and trends[2025]["training_sessions"] == 148
    assert trends[2021]["namings"] == 18 and trends[2022]["namings"] == 20
    assert trends[2023]["revocations"] == 1
    assert trends[2025]["by_grade"] == EXPECTED["summary_2025"]["assessment"]["by_grade"]
    assert trends[2024]["assessed"] == 37


def test_county_filter(cli, assessed):
    whole = cli("report", "summary", "--year", "2025", "--json").json
    same = cli("report", "summary", "--year", "2025", "--county", "示例县", "--json").json
    assert same["county"] == "示例县"
    for key in ("studios", "achievements", "training", "mentorships", "assessment"):
        assert same[key] == whole[key], key
    none = cli("report", "summary", "--year", "2025", "--county", "没有这个县", "--json").json
    assert none["studios"]["total"] == 0 and none["achievements"]["count"] == 0
    assert none["studios"]["by_status"] == {} and none["mentorships"] == {"active": 0, "promoted": 0}


def test_an_earlier_year(cli, assessed):
    r = cli("report", "summary", "--year", "2021", "--json")
    got = r.json
    # status as of 31 Dec 2021: the 18 namings of 2021 only
    assert got["as_of"] == "2021-12-31"
    assert got["studios"]["by_level"] == {"county": 18}
    assert got["studios"]["by_status"] == {"registered": 22, "named": 18}
    assert got["assessment"]["by_grade"] == {}


def test_fixed_number_of_set_based_queries(assessed):
    """The summary runs the same handful of statements whatever the number of studios (no N+1)."""
    from sqlalchemy import event

    from laomo.reports import data
    from laomo.store.db import open_engine, read_session

    engine = open_engine(str(assessed))
    statements: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with read_session(engine) as session:
        data.summary(session, year=2025)
    event.remove(engine, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 8, selects
    grouped = [s for s in selects if "GROUP BY" in s]
    assert len(grouped) >= 5


def test_benchmark_floor_replays_the_same_queries(assessed):
    benchmark = _bench_module()

    statements = benchmark.capture(assessed, 2025)
    assert 6 <= len(statements) <= 8
    assert benchmark.floor(assessed, statements) >= 0


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.charts: dict[str, list[tuple[str, float]]] = {}
        self.kpis: dict[str, str] = {}
        self.tags: list[tuple[str, dict]] = []
        self._chart: str | None = None
        self._kpi: str | None = None
        self._in_b = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "figure" and "chart" in (a.get("class") or ""):
            self._chart = a["id"]
            self.charts[self._chart] = []
        if tag == "rect" and self._chart and "data-label" in a:
            self.charts[self._chart].append((a["data-label"], float(a["data-value"])))
        if tag == "div" and a.get("class") == "kpi":
            self._kpi = a["data-key"]
        if tag == "b" and self._kpi:
            self._in_b = True

    def handle_endtag(self, tag):
        if tag == "figure":
            self._chart = None
        if tag == "b":
            self._in_b = False
            self._kpi = None

    def handle_data(self, data):
        if self._in_b and self._kpi:
            self.kpis[self._kpi] = data.strip()


def test_html_summary_has_svg_charts_and_figures(cli, assessed, tmp_path):
    out = tmp_path / "summary.html"
    r = cli("report", "summary", "--year", "2025", "--format", "html", "--out", out)
    assert r.code == 0, r
    assert r.out.strip() == str(out.resolve())
    html = out.read_text(encoding="utf-8")
    p = _Collector()
    p.feed(html)
    assert set(p.charts) == {"chart-level", "chart-industry", "chart-grade", "chart-years", "chart-grade-years"}
    assert dict(p.charts["chart-level"]) == {"县级": 36, "市级": 1}
    assert dict(p.charts["chart-grade"]) == {"优秀": 7, "良好": 6, "合格": 10, "不合格": 14}
    industry = dict(p.charts["chart-industry"])
    assert sum(industry.values()) == 40 and industry["G 交通运输、仓储和邮政业"] == 9
    years = dict(p.charts["chart-years"])
    assert years["2025 创新成果（项）"] == 116 and years["2021 命名（个）"] == 18
    grade_years = dict(p.charts["chart-grade-years"])
    assert grade_years["2025 不合格"] == 14 and grade_years["2024 优秀"] == 7
    assert p.kpis["studios.total"] == "40"
    assert p.kpis["achievements.count"] == "116"
    assert p.kpis["achievements.benefit"] == "7,003.00"  # 70,030,000 元 in 万元
    assert p.kpis["training.sessions"] == "148" and p.kpis["training.participants"] == "6,627"
    assert p.kpis["mentorships.active"] == "65" and p.kpis["mentorships.promoted"] == "6"
    # self-contained: inline CSS, inline SVG, nothing fetched from a network
    tags = {t for t, _ in p.tags}
    assert "svg" in tags and "style" in tags
    assert not {"script", "link", "img", "iframe"} & tags
    assert not re.search(r"(src|href)\s*=", html)
    assert "url(" not in html and "@import" not in html
    assert re.sub(r'xmlns="http://www\.w3\.org/2000/svg"', "", html).count("http") == 0
    assert "@page" in html and "size: A4" in html and "@media print" in html
    assert "Noto Sans CJK SC" in html and "Microsoft YaHei" in html  # a CJK font stack


def test_md_text_and_xlsx(cli, assessed, tmp_path):
    md = cli("report", "summary", "--year", "2025", "--format", "md")
    assert md.code == 0, md
    assert md.out.startswith("# 2025年度劳模和工匠人才创新工作室统计报告")
    assert "| 已命名 | 37 |" in md.out and "| 县级 | 36 |" in md.out and "| 不合格 | 14 |" in md.out
    text = cli("report", "summary", "--year", "2025")
    assert text.code == 0, text
    for figure in ("40", "37", "116", "6,627", "70,030,000 元", "已命名", "G 交通运输、仓储和邮政业"):
        assert figure in text.out, figure
    from openpyxl import load_workbook

    out = tmp_path / "summary.xlsx"
    r = cli("report", "summary", "--year", "2025", "--out", out)  # format from the extension
    assert r.code == 0, r
    wb = load_workbook(out)
    assert {"概况", "按状态", "按级别", "按行业", "按区县", "考核等级", "创新成果", "活动", "历年趋势"} <= set(wb.sheetnames)
    levels = {row[0]: row[1] for row in wb["按级别"].iter_rows(min_row=4, values_only=True)}
    assert levels == {"县级": 36, "市级": 1, "合计": 37}
    ach = {row[0]: row[2] for row in wb["创新成果"].iter_rows(min_row=4, values_only=True)}
    assert ach["合计"] == 70030000
    assert wb["创新成果"]["C4"].number_format == '#,##0"元"'


def test_bad_year_is_a_usage_error(cli, assessed):
    assert cli("report", "summary", "--year", "1800").code == 2
    assert cli("report", "summary", "--format", "docx").code == 2


def _bench_module():
    """bench/bench_report.py, loaded as a module (the benchmark's floor is tested, never its timing)."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "bench_report.py"
    spec = importlib.util.spec_from_file_location("bench_report", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
