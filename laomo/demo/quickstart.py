"""laomo quickstart：用项目自带的确定性生成器造一个演示县，走正式导入流程建库并汇总。

The demo database is always ``DIR/laomo.db`` unless ``--db`` is given
explicitly: quickstart never writes into the ledger that ``LAOMO_DB`` points
at.  Running it again is harmless: the generator is deterministic and the
import is an upsert, so every row comes back unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from laomo.errors import LaomoError
from laomo.store.location import expand

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

    from laomo.award import ApplyResult
    from laomo.award.values import DateLike

V = TypeVar("V")

#: The demo county's data run 2021–2025 with imported 2023 grades; these years are assessed.
ASSESS_YEARS = (2024, 2025)
#: The demo's decisions (applying 2025's recommendations, naming its candidates) are dated
#: in January after the assessment, as a union office would; fixed so the demo is reproducible.
DECISION_DATE = dt.date(ASSESS_YEARS[-1] + 1, 1, 20)
#: The setting that marks a database quickstart made (it may run again there).
DEMO_SETTING = "demo"
#: Tables whose rows make a database a ledger quickstart must not touch.
LEDGER_TABLES = ("person", "studio", "designation", "assessment", "audit")
#: How the summary names the ledger's tables.
COUNT_LABELS = {"person": "人员", "honor": "荣誉", "studio": "工作室", "member": "成员",
                "achievement": "创新成果", "activity": "活动", "mentorship": "师带徒",
                "inspection": "现场检查评分", "designation": "命名/处理记录", "assessment": "考核结果"}


@dataclass(frozen=True)
class DemoAwards:
    """What :func:`apply_and_name` did: the year's recommendations applied, then the namings."""

    year: int
    date: dt.date
    applied: ApplyResult
    named: dict[str, list[str]]  # level → codes named at it


def apply_and_name(session: Session, *, year: int, levels: Sequence[str] = ("city", "county"),
                   date: DateLike | None = None, profile: str | None = None, batch: str | None = None,
                   doc: str | Mapping[str, str] | None = None,
                   amount: int | Mapping[str, int] | None = None) -> DemoAwards:
    """Apply ``year``'s recommendations, then name every candidate at each of ``levels`` for ``year``.

    Idempotent (a second call writes nothing).  ``doc`` and ``amount`` may be one value or
    a mapping level → value.  Everything is dated ``date`` (default today) and judged as of it.
    """
    from laomo import award
    from laomo.award.values import parse_day

    day = parse_day(date, label="日期", option="date") or dt.date.today()
    applied = award.apply(session, year=year, date=day, profile=profile)
    named: dict[str, list[str]] = {}
    for level in levels:
        lv = award.parse_level(level)
        codes = [v.code for v in award.candidates(session, level=lv, as_of=day, profile=profile).eligible]
        if codes:
            award.name(session, codes=codes, level=lv, year=year, batch=batch, doc=_for_level(doc, lv), date=day,
                       amount=_for_level(amount, lv), profile=profile)
        named[lv] = codes
    return DemoAwards(year=year, date=day, applied=applied, named=named)


def _for_level(value: V | Mapping[str, V] | None, level: str) -> V | None:
    return value.get(level) if isinstance(value, Mapping) else value


def refuse_a_ledger(engine: Engine, *, target: str) -> None:
    """quickstart writes only into a database it made itself (cli.md "Safety"): one holding
    records without quickstart's mark, or the existing file ``LAOMO_DB`` names, is refused
    before anything is written (``laomo quickstart .`` beside the real ``./laomo.db``)."""
    import os

    from sqlalchemy import text

    from laomo.store import db as dbmod

    rev = dbmod.current_revision(engine)  # a database that is not laomo's is refused here
    if rev is None:
        return
    with engine.connect() as conn:
        if conn.execute(text("SELECT value FROM setting WHERE key = :k"), {"k": DEMO_SETTING}).scalar():
            return
        held = [t for t in LEDGER_TABLES if conn.execute(text(f"SELECT 1 FROM {t} LIMIT 1")).first()]
    env = os.environ.get(dbmod.ENV_VAR)
    official = bool(env) and dbmod.resolve_url(env) == dbmod.resolve_url(target)
    if held or official:
        where = dbmod.describe(dbmod.resolve_url(target))
        why = "是 LAOMO_DB 指向的正式台账" if official else "已有台账数据"
        raise LaomoError(f"{where} {why}，不是 quickstart 建的演示库：拒绝写入演示数据，数据库未改动；"
                         "请换一个空目录运行 quickstart")


