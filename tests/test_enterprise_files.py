"""The enterprise files (shared/data/enterprise-files, issue 13): each file gives exactly what its
README and expected.json say, imported in their order after the sample county.

One database of the module holds the sample county and then files 01–15 imported in order
(``imported``); every command's exit code, JSON and messages are kept, and the ledger is read back
after each file.  A test per file compares the import summary (``--json``) and the stored records
(read with SQL) with expected.json, and checks that nothing else in the ledger changed; further
tests import again (nothing changes), try the refused files under ``--on-error skip``, check the
codes handed out and the totals of the README's "After everything" table.  A failure lists every
difference as ``what: expected X, got Y``.
"""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.db import DbRef, copy_db, dump, seal_db
from support.enterprise import (
    ENTERPRISE,
    EXPECTED_FILES,
    TABLE_OF_KIND,
    Outcome,
    State,
    counts,
    difference,
    ledger_state,
    masked,
    run,
    stored,
    unmasked,
)

ORDER: list[str] = EXPECTED_FILES["order"]
FILES: dict[str, dict[str, Any]] = EXPECTED_FILES["files"]
REFUSED = [f for f in ORDER if FILES[f].get("refused")]
ACCEPTED = [f for f in ORDER if not FILES[f].get("refused")]
SUMMARY_COUNTS = ("inserted", "updated", "unchanged", "rejected")


def number(name: str) -> str:
    return name[:2]


# --------------------------------------------------------------------------- the whole set, imported once


@dataclass
class Imported:
    """The sample county with files 01–15 imported in order: the sealed database, each file's run,
    and the ledger before the first file (``states["sample"]``) and after each."""

    ref: DbRef
    outcomes: dict[str, Outcome]
    states: dict[str, State]
    dumps: dict[str, tuple[Any, Any]]  # refused files: every table before and after
    dry_runs: dict[str, tuple[Outcome, State]]  # accepted files: `--dry-run` just before, and the ledger after it

    def before(self, name: str) -> State:
        i = ORDER.index(name)
        return self.states[ORDER[i - 1] if i else "sample"]

    @property
    def last(self) -> State:
        return self.states[ORDER[-1]]


def command(ref: DbRef, name: str, *options: str) -> tuple[str, ...]:
    return ("--db", str(ref), "register", "import", FILES[name]["kind"], str(ENTERPRISE / name), "--json", *options)


@pytest.fixture(scope="module")
def imported(sample_template: DbRef, make_session_db: Any) -> Imported:
    ref = copy_db(sample_template, make_session_db("enterprise"))
    outcomes, dumps, dry_runs = {}, {}, {}
    states = {"sample": ledger_state(ref)}
    for name in ORDER:
        before = dump(ref) if name in REFUSED else None
        if name in ACCEPTED:
            dry = run(*command(ref, name, "--dry-run"))
            dry_runs[name] = (dry, ledger_state(ref))
        outcomes[name] = run(*command(ref, name))
        states[name] = ledger_state(ref)
        if before is not None:
            dumps[name] = (before, dump(ref))
    seal_db(ref)
    return Imported(ref, outcomes, states, dumps, dry_runs)


@pytest.fixture
def after_all(imported: Imported, laomo_db: DbRef) -> DbRef:
    """A private copy of the ledger after all fifteen files, at LAOMO_DB."""
    return copy_db(imported.ref, laomo_db)


# --------------------------------------------------------------------------- collecting differences


