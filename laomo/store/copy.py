"""整库复制：把一个 laomo 数据库原样复制到另一个新的空数据库，并逐行核对。

``laomo db copy SOURCE TARGET`` moves a ledger from a SQLite file to a
PostgreSQL server (or back, or into a fresh compacted SQLite file).

* SOURCE must be a laomo database at the schema head.  TARGET is created or
  upgraded to the head by the Alembic migrations and must hold no laomo data:
  a copy never merges.  Copying a database onto itself is refused.
* Everything happens in **one transaction on the target** — the migration
  (DDL is transactional on SQLite and PostgreSQL), the rows, the sequence
  reset and the verification — so a failure, Ctrl-C or a killed process leaves
  the target as it was.  The source is read in one transaction as well
  (REPEATABLE READ on a server), so the copy is a consistent snapshot even
  while clerks keep writing to it.
* Tables are copied parents first (``metadata.sorted_tables``), streamed from
  the source ``chunk`` rows at a time and written with Core ``insert()``
  executemany; primary keys keep their values and PostgreSQL sequences are
  moved past the largest id afterwards.  ``alembic_version`` is not copied:
  the target gets it from its own migration.
* Verification, row for row: while copying, a SHA-256 is taken over every
  source row in primary-key order, each value in a canonical form (dates ISO,
  datetimes in UTC, booleans as booleans, floats by ``repr``, Decimals
  normalised, JSON with sorted keys), so SQLite/PostgreSQL storage differences
  do not count but any real difference does.  Afterwards the target is read
  back the same way in the same transaction; a different count or digest
  names the table and the first differing primary key, and the copy is rolled
  back.  The audit hash chain is then verified on the target.
* The copy writes no audit entry of its own: the target's log is exactly the
  source's, so its hash chain stays verifiable (like ``db backup``).

No Typer or Rich here; ``progress(fraction)`` is an optional callback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError
from laomo.store import schema
from laomo.store.engine import make_engine
from laomo.store.failures import explain_failure, first_line
from laomo.store.location import describe, redact, resolve_url, sqlite_path

if TYPE_CHECKING:
    from sqlalchemy import Select, Table
    from sqlalchemy.engine import Connection, Engine
    from sqlalchemy.sql.dml import Insert

CHUNK = 5000


@dataclass
class TableCopy:
    """One table: rows copied, and what the verification found."""

    table: str
    rows: int = 0
    sha256: str = ""
    target_rows: int | None = None
    target_sha256: str | None = None
    first_difference: str | None = None

    @property
    def verified(self) -> bool:
        return self.target_rows == self.rows and self.target_sha256 == self.sha256

    def as_dict(self) -> dict[str, Any]:
        return {"table": self.table, "rows": self.rows, "verified": self.verified, "sha256": self.sha256}


@dataclass
class CopyResult:
    source: str
    target: str
    schema_version: str
    target_schema_before: str | None
    tables: list[TableCopy]
    audit: dict[str, Any]
    seconds: float
    copy_seconds: float
    verify_seconds: float
    warnings: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def ok(self) -> bool:
        return all(t.verified for t in self.tables) and bool(self.audit.get("ok", False))

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source, "target": self.target, "schema_version": self.schema_version,
            "target_schema_before": self.target_schema_before,
            "tables": [t.as_dict() for t in self.tables], "rows": self.rows,
            "verified": all(t.verified for t in self.tables), "audit": self.audit,
            "seconds": round(self.seconds, 3), "copy_seconds": round(self.copy_seconds, 3),
            "verify_seconds": round(self.verify_seconds, 3),
            "rows_per_second": round(self.rows_per_second), "warnings": self.warnings, "ok": self.ok,
        }


Progress = Callable[[float], None]


def copy_database(source: str | Engine, target: str | Engine, *, chunk: int = CHUNK,
                  progress: Progress | None = None) -> CopyResult:
    """Copy every laomo table of ``source`` into the empty ``target`` and verify it row for row.

    ``source``/``target`` are what ``--db`` accepts (a SQLite path or a
    SQLAlchemy URL) or engines.  Raises :class:`LaomoError` for anything the
    user can act on; the target is then unchanged (a SQLite file this call
    created is removed again).
    """
    src_url = _url(source)
    dst_url = _url(target)
    src_name, dst_name = describe(src_url), describe(dst_url)
    _refuse_same(src_url, dst_url, src_name)
    src_path = sqlite_path(src_url)
    if isinstance(source, str):
        if src_url.startswith("sqlite") and src_path is None:
            raise LaomoError("源数据库不能是内存数据库，请给出 SQLite 文件路径或数据库地址")
        if src_path is not None and not src_path.is_file():
            raise LaomoError(f"源数据库文件不存在：{src_path}")
    dst_path = sqlite_path(dst_url)
    if dst_url.startswith("sqlite") and dst_path is None:
        raise LaomoError("目标数据库不能是内存数据库，请给出 SQLite 文件路径或数据库地址")
    created = dst_path is not None and isinstance(target, str) and not dst_path.exists()

    owned: list[Engine] = []
    try:
        src_engine = _engine(source, src_url, "源", owned)
        dst_engine = _engine(target, dst_url, "目标", owned)
        return _copy(src_engine, dst_engine, src_name, dst_name, chunk, progress)
    except BaseException:
        for engine in owned:
            engine.dispose()
        owned.clear()
        if created and dst_path is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(str(dst_path) + suffix).unlink(missing_ok=True)
        raise
    finally:
        for engine in owned:
            engine.dispose()


# --- opening the two databases -------------------------------------------------


def _url(value: str | Engine) -> str:
    if isinstance(value, str):
        if not value.strip():
            raise LaomoError("数据库路径或地址不能为空")
        return resolve_url(value)
    return _full_url(value)


def _full_url(engine: Engine) -> str:
    """The engine's URL with its password: what :func:`redact` needs to find the password in a text."""
    return engine.url.render_as_string(hide_password=False)


