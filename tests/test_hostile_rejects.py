"""Issue 12 item 1: the rejects file never destroys anything — `--rejects laomo.db` truncated the
database, `--rejects keep.txt` with no rejected row deleted keep.txt, and a symlink planted at the
default FILE.rejects.csv got the rejected rows (full ID numbers) written into its target."""

import pytest
from support.db import dump

BAD = "编号,姓名,出生年份\nP1,张三,1980\nP2,李四,abc\n"
GOOD = "编号,姓名\nP1,张三\n"


def _csv(tmp_path, text, name="人员.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.sqlite_only
def test_rejects_onto_the_database_is_refused(cli, laomo_db, tmp_path):
    before = dump(laomo_db)
    size = laomo_db.stat().st_size
    for target in (laomo_db, f"{laomo_db}-wal"):
        r = cli("register", "import", "people", _csv(tmp_path, BAD), "--on-error", "skip", "--rejects", target)
        assert r.code == 1 and "数据库文件" in r.err and "Traceback" not in r.err, r
    assert laomo_db.stat().st_size == size and dump(laomo_db) == before


def test_a_file_that_was_there_is_left_alone_when_nothing_is_rejected(cli, laomo_db, tmp_path):
    keep = tmp_path / "keep.txt"
    keep.write_text("我的笔记", encoding="utf-8")
    r = cli("register", "import", "people", _csv(tmp_path, GOOD), "--on-error", "skip", "--rejects", keep)
    assert r.code == 0, r
    assert keep.read_text(encoding="utf-8") == "我的笔记"


def test_a_symlink_at_the_default_rejects_path_is_refused(cli, laomo_db, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("别人的文件", encoding="utf-8")
    source = _csv(tmp_path, BAD)
    (tmp_path / "人员.csv.rejects.csv").symlink_to(victim)
    before = dump(laomo_db)
    r = cli("register", "import", "people", source, "--on-error", "skip")
    assert r.code == 1 and "符号链接" in r.err, r
    assert victim.read_text(encoding="utf-8") == "别人的文件" and dump(laomo_db) == before


def test_rejected_rows_still_reach_the_rejects_file_and_replace_an_old_one(cli, laomo_db, tmp_path):
    rejects = tmp_path / "拒收.csv"
    rejects.write_text("上一次的拒收行", encoding="utf-8")
    r = cli("register", "import", "people", _csv(tmp_path, BAD), "--on-error", "skip", "--rejects", rejects)
    assert r.code == 3, r
    text = rejects.read_text(encoding="utf-8-sig")
    assert "李四" in text and "上一次" not in text
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