class Differences:
    """Every way a file's result differs from expected.json, reported together."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.found: list[str] = []

    def eq(self, what: str, expected: Any, got: Any) -> None:
        if expected != got:
            self.found.append(f"{what}: expected {expected!r}, got {got!r}")

    def add(self, text: str) -> None:
        self.found.append(text)

    def check(self, outcome: Outcome | None = None) -> None:
        if self.found:
            shown = f"\n  ({outcome.shown()})" if outcome is not None else ""
            pytest.fail(f"{self.title}:\n  - " + "\n  - ".join(self.found) + shown, pytrace=False)


# --------------------------------------------------------------------------- finding records


def person_code(state: State, id_number: str) -> str | None:
    found = [code for code, p in state["person"].items() if p["id_number"] == id_number]
    return found[0] if len(found) == 1 else None


def studio_code(state: State, ref: str) -> str | None:
    """A studio given by code or by name."""
    if ref in state["studio"]:
        return ref
    found = [code for code, s in state["studio"].items() if s["name"] == ref]
    return found[0] if len(found) == 1 else None


def compare(d: Differences, where: str, table: str, expected: dict[str, Any], record: dict[str, Any],
            names: list[str]) -> None:
    for name in names:
        if name in expected:
            want, got = stored(table, name, expected[name]), record.get(name)
            if table == "achievement" and name == "benefit" and want is None and got == 0:
                continue  # a blank 经济效益 is no benefit: 0 where the field cannot be empty (README 7)
            d.eq(f"{where}: {name}", want, got)


def the_person(d: Differences, where: str, state: State, expected: dict[str, Any], prefix: str) -> str | None:
    """The person a record names (``{prefix}`` code, ``{prefix}_id_number``, ``{prefix}_name``)."""
    code = expected.get(prefix)
    if code is None:
        code = person_code(state, expected[f"{prefix}_id_number"])
    if code is None or code not in state["person"]:
        d.add(f"{where}: no stored person {expected.get(prefix) or expected.get(f'{prefix}_id_number')}")
        return None
    if f"{prefix}_name" in expected:
        d.eq(f"{where}: {prefix}'s name ({code})", expected[f"{prefix}_name"], state["person"][code]["name"])
    return code


def the_studio(d: Differences, where: str, state: State, ref: str) -> str | None:
    code = studio_code(state, ref)
    if code is None:
        d.add(f"{where}: no stored studio {ref}")
    return code


PERSON_FIELDS = ["name", "gender", "birth_year", "id_number", "phone", "unit", "post", "frontline", "skill_grade"]
STUDIO_FIELDS = ["kind", "unit", "credit_code", "industry", "county", "founded", "area", "funds", "has_sign",
                 "has_rules", "has_plan", "has_display", "has_records", "has_facilities", "notes"]


def check_person(d: Differences, where: str, state: State, rec: dict[str, Any]) -> None:
    code = person_code(state, rec["id_number"])
    if code is None:
        d.add(f"{where}: no stored person with ID number {rec['id_number']} ({rec['name']})")
        return
    compare(d, f"{where} {rec['name']} ({code})", "person", rec, state["person"][code], PERSON_FIELDS)


def check_honor(d: Differences, where: str, state: State, rec: dict[str, Any]) -> None:
    person = the_person(d, where, state, rec, "person")
    kind = stored("honor", "kind", rec["kind"])
    honor = state["honor"].get((person, kind, rec["year"]))
    if person is None:
        return
    if honor is None:
        held = sorted((k[1], k[2]) for k in state["honor"] if k[0] == person)
        d.add(f"{where}: {rec['written']!r} of {person}: expected the honor ({kind}, {rec['year']}), "
              f"stored are {held}")
        return
    compare(d, f"{where} {rec['written']!r} of {person}", "honor", rec, honor, ["issuer"])


def check_studio(d: Differences, where: str, state: State, rec: dict[str, Any]) -> None:
    code = the_studio(d, where, state, rec["name"])
    if code is None:
        return
    studio = state["studio"][code]
    leader = the_person(d, f"{where} leader", state, rec, "leader")
    d.eq(f"{where} {rec['name']} ({code}): leader", leader, studio["leader"])
    compare(d, f"{where} {rec['name']} ({code})", "studio", rec, studio, STUDIO_FIELDS)


def check_member(d: Differences, where: str, state: State, rec: dict[str, Any]) -> None:
    studio = the_studio(d, where, state, rec["studio"])
    person = the_person(d, where, state, rec, "person")
    if studio is None or person is None:
        return
    member = state["member"].get((studio, person))
    if member is None:
        d.add(f"{where}: {person} is not a member of {studio}")
        return
    compare(d, f"{where} member {person} of {studio}", "member", rec, member, ["role", "joined", "left"])
    d.eq(f"{where} member {person} of {studio}: voided", None, member["voided_at"])


def check_achievement(d: Differences, where: str, state: State, rec: dict[str, Any]) -> None:
    studio = the_studio(d, where, state, rec["studio"])
    if studio is None:
        return
    if "code" in rec:
        key = (studio, rec["code"])
        if key not in state["achievement"]:
            codes = sorted(k[1] for k in state["achievement"] if k[0] == studio)
            d.add(f"{where}: no achievement {rec['code']!r} of {studio} (its codes: {codes})")
            return
    else:
        found = [k for k, a in state["achievement"].items()
                 if k[0] == studio and a["title"] == rec["title"] and a["date"] == rec["date"]]
        if len(found) != 1:
            d.add(f"{where}: expected one achievement {rec['title']!r} of {studio} on {rec['date']}, got {found}")
            return
        key = found[0]
    compare(d, f"{where} achievement {key}", "achievement", rec, state["achievement"][key],
            ["title", "type", "stage", "date", "benefit", "patent_no", "frontline_led"])


def check_activity(d: Differences, where: str, state: State, rec: dict[str, Any]) -> None:
    studio = the_studio(d, where, state, rec["studio"])
    if studio is None:
        return
    kind = stored("activity", "kind", rec["kind"])
    found = [k for k in state["activity"] if k[:4] == (studio, rec["date"], kind, rec["title"])]
    if len(found) != 1:
        on_day = [k for k in state["activity"] if k[:2] == (studio, rec["date"])]
        d.add(f"{where}: expected one activity ({kind}, {rec['title']!r}) of {studio} on {rec['date']}, "
              f"stored that day: {on_day}")
        return
    compare(d, f"{where} activity {found[0]}", "activity", rec, state["activity"][found[0]],
            ["participants", "hours"])


CHECK_RECORD = {"people": check_person, "honors": check_honor, "studios": check_studio, "members": check_member,
                "achievements": check_achievement, "activities": check_activity}


# --------------------------------------------------------------------------- checking one import


def check_summary(d: Differences, where: str, exp: dict[str, Any], summary: dict[str, Any] | None) -> None:
    """The JSON summary of one import (a file, or one sheet of ``import all``)."""
    if not isinstance(summary, dict):
        d.add(f"{where}: no JSON import summary (got {summary!r})")
        return
    d.eq(f"{where}: kind", exp["kind"], summary.get("kind"))
    d.eq(f"{where}: read (data rows)", exp["data_rows"], summary.get("read"))
    for key in ("header_line", "skipped", *SUMMARY_COUNTS):
        if key in exp:
            d.eq(f"{where}: {key}", exp[key], summary.get(key))
    if "sheet" in exp:
        d.eq(f"{where}: sheet", exp["sheet"], summary.get("sheet"))
    if "ignored_columns" in exp:
        d.eq(f"{where}: ignored_columns", exp["ignored_columns"], summary.get("ignored_columns"))
    if "序号" in (summary.get("ignored_columns") or []):
        d.add(f"{where}: 序号 is listed among the ignored columns (it is ignored by rule, silently)")
    assigned = summary.get("assigned") or []
    d.eq(f"{where}: number of codes assigned", exp.get("assigned", 0), len(assigned))
    d.eq(f"{where}: lines that got a code", [r["line"] for r in exp.get("assigned_rows", [])],
         sorted(a.get("line") for a in assigned))


def achievement_code(key: str, studio: str | None) -> str:
    """The 编号 in an achievement's key, which may be written ``STUDIO/编号`` (import-formats.md, Identity)."""
    return key[len(studio) + 1:] if studio and key.startswith(f"{studio}/") else key


