"""Issue 12 item 4: stored text is never read as Rich markup, and control or bidi characters are refused
on input (they cannot be meant in a name) — one studio named A[/]B crashed six commands for the ledger."""

import pytest
from support.db import execute


@pytest.fixture
def marked(cli, assessed):
    """The assessed sample county with one studio whose name and unit look like Rich markup."""
    execute(assessed, "UPDATE studio SET name = 'A[/]B[bold]工作室', unit = '[red]某厂[/' WHERE code = 'S0001'")
    return assessed


@pytest.mark.parametrize("args", [
    ("report", "ledger"), ("report", "studio", "S0001"), ("assess", "check"),
    ("assess", "explain", "S0001", "--year", "2025"), ("award", "candidates", "--level", "county"),
    ("award", "history", "S0001"), ("report", "summary", "--county", "[/x]"), ("report", "assessment", "--year", "2025"),
])
def test_markup_in_stored_text_is_printed_as_it_is(cli, marked, args):
    r = cli(*args)
    assert "Traceback" not in r.err and "MarkupError" not in r.err and r.code in (0, 1), (args, r)
    if args[1] in ("ledger", "studio", "history"):
        assert "A[/]B[bold]工作室" in r.out.replace("\n", "").replace(" ", "") or "A[/]B" in r.out, r.out[:500]


@pytest.mark.parametrize("bad", ["\u202e张三", "张\x9b三", "张\x1b[31m三", "张\u2066三"])
def test_control_and_bidi_characters_are_refused_on_input(cli, bad):
    r = cli("register", "person", "--code", "P1", "--name", bad)
    assert r.code == 1 and "控制字符" in r.err and "Traceback" not in r.err, r
    assert "\x1b" not in r.err and "\u202e" not in r.err and "\x9b" not in r.err


def test_a_profile_label_cannot_carry_an_escape(cli, tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nextends = "henan-2015"\ntitle = "规则\\u001b[2J"\n', encoding="utf-8")
    r = cli("assess", "rules", "validate", path)
    assert r.code == 1 and "控制字符" in r.err and "\x1b" not in r.err, r
