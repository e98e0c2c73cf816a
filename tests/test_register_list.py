"""`register list people|studios [--search TEXT] [--json]`: find records without opening a report
(cli.md; issue 13 item 1) — codes, names, units; ID and phone numbers masked."""

from __future__ import annotations


def test_people_are_found_by_name_or_whole_id_number_and_shown_masked(cli, sample_db):
    r = cli("register", "list", "people", "--search", "丁宏", "--json")

    assert r.code == 0, r
    assert [(p["code"], p["name"]) for p in r.json["records"]] == [("P0088", "丁宏"), ("P0318", "丁宏")], r
    idn = r.json["records"][0]["id_number"]
    assert idn.startswith("370") and "*" in idn and len(idn) == 18, idn
    text = cli("register", "list", "people", "--search", "丁宏")
    assert "P0088\t丁宏" in text.out and "P0318\t丁宏" in text.out and idn in text.out, text


def test_part_of_an_id_number_finds_nobody(cli, sample_db):
    whole = cli("register", "list", "people", "--search", "丁宏", "--json").json["records"][0]
    from support.db import query

    [(stored,)] = query(sample_db, "SELECT id_number FROM person WHERE code = 'P0088'")

    assert cli("register", "list", "people", "--search", stored, "--json").json["records"][0]["code"] == whole["code"]
    part = cli("register", "list", "people", "--search", stored[:10])
    assert part.code == 1 and "没有找到" in part.out, part


def test_studios_are_listed_with_leader_and_status(cli, sample_db):
    r = cli("register", "list", "工作室", "--search", "周振兰", "--json")

    assert r.code == 0 and r.json["total"] == 1, r
    [s] = r.json["records"]
    assert (s["code"], s["leader_code"], s["leader_name"], s["status"]) == ("S0040", "P0316", "周振兰", "revoked"), s
    text = cli("register", "list", "studios", "--search", "周振兰")
    assert "S0040\t周振兰工匠人才创新工作室" in text.out and "已摘牌" in text.out, text


def test_a_long_list_is_cut_at_the_limit_and_says_so(cli, sample_db):
    r = cli("register", "list", "people", "--limit", "5")

    assert r.code == 0 and len(r.out.splitlines()) == 6, r
    assert "共 325 条，列出前 5 条" in r.err, r