def check_assigned(d: Differences, where: str, exp: dict[str, Any], summary: Any, after: State) -> None:
    """Each assigned code is the record of its line (identity, not the code's value: see
    test_assigned_codes_continue_the_ledger_pattern)."""
    keys = {a.get("line"): a.get("key") for a in (summary or {}).get("assigned") or []}
    for row in exp.get("assigned_rows", []):
        key, at = keys.get(row["line"]), f"{where} line {row['line']}: assigned code"
        if key is None:
            continue  # already reported by check_summary
        if exp["kind"] == "people":
            got = after["person"].get(key) or {}
            d.eq(f"{at} {key} is", (row["name"], row["id_number"]), (got.get("name"), got.get("id_number")))
        elif exp["kind"] == "studios":
            d.eq(f"{at} {key} is", row["name"], (after["studio"].get(key) or {}).get("name"))
        else:
            studio = studio_code(after, row["studio"])
            code = achievement_code(key, studio)
            got = after["achievement"].get((studio, code)) or {}
            d.eq(f"{at} {key} of {studio} is", (row["title"], row["date"]), (got.get("title"), got.get("date")))


def check_stored(d: Differences, where: str, exp: dict[str, Any], before: State, after: State) -> None:
    """The records, the leaders registered as members, and the updates of one import."""
    for rec in exp.get("records", []):
        CHECK_RECORD[exp["kind"]](d, f"{where} line {rec['line']}", after, rec)
    for rec in exp.get("implicit_members", []):
        check_member(d, f"{where} leader of {rec['studio']}", after, rec)
    for update in exp.get("updates", []):
        table = TABLE_OF_KIND[exp["kind"]]
        key = tuple(update["key"]) if isinstance(update["key"], list) else update["key"]
        old, new = before[table].get(key), after[table].get(key)
        if old is None or new is None:
            d.add(f"{where} line {update['line']}: {table} {key} is not stored (before: {old}, after: {new})")
            continue
        for name, (was, now) in update["fields"].items():
            d.eq(f"{where} line {update['line']}: {table} {key} {name} before", stored(table, name, was), old[name])
            d.eq(f"{where} line {update['line']}: {table} {key} {name} after", stored(table, name, now), new[name])
        for name, kept in update.get("kept", {}).items():
            d.eq(f"{where} line {update['line']}: {table} {key} {name} (kept)", stored(table, name, kept), new[name])


