"""数据模型：每个领域实体一张表（SQLModel）。

Conventions
-----------
* Every table has an integer surrogate key ``id``; the natural key of the
  entity (domain.md) is a named UNIQUE constraint, and references are foreign
  keys to ``id``.  A code can therefore be corrected without rewriting every
  row that points at it.
* Enumerations are stored as their stable English value (``laomo.enums``).
* Optional text that takes part in a natural key (activity title) is stored as
  ``''`` rather than NULL, because NULLs are never equal in a UNIQUE index.
* Amounts are whole 元 (BIGINT); dates are DATE; JSON columns hold the
  per-item assessment breakdown and audit snapshots.
* Constraint names follow one naming convention, so Alembic batch migrations
  on SQLite can find and alter them later.

The schema itself is created and changed only by the Alembic migrations in
``laomo/store/migrations``; ``tests/test_migrations.py`` checks that they match these
classes.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlmodel import Field, SQLModel

if TYPE_CHECKING:
    from sqlalchemy import Table

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION


class LedgerTable(SQLModel):
    """Base of every table class: says to the type checker that each has its SQLAlchemy ``__table__``
    (SQLModel sets it at class creation; the bulk paths use it for Core statements)."""

    __table__: ClassVar[Table]


class Setting(LedgerTable, table=True):
    """Per-database settings: the union keeping the ledger, the rules profile in use."""

    __tablename__ = "setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="", max_length=2000)


#: The :class:`Setting` key of the union keeping the ledger (``laomo init --union``), for 落款.
UNION_SETTING = "union"


class Person(LedgerTable, table=True):
    __tablename__ = "person"
    #: enterprise files name people by 身份证号 or 姓名: imports look them up by both
    __table_args__ = (UniqueConstraint("code"), Index("ix_person_id_number", "id_number"),
                      Index("ix_person_name", "name"))
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=100)
    gender: Optional[str] = Field(default=None, max_length=16)
    birth_year: Optional[int] = None
    id_number: Optional[str] = Field(default=None, max_length=18)
    phone: Optional[str] = Field(default=None, max_length=32)
    unit: Optional[str] = Field(default=None, max_length=200)
    post: Optional[str] = Field(default=None, max_length=100)
    frontline: Optional[bool] = None
    skill_grade: Optional[str] = Field(default=None, max_length=32)


class Honor(LedgerTable, table=True):
    __tablename__ = "honor"
    __table_args__ = (UniqueConstraint("person_id", "kind", "year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    kind: str = Field(max_length=64)
    year: int
    issuer: Optional[str] = Field(default=None, max_length=200)
    #: 作废：a record entered by mistake is voided, never deleted (cli.md "Safety"); it then
    #: counts nowhere.  ``voided_at`` NULL means in force.
    voided_at: Optional[dt.datetime] = None
    void_reason: Optional[str] = Field(default=None, max_length=1000)


class Studio(LedgerTable, table=True):
    __tablename__ = "studio"
    __table_args__ = (UniqueConstraint("code"), Index("ix_studio_name", "name"))
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=64)
    name: str = Field(max_length=200)
    kind: str = Field(default="model_worker", max_length=32)
    leader_id: int = Field(foreign_key="person.id", index=True)
    unit: str = Field(max_length=200)
    credit_code: Optional[str] = Field(default=None, max_length=18)
    industry: str = Field(max_length=1)
    county: str = Field(max_length=100, index=True)
    founded: Optional[dt.date] = None
    area: Optional[float] = None
    funds: Optional[int] = Field(default=None, sa_type=BigInteger)
    has_sign: bool = False
    has_rules: bool = False
    has_plan: bool = False
    has_display: bool = False
    has_records: bool = False
    has_facilities: bool = False
    notes: Optional[str] = Field(default=None, max_length=2000)


class Member(LedgerTable, table=True):
    __tablename__ = "member"
    __table_args__ = (UniqueConstraint("studio_id", "person_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(default="member", max_length=16)
    joined: Optional[dt.date] = None
    left: Optional[dt.date] = None
    #: 作废：a record entered by mistake is voided, never deleted (cli.md "Safety"); it then
    #: counts nowhere.  ``voided_at`` NULL means in force.
    voided_at: Optional[dt.datetime] = None
    void_reason: Optional[str] = Field(default=None, max_length=1000)


class Achievement(LedgerTable, table=True):
    __tablename__ = "achievement"
    #: 编号 identifies an achievement within its studio (enterprise unions number their own rows
    #: 1, 2, 3): another studio's 编号 1 is another achievement (import-formats.md, Identity).
    __table_args__ = (
        UniqueConstraint("studio_id", "code"),
        # voided_at too: the fact queries count achievements in force by studio and date from the index alone
        Index("ix_achievement_studio_date", "studio_id", "date", "voided_at"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=64)
    studio_id: int = Field(foreign_key="studio.id")
    title: str = Field(max_length=300)
    type: str = Field(max_length=32)
    stage: Optional[str] = Field(default=None, max_length=32)
    date: dt.date
    benefit: int = Field(default=0, sa_type=BigInteger)
    patent_no: Optional[str] = Field(default=None, max_length=64)
    frontline_led: Optional[bool] = None
    #: 作废：a record entered by mistake is voided, never deleted (cli.md "Safety"); it then
    #: counts nowhere.  ``voided_at`` NULL means in force.
    voided_at: Optional[dt.datetime] = None
    void_reason: Optional[str] = Field(default=None, max_length=1000)


class Activity(LedgerTable, table=True):
    __tablename__ = "activity"
    __table_args__ = (UniqueConstraint("studio_id", "date", "kind", "title", "seq"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id")
    date: dt.date
    kind: str = Field(max_length=32)
    title: str = Field(default="", max_length=300)
    #: 第几场: a studio may hold the same training twice on one day (the sample
    #: county does); the n-th distinct row of a file with the same
    #: studio/date/kind/title is session n, so re-importing stays idempotent.
    seq: int = 1
    participants: Optional[int] = None
    hours: Optional[float] = None
    #: 作废：a record entered by mistake is voided, never deleted (cli.md "Safety"); it then
    #: counts nowhere.  ``voided_at`` NULL means in force.
    voided_at: Optional[dt.datetime] = None
    void_reason: Optional[str] = Field(default=None, max_length=1000)


class Mentorship(LedgerTable, table=True):
    __tablename__ = "mentorship"
    __table_args__ = (UniqueConstraint("studio_id", "mentor_id", "apprentice_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id")
    mentor_id: int = Field(foreign_key="person.id", index=True)
    apprentice_id: int = Field(foreign_key="person.id", index=True)
    start: dt.date
    end: Optional[dt.date] = None
    agreement: Optional[bool] = None
    promoted_on: Optional[dt.date] = None
    #: 作废：a record entered by mistake is voided, never deleted (cli.md "Safety"); it then
    #: counts nowhere.  ``voided_at`` NULL means in force.
    voided_at: Optional[dt.datetime] = None
    void_reason: Optional[str] = Field(default=None, max_length=1000)


class Inspection(LedgerTable, table=True):
    __tablename__ = "inspection"
    __table_args__ = (UniqueConstraint("studio_id", "year", "item"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id")
    year: int
    item: str = Field(max_length=16)
    score: float
    inspector: Optional[str] = Field(default=None, max_length=100)
    #: 作废：a record entered by mistake is voided, never deleted (cli.md "Safety"); it then
    #: counts nowhere.  ``voided_at`` NULL means in force.
    voided_at: Optional[dt.datetime] = None
    void_reason: Optional[str] = Field(default=None, max_length=1000)


class Assessment(LedgerTable, table=True):
    """One studio's result for one year: from ``assess run`` or imported history."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("studio_id", "year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id")
    year: int = Field(index=True)
    profile: Optional[str] = Field(default=None, max_length=100)  # None: imported
    profile_hash: Optional[str] = Field(default=None, max_length=64)
    total: Optional[float] = None  # None: an old ledger's result gave only its grade
    grade: str = Field(max_length=16)
    items: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    standards: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    recommendation: Optional[str] = Field(default=None, max_length=16)
    reasons: Optional[list[str]] = Field(default=None, sa_column=Column(JSON))
    imported: bool = False
    run_id: Optional[str] = Field(default=None, max_length=64)
    created_at: Optional[dt.datetime] = None


