"""The whole sample county imports with 0 rejects; importing it again changes nothing."""

import json

import pytest
from support.db import dump, query
from support.sample import ORDER, SAMPLE, sample_file

# rows per file (header excluded) and what a first import into an empty database does
EXPECTED = {
    "people": 325, "honors": 40, "studios": 40, "members": 260, "achievements": 542,
    "activities": 1336, "mentorships": 65, "inspections": 80, "designations": 40, "assessments": 37,
}


def test_sample_county_imports_without_rejects(cli, laomo_db):
    for kind in ORDER:
        r = cli("register", "import", kind, sample_file(kind), "--json")
        assert r.code == 0, r
        summary = r.json
        assert summary["rejected"] == 0 and summary["errors"] == []
        assert summary["read"] == EXPECTED[kind]
        if kind == "members":
            # the 40 leaders were already made 领衔人 members when their studios were registered
            assert (summary["inserted"], summary["unchanged"]) == (220, 40)
        else:
            assert summary["inserted"] == EXPECTED[kind], kind
    assert query(laomo_db, "SELECT count(*) FROM studio") == [(40,)]
    assert query(laomo_db, "SELECT count(*) FROM activity") == [(1336,)]
    # two sessions of the same training on the same day are both kept (seq 1 and 2)
    assert query(laomo_db, "SELECT count(*) FROM activity WHERE seq = 2") == [(2,)]
    # 120,000 / 12万 / 12万元 all become whole yuan
    assert query(laomo_db, "SELECT sum(benefit) FROM achievement")[0][0] > 0
    assert query(laomo_db, "SELECT funds FROM studio WHERE code='S0001'") == [(80000,)]


def test_encodings_are_detected(cli, sample_db):
    encodings = {}
    for kind in ("people", "studios", "achievements", "honors"):
        encodings[kind] = cli("register", "import", kind, sample_file(kind), "--json").json["encoding"]
    assert encodings == {"people": "gb18030", "studios": "gb18030", "achievements": "utf-8-sig",
                         "honors": "utf-8"}


def test_reimport_reports_everything_unchanged(cli, sample_db):
    before = dump(sample_db)
    for kind in ORDER:
        summary = cli("register", "import", kind, sample_file(kind), "--json").json
        assert summary["unchanged"] == EXPECTED[kind], (kind, summary)
        assert summary["inserted"] == summary["updated"] == summary["rejected"] == 0
    after = dump(sample_db)
    after.pop("audit"), before.pop("audit")
    for d in (after, before):  # the audit chain's head moves with every entry
        d["setting"] = [r for r in d["setting"] if r[0] != "audit_head"]
    assert after == before


def test_studios_xlsx_holds_the_same_rows(cli, sample_db):
    summary = cli("register", "import", "studios", SAMPLE / "studios.xlsx", "--json").json
    assert summary["encoding"] == "xlsx"
    assert (summary["read"], summary["unchanged"], summary["rejected"]) == (40, 40, 0)


def test_xlsx_first_into_empty_database(cli):
    assert cli("register", "import", "people", sample_file("people")).code == 0
    summary = cli("register", "import", "studios", SAMPLE / "studios.xlsx", "--json", "--sheet", "工作室").json
    assert summary["inserted"] == 40


def test_import_writes_one_audit_entry_with_file_hash(cli, laomo_db):
    cli("register", "import", "people", sample_file("people"))
    rows = query(laomo_db, "SELECT entity, key, after FROM audit WHERE entity='import'")
    assert len(rows) == 1
    after = json.loads(rows[0][2]) if isinstance(rows[0][2], str) else rows[0][2]
    assert "people" in rows[0][1] and len(after["sha256"]) == 64 and after["inserted"] == 325


@pytest.mark.parametrize("kind", ORDER)
def test_dry_run_writes_nothing(cli, laomo_db, kind):
    assert cli("init").code == 0
    for earlier in ORDER[: ORDER.index(kind)]:
        assert cli("register", "import", earlier, sample_file(earlier)).code == 0
    before = dump(laomo_db)
    r = cli("register", "import", kind, sample_file(kind), "--dry-run", "--json")
    assert r.code == 0 and r.json["dry_run"] and not r.json["committed"]
    assert r.json["inserted"] + r.json["unchanged"] == EXPECTED[kind]
    assert dump(laomo_db) == before