def expected_changes(exps: list[dict[str, Any]]) -> tuple[dict[str, int], dict[str, set[Any]]]:
    """What a file adds per table, and the records it changes (with their fields)."""
    added: dict[str, int] = {}
    changed: dict[str, set[Any]] = {}
    for exp in exps:
        table = TABLE_OF_KIND[exp["kind"]]
        added[table] = added.get(table, 0) + exp["inserted"]
        if exp["kind"] == "studios":  # each new studio registers its leader as a member
            added["member"] = added.get("member", 0) + exp["inserted"]
        for update in exp.get("updates", []):
            key = tuple(update["key"]) if isinstance(update["key"], list) else update["key"]
            changed.setdefault(table, set()).update((key, name) for name in update["fields"])
    return added, changed


def check_nothing_else(d: Differences, where: str, exps: list[dict[str, Any]], before: State,
                       after: State) -> None:
    """Records added per table as expected, none removed, and only the expected fields changed."""
    added, changed = expected_changes(exps)
    for table, diff in difference(before, after).items():
        d.eq(f"{where}: {table} records added", added.get(table, 0), len(diff.added))
        if diff.removed:
            d.add(f"{where}: {table} records removed: {diff.removed[:10]}")
        got = {(key, name) for key, fields in diff.changed.items() for name in fields}
        if got != changed.get(table, set()):
            shown = {key: fields for key, fields in diff.changed.items()}
            d.eq(f"{where}: {table} fields changed", sorted(changed.get(table, set()), key=repr),
                 f"{sorted(got, key=repr)[:20]} ({dict(list(shown.items())[:5])})")


def verify_file(imported: Imported, name: str) -> tuple[Differences, Outcome]:
    """Every check of one accepted single-kind file; the caller adds its own and calls ``check``."""
    exp, outcome = FILES[name], imported.outcomes[name]
    d = Differences(f"{name} (`register import {exp['kind']}`)")
    d.eq("exit code", exp["exit"], outcome.code)
    before, after = imported.before(name), imported.states[name]
    check_summary(d, number(name), exp, outcome.json)
    check_assigned(d, number(name), exp, outcome.json, after)
    check_stored(d, number(name), exp, before, after)
    check_nothing_else(d, number(name), [exp], before, after)
    return d, outcome


def verify_refused(imported: Imported, name: str) -> tuple[Differences, Outcome]:
    """A refused file: exit 1, every table exactly as before, the expected problem lines."""
    exp, outcome = FILES[name], imported.outcomes[name]
    d = Differences(f"{name} (`register import {exp['kind']}`, refused)")
    d.eq("exit code", exp["exit"], outcome.code)
    before, after = imported.dumps[name]
    if before != after:
        changed = sorted(t for t in before.keys() | after.keys() if before.get(t) != after.get(t))
        d.add(f"the database changed (tables {changed}); a refused file must leave it exactly as it was")
    if unmasked(outcome.out + outcome.err):
        d.add(f"personal data shown in full: {unmasked(outcome.out + outcome.err)}")
    return d, outcome


