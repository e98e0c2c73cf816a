"""Reports written without a file name get Chinese names a clerk recognises (issue 15, item 6)."""

from __future__ import annotations


def test_binary_reports_without_out_get_chinese_names(cli, assessed, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for args, name in [
        (("report", "ledger", "--format", "xlsx"), "台账.xlsx"),
        (("report", "assessment", "--year", "2025", "--format", "xlsx"), "2025年度考核结果.xlsx"),
        (("report", "summary", "--year", "2025", "--format", "xlsx"), "2025年度统计报告.xlsx"),
        (("report", "notice", "--year", "2023", "--kind", "naming", "--level", "city", "--format", "docx"),
         "2023年度市级命名决定.docx"),
    ]:
        r = cli(*args)
        assert r.code == 0, r
        assert r.out.strip() == str((tmp_path / name).resolve())
        assert (tmp_path / name).is_file()


def test_default_names_of_every_report():
    from laomo.reports import default_filename

    assert default_filename("studio", "html", {"studio": "S0001"}) == "工作室档案-S0001.html"
    assert default_filename("summary", "html", {"year": 2025, "county": "演示县"}) == "2025年度统计报告-演示县.html"
    assert default_filename("notice", "docx", {"year": 2025, "kind": "revocation", "level": "county"}) == \
        "2025年度县级撤销命名决定.docx"


def test_quickstart_reports_have_chinese_names(cli, tmp_path):
    r = cli("quickstart", tmp_path / "demo", "--json")
    assert r.code == 0, r
    names = {p.rsplit("/", 1)[-1] for p in r.json["reports"].values()}
    assert {"台账.xlsx", "2025年度考核结果.xlsx", "2025年度统计报告.html"} <= names, names
    assert any(n.endswith("命名决定.docx") for n in names), names
    assert not any(n.isascii() for n in names), names
