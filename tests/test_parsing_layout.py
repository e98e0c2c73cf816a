"""A parsed row's layout, built without SQLAlchemy, equals what the table classes and
SQLAlchemy's own bind processors give, for every import KIND on both databases.

``laomo.ledger.parsing`` lists the stored columns that the driver takes in another form than
the parsed one (``CONVERTED``) and writes those conversions once per database kind, so that a
large import's parse worker can start before SQLAlchemy is loaded.  These tests hold that list
and those conversions against ``laomo.models`` and SQLAlchemy: a column added to a table, or a
type changed, fails here until the list says the same.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import JSON
from sqlalchemy.dialects import sqlite
from sqlalchemy.dialects.postgresql import psycopg

from laomo.ledger.columns import KINDS, Kind
from laomo.ledger.parsing import CONVERSIONS, CONVERTED, STAMPED, database_kind, row_layout
from laomo.models import SQLModel
from laomo.store.engine import json_text

DIALECTS = {"sqlite": sqlite.pysqlite.dialect(json_serializer=json_text),
            "postgresql": psycopg.dialect(json_serializer=json_text)}

SAMPLES: dict[str, Any] = {
    "bool": st.booleans(),
    "float": st.one_of(st.integers(min_value=-10 ** 9, max_value=10 ** 9),
                       st.floats(allow_nan=False, allow_infinity=False)),
    "date": st.dates(),
}


def laid_out(kind: Kind) -> set[str]:
    """Every column a parsed row of ``kind`` may hold: the kind's columns, its fixed values and
    the creation time where the table records one."""
    table = SQLModel.metadata.tables[kind.table]
    return {*(c.target for c in kind.columns), *kind.fixed, *(("created_at",) if "created_at" in table.c else ())}


def sqlalchemy_processor(kind: Kind, name: str, dialect: str) -> Any:
    d = DIALECTS[dialect]
    return SQLModel.metadata.tables[kind.table].c[name].type.dialect_impl(d).bind_processor(d)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_converted_columns_are_those_sqlalchemy_converts(kind: str, dialect: str) -> None:
    """A column has a conversion here exactly when SQLAlchemy has a bind processor for it; a JSON
    column (which has one) is only ever written NULL by an import, which needs none; the creation
    time goes to the driver as an aware datetime, as the import has always written it."""
    k = KINDS[kind]
    table = SQLModel.metadata.tables[k.table]
    ours = CONVERTED[k.table]
    assert set(ours) <= set(table.c.keys()), "CONVERTED names a column the table does not have"
    for name in sorted(laid_out(k)):
        theirs = sqlalchemy_processor(k, name, dialect)
        if name == "created_at":
            assert k.table in STAMPED and name not in ours
            continue
        if isinstance(table.c[name].type, JSON):
            assert name not in ours
            assert name in k.fixed and k.fixed[name] is None
            assert all(c.target != name for c in k.columns)
            continue
        mine = CONVERSIONS[dialect].get(ours.get(name, ""))
        assert (mine is None) == (theirs is None), f"{k.table}.{name} on {dialect}"


@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(data=st.data())
def test_each_conversion_gives_what_sqlalchemy_gives(data: st.DataObject) -> None:
    """Value by value, for every converted column of every table, on both databases."""
    for kind in KINDS.values():
        for name, type_name in sorted(CONVERTED[kind.table].items()):
            for dialect in DIALECTS:
                mine = CONVERSIONS[dialect].get(type_name)
                if mine is None:
                    continue
                theirs = sqlalchemy_processor(kind, name, dialect)
                value = data.draw(SAMPLES[type_name], label=f"{kind.table}.{name}")
                got, want = mine(value), theirs(value)
                assert (type(got), got) == (type(want), want), f"{kind.table}.{name} on {dialect}: {value!r}"


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
def test_wrong_values_are_refused_as_sqlalchemy_refuses_them(dialect: str) -> None:
    """A value of the wrong type fails the conversion the same way (a bug caught, never stored)."""
    k = KINDS["studios"]
    for name, wrong in (("has_sign", "是"), ("has_sign", 2), ("founded", "2024-01-01")):
        mine = CONVERSIONS[dialect].get(CONVERTED[k.table][name])
        theirs = sqlalchemy_processor(k, name, dialect)
        if mine is None:
            assert theirs is None
            continue
        with pytest.raises(Exception) as ours:
            mine(wrong)
        with pytest.raises(Exception) as sqlalchemy:
            theirs(wrong)
        assert type(ours.value) is type(sqlalchemy.value)


@pytest.mark.parametrize("dialect", sorted(DIALECTS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_whole_file_layout_equals_the_tables(kind: str, dialect: str) -> None:
    """Every column of the kind mapped: the insert columns are the table's, the defaults in the
    driver's form as SQLAlchemy would give them, each plan entry converting as the table does."""
    k = KINDS[kind]
    table = SQLModel.metadata.tables[k.table]
    mapped = [(i, col, col.header) for i, col in enumerate(k.columns)]
    layout = row_layout(k, mapped, dialect)
    assert set(layout.cols) <= set(table.c.keys())
    assert set(layout.cols) == laid_out(k) | ({k.seq} if k.seq else set())
    for name, default in zip(layout.cols, layout.defaults):
        col = next((c for c in k.columns if c.target == name), None)
        raw = col.default if col else k.fixed.get(name)
        if name == "created_at":
            assert isinstance(default, dt.datetime) and default.tzinfo is not None
            continue
        if name == k.seq:
            assert default == 1
            continue
        theirs = sqlalchemy_processor(k, name, dialect)
        want = raw if theirs is None or raw is None or isinstance(table.c[name].type, JSON) else theirs(raw)
        assert (type(default), default) == (type(want), want), name
    for _, col, _, proc, position in layout.plan:
        assert layout.cols[position] == col.target
        assert (proc is None) == (sqlalchemy_processor(k, col.target, dialect) is None), col.target


def test_the_stamped_tables_are_those_with_a_creation_time() -> None:
    tables = {k.table for k in KINDS.values()}
    assert {t for t in tables if "created_at" in SQLModel.metadata.tables[t].c} == STAMPED


def test_the_database_kind_of_a_url() -> None:
    assert database_kind("sqlite:////tmp/laomo.db") == "sqlite"
    assert database_kind("postgresql+psycopg://u@h/db") == "postgresql"