def check_errors(d: Differences, name: str, outcome: Outcome, summary: Any, needed: list[str]) -> None:
    """The JSON errors are exactly the expected problem lines, each with its column, value (masked)
    and a reason naming ``needed``; the same problems are printed as FILE:LINE lines."""
    errors = (summary or {}).get("errors") or []
    expected = FILES[name]["errors"]
    d.eq("problem lines (JSON errors)", sorted(e["line"] for e in expected), sorted(e.get("line") for e in errors))
    for exp in expected:
        found = [e for e in errors if e.get("line") == exp["line"] and e.get("column") == exp["column"]]
        if not found:
            d.add(f"no error for line {exp['line']}, column {exp['column']} in {errors}")
            continue
        err = found[0]
        d.eq(f"line {exp['line']}: value", exp["value"], err.get("value"))
        for word in needed:
            if word not in (err.get("reason") or ""):
                d.add(f"line {exp['line']}: the reason does not name {word}: {err.get('reason')!r}")
        printed = f"{ENTERPRISE / name}:{exp['line']}: 列「{exp['column']}」值「{exp['value']}」: "
        if not any(line.startswith(printed) for line in outcome.err.splitlines()):
            d.add(f"no message starting {printed!r} on stderr")


# --------------------------------------------------------------------------- one test per file


def test_01_hongda_people_gbk(imported: Imported) -> None:
    """GBK CSV with 序号, 身份证号码, 联系电话, 工作单位, 是否一线职工 and an unknown 学历; full-width and
    spaced digits; 13 new people with codes, P0109 found by ID number and updated (3 fields)."""
    d, outcome = verify_file(imported, "01-hongda-people-gbk.csv")
    d.check(outcome)


def test_02_hongda_honors_xlsx(imported: Imported) -> None:
    """A merged title above the header; honors written with their place; 王波 by his ID number, not P0110."""
    d, outcome = verify_file(imported, "02-hongda-honors.xlsx")
    d.check(outcome)


def test_03_hongda_studios_summary_xlsx(imported: Imported) -> None:
    """The 申报汇总表: title and unit lines, 万元 and 平方米 in headers, √/×, 合计/填表人/注 rows, leaders by
    name + ID number, 领衔人主要荣誉 not taken; 2 studios with codes, their leaders members."""
    d, outcome = verify_file(imported, "03-hongda-studios-summary.xlsx")
    d.check(outcome)


def test_04_hongda_members_merged_xlsx(imported: Imported) -> None:
    """工作室名称 merged down over each studio's members; the leaders' rows unchanged; P0109 joins."""
    d, outcome = verify_file(imported, "04-hongda-members-merged.xlsx")
    d.check(outcome)


def test_05_hongda_achievements_xlsx(imported: Imported) -> None:
    """编号 1–5 as number cells stored as text, date cells and serials, short types and stages, 12万元."""
    d, outcome = verify_file(imported, "05-hongda-achievements.xlsx")
    d.check(outcome)


def test_06_hongda_activities_mixed_encoding_is_refused(imported: Imported) -> None:
    """UTF-8 with one GBK line: refused naming line 7, nothing written, never mojibake."""
    name = "06-hongda-activities-mixed-encoding.csv"
    d, outcome = verify_refused(imported, name)
    text = outcome.err + outcome.out
    if not re.search(r"第\s*7\s*行|:7\b", text):
        d.add(f"the message does not name line 7: {text.strip()!r}")
    if "utf-8" not in text.lower():
        d.add(f"the message does not say the rest of the file is UTF-8: {text.strip()!r}")
    if "Traceback" in text:
        d.add("a traceback was printed")
    d.check(outcome)


def test_07_antai_people_unicode_txt(imported: Imported) -> None:
    """Excel's "Unicode 文本": UTF-16 LE, tab-separated, a title line, 手机号码; 8 people with codes."""
    d, outcome = verify_file(imported, "07-antai-people-unicode.txt")
    d.check(outcome)


def test_08_antai_studio_xls(imported: Imported) -> None:
    """.xls whose first sheet is 填表说明; leader by ID number only; 电力, 2024年9月, 96平方米, ￥80000."""
    d, outcome = verify_file(imported, "08-antai-studio.xls")
    d.check(outcome)


def test_09_antai_members_ods(imported: Imported) -> None:
    """.ods with LibreOffice's repeated rows and columns; studio by name in 工作室; months alone."""
    d, outcome = verify_file(imported, "09-antai-members.ods")
    d.check(outcome)