def run_quickstart(directory: Path, db: str | None = None,
                   progress: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    """Build the demo county in ``directory`` (data files, database, reports); the JSON of ``--json``."""
    from laomo.store import db as dbmod

    directory = expand(directory)
    if directory.exists() and not directory.is_dir():
        raise LaomoError(f"{directory} 已存在且不是目录")
    directory.mkdir(parents=True, exist_ok=True)
    target = db or str(directory / "laomo.db")
    engine = dbmod.open_engine(target, check=False)
    refuse_a_ledger(engine, target=target)
    imports = _import_demo(engine, directory, progress)
    assessments = _assess_demo(engine, progress)
    awards = _award_demo(engine, progress)
    summary = _Summary.read(engine)
    database = dbmod.describe(str(engine.url))
    lines = [f"演示台账（{summary.union}）已建好：", f"  数据库：{database}", f"  导入文件：{directory / 'data'}"]
    lines += summary.lines(assessments, awards)

    reports = write_reports(engine, directory, year=awards.year)
    lines.append("报表：")
    lines += [f"  {label}：{path}" for label, path in reports]
    codes = list(awards.named.values())[-1] if awards.named else []  # the last level named
    lines.append(f"试试：laomo --db {database} award history {codes[0] if codes else 'S0001'}")
    return {"database": database, "data_dir": str(directory / "data"),
            "counts": summary.counts, "imports": imports,
            "check": {"profile": summary.profile, "passed": summary.passed, "studios": summary.studios},
            "assessments": {str(y): {k: r[k] for k in ("assessed", "by_grade", "by_recommendation")}
                            for y, r in assessments.items()},
            "named": awards.named,
            "reports": {label: str(path) for label, path in reports},
            "text": "\n".join(lines)}


def _import_demo(engine: Engine, directory: Path, progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """Write the demo county's files and import them the way a user would."""
    from laomo.demo.generator import write_demo_county
    from laomo.ledger.importer import import_source
    from laomo.ledger.records import init_database, set_setting
    from laomo.ledger.sources import open_source
    from laomo.store.db import write_session

    init_database(engine, union="演示县总工会")
    with write_session(engine) as session:
        set_setting(session, key=DEMO_SETTING, value="quickstart")
    progress(f"生成演示数据到 {directory / 'data'}")
    imports = []
    for kind, path in write_demo_county(directory / "data"):
        with open_source(str(path)) as source, write_session(engine) as session:
            result = import_source(session, source, kind=kind)
        if result.rejected:  # the generator and the validator disagree: a bug, say so plainly
            raise LaomoError(f"演示数据 {path} 导入失败", lines=[e.format(result.file) for e in result.errors])
        imports.append(result.as_dict())
        progress(f"导入 {kind}：新增 {result.inserted}，更新 {result.updated}，未变 {result.unchanged}")
    return imports


def _assess_demo(engine: Engine, progress: Callable[[str], None]) -> dict[int, dict[str, Any]]:
    """Assess :data:`ASSESS_YEARS`, each once: a second quickstart changes nothing."""
    from laomo.assess import run_assessment
    from laomo.store.db import write_session

    assessments: dict[int, dict[str, Any]] = {}
    for year in ASSESS_YEARS:  # the earlier year first: its grades are the later year's "previous year"
        with write_session(engine) as session:
            assessments[year] = _stored_run(session, year) or run_assessment(session, year=year).to_json()
        progress(f"{year} 年度考核：{assessments[year]['assessed']} 个工作室")
    return assessments


def _award_demo(engine: Engine, progress: Callable[[str], None]) -> DemoAwards:
    """Apply the last year's recommendations and name its candidates, as of :data:`DECISION_DATE`."""
    from laomo.store.db import write_session

    year = ASSESS_YEARS[-1]
    with write_session(engine) as session:
        awards = apply_and_name(session, year=year, date=DECISION_DATE, batch=f"{year}年度",
                                doc={"county": f"演示县工发〔{year + 1}〕1号", "city": f"演示市工发〔{year + 1}〕1号"},
                                amount={"county": 20000, "city": 50000})
    progress(f"{year} 年度动态管理与命名已完成（决定日期 {DECISION_DATE}）")
    return awards


@dataclass(frozen=True)
class _Summary:
    """The demo ledger as the summary text shows it."""

    union: str | None
    counts: dict[str, int]
    profile: str
    passed: int
    studios: int

    @classmethod
    def read(cls, engine: Engine) -> _Summary:
        from laomo.assess import check_standards
        from laomo.ledger.records import get_setting, ledger_counts
        from laomo.models import UNION_SETTING
        from laomo.store.db import read_session

        with read_session(engine) as session:
            counts = ledger_counts(session)
            union = get_setting(session, key=UNION_SETTING)
            check = check_standards(session).to_json()
        passed = sum(1 for r in check["results"] if r["passed"])
        return cls(union, counts, check["profile"], passed, len(check["results"]))

    def lines(self, assessments: Mapping[int, Mapping[str, Any]], awards: DemoAwards) -> list[str]:
        from laomo.enums import ACTION, GRADE, LEVEL, RECOMMENDATION

        lines = [f"  {COUNT_LABELS[k]}：{v}" for k, v in self.counts.items()]
        lines.append(f"创建标准检查（{self.profile}）：{self.passed}/{self.studios} 个工作室达标")
        for year, run in assessments.items():
            grades = "，".join(f"{GRADE.label(g)} {n}"
                              for g, n in sorted(run["by_grade"].items(), key=lambda kv: GRADE.rank(kv[0])))
            recs = "，".join(f"{RECOMMENDATION.label(r)} {n}" for r, n in
                            sorted(run["by_recommendation"].items(), key=lambda kv: RECOMMENDATION.rank(kv[0]))
                            if r != "none")
            lines.append(f"{year} 年度考核：{run['assessed']} 个工作室（{grades}）；建议：{recs or '无'}")
        done = "，".join(f"{ACTION.label(a)} {n}" for a, n in awards.applied.by_action.items()) or "无"
        lines.append(f"{awards.year} 年度动态管理（{DECISION_DATE}）：{done}")
        for level, codes in awards.named.items():
            lines.append(f"命名{LEVEL.label(level)}工作室：{len(codes)} 个" + (f"（{'、'.join(codes)}）" if codes else ""))
        return lines


def _stored_run(session: Session, year: int) -> dict[str, Any] | None:
    """The summary of a stored ``assess run`` for ``year`` (counts by grade and recommendation)."""
    from sqlalchemy import func, select

    from laomo.models import Assessment

    t = Assessment.__table__
    rows = session.connection().execute(
        select(t.c.grade, t.c.recommendation, func.count()).where(t.c.year == year, t.c.imported.is_(False))
        .group_by(t.c.grade, t.c.recommendation)).all()
    if not rows:
        return None
    by_grade: dict[str, int] = {}
    by_rec: dict[str, int] = {}
    for grade, rec, n in rows:
        by_grade[grade] = by_grade.get(grade, 0) + n
        by_rec[rec] = by_rec.get(rec, 0) + n
    return {"assessed": sum(by_grade.values()), "by_grade": by_grade, "by_recommendation": by_rec}


def write_reports(engine: Engine, directory: Path, year: int | None = None) -> list[tuple[str, Path]]:
    """Write the demo reports into ``directory`` and return ``[(中文名称, path), …]``.

    * ``Y年度统计报告.html`` — the summary (Y = ``year``, else the latest year with data);
    * ``台账.xlsx`` — the whole ledger (personal data masked);
    * ``Y年度考核结果.xlsx`` — the result list of the latest assessed year ≤ Y (skipped when none);
    * ``Y年度县级命名决定.docx`` (by level) — the naming decision of the latest year ≤ Y with
      namings, one file per level named that year (skipped when none).
    The names are :func:`laomo.reports.default_filename`'s.
    """
    from sqlalchemy import func, select

    from laomo.domain import predicates
    from laomo.enums import LEVEL
    from laomo.models import Assessment, Designation
    from laomo.reports import data as d
    from laomo.reports import default_filename, write_file
    from laomo.reports.render import render
    from laomo.store.db import read_session

    directory = expand(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out: list[tuple[str, Path]] = []
    with read_session(engine) as session:
        summary = d.summary(session, year=year)
        y = summary["year"]
        out.append((f"{y}年度统计报告（HTML）", write_file(directory / default_filename("summary", "html", summary),
                                                         render("summary", "html", summary))))
        ledger = d.ledger(session)
        out.append(("工作室台账（Excel）", write_file(directory / default_filename("ledger", "xlsx", ledger),
                                                      render("ledger", "xlsx", ledger))))
        conn = session.connection()
        t = Assessment.__table__
        ay = conn.execute(select(func.max(t.c.year)).where(t.c.year <= y)).scalar()
        if ay is not None:
            res = d.assessment(session, year=int(ay))
            out.append((f"{ay}年度考核结果（Excel）", write_file(directory / default_filename("assessment", "xlsx", res),
                                                            render("assessment", "xlsx", res))))
        dt_ = Designation.__table__
        named = (predicates.in_force(dt_), dt_.c.action == "name")
        ny = conn.execute(select(func.max(dt_.c.year)).where(*named, dt_.c.year <= y)).scalar()
        if ny is not None:
            levels = [r[0] for r in conn.execute(select(dt_.c.level).where(*named, dt_.c.year == ny)
                                                 .group_by(dt_.c.level)) if r[0]]
            for level in sorted(levels, key=LEVEL.rank):
                notice = d.notice(session, year=int(ny), kind="naming", level=level)
                out.append((f"{ny}年度{LEVEL.label(level)}命名决定（Word）",
                            write_file(directory / default_filename("notice", "docx", notice),
                                       render("notice", "docx", notice))))
    return out
