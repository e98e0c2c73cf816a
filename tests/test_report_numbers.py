"""Issue 15 item 3: years are never grouped (2021, not 2,021) — in the studio dossier's 命名与处理记录
in text, md and HTML — and every renderer shows a kind of number through the same function."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_the_dossier_prints_designation_years_without_a_thousands_separator(cli, assessed, fmt):
    data = cli("report", "studio", "S0001", "--json").json
    years = {d["year"] for d in data["designations"]}
    assert years, data["designations"]

    r = cli("report", "studio", "S0001", "--format", fmt)

    assert r.code == 0, r
    section = r.out[r.out.index("命名与处理记录"):]
    for year in years:
        assert f"{year:,}" not in section and str(year) in section


def test_one_function_per_kind_of_number():
    from laomo.reports import numbers, render

    assert [numbers.cell_text(2021, k) for k in ("year", "int", "money", "pct")] == \
        ["2021", "2,021", "2,021 元", "202100.0%"]
    assert numbers.wan(1234567) == "123.46" and numbers.share(0.125) == "12.5%"
    assert numbers.decimal(12.5) == "12.5" and numbers.decimal(3.0) == "3"
    assert render.cellfmt is numbers.cell_text and render.num is numbers.count  # the renderers' own names