def _server_key(url: str) -> tuple[Any, ...] | None:
    from sqlalchemy.engine import make_url

    try:
        u = make_url(url)
    except Exception:
        return None
    host = (u.host or "localhost").lower()
    if host in ("127.0.0.1", "::1"):
        host = "localhost"
    return (u.get_backend_name(), host, u.port, u.database)


def _refuse_same(src_url: str, dst_url: str, name: str) -> None:
    src_path, dst_path = sqlite_path(src_url), sqlite_path(dst_url)
    same = False
    if src_path is not None and dst_path is not None:
        same = src_path.resolve() == dst_path.resolve()
        if not same and src_path.exists() and dst_path.exists():
            same = os.path.samefile(src_path, dst_path)
    elif src_path is None and dst_path is None:
        key = _server_key(src_url)
        same = key is not None and key == _server_key(dst_url)
    if same:
        raise LaomoError(f"源数据库与目标数据库是同一个（{name}），拒绝复制到自身")


def _engine(value: str | Engine, url: str, role: str, owned: list[Engine]) -> Engine:
    if not isinstance(value, str):
        return value
    try:
        engine = make_engine(url)
    except LaomoError as exc:
        cause = exc.__context__ or exc
        hint = "（需要先安装驱动：pip install 'psycopg[binary]'）" if "psycopg" in str(cause) else ""
        raise LaomoError(f"无法使用{role}数据库地址 {describe(url)}：{redact(first_line(cause), url)}{hint}") from None
    owned.append(engine)
    return engine


@contextmanager
def _connect(engine: Engine, role: str, name: str) -> Iterator[Connection]:
    from sqlalchemy.exc import DBAPIError

    try:
        conn = engine.connect()
    except DBAPIError as exc:
        raise LaomoError(f"无法连接{role}数据库 {name}：{redact(first_line(exc), _full_url(engine))}") from None
    try:
        yield conn
    finally:
        conn.close()


def _revision(conn: Connection, role: str, name: str) -> str | None:
    """The schema revision, None for a database without tables; refuses a foreign one."""
    try:
        return schema.stored_revision(conn)
    except schema.ForeignDatabase:
        raise LaomoError(f"{role}数据库 {name} 已有其他表、不是 laomo 数据库（缺少结构版本表），拒绝使用") from None


