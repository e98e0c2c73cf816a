"""The enterprise files (``shared/data/enterprise-files``) and reading a ledger back as records.

:data:`ENTERPRISE` is the folder; ``EXPECTED_FILES`` its expected.json (read when first imported).
:func:`run` runs ``laomo ARGS…`` in-process outside any fixture (the module-scoped import of the
whole set cannot use the function-scoped ``cli``).  :func:`ledger_state` reads every record of the
ledger keyed by its natural key in codes (people by 编号, members by (工作室编号, 人员编号) …), so that
two states compare record by record; :func:`stored` turns a value as expected.json writes it (the
canonical Chinese term, True, an ISO date) into the form :func:`ledger_state` holds.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from dataclasses import dataclass, field
from typing import Any

from support.db import DbRef, norm, plain_engine
from support.sample import SHARED

from laomo import enums

ENTERPRISE = SHARED / "data" / "enterprise-files"


def __getattr__(name: str) -> Any:
    """``EXPECTED_FILES``, the folder's expected.json, read on first use."""
    if name == "EXPECTED_FILES":
        value = globals()["EXPECTED_FILES"] = json.loads((ENTERPRISE / "expected.json").read_text(encoding="utf-8"))
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# --------------------------------------------------------------------------- running laomo


@dataclass
class Outcome:
    """What one in-process ``laomo`` run gave; ``json`` is None when stdout is not one JSON document."""

    args: tuple[str, ...]
    code: int
    out: str
    err: str
    json: Any = field(init=False)

    def __post_init__(self) -> None:
        try:
            self.json = json.loads(self.out)
        except ValueError:
            self.json = None

    def shown(self) -> str:
        """The run in a few lines, for a failure message."""
        lines = self.err.strip().splitlines()
        if len(lines) > 12:  # the first problems, and the end (where a traceback says what went wrong)
            lines = [*lines[:8], f"… ({len(lines) - 12} lines)", *lines[-4:]]
        return f"`laomo {' '.join(self.args)}` → exit {self.code}\n    stderr: " + ("\n    ".join(lines) or "(empty)")


def run(*args: object) -> Outcome:
    """``laomo ARGS…`` in this process, as the console script runs it, capturing its output."""
    from laomo.cli import main

    argv = tuple(str(a) for a in args)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Outcome(argv, code, out.getvalue(), err.getvalue())


# --------------------------------------------------------------------------- the ledger as records

#: table → its fields as compared (the natural key's columns come first in each SELECT)
_SQL = {
    "person": 'SELECT code, name, gender, birth_year, id_number, phone, unit, post, frontline, skill_grade '
              'FROM person',
    "studio": 'SELECT s.code, s.name, s.kind, p.code AS leader, s.unit, s.credit_code, s.industry, s.county, '
              's.founded, s.area, s.funds, s.has_sign, s.has_rules, s.has_plan, s.has_display, s.has_records, '
              's.has_facilities, s.notes FROM studio s JOIN person p ON p.id = s.leader_id',
    "member": 'SELECT s.code AS studio, p.code AS person, m.role, m.joined, m."left", m.voided_at '
              'FROM member m JOIN studio s ON s.id = m.studio_id JOIN person p ON p.id = m.person_id',
    "honor": 'SELECT p.code AS person, h.kind, h.year, h.issuer, h.voided_at '
             'FROM honor h JOIN person p ON p.id = h.person_id',
    "achievement": 'SELECT s.code AS studio, a.code, a.title, a.type, a.stage, a."date", a.benefit, a.patent_no, '
                   'a.frontline_led, a.voided_at FROM achievement a JOIN studio s ON s.id = a.studio_id',
    "activity": 'SELECT s.code AS studio, a."date", a.kind, a.title, a.seq, a.participants, a.hours, a.voided_at '
                'FROM activity a JOIN studio s ON s.id = a.studio_id',
}
#: how many leading columns of each SELECT make the record's key
_KEY_WIDTH = {"person": 1, "studio": 1, "member": 2, "honor": 3, "achievement": 2, "activity": 5}
#: tables compared as whole rows (the files of this set must leave them as they are)
OTHER_TABLES = ("mentorship", "inspection", "designation", "assessment")
#: table → the import KIND that fills it
TABLE_OF_KIND = {"people": "person", "honors": "honor", "studios": "studio", "members": "member",
                 "achievements": "achievement", "activities": "activity", "mentorships": "mentorship",
                 "inspections": "inspection", "designations": "designation", "assessments": "assessment"}

