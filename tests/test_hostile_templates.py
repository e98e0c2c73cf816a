"""A union's own notice template cannot hang laomo, exhaust memory or crash it (issue 12 item 7):
every bound of laomo.reports.sandbox is one Chinese line naming the template, exit 1, within seconds."""

import time

import pytest


@pytest.fixture
def notice_args(cli, assessed):
    assert cli("init", "--union", "示例县总工会").code == 0
    return ("report", "notice", "--year", "2023", "--kind", "naming")


@pytest.mark.parametrize("payload", [
    "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}",               # recursion
    "{{ 'x'|center(10**13) }}",                                               # filter width
    "{{ '%0999999999999d' % 1 }}",                                            # format width
    "{{ '{:0999999999999d}'.format(1) }}",
    "{{ '%s'|format('x') ~ ('%099999999d'|format(1)) }}",
    "{{ ['x' * 1000000] * 1 | join('y') }}{{ (range(99999)|list)|join('x' * 999999) }}",
    "{{ ('x' * 1000000)|replace('x', 'y' * 1000000) }}",
    "{{ ('a\\n' * 500000)|indent(10000) }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",  # time
    "{{ lipsum(n=10**13) }}",
    "{{ range(10**12)|list }}",
    "{% for i in range(99999) %}{{ 'x' * 999999 }}{% endfor %}",            # output size
    "{{ 'x' * 10**10 }}", "{{ 9 ** (9 ** 9) }}",
    "{{ '%*d' % (900000000, 1) }}", "{{ '{0:{1}}'.format(1, 99999999) }}",                  # widths as arguments
    "{% macro f(s, n) %}{% if n %}{{ f(s ~ s, n - 1) }}{% else %}{{ s|length }}{% endif %}{% endmacro %}"
    "{{ f('ab' * 500000, 12) }}",                                                          # memory
])
def test_runaway_templates_stop_with_one_line(cli, notice_args, tmp_path, payload):
    tpl = tmp_path / "evil.md"
    tpl.write_text("开始 " + payload + " 结束", encoding="utf-8")
    started = time.monotonic()
    r = cli(*notice_args, "--template", tpl)
    assert time.monotonic() - started < 30
    assert r.code == 1 and "Traceback" not in r.err, (payload, r)
    assert r.err.startswith(f"错误：模板 {tpl}") and r.err.count("\n") == 1, r.err
    assert r.out == ""


def test_ordinary_templates_still_render(cli, notice_args, tmp_path):
    tpl = tmp_path / "ok.md"
    tpl.write_text("{{ title|center(40) }}\n{{ groups|length }} 组 {{ '%05d'|format(3) }} "
                   "{{ 'a,b'|replace(',', '、') }} {{ [1, 2]|join('-') }} {{ lipsum(1)|length > 0 }}\n"
                   "{% for i in range(3) %}{{ i }}{% endfor %}", encoding="utf-8")
    r = cli(*notice_args, "--template", tpl)
    assert r.code == 0, r
    assert "00003" in r.out and "a、b" in r.out and "1-2" in r.out and "012" in r.out and "True" in r.out