def _check_source(conn: Connection, name: str) -> str:
    rev = _revision(conn, "源", name)
    if rev is None:
        raise LaomoError(f"源数据库 {name} 还没有 laomo 数据（未建立结构），没有可复制的内容")
    if rev == schema.HEAD:
        return rev
    if rev in schema.REVISIONS:
        raise LaomoError(f"源数据库 {name} 的结构版本 {rev} 低于本程序要求的 {schema.HEAD}，"
                         f"请先对它运行 `laomo --db {name} init` 升级（数据会保留），再复制")
    raise LaomoError(f"源数据库 {name}：{schema.newer_error(rev)}")


def _prepare_target(conn: Connection, name: str, tables: Sequence[Table]) -> str | None:
    """Migrate the target to the head inside the caller's :func:`schema.schema_transaction`
    (as ``laomo init`` does); refuse one holding data."""
    from sqlalchemy import func, select

    before = _revision(conn, "目标", name)
    if before is not None and before not in schema.REVISIONS:
        raise LaomoError(f"目标数据库 {name}：{schema.newer_error(before)}")
    if before != schema.HEAD:
        schema.upgrade(conn)
    if conn.dialect.name == "postgresql":  # laomo's writers' lock: none can write while we check and copy
        conn.exec_driver_sql("LOCK TABLE audit IN EXCLUSIVE MODE")
    if before is not None:
        filled = []
        for table in tables:
            if conn.execute(select(1).select_from(table).limit(1)).first() is not None:
                count = conn.execute(select(func.count()).select_from(table)).scalar_one()
                filled.append(f"{table.name} {count} 行")
        if filled:
            raise LaomoError(
                f"目标数据库 {name} 已有 laomo 数据（{'、'.join(filled)}），拒绝复制：db copy 不合并数据。"
                "请使用一个新建的空数据库（不必先运行 laomo init，db copy 会自己建立结构）")
    return before


# --- canonical rows ---------------------------------------------------------------


