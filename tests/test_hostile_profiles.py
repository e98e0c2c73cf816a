"""A rules profile cannot crash or hang laomo (issue 12 item 8): nesting, expression length and
non-finite numbers are bounded before parsing or compiling, each one line naming file and key."""

import time

import pytest


def _profile(tmp_path, body: str):
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nextends = "henan-2015"\n' + body, encoding="utf-8")
    return path


def _nested_not(depth: int) -> str:
    return "{ not = " * depth + '"has_sign"' + " }" * depth


@pytest.mark.parametrize("body, expected", [
    ('[[standards]]\nid = "X1"\nlabel = "x"\ncheck = "' + "not " * 250 + 'has_sign"\n', "not"),
    ('[[standards]]\nid = "X1"\nlabel = "x"\ncheck = ' + _nested_not(250) + "\n", "嵌套过深"),
    ("x = " + "{ a = " * 600 + "1" + " }" * 600 + "\n", "嵌套过深"),
    ('[[standards]]\nid = "X1"\nlabel = "x"\ncheck = "' + "a" + " + a" * 80000 + ' >= 1"\n', "过长"),
    ("[grades]\nexcellent = inf\n", "有限"),
    ("[score]\ntotal = inf\n", "有限"),
    ("[score]\ntotal = nan\n", "有限"),
])
def test_hostile_profile_is_one_line(cli, tmp_path, body, expected):
    path = _profile(tmp_path, body)
    started = time.monotonic()
    r = cli("assess", "rules", "validate", path)
    assert time.monotonic() - started < 10
    assert r.code == 1 and "Traceback" not in r.err and expected in r.err, r
    assert str(path) in r.err


def test_modest_nesting_still_validates(cli, tmp_path):
    path = _profile(tmp_path, '[[standards]]\nid = "X1"\nlabel = "x"\ncheck = ' + _nested_not(4)
                    + '\n[[standards]]\nid = "X2"\nlabel = "y"\ncheck = "not not has_sign"\n')
    r = cli("assess", "rules", "validate", path)
    assert r.code == 0, r
