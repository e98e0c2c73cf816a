"""`report ledger --format xlsx|csv` writes a file that imports back as `studios` unchanged
(import-formats.md, "Templates to send out"; issue 13 item 7): the county can hand its own ledger
out, have it corrected, and take it back in."""

from __future__ import annotations

import pytest
from support.db import dump


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_ledger_imports_back_as_studios_unchanged(cli, sample_db, tmp_path, fmt):
    out = tmp_path / f"台账.{fmt}"
    assert cli("report", "ledger", "--format", fmt, "--out", out).code == 0
    before = dump(sample_db)

    r = cli("register", "import", "studios", out, "--json")

    assert r.code == 0, r
    assert (r.json["read"], r.json["inserted"], r.json["updated"], r.json["unchanged"], r.json["rejected"]) \
        == (40, 0, 0, 40, 0), r.json
    after = dump(sample_db)
    ledger = {t: rows for t, rows in after.items() if t not in ("audit", "setting")}  # the import is audited
    assert ledger == {t: rows for t, rows in before.items() if t not in ("audit", "setting")}


def test_a_corrected_ledger_changes_only_what_was_corrected(cli, sample_db, tmp_path):
    import csv

    out = tmp_path / "台账.csv"
    assert cli("report", "ledger", "--format", "csv", "--out", out).code == 0
    with out.open(encoding="utf-8-sig", newline="") as fp:
        rows = list(csv.reader(fp))
    area = rows[0].index("场所面积（㎡）")
    rows[1][area] = "150"
    with out.open("w", encoding="utf-8-sig", newline="") as fp:
        csv.writer(fp).writerows(rows)

    r = cli("register", "import", "studios", out, "--json")

    assert r.code == 0 and (r.json["updated"], r.json["unchanged"]) == (1, 39), r.json