def _canon_json(value: Any) -> Any:
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def _canon_datetime(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.isoformat()


def _canon_date(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _canon_decimal(value: Any) -> Any:
    if value is None:
        return None
    d = Decimal(str(value)).normalize()
    return "0" if d == 0 else format(d, "f")


def _canon_float(value: Any) -> Any:
    return None if value is None else repr(float(value))


def _canon_int(value: Any) -> Any:
    return None if value is None else int(value)


def _canon_bool(value: Any) -> Any:
    return None if value is None else bool(value)


def _canon_bytes(value: Any) -> Any:
    return None if value is None else bytes(value).hex()


def _canon_text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def _base_type(column: Any) -> Any:
    """The column's type, unwrapped from TypeDecorators (sqlmodel's AutoString, UTCDateTime)."""
    from sqlalchemy.types import TypeDecorator

    ty = column.type
    while isinstance(ty, TypeDecorator):
        ty = ty.impl_instance
    return ty


def _is(column: Any, kind: str) -> bool:
    from sqlalchemy import types as T

    return isinstance(_base_type(column), getattr(T, kind))


def _json_positions(table: Table) -> list[int]:
    return [i for i, c in enumerate(table.columns) if _is(c, "JSON")]


def _canonicaliser(table: Table, raw: bool = False) -> Callable[[Sequence[Any]], bytes]:
    """A function turning one row of :func:`_ordered_select` into its canonical bytes.

    Text is taken as it is (both backends return ``str``); the other types
    are converted as described in the module
    docstring.  A JSON column's SQL NULL and a JSON ``null`` both read as None;
    the flag column the select adds per JSON column tells them apart, so the
    copy keeps (and the verification checks) which one it was.  ``raw`` rows
    (SQLite to SQLite) are the stored values themselves and compared as such.
    """
    from sqlalchemy import types as T

    width = len(table.columns)
    if raw:
        def canon_raw(row: Sequence[Any]) -> bytes:
            return (repr(tuple(row)) + "\n").encode("utf-8", "surrogatepass")

        return canon_raw
    convert: list[tuple[int, Callable[[Any], Any]]] = []
    for i, col in enumerate(table.columns):
        ty = _base_type(col)
        if isinstance(ty, T.Boolean):
            convert.append((i, _canon_bool))
        elif isinstance(ty, T.DateTime):
            convert.append((i, _canon_datetime))
        elif isinstance(ty, (T.Date, T.Time)):
            convert.append((i, _canon_date))
        elif isinstance(ty, T.JSON):
            convert.append((i, _canon_json))
        elif isinstance(ty, T.Float):
            convert.append((i, _canon_float))
        elif isinstance(ty, T.Numeric):
            convert.append((i, _canon_decimal))
        elif isinstance(ty, T.Integer):
            convert.append((i, _canon_int))
        elif isinstance(ty, T.LargeBinary):
            convert.append((i, _canon_bytes))
        elif not isinstance(ty, T.String):
            convert.append((i, _canon_text))
    json_flags = [(i, width + k) for k, i in enumerate(_json_positions(table))]

    def canon(row: Sequence[Any]) -> bytes:
        values = list(row[:width])
        for i, f in convert:
            values[i] = f(values[i])
        for i, flag in json_flags:
            if row[flag]:
                values[i] = None  # SQL NULL
            elif values[i] is None:
                values[i] = "null"  # a JSON null
        return (repr(values) + "\n").encode("utf-8", "surrogatepass")

    return canon


def _ordered_select(table: Table, dialect_name: str, raw: bool = False) -> Select[Any]:
    """All rows in primary-key order (text keys in byte order on every backend),
    plus one "is SQL NULL" flag per JSON column.

    ``raw`` (SQLite to SQLite) reads every value as stored, without type
    conversion, so the copy is exact to the byte (datetimes keep their stored
    text, ``…+00:00`` or not; JSON keeps SQL NULL vs ``null``) and fast.
    """
    from sqlalchemy import select, type_coerce
    from sqlalchemy.types import NullType

    cols: list[Any] = list(table.columns)
    if raw:
        flags: list[Any] = []
        cols = [type_coerce(c, NullType()).label(c.name) for c in cols]
    else:
        flags = [cols[i].is_(None).label(f"laomo_null_{k}") for k, i in enumerate(_json_positions(table))]
    order: list[Any] = []
    for col in table.primary_key.columns:
        if _is(col, "String") and dialect_name == "postgresql":
            order.append(col.collate("C"))
        else:
            order.append(col)
    return select(*cols, *flags).order_by(*order)


def _pk_of(table: Table, row: Sequence[Any]) -> str:
    parts = [f"{c.name}={row[i]!r}" for i, c in enumerate(table.columns) if c.primary_key]
    return ", ".join(parts)


def _stream(conn: Connection, table: Table, chunk: int, raw: bool = False) -> Iterator[Sequence[Any]]:
    result = conn.execute(_ordered_select(table, conn.dialect.name, raw).execution_options(yield_per=chunk))
    try:
        yield from result.partitions()
    finally:
        result.close()


# --- copy ----------------------------------------------------------------------


def _insert_statement(table: Table, raw: bool) -> Insert:
    from sqlalchemy import String, bindparam, insert

    stmt = insert(table)
    if raw:  # values exactly as read: String has no bind processor on SQLite (NullType would get the column's)
        stmt = stmt.values({c.key: bindparam(c.key, type_=String()) for c in table.columns})
    return stmt


def _insert_chunk(conn: Connection, stmt: Insert, table: Table, rows: list[dict[str, Any]]) -> None:
    """Write one chunk of rows (Core insert, executemany)."""
    conn.execute(stmt, rows)


def _copy_table(src: Connection, dst: Connection, table: Table, chunk: int, dst_name: str,
                step: Callable[[int], None], raw: bool = False) -> TableCopy:
    from sqlalchemy import null
    from sqlalchemy.exc import DBAPIError

    keys = [c.key for c in table.columns]
    width = len(keys)
    json_flags = [] if raw else [(keys[i], width + k) for k, i in enumerate(_json_positions(table))]
    canon = _canonicaliser(table, raw)
    digest = hashlib.sha256()
    out = TableCopy(table.name)
    stmt = _insert_statement(table, raw)
    for part in _stream(src, table, chunk, raw):
        rows = []
        for row in part:
            digest.update(canon(row))
            values = dict(zip(keys, row))  # zip stops at the columns; the flags follow them
            for key, flag in json_flags:
                if row[flag]:
                    values[key] = null()  # keep SQL NULL (None would be stored as JSON null)
            rows.append(values)
        try:
            _insert_chunk(dst, stmt, table, rows)
        except DBAPIError as exc:
            first = _pk_of(table, part[0])
            raise LaomoError(
                f"写入目标数据库 {dst_name} 的表 {table.name} 失败（从 {first} 起的 {len(rows)} 行）："
                f"{redact(first_line(exc), _full_url(dst.engine))}；复制已取消，目标数据库未改动") from None
        out.rows += len(rows)
        step(len(rows))
    out.sha256 = digest.hexdigest()
    return out


def _reset_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """Move every PostgreSQL serial sequence past the largest copied id."""
    from sqlalchemy import text

    if conn.dialect.name != "postgresql":
        return  # SQLite's INTEGER PRIMARY KEY continues from max(rowid) by itself
    prep = conn.dialect.identifier_preparer
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not _is(pk[0], "Integer"):
            continue
        qt, qc = prep.format_table(table), prep.quote(pk[0].name)
        conn.execute(
            text(f"SELECT setval(pg_get_serial_sequence(:t, :c), COALESCE(MAX({qc}), 0) + 1, false) FROM {qt}"),
            {"t": qt, "c": pk[0].name},
        )


def _verify_table(dst: Connection, table: Table, result: TableCopy, chunk: int,
                  step: Callable[[int], None], raw: bool = False) -> None:
    canon = _canonicaliser(table, raw)
    digest = hashlib.sha256()
    count = 0
    for part in _stream(dst, table, chunk, raw):
        for row in part:
            digest.update(canon(row))
        count += len(part)
        step(len(part))
    result.target_rows = count
    result.target_sha256 = digest.hexdigest()


def _first_difference(src: Connection, dst: Connection, table: Table, chunk: int,
                      raw: bool = False) -> str:
    """The primary key of the first row that differs between source and target."""
    canon = _canonicaliser(table, raw)

    def rows(conn: Connection) -> Iterator[Any]:
        for part in _stream(conn, table, chunk, raw):
            yield from part

    a_rows, b_rows = rows(src), rows(dst)
    while True:
        a, b = next(a_rows, None), next(b_rows, None)
        if a is None:
            return "（未定位到具体行）" if b is None else f"{_pk_of(table, b)}（目标多出此行）"
        if b is None:
            return f"{_pk_of(table, a)}（目标缺少此行）"
        if canon(a) != canon(b):
            return _pk_of(table, a)


def _copy(src_engine: Engine, dst_engine: Engine, src_name: str, dst_name: str, chunk: int,
          progress: Progress | None) -> CopyResult:
    """:func:`_copy_unexplained`, with a SQLite file's failure (locked, read-only, full, damaged…)
    said in Chinese about the right file: the source for its reads, the target for the rest."""
    from sqlalchemy.exc import OperationalError

    try:
        return _copy_unexplained(src_engine, dst_engine, src_name, dst_name, chunk, progress)
    except OperationalError as exc:
        statement = (exc.statement or "").lstrip().upper()
        engine = src_engine if statement.startswith(("SELECT", "PRAGMA")) else dst_engine
        said = explain_failure(exc, _full_url(engine))
        if said is None:
            raise
        raise LaomoError(said) from None


def _copy_unexplained(src_engine: Engine, dst_engine: Engine, src_name: str, dst_name: str, chunk: int,
                      progress: Progress | None) -> CopyResult:
    from sqlalchemy import func, inspect, select

    from laomo.models import SQLModel

    started = time.perf_counter()
    tables = list(SQLModel.metadata.sorted_tables)
    known = {t.name for t in tables} | {schema.VERSION_TABLE}
    warnings: list[str] = []
    with _connect(src_engine, "源", src_name) as src:
        rev = _check_source(src, src_name)
        extra = sorted(set(inspect(src).get_table_names()) - known)
        if extra:
            warnings.append(f"源数据库中的表 {'、'.join(extra)} 不属于 laomo，未复制")
        if src.in_transaction():
            src.commit()
        if src.dialect.name != "sqlite":
            src = src.execution_options(isolation_level="REPEATABLE READ")
        with src.begin():  # one snapshot for counting, copying and the verification walk
            counts = {t.name: src.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}
            total = max(1, 2 * sum(counts.values()))
            done = 0

            def step(n: int) -> None:
                nonlocal done
                done += n
                if progress is not None:
                    progress(min(1.0, done / total))

            with _connect(dst_engine, "目标", dst_name) as dst:
                filled = _fill_target(src, dst, tables, src_name, dst_name, chunk, step)
    if progress is not None:
        progress(1.0)
    finished = time.perf_counter()
    for r in filled.tables:
        if r.rows != counts[r.table]:  # the snapshot guarantees this; say so if it ever fails
            warnings.append(f"表 {r.table}：计数 {counts[r.table]} 行，实际复制 {r.rows} 行")
    return CopyResult(
        source=src_name, target=dst_name, schema_version=rev, target_schema_before=filled.before,
        tables=filled.tables, audit=filled.audit, seconds=finished - started,
        copy_seconds=filled.copied - started, verify_seconds=filled.verified - filled.copied, warnings=warnings,
    )


@dataclass
class _Filled:
    """What :func:`_fill_target` did: the target's revision before, each table's copy, the audit
    chain as verified on the target, and when copying and verifying ended (``perf_counter``)."""

    before: str | None
    tables: list[TableCopy]
    audit: dict[str, Any]
    copied: float
    verified: float


def _fill_target(src: Connection, dst: Connection, tables: Sequence[Table], src_name: str, dst_name: str,
                 chunk: int, step: Callable[[int], None]) -> _Filled:
    """Build the target's schema, copy every table and verify it, in one transaction on the target:
    :func:`schema.schema_transaction`, the one ``laomo init`` migrates in (SQLite: foreign keys off
    for a table rebuild and every reference checked before the commit)."""
    from laomo.store import audit

    raw = src.dialect.name == dst.dialect.name == "sqlite"
    with schema.schema_transaction(dst, failed=f"源数据库 {src_name} 中有引用不完整的数据",
                                   unchanged="复制已取消，目标数据库未改动。请先用 laomo db check 检查源数据库") as dst:
        before = _prepare_target(dst, dst_name, tables)
        results = [_copy_table(src, dst, t, chunk, dst_name, step, raw) for t in tables]
        _reset_sequences(dst, tables)
        copied = time.perf_counter()
        for table, result in zip(tables, results):
            _verify_table(dst, table, result, chunk, step, raw)
        bad = [(t, r) for t, r in zip(tables, results) if not r.verified]
        for table, result in bad:
            result.first_difference = _first_difference(src, dst, table, chunk, raw)
        if bad:
            raise LaomoError(
                "核对失败：目标数据库与源数据库不一致，复制已取消，目标数据库未改动",
                lines=[f"表 {r.table}：源 {r.rows} 行、目标 {r.target_rows} 行，"
                       f"第一处不同的主键 {r.first_difference}" for _, r in bad])
        chain = audit.verify_chain(dst)
        if not chain["ok"]:
            src_chain = audit.verify_chain(src)
            if not src_chain["ok"]:
                raise LaomoError(
                    f"源数据库 {src_name} 的操作日志哈希链已损坏：{src_chain['problem']}；"
                    "复制已取消，目标数据库未改动。请先用 laomo db check 查明原因")
            raise LaomoError(f"目标数据库上的操作日志哈希链校验失败：{chain['problem']}；"
                             "复制已取消，目标数据库未改动")
        verified = time.perf_counter()
    return _Filled(before, results, chain, copied, verified)
