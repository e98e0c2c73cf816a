"""Issue 12 item 13: a report names items by the profile that scored them (an edited copy of
henan-2015.toml that kept its name got the bundled labels), and `assess rules use FILE` adopts the
file's content into the database: a later edit or move changes nothing until it is adopted again."""

import shutil
from pathlib import Path

HENAN = Path(__file__).resolve().parents[1] / "laomo" / "rules" / "henan-2015.toml"


def _edited_copy(tmp_path: Path, label: str = "本单位改写的创建标准") -> Path:
    path = tmp_path / "mine.toml"
    text = HENAN.read_text(encoding="utf-8")
    assert 'label = "创建标准"' in text
    path.write_text(text.replace('label = "创建标准"', f'label = "{label}"', 1), encoding="utf-8")
    return path


def test_the_assessment_report_labels_items_by_the_profile_that_scored_them(cli, assessed, tmp_path):
    mine = _edited_copy(tmp_path)
    r = cli("assess", "run", "--year", "2025", "--rules", mine, "--quiet")
    assert r.code == 0, r
    items = {i["id"]: i["label"] for i in cli("report", "assessment", "--year", "2025", "--json").json["items"]}
    assert items["A1"] == "本单位改写的创建标准", items
    mine.unlink()  # the run's profile is kept in the database: moving the file changes nothing
    items = {i["id"]: i["label"] for i in cli("report", "assessment", "--year", "2025", "--json").json["items"]}
    assert items["A1"] == "本单位改写的创建标准", items


def test_rules_use_adopts_the_content_and_says_when_the_file_changed(cli, assessed, tmp_path):
    mine = _edited_copy(tmp_path)
    r = cli("assess", "rules", "use", mine, "--json")
    assert r.code == 0, r
    adopted = r.json["profile_hash"]
    first = cli("assess", "run", "--year", "2025", "--json").json
    assert first["profile_hash"] == adopted
    mine.write_text(mine.read_text(encoding="utf-8").replace("本单位改写的创建标准", "又改了一次"), encoding="utf-8")
    r = cli("assess", "run", "--year", "2025")
    assert r.code == 0 and "自采用后已改动" in r.err and "assess rules use" in r.err, r
    assert cli("assess", "run", "--year", "2025", "--json").json["profile_hash"] == adopted
    shutil.move(mine, tmp_path / "elsewhere.toml")  # the cron job keeps working when the file moves
    r = cli("assess", "run", "--year", "2025", "--json")
    assert r.code == 0 and r.json["profile_hash"] == adopted, r
    listed = cli("assess", "rules", "list", "--json").json
    assert "已存入数据库" in listed["current"], listed
    r = cli("assess", "rules", "use", tmp_path / "elsewhere.toml", "--json")
    assert r.code == 0 and r.json["profile_hash"] != adopted
    assert cli("assess", "run", "--year", "2025", "--json").json["profile_hash"] == r.json["profile_hash"]