def test_10_antai_activities_long_range_xlsx(imported: Imported) -> None:
    """A used range to row 60000 (nothing skipped for it); 30人次, 4学时, short activity kinds."""
    d, outcome = verify_file(imported, "10-antai-activities-long-range.xlsx")
    d.check(outcome)


def test_11_antai_achievements_code_clash(imported: Imported) -> None:
    """编号 1–6 of another studio are new achievements; file 05's 1–5 stay as they are."""
    name = "11-antai-achievements-code-clash.csv"
    d, outcome = verify_file(imported, name)
    hongda = {studio_code(imported.last, s) for s in ("郑卫东劳模创新工作室", "贺丽萍工匠人才创新工作室")}
    after_05 = {k: a for k, a in imported.states["05-hongda-achievements.xlsx"]["achievement"].items()
                if k[0] in hongda}
    after_11 = {k: a for k, a in imported.states[name]["achievement"].items() if k[0] in hongda}
    d.eq("file 05's achievements after file 11", after_05, after_11)
    d.check(outcome)


def test_12_huitong_all_xlsx(imported: Imported) -> None:
    """`register import all`: 填表说明 left alone; 人员, 工作室, 成员, 成果 imported in reference order."""
    name = "12-huitong-all.xlsx"
    exp, outcome = FILES[name], imported.outcomes[name]
    d = Differences(f"{name} (`register import all`)")
    d.eq("exit code", exp["exit"], outcome.code)
    before, after = imported.before(name), imported.states[name]
    summary = outcome.json if isinstance(outcome.json, dict) else {}
    d.eq("file", str(ENTERPRISE / name), summary.get("file"))
    sheets = summary.get("sheets") or []
    data_sheets = {s: e for s, e in exp["sheets"].items() if e["kind"]}
    d.eq("sheets imported, in order", list(data_sheets), [s.get("sheet") for s in sheets if s.get("kind")])
    for s in sheets:
        if not s.get("kind") and (s.get("errors") or s.get("inserted")):
            d.add(f"sheet {s.get('sheet')} is not data, yet: {s}")
    by_name = {s.get("sheet"): s for s in sheets}
    for sheet, sexp in data_sheets.items():
        check_summary(d, f"sheet {sheet}", sexp, by_name.get(sheet))
        check_assigned(d, f"sheet {sheet}", sexp, by_name.get(sheet), after)
        check_stored(d, f"sheet {sheet}", sexp, before, after)
    for key in (*SUMMARY_COUNTS, "skipped"):
        d.eq(f"{key}, all sheets", exp[key], sum(s.get(key) or 0 for s in sheets))
    d.eq("codes assigned, all sheets", exp["assigned"], sum(len(s.get("assigned") or []) for s in sheets))
    d.eq("ignored columns, all sheets", exp["ignored_columns"], [c for s in sheets for c in s.get("ignored_columns") or []])
    check_nothing_else(d, "12", list(data_sheets.values()), before, after)
    d.check(outcome)


def test_12_import_all_is_all_or_nothing(cli: Any, sample_db: DbRef, tmp_path: Path) -> None:
    """A bad value on the last sheet (成果) leaves the first three unwritten too: one transaction."""
    from openpyxl import load_workbook

    path = tmp_path / "12-broken.xlsx"
    shutil.copyfile(ENTERPRISE / "12-huitong-all.xlsx", path)
    book = load_workbook(path)
    sheet = book["成果"]
    column = [c.value for c in sheet[1]].index("类型") + 1
    sheet.cell(row=5, column=column, value="不存在的类型")
    book.save(path)
    before = dump(sample_db)

    r = cli("register", "import", "all", path, "--json")

    assert r.code == 1, r
    assert dump(sample_db) == before, "import all wrote some sheets although 成果 line 5 was refused"
    assert f"{path}:5: 列「类型」值「不存在的类型」" in r.err, r


def test_13_jixie5_members_update(imported: Imported) -> None:
    """丁宏 by name alone: ambiguous in the ledger, unique among S0040's members (P0318); blanks keep."""
    d, outcome = verify_file(imported, "13-jixie5-members-update.csv")
    d.check(outcome)