Key = Any  # a code, or a tuple of a record's key columns
State = dict[str, dict[Key, dict[str, Any]]]


def ledger_state(ref: DbRef) -> State:
    """Every record of the ledger (not the audit log): ``{table: {key: {field: value}}}``; values
    normalised by :func:`support.db.norm` (booleans 0/1, dates ISO).  The tables of
    :data:`OTHER_TABLES` are keyed by their ``id``."""
    from sqlalchemy import text

    state: State = {}
    with plain_engine(ref).connect() as conn:
        for table, sql in _SQL.items():
            result = conn.execute(text(sql))
            names = list(result.keys())
            width = _KEY_WIDTH[table]
            records: dict[Key, dict[str, Any]] = {}
            for row in result:
                values = [norm(v) for v in row]
                key = values[0] if width == 1 else tuple(values[:width])
                records[key] = dict(zip(names, values))
            state[table] = records
        for table in OTHER_TABLES:
            result = conn.execute(text(f'SELECT * FROM "{table}"'))
            names = list(result.keys())
            state[table] = {row[0]: dict(zip(names, (norm(v) for v in row))) for row in result}
    return state


def counts(state: State) -> dict[str, int]:
    return {table: len(records) for table, records in state.items()}


@dataclass
class Difference:
    """How one table changed between two states."""

    added: list[Key]
    removed: list[Key]
    changed: dict[Key, dict[str, tuple[Any, Any]]]  # key → field → (before, after)


def difference(before: State, after: State) -> dict[str, Difference]:
    """Per table, the records added, removed and changed (with the fields that changed)."""
    found = {}
    for table in after:
        old, new = before.get(table, {}), after[table]
        changed = {}
        for key in old.keys() & new.keys():
            fields = {f: (old[key][f], new[key].get(f)) for f in old[key] if old[key][f] != new[key].get(f)}
            if fields:
                changed[key] = fields
        found[table] = Difference(added=sorted(new.keys() - old.keys(), key=repr),
                                  removed=sorted(old.keys() - new.keys(), key=repr), changed=changed)
    return found


# --------------------------------------------------------------------------- values as stored

_ENUMS: dict[tuple[str, str], enums.Enumeration] = {
    ("person", "gender"): enums.GENDER,
    ("person", "skill_grade"): enums.SKILL_GRADE,
    ("studio", "kind"): enums.STUDIO_KIND,
    ("studio", "industry"): enums.INDUSTRY,
    ("member", "role"): enums.ROLE,
    ("honor", "kind"): enums.HONOR_KIND,
    ("achievement", "type"): enums.ACHIEVEMENT_TYPE,
    ("achievement", "stage"): enums.STAGE,
    ("activity", "kind"): enums.ACTIVITY_KIND,
}


def stored(table: str, name: str, value: Any) -> Any:
    """``value`` (as expected.json writes the field ``name`` of ``table``) in the stored, normalised
    form: an enumeration's Chinese term or English value → its English value; True → 1."""
    if value is None:
        return None
    enum = _ENUMS.get((table, name))
    if enum is not None:
        return enum.parse(str(value)) or value  # an unknown term stays as written (and will differ)
    return norm(value)


# --------------------------------------------------------------------------- personal data

#: an 18-character ID number or an 11-digit mobile number, not masked
FULL_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z*])\d{17}[\dXx](?![0-9A-Za-z*])")
FULL_MOBILE = re.compile(r"(?<![0-9*])1[3-9]\d{9}(?![0-9*])")


def unmasked(text: str) -> list[str]:
    """The ID numbers and mobile numbers that ``text`` shows in full."""
    return FULL_ID_NUMBER.findall(text) + FULL_MOBILE.findall(text)


def masked(id_number: str) -> str:
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]