class AssessmentRun(LedgerTable, table=True):
    """One stored ``assess run`` of a year (``assess history``).

    A re-run of a year supersedes the run before it (``superseded_by``).  Once
    a year's recommendations were applied, a re-run needs a reason and the
    superseded run's results are kept in ``assessment_superseded`` (``kept``):
    the designations of that year cite them.
    """

    __tablename__ = "assessment_run"
    run_id: str = Field(primary_key=True, max_length=64)
    year: int = Field(index=True)
    at: dt.datetime
    profile: Optional[str] = Field(default=None, max_length=100)
    profile_hash: Optional[str] = Field(default=None, max_length=64)
    studios: int = 0
    by_grade: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    reason: Optional[str] = Field(default=None, max_length=1000)
    superseded_by: Optional[str] = Field(default=None, max_length=64)
    kept: bool = False


class SupersededAssessment(LedgerTable, table=True):
    """A result of a superseded run, kept because that year's recommendations were applied."""

    __tablename__ = "assessment_superseded"
    __table_args__ = (Index("ix_assessment_superseded_studio_year", "studio_id", "year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id")
    year: int
    profile: Optional[str] = Field(default=None, max_length=100)
    profile_hash: Optional[str] = Field(default=None, max_length=64)
    total: Optional[float] = None  # None: an old ledger's result gave only its grade
    grade: str = Field(max_length=16)
    items: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    standards: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    recommendation: Optional[str] = Field(default=None, max_length=16)
    reasons: Optional[list[str]] = Field(default=None, sa_column=Column(JSON))
    imported: bool = False
    run_id: Optional[str] = Field(default=None, max_length=64)
    created_at: Optional[dt.datetime] = None
    superseded_by: str = Field(max_length=64)


class StoredProfile(LedgerTable, table=True):
    """A rules profile as a run used it or ``assess rules use`` adopted it, by its hash: reports
    name items by the profile that scored them, and the database's profile no longer depends
    on a file that may change or move."""

    __tablename__ = "rules_profile"
    hash: str = Field(primary_key=True, max_length=64)
    name: str = Field(max_length=100)
    source: str = Field(max_length=1000)
    content: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    stored_at: dt.datetime


class Designation(LedgerTable, table=True):
    """One transition of a studio's lifecycle; never overwritten in place."""

    __tablename__ = "designation"
    __table_args__ = (Index("ix_designation_studio_date", "studio_id", "date"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    studio_id: int = Field(foreign_key="studio.id")
    action: str = Field(max_length=16)
    level: Optional[str] = Field(default=None, max_length=16)
    year: int
    date: dt.date
    batch: Optional[str] = Field(default=None, max_length=100)
    doc: Optional[str] = Field(default=None, max_length=100)
    amount: Optional[int] = Field(default=None, sa_type=BigInteger)
    reason: Optional[str] = Field(default=None, max_length=1000)
    deadline: Optional[dt.date] = None
    #: an old ledger gave only the year: ``date`` is 31 December of it (the latest it can be)
    approximate: bool = Field(default=False, sa_column_kwargs={"server_default": sa_false()})
    operator: Optional[str] = Field(default=None, max_length=100)
    created_at: Optional[dt.datetime] = None
    #: 作废：a record entered by mistake is voided, never deleted (cli.md "Safety"); it then
    #: counts nowhere.  ``voided_at`` NULL means in force.
    voided_at: Optional[dt.datetime] = None
    void_reason: Optional[str] = Field(default=None, max_length=1000)


class AuditEntry(LedgerTable, table=True):
    """Append-only log of every change (操作日志).

    ``prev_hash``/``hash`` chain the entries: each hash covers the entry's
    content and the previous entry's hash, so an altered or deleted entry is
    detectable by ``laomo db check``.
    """

    __tablename__ = "audit"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime
    os_user: str = Field(max_length=100)
    command: str = Field(max_length=500)
    entity: str = Field(max_length=32)
    key: str = Field(max_length=200)
    before: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    after: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON))
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)