def test_14_jixie5_studio_ambiguous_leader_is_refused(imported: Imported) -> None:
    """领衔人 丁宏 is P0088 or P0318: refused listing both, nothing written."""
    name = "14-jixie5-studio-ambiguous-leader.csv"
    d, outcome = verify_refused(imported, name)
    check_errors(d, name, outcome, outcome.json, ["P0088", "P0318"])
    d.check(outcome)


def test_15_hengxin_people_id_conflict_is_refused(imported: Imported) -> None:
    """HX004's ID number is stored under P0019: a conflict naming P0019, the number masked."""
    name = "15-hengxin-people-id-conflict.csv"
    d, outcome = verify_refused(imported, name)
    check_errors(d, name, outcome, outcome.json, ["P0019"])
    full = FILES[name]["errors"][0]["value_with_show_pii"]
    d.eq("the masked form of the conflicting ID number", masked(full), FILES[name]["errors"][0]["value"])
    if full in outcome.out + outcome.err:
        d.add(f"the ID number {full} is shown in full")
    d.check(outcome)


# --------------------------------------------------------------------------- across the set


def test_assigned_codes_continue_the_ledger_pattern(imported: Imported) -> None:
    """New people, studios and achievements get the next code after the ledger's highest, in its width:
    P0326–P0353, S0041–S0044, A00543–A00546, in import order and then line order."""
    d = Differences("codes assigned (code_if_sequential)")
    for name in ACCEPTED:
        for exp, got in sheets_of(name, imported.outcomes[name].json):
            keys = {a.get("line"): a.get("key") for a in got.get("assigned") or []}
            if exp.get("assigned_rows") and exp["kind"] == "achievements":  # a key may be STUDIO/编号
                studio = studio_code(imported.states[name], exp["assigned_rows"][0]["studio"])
                keys = {line: key and achievement_code(key, studio) for line, key in keys.items()}
            for row in exp.get("assigned_rows", []):
                d.eq(f"{number(name)} {exp['kind']} line {row['line']} ({row.get('name') or row.get('title')})",
                     row["code_if_sequential"], keys.get(row["line"]))
    d.check()


def sheets_of(name: str, summary: Any) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(expected, JSON summary) of each import a file makes: the file, or each data sheet of file 12."""
    summary = summary if isinstance(summary, dict) else {}
    if "sheets" not in FILES[name]:
        return [(FILES[name], summary)]
    by_sheet = {s.get("sheet"): s for s in summary.get("sheets") or []}
    return [(e, by_sheet.get(s) or {}) for s, e in FILES[name]["sheets"].items() if e["kind"]]


def line_order(item: tuple[Any, Any]) -> tuple[int, str]:
    """Sort (line, …) pairs by line number, anything that is not a line number last."""
    return (item[0], "") if isinstance(item[0], int) else (1 << 30, repr(item))


def test_a_dry_run_lists_the_lines_inserted_and_updated(imported: Imported) -> None:
    """`--dry-run --json` just before each accepted file: its "changes" name exactly the lines the
    README inserts ("insert") and updates ("update", with the fields that change), not the unchanged
    lines (04's leader rows 3 and 11, 12's row 2 of 成员); and it writes nothing."""
    d = Differences("`register import … --dry-run --json` just before each accepted file")
    for name in ACCEPTED:
        dry, state = imported.dry_runs[name]
        d.eq(f"{number(name)}: exit code", 0, dry.code)
        if state != imported.before(name):
            d.add(f"{number(name)}: the dry run changed the ledger")
        for exp, got in sheets_of(name, dry.json):
            updates = {u["line"]: u for u in exp.get("updates", [])}
            unchanged = set(exp.get("unchanged_lines", []))
            want = {r["line"]: "insert" for r in exp.get("records", []) if r["line"] not in unchanged | set(updates)}
            want |= {line: "update" for line in updates}
            changes = got.get("changes") or []
            got_actions = {c.get("line"): c.get("action") for c in changes}
            d.eq(f"{number(name)} {exp['kind']}: line → action", dict(sorted(want.items())),
                 dict(sorted(got_actions.items(), key=line_order)))
            for line, update in updates.items():
                fields = [c.get("fields") or {} for c in changes if c.get("line") == line]
                d.eq(f"{number(name)} line {line}: fields updated", sorted(update["fields"]),
                     sorted(fields[0]) if fields else None)
    d.check()


def test_totals_after_all(imported: Imported) -> None:
    """The README's "After everything" table: rows per table for the sample county, then after 01–15."""
    totals = EXPECTED_FILES["totals_after_all"]
    tables = {TABLE_OF_KIND[k]: k for k in totals["after"]}
    assert {tables[t]: n for t, n in counts(imported.states["sample"]).items()} == totals["sample_county"]
    got = {tables[t]: n for t, n in counts(imported.last).items()}
    assert got == totals["after"], {k: (totals["after"][k], got[k]) for k in got if got[k] != totals["after"][k]}


