"""The fixtures every test module may ask for (registered by tests/conftest.py as a plugin).

Every test gets its own fresh database through ``LAOMO_DB`` (:func:`laomo_db`,
autouse) on the test backend (:mod:`support.db`).  The sample county is built
once per test session (per worker process under pytest-xdist) by
:func:`support.sample.build_sample`: :func:`sample_template` imported,
:func:`assessed_template` also assessed for 2024 then 2025; tests get private
copies of them at ``LAOMO_DB``.  ``@pytest.mark.sqlite_only`` tests are skipped
on PostgreSQL, ``@pytest.mark.postgres_only`` ones on SQLite.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from support.db import (
    BACKEND,
    POSTGRES,
    DbRef,
    close_server,
    copy_db,
    describe_backend,
    drop_db,
    fresh_db,
)
from support.sample import build_sample

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine


def pytest_report_header(config: pytest.Config) -> str:
    return f"laomo test backend: {describe_backend()}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = pytest.mark.skip(reason=f"not for the {BACKEND} backend")
    unwanted = "sqlite_only" if POSTGRES else "postgres_only"
    for item in items:
        if unwanted in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    close_server()


# --------------------------------------------------------------------------- databases


@pytest.fixture(scope="session")
def empty_template(make_session_db: Callable[[str], DbRef]) -> DbRef:
    """A database holding the current schema and nothing else, made once per session as
    `laomo init` makes it (a sealed database: copy it, never open it)."""
    from support.db import db_url, seal_db

    from laomo.store.db import dispose_all, make_engine, migrate

    ref = make_session_db("empty")
    engine = make_engine(db_url(ref))
    migrate(engine)
    engine.dispose()
    dispose_all()
    return seal_db(ref)


#: Fixtures that copy a whole template over LAOMO_DB themselves: the empty schema is not copied first.
TEMPLATE_COPIES = frozenset({"sample_db", "assessed"})


@pytest.fixture(autouse=True)
def laomo_db(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
             empty_template: DbRef) -> Iterator[DbRef]:
    """Point LAOMO_DB at a fresh database holding the schema, as `laomo init` leaves it (only `init` and
    `quickstart` create a database); close every engine (and drop a server database) afterwards.
    A test that asks for the sample county gets that copy instead (one copy, not two: on a server each
    is a CREATE DATABASE).  ``make_db`` gives databases that do not exist yet."""
    ref = fresh_db(tmp_path, "laomo")
    if not TEMPLATE_COPIES & set(request.fixturenames):
        copy_db(empty_template, ref)
    monkeypatch.setenv("LAOMO_DB", str(ref))
    from laomo.commands import common as cli_common
    from laomo.store import db
    cli_common.STATE.db = None
    cli_common.STATE.quiet = False
    yield ref
    db.dispose_all()
    drop_db(ref)


class _Made:
    """Databases of the test backend made in ``folder_for(stem)``, dropped by :meth:`drop_all`:
    copies of ``template`` (a database as `laomo init` leaves it), or, with ``absent=True`` or
    without a template, fresh ones that do not exist yet."""

    def __init__(self, folder_for: Callable[[str], Path], template: DbRef | None = None) -> None:
        self.folder_for = folder_for
        self.template = template
        self.made: list[DbRef] = []

    def __call__(self, stem: str = "extra", *, absent: bool = False) -> DbRef:
        ref = fresh_db(self.folder_for(stem), stem)
        self.made.append(ref)
        if self.template is not None and not absent:
            copy_db(self.template, ref)
        return ref

    def drop_all(self) -> None:
        from laomo.store import db

        db.dispose_all()
        for ref in self.made:
            drop_db(ref)


@pytest.fixture
def make_db(tmp_path: Path, empty_template: DbRef) -> Iterator[Callable[..., DbRef]]:
    """``make_db("reference")``: another database of the test backend as `laomo init` leaves it
    (``absent=True``: one that does not exist yet), gone after the test."""
    made = _Made(lambda stem: tmp_path, empty_template)
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def make_session_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], DbRef]]:
    """Like ``make_db`` for session-scoped templates (gone at the end of the session)."""
    made = _Made(tmp_path_factory.mktemp)
    yield made
    made.drop_all()


@pytest.fixture
def engine(laomo_db: DbRef) -> Engine:
    """An empty database at LAOMO_DB, and its engine."""
    from laomo.store.db import open_engine

    return open_engine(str(laomo_db))


# --------------------------------------------------------------------------- the sample county


@pytest.fixture(scope="session")
def sample_template(make_session_db: Callable[[str], DbRef]) -> DbRef:
    """The sample county imported, once per session (a sealed database: copy it, never open it)."""
    return build_sample(make_session_db("sample"))


@pytest.fixture(scope="session")
def assessed_template(sample_template: DbRef, make_session_db: Callable[[str], DbRef]) -> DbRef:
    """The sample county assessed for 2024 and then 2025 (as expected.json says), once per session."""
    return build_sample(make_session_db("assessed"), assess=(2024, 2025), imported=sample_template)


@pytest.fixture
def sample_db(sample_template: DbRef, laomo_db: DbRef) -> DbRef:
    """A private copy of the imported sample county at LAOMO_DB (returns ``laomo_db``)."""
    return copy_db(sample_template, laomo_db)


@pytest.fixture
def sample_engine(sample_db: DbRef) -> Engine:
    """The same private copy, and its engine."""
    from laomo.store.db import open_engine

    return open_engine(str(sample_db))


@pytest.fixture
def assessed(assessed_template: DbRef, laomo_db: DbRef) -> DbRef:
    """A private copy of the assessed sample county at LAOMO_DB (returns ``laomo_db``)."""
    return copy_db(assessed_template, laomo_db)


@pytest.fixture
def assessed_engine(assessed: DbRef) -> Engine:
    """The same private copy, and its engine."""
    from laomo.store.db import open_engine

    return open_engine(str(assessed))


# --------------------------------------------------------------------------- hooks


@pytest.fixture
def before_statement() -> Iterator[Callable[[str, Callable[[], object]], None]]:
    """``before_statement(prefix, fn)``: call ``fn()`` just before the first SQL statement starting with
    ``prefix`` (case-insensitive) in each transaction, on any engine, until the test ends.

    A test interferes with a run at a point of its SQL (e.g. just before its first write) instead
    of patching the run's private functions; an exception ``fn`` raises comes out of that statement."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    listeners: list[Callable[..., None]] = []

    def add(prefix: str, fn: Callable[[], object]) -> None:
        done: list[object] = []  # the transactions fn was called in

        def listener(conn: Connection, cursor: Any, statement: str, *args: Any) -> None:
            tx = conn.get_transaction()
            if statement.lstrip().upper().startswith(prefix.upper()) and not any(t is tx for t in done):
                done.append(tx)
                fn()

        event.listen(Engine, "before_cursor_execute", listener)
        listeners.append(listener)

    yield add
    for listener in listeners:
        event.remove(Engine, "before_cursor_execute", listener)


# --------------------------------------------------------------------------- the CLI


class Run:
    """What one in-process ``laomo`` run gave: exit code, stdout, stderr."""

    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    @property
    def json(self) -> Any:
        return json.loads(self.out)

    def __repr__(self) -> str:  # shown when an assertion fails
        return f"<Run code={self.code}\nstdout={self.out[-2000:]}\nstderr={self.err[-2000:]}>"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run ``laomo ARGS…`` in-process exactly as the console script does."""
    from laomo.cli import main

    def run(*args: object, stdin: str | None = None) -> Run:
        capsys.readouterr()
        if stdin is not None:
            old = sys.stdin
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8")), encoding="utf-8")
            try:
                code = main([str(a) for a in args])
            finally:
                sys.stdin = old
        else:
            code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
