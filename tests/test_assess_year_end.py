"""``assess run`` stores only a year that has ended (cli.md: "refuses a year that has not ended yet
(exit 1; --dry-run still computes it)"): results stored during the year would stand as its grades."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def _state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """The assessment and audit rows: what a stored run writes."""
    with engine.connect() as conn:
        return {t: [tuple(r) for r in conn.exec_driver_sql(f'SELECT * FROM "{t}" ORDER BY id')]
                for t in ("assessment", "audit")}


def test_the_cli_refuses_to_store_this_year_and_writes_nothing(cli, sample_engine):
    today = dt.date.today()
    before = _state(sample_engine)
    r = cli("assess", "run", "--year", today.year)
    assert r.code == 1, r
    assert (f"{today.year} 年度尚未结束（今天是 {today.isoformat()}），不能存储该年度的考核结果；"
            "可先用试算查看（--dry-run）") in r.err
    assert r.out == ""
    assert _state(sample_engine) == before
    assert cli("assess", "run", "--year", today.year, "--quiet").code == 1  # the cron line fails loudly
    assert _state(sample_engine) == before
    # nothing stored, so awarding the year has nothing to apply (it already said so)
    r = cli("award", "apply", "--year", today.year, "--yes")
    assert r.code == 1 and f"{today.year} 年度没有考核结果" in r.err


def test_a_dry_run_of_this_year_still_computes(cli, sample_engine):
    year = dt.date.today().year
    before = _state(sample_engine)
    r = cli("assess", "run", "--year", year, "--dry-run", "--json")
    assert r.code == 0, r
    assert r.json["year"] == year and r.json["dry_run"] is True and r.json["results"]
    assert _state(sample_engine) == before


def test_the_library_refuses_until_31_december_has_passed(sample_engine):
    from laomo.assess import run_assessment, store_assessment
    from laomo.errors import LaomoError, UsageError
    from laomo.store.db import read_session

    before = _state(sample_engine)
    with pytest.raises(LaomoError) as caught:
        store_assessment(sample_engine, year=2025, today=dt.date(2025, 12, 31))
    err = caught.value
    assert not isinstance(err, UsageError) and err.exit_code == 1 and err.option == "dry_run"
    assert str(err) == ("2025 年度尚未结束（今天是 2025-12-31），不能存储该年度的考核结果；可先用试算查看")
    assert "--" not in str(err)  # the core names no flag; the command layer appends it
    assert _state(sample_engine) == before
    with read_session(sample_engine) as session:  # a dry run computes the unended year
        dry = run_assessment(session, year=2025, dry_run=True, today=dt.date(2025, 6, 1))
    assert dry.assessed > 0 and dry.run_id is None
    stored = store_assessment(sample_engine, year=2025, today=dt.date(2026, 1, 1))
    assert stored.assessed == dry.assessed and stored.run_id is not None
    assert len(_state(sample_engine)["assessment"]) > len(before["assessment"])


def test_run_assessment_in_a_callers_transaction_refuses_too(sample_engine):
    from laomo.assess import run_assessment
    from laomo.errors import LaomoError
    from laomo.store.db import write_session

    before = _state(sample_engine)
    with pytest.raises(LaomoError, match="2024 年度尚未结束"), write_session(sample_engine) as session:
        run_assessment(session, year=2024, today=dt.date(2024, 12, 31))
    assert _state(sample_engine) == before
    with write_session(sample_engine) as session:
        assert run_assessment(session, year=2024, today=dt.date(2025, 1, 1)).assessed > 0
