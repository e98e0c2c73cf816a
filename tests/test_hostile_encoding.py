"""Issue 12 item 12: a UTF-8 file with one GBK line was decoded wholly as GB18030 and stored as
mojibake (张三 → 寮犱笁), and a re-import then overwrote good names.  Now it is refused, naming the line."""

from support.db import dump


def test_utf8_file_with_a_gbk_line_is_refused(cli, laomo_db, tmp_path):
    path = tmp_path / "人员.csv"
    path.write_bytes("编号,姓名\nP1,张三\nP2,王五\n".encode() + "P3,李四\n".encode("gbk") + "P4,赵六\n".encode())
    before = dump(laomo_db)
    r = cli("register", "import", "people", path)
    assert r.code == 1 and f"{path}:4:" in r.err and "编码不一致" in r.err and "Traceback" not in r.err, r
    assert dump(laomo_db) == before


def test_whole_gbk_and_whole_utf8_files_still_import(cli, laomo_db, tmp_path):
    for enc in ("gbk", "utf-8"):
        path = tmp_path / f"{enc}.csv"
        path.write_bytes("编号,姓名\nP1,张三\nP2,李四\n".encode(enc))
        r = cli("register", "import", "people", path, "--json")
        assert r.code == 0 and r.json["encoding"] in ("gb18030", "utf-8"), r
    from support.db import query

    assert sorted(query(laomo_db, "SELECT name FROM person")) == [("张三",), ("李四",)]
