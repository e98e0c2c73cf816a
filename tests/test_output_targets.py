"""Files laomo writes are never the database, the template, a link, a directory or a device
(cli.md "Safety"; issue 12 items 1 and 3), and an --out extension must fit the format."""

import os
from pathlib import Path

import pytest
from support.db import dump


@pytest.mark.sqlite_only
def test_report_out_onto_the_database_is_refused(cli, sample_db):
    """`report ledger --format csv --out laomo.db` replaced the database with the CSV."""
    before = dump(sample_db)
    for target in (sample_db, Path(f"{sample_db}-wal")):
        r = cli("report", "ledger", "--format", "csv", "--out", target)
        assert r.code in (1, 2) and "Traceback" not in r.err, r
        assert dump(sample_db) == before
    # the extension rule alone would not have caught a .csv name: a hard link to the database
    link = sample_db.parent / "ledger.csv"
    os.link(sample_db, link)
    r = cli("report", "ledger", "--format", "csv", "--out", link)
    assert r.code == 1 and "就是正在使用的数据库文件" in r.err and "数据库未改动" in r.err, r
    assert dump(sample_db) == before


def test_report_out_refuses_links_directories_and_devices(cli, sample_db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep", encoding="utf-8")
    link = tmp_path / "ledger.csv"
    link.symlink_to(victim)
    r = cli("report", "ledger", "--format", "csv", "--out", link)
    assert r.code == 1 and "符号链接" in r.err, r
    assert victim.read_text(encoding="utf-8") == "keep" and link.is_symlink()
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    r = cli("report", "ledger", "--format", "csv", "--out", folder)
    assert r.code == 1 and "是一个目录" in r.err, r
    r = cli("report", "ledger", "--format", "csv", "--out", "/dev/null")
    assert r.code == 2 or (r.code == 1 and "不是普通文件" in r.err), r


def test_notice_out_onto_its_template_is_refused(cli, assessed, tmp_path):
    template = tmp_path / "模板.md"
    template.write_text("{{ title }}\n", encoding="utf-8")
    r = cli("report", "notice", "--year", "2025", "--kind", "naming", "--template", template, "--out", template)
    assert r.code == 1 and "就是模板文件" in r.err, r
    assert template.read_text(encoding="utf-8") == "{{ title }}\n"


def test_out_extension_must_fit_the_format(cli, sample_db, tmp_path):
    r = cli("report", "ledger", "--out", tmp_path / "台账.pdf")
    assert r.code == 2 and ".pdf" in r.err and not (tmp_path / "台账.pdf").exists(), r
    r = cli("report", "ledger", "--format", "csv", "--out", tmp_path / "台账.xlsx")
    assert r.code == 2 and "与格式 csv 不符" in r.err, r
    r = cli("report", "ledger", "--out", tmp_path / "台账.csv")  # the format follows the extension
    assert r.code == 0 and (tmp_path / "台账.csv").read_bytes().startswith(b"\xef\xbb\xbf"), r


@pytest.mark.sqlite_only
def test_backup_onto_the_database_or_a_link_is_refused(cli, sample_db, tmp_path):
    before = dump(sample_db)
    for target in (Path(f"{sample_db}-wal"), Path(f"{sample_db}-journal")):
        r = cli("db", "backup", target)
        assert r.code == 1 and "数据库文件" in r.err, r
    dangling = tmp_path / "b.db"
    dangling.symlink_to(tmp_path / "elsewhere.db")
    r = cli("db", "backup", dangling)
    assert r.code == 1 and "符号链接" in r.err and not (tmp_path / "elsewhere.db").exists(), r
    assert dump(sample_db) == before
