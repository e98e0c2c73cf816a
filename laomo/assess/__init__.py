"""达标检查与年度考核（核心逻辑，不依赖 Typer/Rich）。

Functions take a SQLModel session whose transaction the caller owns
(``laomo.store.db.write_session`` for :func:`run_assessment` and
:func:`use_profile`, ``read_session`` for the rest) and return plain dicts
shaped like the JSON of cli.md, so the CLI only renders them.

Which profile is used: the ``profile`` argument (a :class:`~laomo.rules.Profile`
or a bundled name or file path, i.e. ``--rules``), else the database setting
``rules_profile`` (``assess rules use``), else ``henan-2015``.

Decisions where the spec is silent
----------------------------------
* ``assess check`` without codes checks every studio, whatever its status;
  the as-of date defaults to today.
* Re-running a year deletes that year's rows written by earlier runs, and the
  imported rows of that year for the studios assessed now (the unique key
  (studio, year) leaves no choice); imported rows of that year for studios not
  assessed now (revoked since) are kept as history, as are all other years.
* The rectify deadline (30 June of Y+1 in henan-2015) is returned with each
  result and stored in the ``standards`` JSON of the row (key ``deadline``),
  because the Assessment table has no column for it.
* ``explain`` shows the stored result of that year when there is one (what
  the studio actually got, cap included) and recomputes the items from the
  facts to explain them, flagging an item whose recomputed points differ from
  the stored ones (data or profile changed since the run).  Without a stored
  result it computes one; its grade is then before the 优秀 cap, which needs
  every studio.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable
from typing import Any

from laomo.errors import LaomoError, NotFound
from laomo.rules.engine import engine_for

SETTING_KEY = "rules_profile"


# --------------------------------------------------------------------------- profile choice


def _conn(session):  # type: ignore[no-untyped-def]
    return session.connection()


def configured_profile(session) -> str | None:  # type: ignore[no-untyped-def]
    """The profile stored with ``assess rules use`` (a bundled name or a file path), if any."""
    from sqlalchemy import select

    from laomo.models import Setting

    t = Setting.__table__
    value = _conn(session).execute(select(t.c.value).where(t.c.key == SETTING_KEY)).scalar()
    return value or None


def resolve_profile(session, profile: Any = None):  # type: ignore[no-untyped-def]
    """The profile to use: the argument, else the database setting, else henan-2015."""
    from laomo.rules import DEFAULT_PROFILE, Profile, ProfileError, load_profile

    if isinstance(profile, Profile):
        return profile
    if profile:
        return load_profile(str(profile))
    ref = configured_profile(session)
    if ref is None:
        return load_profile(DEFAULT_PROFILE)
    try:
        return load_profile(ref)
    except ProfileError as exc:
        raise ProfileError(
            f"数据库设置使用的规则「{ref}」无法加载：{exc}；请用 `laomo assess rules use NAME` 重新设置，"
            "或用 --rules 指定", lines=exc.lines) from None


def use_profile(session, name_or_file: str) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Validate a profile and make it this database's default (audited)."""
    from sqlalchemy import delete, insert

    from laomo.models import Setting
    from laomo.rules import load_profile
    from laomo.store import audit

    profile = load_profile(name_or_file)
    old = configured_profile(session)
    conn = _conn(session)
    t = Setting.__table__
    conn.execute(delete(t).where(t.c.key == SETTING_KEY))
    conn.execute(insert(t).values(key=SETTING_KEY, value=profile.source))
    audit.record_many(conn, [("setting", SETTING_KEY, {"value": old},
                              {"value": profile.source, "profile": profile.name, "hash": profile.hash})])
    return {"profile": profile.name, "source": profile.source, "profile_hash": profile.hash, "previous": old}