def test_no_personal_data_in_full_in_any_message(imported: Imported) -> None:
    """ID numbers and phone numbers are masked in every output of every import of the set."""
    shown = {name: unmasked(o.out + o.err) for name, o in imported.outcomes.items()}
    assert {n: s for n, s in shown.items() if s} == {}


@pytest.mark.parametrize("name", ACCEPTED, ids=number)
def test_a_second_import_changes_nothing(cli: Any, after_all: DbRef, imported: Imported, name: str) -> None:
    """Importing an accepted file again: 0 inserted, 0 updated, every row unchanged, no code handed out."""
    exp = FILES[name]
    again = exp.get("reimport") or {"inserted": 0, "updated": 0, "unchanged": exp["data_rows"]}
    r = cli("register", "import", exp["kind"], ENTERPRISE / name, "--json")
    d = Differences(f"{name} imported a second time")
    d.eq("exit code", 0, r.code)
    try:
        summary = r.json
    except ValueError:
        summary = None
    parts = (summary or {}).get("sheets") or [summary or {}]
    for key in ("inserted", "updated", "unchanged", "rejected"):
        d.eq(key, again.get(key, 0), sum(p.get(key) or 0 for p in parts))
    d.eq("codes assigned", [], [a for p in parts for a in p.get("assigned") or []])
    diff = difference(imported.last, ledger_state(after_all))
    for table, changes in diff.items():
        if changes.added or changes.removed or changes.changed:
            d.add(f"{table} changed: added {changes.added[:5]}, removed {changes.removed[:5]}, "
                  f"changed {dict(list(changes.changed.items())[:5])}")
    d.check(Outcome(("register", "import", exp["kind"], name), r.code, r.out, r.err))


@pytest.mark.parametrize("name", REFUSED, ids=number)
def test_refused_files_under_on_error_skip(cli: Any, after_all: DbRef, imported: Imported, name: str,
                                          tmp_path: Path) -> None:
    """06 stays refused (the whole file cannot be read); 14 and 15 write their valid rows, exit 3."""
    exp = FILES[name]
    before = dump(after_all)
    rejects = tmp_path / "rejects.csv"
    r = cli("register", "import", exp["kind"], ENTERPRISE / name, "--json", "--on-error", "skip", "--rejects", rejects)
    d = Differences(f"{name} under --on-error skip")
    if not isinstance(exp["on_error_skip"], dict):  # 06: the file cannot be decoded
        d.eq("exit code", 1, r.code)
        if dump(after_all) != before:
            d.add("the database changed")
        d.check(Outcome(("--on-error", "skip"), r.code, r.out, r.err))
        return
    skip = exp["on_error_skip"]
    d.eq("exit code", skip["exit"], r.code)
    try:
        summary = r.json
    except ValueError:
        summary = {}
    d.eq("inserted", skip["inserted"], summary.get("inserted"))
    d.eq("rejected", skip["rejected"], summary.get("rejected"))
    d.eq("codes assigned", [], summary.get("assigned"))
    with (ENTERPRISE / name).open(encoding="utf-8-sig" if exp["kind"] == "people" else "gb18030", newline="") as fp:
        lines = dict(enumerate(csv.DictReader(fp), start=2))
    after = ledger_state(after_all)
    if exp["kind"] == "people":  # stored under the codes the file gives (HX001 …)
        want = {lines[n]["编号"]: (lines[n]["姓名"], lines[n]["身份证号"]) for n in skip["inserted_lines"]}
        got = {code: (p["name"], p["id_number"]) for code, p in after["person"].items()
               if code not in imported.last["person"]}
        d.eq("people inserted", want, got)
    check_nothing_else(d, "skip", [{"kind": exp["kind"], "inserted": skip["inserted"]}], imported.last, after)
    d.check(Outcome(("--on-error", "skip"), r.code, r.out, r.err))
