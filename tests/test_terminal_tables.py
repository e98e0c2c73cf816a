"""Terminal tables never lose text: piped output is plain lines with every value whole; an 80-column
terminal gets a table whose cells fold (never "…"), or a list of 字段：值 lines when the table cannot fit."""

from __future__ import annotations

import io
import re

import pytest

DOC = "示例县总工会工发〔2025〕第0050号（关于命名的决定）"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture
def narrow(monkeypatch):
    """An 80-column window."""
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("LINES", "25")


@pytest.fixture
def terminal(narrow, monkeypatch):
    """stdout taken for an 80-column terminal (Rich honours TTY_COMPATIBLE / FORCE_COLOR)."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)


def _plain(text: str) -> str:
    return ANSI.sub("", text)


def _squeeze(text: str) -> str:
    return re.sub(r"\s", "", text)


def _run_json(cli):
    r = cli("assess", "run", "--year", "2025", "--dry-run", "--json")
    assert r.code == 0, r
    return r.json["results"]


def test_piped_assess_run_keeps_every_name_and_reason_whole(cli, assessed, narrow):
    results = _run_json(cli)
    assert any(len(r["name"]) > 10 for r in results) and any(r["reasons"] for r in results)

    r = cli("assess", "run", "--year", "2025", "--dry-run")

    assert r.code == 0, r
    assert "…" not in r.out
    lines = r.out.splitlines()
    for res in results:
        line = next(x for x in lines if x.startswith(res["studio"] + "\t"))
        assert res["name"] in line, (res["name"], line)
        for reason in res["reasons"]:
            assert reason in line, (reason, line)


def test_piped_assess_check_keeps_every_name_and_failure_whole(cli, assessed, narrow):
    data = cli("assess", "check", "--json").json["results"]

    r = cli("assess", "check")

    assert r.code == 0, r
    assert "…" not in r.out
    for res in data:
        assert res["name"] in r.out
        for failure in res["failures"]:
            assert failure in r.out


def test_award_history_keeps_a_long_doc_number_on_one_line(cli, assessed, narrow):
    r = cli("award", "name", "S0023", "--level", "县级", "--year", "2025", "--doc", DOC, "--date", "2025-11-22")
    assert r.code == 0, r

    r = cli("award", "history", "S0023")

    assert r.code == 0, r
    assert DOC in r.out
    assert r.out.count("〔2025〕") == 1


def _table_rows(out: str) -> list[list[str]]:
    """The rows of a Rich table as drawn, each cell's folded lines joined again."""
    rows: list[list[str]] = []
    for line in out.splitlines():
        if not line.startswith("│"):
            continue
        cells = [c.strip() for c in line.strip().strip("│").split("│")]
        if cells[0]:
            rows.append(cells)
        else:
            rows[-1] = [a + b for a, b in zip(rows[-1], cells)]
    return rows


def test_a_80_column_terminal_folds_cells_but_never_cuts_them(cli, assessed, terminal):
    results = _run_json(cli)

    r = cli("assess", "run", "--year", "2025", "--dry-run")

    out = _plain(r.out)
    assert r.code == 0, r
    assert "…" not in out
    rows = {row[0]: row for row in _table_rows(out)}
    assert set(rows) == {res["studio"] for res in results}
    for res in results:
        assert rows[res["studio"]][1] == res["name"]
        # a fold at a space drops the space
        assert _squeeze(rows[res["studio"]][-1]) == _squeeze("；".join(res["reasons"]))


def test_award_history_on_a_80_column_terminal_keeps_the_doc_number_on_one_line(cli, assessed, terminal):
    assert cli("award", "name", "S0023", "--level", "县级", "--year", "2025", "--doc", DOC,
               "--date", "2025-11-22").code == 0

    r = cli("award", "history", "S0023")

    assert r.code == 0, r
    assert DOC in _plain(r.out)


def test_a_table_too_wide_for_the_terminal_becomes_a_list():
    from rich.console import Console

    from laomo.commands.output import Column, TextTable, print_table

    table = TextTable([Column(h, short=True) for h in ("编号", "日期", "年度", "处理", "级别")] + [Column("原因")],
                      title="记录")
    table.add_row("S0001", "2025-11-22", "2025", "命名", "县级", "本年度考核不合格，限期整改")
    buf = io.StringIO()

    print_table(table, Console(file=buf, width=30, force_terminal=True, color_system=None))

    out = buf.getvalue()
    assert "编号：S0001" in out and "日期：2025-11-22" in out and "原因：本年度考核不合格，限期整改" in out
    assert "…" not in out


def test_a_table_that_fits_folds_long_cells_instead_of_cutting_them():
    from rich.console import Console

    from laomo.commands.output import Column, TextTable, print_table

    reason = "本年度考核不合格：创新成果不足、活动次数不足、师带徒未达要求，限期整改"
    table = TextTable([Column("编号", short=True), Column("名称", min_width=8), Column("原因", min_width=8)])
    table.add_row("S0001", "许新浩劳模创新工作室", reason)
    buf = io.StringIO()

    print_table(table, Console(file=buf, width=40, force_terminal=True, color_system=None))

    out = buf.getvalue()
    assert "…" not in out
    assert _table_rows(out) == [["S0001", "许新浩劳模创新工作室", reason]]


def test_a_piped_ledger_keeps_every_name_whole_and_a_long_one_on_one_line(cli, assessed, narrow):
    long_name = "示例县第一人民医院急危重症医学中心王某某全国劳动模范暨河南省五一劳动奖章获得者技术创新与人才培养工作室"
    assert cli("register", "studio", "--code", "S0001", "--name", long_name).code == 0

    names = [s["name"] for s in cli("report", "ledger", "--json").json["studios"]]

    r = cli("report", "ledger")

    assert r.code == 0, r
    assert "…" not in r.out and all(name in r.out for name in names)
    line = next(x for x in r.out.splitlines() if x.startswith("S0001"))
    assert line.split("\t")[:2] == ["S0001", long_name]