def list_profiles(session=None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """The bundled profiles (name, title, hash) and the one in use for this database."""
    from laomo.rules import DEFAULT_PROFILE, bundled_names, load_profile

    current = configured_profile(session) if session is not None else None
    out = []
    for name in bundled_names():
        p = load_profile(name)
        out.append({"name": p.name, "title": p.title, "profile_hash": p.hash,
                    "standards": [s.id for s in p.standards], "default": name == DEFAULT_PROFILE})
    return {"current": current or DEFAULT_PROFILE, "configured": current is not None, "profiles": out}


def show_profile(name_or_file: str) -> dict[str, Any]:
    """A profile in words: checks, ladder, items, grades, cap, recommendations, and the facts it uses."""
    from laomo.rules import load_profile, vocab
    from laomo.rules.expr import fact_names, label_of

    p = load_profile(name_or_file)
    data = {"profile": p.name, "title": p.title, "description": p.description, "source": p.source,
            "profile_hash": p.hash, **engine_for(p).rules_text()}
    used: list[str] = []
    for s in p.all_checks:
        used += fact_names(s.check)
    data["facts_used"] = {n: label_of(n, p.labels) for n in dict.fromkeys(used)}
    data["facts"] = [{"fact": d.name, "label": label_of(d.name, p.labels), "type": d.type, "phase": d.phase}
                     for d in vocab.FACTS.values()]
    data["facts"].append({"fact": "inspection_<项目>", "label": "现场检查评分（如 inspection_D2）",
                          "type": "number", "phase": "base"})
    return data


# --------------------------------------------------------------------------- studios


def _studio_ids(session, codes: Iterable[str]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from laomo.models import Studio

    wanted = [c.strip() for c in codes if c and c.strip()]
    t = Studio.__table__
    found: dict[str, int] = {}
    for i in range(0, len(wanted), 500):
        rows = _conn(session).execute(select(t.c.code, t.c.id).where(t.c.code.in_(wanted[i:i + 500])))
        found.update({r.code: r.id for r in rows})
    missing = [c for c in wanted if c not in found]
    if missing:
        raise NotFound(f"没有编号为 {'、'.join(missing)} 的工作室")
    return {c: found[c] for c in wanted}


# --------------------------------------------------------------------------- creation standards


def check_standards(session, codes: Iterable[str] | None = None, profile: Any = None,  # type: ignore[no-untyped-def]
                    as_of: dt.date | None = None) -> dict[str, Any]:
    """The creation-standards check (达标检查) of some or all studios as of a date (default today)."""
    from laomo.domain.status import State
    from laomo.facts import iter_facts

    prof = resolve_profile(session, profile)
    engine = engine_for(prof)
    as_of = as_of or dt.date.today()
    ids = None
    if codes:
        ids = list(dict.fromkeys(_studio_ids(session, codes).values()))
    results = []
    for _, f, state in iter_facts(_conn(session), as_of=as_of, studio_ids=ids, state_now=True):
        engine.derive(f)
        checks = engine.check(f)
        passed = all(checks.values())
        state = state or State()
        results.append({
            "studio": f["code"], "name": f["name"], "passed": passed, "checks": checks,
            "failures": [] if passed else engine.failure_texts(f, checks),
            "status": state.status, "level": state.level,
        })
    results.sort(key=lambda r: r["studio"])
    return {"profile": prof.name, "profile_hash": prof.hash, "as_of": as_of.isoformat(), "results": results}


# --------------------------------------------------------------------------- the yearly assessment
#
# How a run scales (issue 3, "Performance"): the facts stream in studio order
# (laomo.facts.iter_facts, a fixed number of queries) and each studio is
# scored as it comes and then forgotten.  What is kept across studios: the
# counts of the summary; for the 优秀 cap, the few numbers it sorts on for
# each studio above the cap's line (and that studio's result, written once the
# cap is known); the results handed back (``results=True``, the default, as
# the CLI prints them: plain dicts whose ``items``/``reasons`` objects are
# shared between studios with equal values — read them, do not mutate them).
# A stored run writes each chunk of rows with one executemany into a
# temporary table, and at the end replaces the year's rows with one
# DELETE and one INSERT … SELECT, so the facts queries never read a table
# the run is writing.

#: Rows per executemany when a run stores its results.
STORE_CHUNK = 2000


def _due(conn, year: int, studio_ids: Iterable[int] | None = None) -> set[int]:  # type: ignore[no-untyped-def]
    """Studios assessed for Y: holding now a naming dated on or before 31 Dec Y, not revoked/closed."""
    from laomo.domain.status import studio_states

    day = dt.date(year, 12, 31)
    return {sid for sid, st in studio_states(conn, studio_ids=studio_ids).items() if st.held_on(day)}


def needed_facts(prof) -> set[str] | None:  # type: ignore[no-untyped-def]
    """Every fact an assessment with ``prof`` reads: its checks, ladder, items, recommendations and
    the facts named in their reason texts; None when the profile has a part this function does not
    know (then every fact is computed)."""
    import re

    from laomo.enums import LEVEL
    from laomo.rules.expr import fact_names
    from laomo.rules.profile import (
        CheckShareItem,
        ConditionsItem,
        FactItem,
        PerCheckItem,
        PerUnitItem,
        TiersItem,
    )

    names: set[str] = {"named_level", "grade", "total"}
    for s in prof.all_checks:
        names.update(fact_names(s.check))
    for level, _ in LEVEL.items:
        names.update(fact_names(getattr(prof.ladder, level)))
    for item in prof.scorecard.items.values():
        if isinstance(item, (CheckShareItem, PerCheckItem)):
            continue
        if isinstance(item, ConditionsItem):
            names.update(n for part in item.parts for n in fact_names(part.when))
        elif isinstance(item, TiersItem):
            names.update(n for tier in item.tiers for n in fact_names(tier.when))
        elif isinstance(item, PerUnitItem):
            names.update(u.fact for u in item.units)
        elif isinstance(item, FactItem):
            names.add(item.fact)
        else:  # pragma: no cover - a new kind of item: compute everything
            return None
    for rec in prof.recommendations:
        for cond in rec.when:
            names.update(fact_names(cond.check))
            names.update(re.findall(r"\{([a-zA-Z0-9_]+)\}", cond.reason or ""))
    return names


class _Shared:
    """Equal values seen once: ``[value, its JSON text or None]`` per distinct value.

    Items, checks, reasons and failure texts repeat a lot across studios: the
    results handed back share one object per distinct value, and a stored run
    serialises each distinct value once.  Bounded: past ``limit`` entries it
    forgets and starts again (entries already handed out stay valid).
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.seen: dict[Any, list[Any]] = {}
        self.limit = limit  # 0: share nothing (nothing is kept nor serialised)

    def dict(self, kind: str, d: dict[str, Any]) -> list[Any]:
        """For dicts whose keys are the same, in the same order, for every studio of a run."""
        return self._entry((kind, *d.values()), d) if self.limit else [d, None]

    def list(self, kind: str, values: list[Any]) -> list[Any]:
        return self._entry((kind, *values), values) if self.limit else [values, None]

    def _entry(self, key: Any, value: Any) -> list[Any]:
        found = self.seen.get(key)
        if found is None:
            if len(self.seen) >= self.limit:
                self.seen.clear()
            found = self.seen[key] = [value, None]
        return found


def _json(entry: list[Any]) -> str:
    """The JSON text of a :class:`_Shared` entry, as SQLAlchemy's JSON type would write it."""
    if entry[1] is None:
        entry[1] = json.dumps(entry[0])
    return entry[1]


class _Stage:
    """A stored run's rows, gathered in a temporary table and moved into ``assessment`` at the end.

    The JSON columns are staged as text serialised here (once per distinct
    value, see :class:`_Shared`) and cast to JSON by the final INSERT … SELECT
    (SQLite keeps JSON as that text, so it is copied as it is).
    """

    COLUMNS = ("studio_id", "total", "grade", "items", "standards", "recommendation", "reasons")
    JSON_COLUMNS = ("items", "standards", "reasons")

    def __init__(self, conn) -> None:  # type: ignore[no-untyped-def]
        from sqlalchemy import Column, MetaData, Table, Text, insert

        from laomo.models import Assessment
        from laomo.store.bulk import BulkStatement

        self.conn = conn
        t = Assessment.__table__
        self.table = Table(
            f"laomo_run_{uuid.uuid4().hex[:12]}", MetaData(),
            *(Column(c, Text() if c in self.JSON_COLUMNS else t.c[c].type) for c in self.COLUMNS),
            prefixes=["TEMPORARY"])
        self.table.create(conn)
        # compiled once; rows go to the driver's executemany as tuples in COLUMNS order (their
        # values are already in the driver's form: ints, floats, str) — no per-row processing
        self.insert = BulkStatement(conn, insert(self.table), list(self.COLUMNS))
        self.rows: list[tuple[Any, ...]] = []

    def add(self, row: tuple[Any, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) >= STORE_CHUNK:
            self.flush()

    def flush(self) -> None:
        self.insert.run(self.rows)
        self.rows = []

    def replace_year(self, year: int, prof, run_id: str, now: dt.datetime) -> tuple[int, dict[str, int]]:  # type: ignore[no-untyped-def]
        """Delete the rows this run replaces, insert the staged ones; (rows replaced, grades before)."""
        from sqlalchemy import JSON, and_, cast, delete, func, insert, literal, select

        from laomo.models import Assessment

        self.flush()
        conn, t, st = self.conn, Assessment.__table__, self.table
        before = {r.grade: r.n for r in conn.execute(
            select(t.c.grade, func.count().label("n")).where(t.c.year == year).group_by(t.c.grade))}
        replaced = conn.execute(delete(t).where(and_(t.c.year == year, t.c.imported == False))).rowcount or 0  # noqa: E712
        replaced += conn.execute(delete(t).where(and_(
            t.c.year == year, t.c.studio_id.in_(select(st.c.studio_id))))).rowcount or 0
        sqlite = conn.dialect.name == "sqlite"
        staged = [st.c[c] if c not in self.JSON_COLUMNS or sqlite else cast(st.c[c], JSON).label(c)
                  for c in self.COLUMNS]
        constant = {"year": year, "profile": prof.name[:100], "profile_hash": prof.hash, "imported": False,
                    "run_id": run_id, "created_at": now}
        conn.execute(insert(t).from_select(
            list(self.COLUMNS) + list(constant),
            select(*staged, *(literal(v, t.c[k].type).label(k) for k, v in constant.items()))))
        st.drop(conn)
        return replaced, before


def run_assessment(session, year: int, profile: Any = None, dry_run: bool = False,  # type: ignore[no-untyped-def]
                   now: dt.datetime | None = None, *, results: bool = True, parallel: bool = False) -> dict[str, Any]:
    """Assess every studio due for ``year``; store the results (replacing that year's) unless ``dry_run``.

    Runs inside the caller's transaction: one transaction for the delete, the
    inserts and the audit entry.  Returns the summary and, with ``results``
    (the default), every studio's result sorted by code; ``results=False``
    leaves them out (a stored run's results can be read back with
    :func:`stored_results`), and the memory then stays flat whatever the
    number of studios.

    ``parallel`` (only :func:`store_assessment` passes it): a large stored run
    on SQLite computes part of the studios in a child process (see
    :class:`_Child`); the caller's transaction must then be one that has
    written nothing yet, as the child reads on a connection of its own.
    """
    import gc

    # The run allocates hundreds of thousands of short-lived dicts and tuples and makes no
    # reference cycles: the cyclic collector would only rescan them (about 3% of the run).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _run_assessment(session, year, profile, dry_run, now, results, parallel)
    finally:
        if enabled:
            gc.enable()


#: A stored run on SQLite with at least this many studios computes the upper 45 % of the
#: studio ids in a child process (two cores); ``LAOMO_ASSESS_WORKER=0`` turns it off.
PARALLEL_MIN_STUDIOS = 20_000


def _run_assessment(session, year: int, profile: Any, dry_run: bool,  # type: ignore[no-untyped-def]
                    now: dt.datetime | None, results: bool, parallel: bool = False) -> dict[str, Any]:
    if not 1900 <= int(year) <= 2200:
        raise LaomoError(f"年度 {year} 超出范围 1900–2200", exit_code=2)
    prof = resolve_profile(session, profile)
    engine = engine_for(prof)
    now = now or dt.datetime.now(dt.UTC)
    run_id = f"{year}-{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    conn = _conn(session)
    stage = None if dry_run else _Stage(conn)
    out_results: list[dict[str, Any]] | None = [] if results else None
    part = _Part(prof, year, results, stage is not None)
    add_result = out_results.append if out_results is not None else None
    add_row = stage.add if stage is not None else None
    emit = part.emitter(add_result, add_row)

    split = _split_point(conn, prof) if parallel and stage is not None else None
    child = _Child(conn, part, split) if split is not None else None
    try:
        held = part.run(conn, emit, (None, split))
        if child is not None:
            held += child.merge(part, add_result, add_row)
    finally:
        if child is not None:
            child.stop()

    if held:
        engine.apply_cap([s for s, _, _ in held], part.assessed)
        for s, args, (demoted, alt_action, alt_reasons, alt_deadline) in held:
            if s.capped:
                args[4], args[9], args[10], args[11], args[12] = demoted, alt_action, alt_reasons, alt_deadline, True
            emit(*args)
        held.clear()

    summary = {"assessed": part.assessed, "by_grade": part.by_grade, "by_recommendation": part.by_rec}
    out: dict[str, Any] = {
        "year": year, "profile": prof.name, "profile_hash": prof.hash,
        "run_id": None if dry_run else run_id, "dry_run": dry_run, **summary,
    }
    if out_results is not None:
        out_results.sort(key=lambda r: r["studio"])
        out["results"] = out_results
    if stage is not None:
        from laomo.store import audit
        replaced, before = stage.replace_year(year, prof, run_id, now)
        audit.record_many(conn, [("assessment", str(year),
                                  {"rows": sum(before.values()), "by_grade": before} if before else None,
                                  {"profile": prof.name, "profile_hash": prof.hash, "run_id": run_id,
                                   "replaced": replaced, **summary})])
        out["replaced"] = replaced
    return out


class _Part:
    """The studio loop of a run, over a range of studio ids: scores, grades, recommends.

    Emits each studio's outcome through ``emit`` (see :meth:`emitter`) except
    those at the capped grade, which it returns as *held* until the cap over
    all studios is known; counts what it emits and how many it assessed.
    """

    NO_FAILURES = [[], "[]"]

    def __init__(self, prof, year: int, results: bool, store: bool) -> None:  # type: ignore[no-untyped-def]
        self.prof, self.year, self.results, self.store = prof, year, results, store
        self.shared = _Shared() if results or store else _Shared(limit=0)
        self.by_grade: dict[str, int] = {}
        self.by_rec: dict[str, int] = {}
        self.assessed = 0

    def emitter(self, add_result, add_row):  # type: ignore[no-untyped-def]
        """``emit(*args)``: count, then hand the result dict to ``add_result`` and the staged row
        (see :class:`_Stage`) to ``add_row`` (either None: not wanted)."""
        by_grade, by_rec = self.by_grade, self.by_rec

        def emit(sid: int, code: str, name: str, total: Any, grade: str, items: list[Any], checks: list[Any],
                 passed: bool, failures: list[Any], action: str, reasons: list[Any], deadline: Any,
                 capped: bool) -> None:
            by_grade[grade] = by_grade.get(grade, 0) + 1
            by_rec[action] = by_rec.get(action, 0) + 1
            when = deadline.isoformat() if deadline else None
            if add_result is not None:
                r = {"studio": code, "name": name, "total": total, "grade": grade, "items": items[0],
                     "recommendation": action, "reasons": reasons[0], "deadline": when}
                if capped:
                    r["capped"] = True
                add_result(r)
            if add_row is not None:
                # json.dumps of {"passed", "checks", "failures"[, "deadline"][, "capped"]}, from the parts
                standards = "".join((
                    '{"passed": ', "true" if passed else "false", ', "checks": ', _json(checks),
                    ', "failures": ', _json(failures),
                    "" if when is None else f', "deadline": "{when}"', ', "capped": true' if capped else "", "}"))
                add_row((sid, total, grade, _json(items), standards, action, _json(reasons)))
        return emit

    def run(self, conn, emit, id_range: tuple[int | None, int | None]) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
        from laomo.facts import iter_facts
        from laomo.rules.engine import Scored

        prof, year, shared, store = self.prof, self.year, self.shared, self.store
        engine, cap = engine_for(prof), prof.cap
        cap_items = sorted({i for key in cap.order if isinstance(key.by, list) for i in key.by}) if cap else []
        held: list[tuple[Any, ...]] = []  # studios the cap may demote, until the cap is known
        day = dt.date(year, 12, 31)
        no_failures = self.NO_FAILURES
        assessed = 0
        for sid, f, state in iter_facts(conn, year, state_now=True, with_state_only=True,
                                        needed=needed_facts(prof), id_range=id_range):
            if state is None or not state.held_on(day):
                continue
            assessed += 1
            engine.derive(f)
            checks = engine.check(f)
            items, total = engine.score(f, checks)
            grade = engine.grade(total)
            f["grade"], f["total"] = grade, total
            action, reasons, deadline = engine.recommend(f, year)
            passed = all(checks.values())
            failures = no_failures
            if store and not passed:
                failures = shared.list("failures", engine.failure_texts(f, checks))
            args = [sid, f["code"], f["name"], total, grade, shared.dict("items", items),
                    shared.dict("checks", checks), passed, failures, action, shared.list("reasons", reasons),
                    deadline, False]
            if cap is not None and grade == cap.grade:
                f["grade"] = cap.demote_to  # what the recommendations say if the cap demotes it
                alt_action, alt_reasons, alt_deadline = engine.recommend(f, year)
                held.append((Scored(sid, f["code"], f["name"], {i: items.get(i, 0) for i in cap_items}, total,
                                    grade),
                             args, (cap.demote_to, alt_action, shared.list("reasons", alt_reasons), alt_deadline)))
                continue
            emit(*args)
        self.assessed += assessed
        return held


def _split_point(conn, prof) -> int | None:  # type: ignore[no-untyped-def]
    """The studio id that splits the studios, when a child process should take the upper part.

    Only on SQLite, for a profile loaded from a name or file (the child loads it again),
    and for at least ``PARALLEL_MIN_STUDIOS`` studios.  The
    child reads the database on a connection of its own, so this must run inside the
    write transaction of :func:`store_assessment` (see there why the two then see one state).
    """
    import os

    if conn.dialect.name != "sqlite":
        return None
    if os.environ.get("LAOMO_ASSESS_WORKER", "1") == "0" or not prof.source:
        return None
    from sqlalchemy import func, select

    from laomo.models import Studio

    s = Studio.__table__
    n = conn.execute(select(func.count()).select_from(s)).scalar_one()
    if n < max(2, PARALLEL_MIN_STUDIOS):
        return None
    # the child starts about half a second later (a new interpreter loading the profile): it takes
    # a little less than half
    return conn.execute(select(s.c.id).order_by(s.c.id).limit(1).offset(n * 11 // 20)).scalar_one()


class _Child:
    """The upper part of a stored run's studios, computed by a child process on the other core.

    The child is a fresh interpreter (not a fork: SQLite state must never be
    inherited across ``fork``), started after this transaction's first read.
    It loads the same profile (checked by its content hash), opens its own
    connection to the same SQLite file, runs :meth:`_Part.run` for the studios
    from ``split`` on, and spools what it emits (result dicts and staged rows,
    built by the same emitter), what it holds for the cap and its counts,
    pickled, into an unlinked temporary file it inherits; the parent reads
    that back after its own part and passes it on to its stage.  The child
    writes nothing to the database; it stops on its own if the parent is gone.
    """

    CHUNK = 2000

    def __init__(self, conn, part: _Part, split: int) -> None:  # type: ignore[no-untyped-def]
        import json
        import os
        import subprocess
        import sys
        import tempfile

        self.proc: Any = None
        self.spool = tempfile.TemporaryFile(prefix="laomo-assess-")
        self.errors = tempfile.TemporaryFile(prefix="laomo-assess-err-")
        spec = {"url": conn.engine.url.render_as_string(hide_password=False), "profile": part.prof.source,
                "hash": part.prof.hash, "year": part.year, "results": part.results, "store": part.store,
                "split": split, "parent": os.getpid(), "fd": self.spool.fileno()}
        # this very laomo, whether installed or run from a checkout (appended: never ahead of the stdlib)
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        code = (f"import sys\nif {here!r} not in sys.path: sys.path.append({here!r})\n"
                "from laomo.assess import _child_main\n_child_main()")
        try:
            self.proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=self.errors,
                                         pass_fds=(self.spool.fileno(),))
            try:
                self.proc.stdin.write(json.dumps(spec).encode("utf-8"))
                self.proc.stdin.close()
            except BrokenPipeError:  # it died at once: merge() says so, with its stderr
                pass
        except BaseException:
            self.stop()
            raise

    def merge(self, part: _Part, add_result, add_row) -> list[tuple[Any, ...]]:  # type: ignore[no-untyped-def]
        """Wait for the child and pass on what it emitted; add its counts to ``part``; return its
        held studios."""
        import pickle

        status = self.proc.wait()
        self.spool.seek(0)
        while True:
            try:
                message = pickle.load(self.spool)
            except (EOFError, pickle.UnpicklingError):  # it died, or could not write its spool
                self.errors.seek(0)
                tail = self.errors.read()[-2000:].decode("utf-8", "replace").strip()
                raise LaomoError(f"计算考核的子进程意外退出（退出码 {status}），本次考核未保存；"
                                 "可设置环境变量 LAOMO_ASSESS_WORKER=0 在单个进程中重试",
                                 lines=[tail] if tail else None) from None
            tag = message[0]
            if tag == "emit":
                for r, row in message[1]:
                    if add_result is not None:
                        add_result(r)
                    if add_row is not None:
                        add_row(row)
            elif tag == "done":
                _, assessed, by_grade, by_rec, held = message
                part.assessed += assessed
                for mine, theirs in ((part.by_grade, by_grade), (part.by_rec, by_rec)):
                    for k, v in theirs.items():
                        mine[k] = mine.get(k, 0) + v
                return held
            elif tag == "error":  # a user-level problem, said in Chinese by the child
                raise LaomoError(message[1], exit_code=message[2])
            else:
                raise RuntimeError(f"考核子进程出错：\n{message[1]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.spool.close()
        self.errors.close()


def _child_main() -> None:
    """Entry point of :class:`_Child`'s process: its spec as JSON on standard input."""
    import gc
    import json
    import os
    import pickle
    import sys
    import traceback

    gc.disable()  # short-lived, acyclic data (see run_assessment)
    spec = json.loads(sys.stdin.read())
    out = os.fdopen(spec["fd"], "wb")
    parent = spec["parent"]
    code = 0
    try:
        from laomo.rules import load_profile
        from laomo.store.db import make_engine

        prof = load_profile(spec["profile"])
        if prof.hash != spec["hash"]:
            raise LaomoError(f"规则「{spec['profile']}」在考核期间被改动，请重新运行")
        part = _Part(prof, spec["year"], spec["results"], spec["store"])
        pending: list[tuple[Any, Any]] = []
        result: list[Any] = [None]
        row: list[Any] = [None]

        def flush() -> None:
            if os.getppid() != parent:  # the parent is gone: nobody will read this
                os._exit(1)
            pickle.dump(("emit", pending), out, pickle.HIGHEST_PROTOCOL)
            pending.clear()

        def add_result(r: Any) -> None:
            result[0] = r

        def add_row(t: Any) -> None:
            row[0] = t

        inner = part.emitter(add_result if part.results else None, add_row if part.store else None)

        def emit(*args: Any) -> None:
            inner(*args)
            pending.append((result[0], row[0]))
            if len(pending) >= _Child.CHUNK:
                flush()

        engine = make_engine(spec["url"])
        with engine.connect() as conn, conn.begin():
            held = part.run(conn, emit, (spec["split"], None))
        flush()
        pickle.dump(("done", part.assessed, part.by_grade, part.by_rec, held), out, pickle.HIGHEST_PROTOCOL)
    except BaseException as exc:
        code = 1
        message: tuple[Any, ...] = ("crash", traceback.format_exc())
        if isinstance(exc, LaomoError):
            message = ("error", str(exc), exc.exit_code)
        else:
            from laomo.store.db import explain_failure

            said = explain_failure(exc, spec["url"]) if isinstance(exc, Exception) else None
            if said:
                message = ("error", said, 1)
        try:
            pickle.dump(message, out)
        except Exception:
            pass
    finally:
        try:
            out.flush()
        except BaseException:
            code = 1  # a truncated spool: the parent says the child failed
        os._exit(code)


def store_assessment(engine, year: int, profile: Any = None, *, results: bool = True,  # type: ignore[no-untyped-def]
                     now: dt.datetime | None = None) -> dict[str, Any]:
    """``assess run --year Y``: compute and store a year in its own transaction, holding the
    write lock only while the results are written.

    The facts are read and the results staged in a SQLite transaction that
    has not taken the write lock (``write_session(deferred=True)``), so a
    clerk's import or naming is not kept waiting for the whole computation
    (seconds at national scale) — only for the final delete/insert/commit.
    If another writer holds the lock at that moment, or committed since the
    computation began (it then read a state that is no longer current),
    SQLite refuses the first write and nothing has been written: the run is
    done again, this time holding the lock from the start (waiting for it up
    to the busy timeout), so it always ends after at most two computations.
    On a server the write lock is taken up front (its readers never wait for
    it anyway).

    A large run computes part of the studios in a child process that reads on
    a connection of its own (:class:`_Child`).  Both see the same state: the
    child's first read comes after this transaction's, and before its first
    write; a commit by anyone in between would make that write fail (and the
    run be done again), and in the second attempt this transaction holds the
    lock, so nobody can commit.  Returns :func:`run_assessment`'s result with ``attempts``
    (1 or 2).
    """
    from laomo.store.db import lost_write_race, write_session

    try:
        with write_session(engine, deferred=True) as session:
            out = run_assessment(session, year, profile, results=results, now=now, parallel=True)
        out["attempts"] = 1
        return out
    except Exception as exc:
        if not lost_write_race(exc):
            raise
    with write_session(engine) as session:
        out = run_assessment(session, year, profile, results=results, now=now, parallel=True)
    out["attempts"] = 2
    return out


# --------------------------------------------------------------------------- what-if and explain


def stored_results(session, year: int) -> dict[str, dict[str, Any]]:  # type: ignore[no-untyped-def]
    """The stored assessment rows of a year, by studio code."""
    from sqlalchemy import select

    from laomo.models import Assessment, Studio

    t, s = Assessment.__table__, Studio.__table__
    q = select(s.c.code, s.c.name, t.c.total, t.c.grade, t.c.recommendation, t.c.profile,
               t.c.profile_hash, t.c.imported, t.c["items"], t.c.reasons).select_from(
        t.join(s, s.c.id == t.c.studio_id)).where(t.c.year == year)
    return {r.code: dict(r._mapping) for r in _conn(session).execute(q)}


def what_if(session, year: int, profile: Any = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Per studio: the stored grade/recommendation for ``year`` versus what ``profile`` would give."""
    new = run_assessment(session, year, profile, dry_run=True)
    stored = stored_results(session, year)
    changes = []
    after_by_code = {r["studio"]: r for r in new["results"]}
    for code in sorted(set(stored) | set(after_by_code)):
        b, a = stored.get(code), after_by_code.get(code)
        before = None if b is None else {"total": b["total"], "grade": b["grade"],
                                         "recommendation": b["recommendation"]}
        after = None if a is None else {"total": a["total"], "grade": a["grade"],
                                        "recommendation": a["recommendation"]}
        changed = (before is None) != (after is None) or (
            before is not None and after is not None and
            (before["grade"], before["recommendation"]) != (after["grade"], after["recommendation"]))
        changes.append({"studio": code, "name": (a or b or {}).get("name"), "before": before,
                        "after": after, "changed": changed})
    profiles = sorted({str(b["profile"]) for b in stored.values() if b["profile"]})
    return {"year": year, "profile": new["profile"], "profile_hash": new["profile_hash"],
            "stored_profiles": profiles, "stored": len(stored),
            "changed": sum(1 for c in changes if c["changed"]), "changes": changes,
            "results": new["results"]}


def explain(session, code: str, year: int, profile: Any = None) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One studio's items for ``year``: points, the rule in words and the facts behind them."""
    from sqlalchemy import select

    from laomo.facts import compute_facts
    from laomo.models import Assessment
    from laomo.rules.expr import format_value

    prof = resolve_profile(session, profile)
    engine = engine_for(prof)
    sid = _studio_ids(session, [code])[code.strip()]
    conn = _conn(session)
    f = compute_facts(conn, year, studio_ids=[sid])[sid]
    engine.derive(f)
    checks = engine.check(f)
    items, total = engine.score(f, checks)
    t = Assessment.__table__
    row = conn.execute(select(t).where(t.c.studio_id == sid, t.c.year == year)).mappings().first()
    due = sid in _due(conn, year, [sid])
    notes: list[str] = []
    if row is not None:
        stored_items = dict(row["items"] or {})
        result = {"studio": f["code"], "name": f["name"], "total": _n(row["total"]), "grade": row["grade"],
                  "items": stored_items, "recommendation": row["recommendation"] or "none",
                  "reasons": list(row["reasons"] or [])}
        f["grade"], f["total"] = row["grade"], row["total"]
        if row["imported"]:
            notes.append(f"{year} 年度的结果是导入的历史数据，没有分项；下面的分项按当前规则和数据重新计算")
        elif row["profile_hash"] != prof.hash:
            notes.append(f"{year} 年度的结果由规则 {row['profile']}（哈希 {str(row['profile_hash'])[:12]}…）"
                         f"算出，与当前规则 {prof.name}（{prof.hash[:12]}…）不同")
        deadline = (row["standards"] or {}).get("deadline") if isinstance(row["standards"], dict) else None
        result["deadline"] = deadline
    else:
        grade = engine.grade(total)
        f["grade"], f["total"] = grade, total
        rec, reasons, deadline_d = engine.recommend(f, year)
        result = {"studio": f["code"], "name": f["name"], "total": total, "grade": grade, "items": items,
                  "recommendation": rec, "reasons": reasons,
                  "deadline": deadline_d.isoformat() if deadline_d else None}
        notes.append(f"尚未保存 {year} 年度的考核结果：以下为按当前数据计算的结果，等级未经优秀比例限制"
                     + ("" if due else f"；该工作室不在 {year} 年度的考核范围内"))
        stored_items = {}
    details = engine.explain_items(f, checks, items)
    for d in details:
        if stored_items and d["item"] in stored_items and _n(stored_items[d["item"]]) != d["points"]:
            d["stored_points"] = stored_items[d["item"]]
            notes.append(f"{d['item']} 重新计算为 {format_value(d['points'])} 分，保存的结果为 "
                         f"{format_value(stored_items[d['item']])} 分（数据或规则已变化）")
    return {
        "year": year, "profile": prof.name, "profile_hash": prof.hash,
        "results": [result], "facts": _jsonable_facts(f), "details": details,
        "checks": checks, "failures": engine.failure_texts(f, checks),
        "stored": row is not None, "due": due, "notes": notes,
    }


def _n(x: Any) -> Any:
    from laomo.rules.engine import num

    return num(x) if isinstance(x, (int, float)) and not isinstance(x, bool) else x


def _jsonable_facts(f: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in f.items():
        if k in ("code", "name"):
            continue
        out[k] = v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
    return dict(sorted(out.items()))
