"""laomo quickstart：用项目自带的确定性生成器造一个演示县，走正式导入流程建库并汇总。

The demo database is always ``DIR/laomo.db`` unless ``--db`` is given
explicitly: quickstart never writes into the ledger that ``LAOMO_DB`` points
at.  Running it again is harmless: the generator is deterministic and the
import is an upsert, so every row comes back unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from laomo.errors import LaomoError

#: The demo county's data run 2021–2025 with imported 2023 grades; these years are assessed.
ASSESS_YEARS = (2024, 2025)
#: The demo's decisions (applying 2025's recommendations, naming its candidates) are dated
#: in January after the assessment, as a union office would; fixed so the demo is reproducible.
DECISION_DATE = dt.date(ASSESS_YEARS[-1] + 1, 1, 20)


def run_quickstart(directory: Path, db: str | None = None,
                   progress: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    from laomo.demo.generator import write_demo_county
    from laomo.ledger.importer import import_source
    from laomo.ledger.records import UNION_SETTING, init_database, ledger_counts
    from laomo.ledger.sources import open_source
    from laomo.store import db as dbmod

    directory = directory.expanduser()
    if directory.exists() and not directory.is_dir():
        raise LaomoError(f"{directory} 已存在且不是目录")
    directory.mkdir(parents=True, exist_ok=True)
    target = db or str(directory / "laomo.db")
    engine = dbmod.open_engine(target, check=False)
    init_database(engine, union="演示县总工会")
    progress(f"生成演示数据到 {directory / 'data'}")
    files = write_demo_county(directory / "data")
    imports = []
    for kind, path in files:
        with open_source(str(path)) as source, dbmod.write_session(engine) as session:
            result = import_source(session, kind, source)
        if result.rejected:  # the generator and the validator disagree: a bug, say so plainly
            raise LaomoError(f"演示数据 {path} 导入失败", lines=[e.format(result.file) for e in result.errors])
        imports.append(result.as_dict())
        progress(f"导入 {kind}：新增 {result.inserted}，更新 {result.updated}，未变 {result.unchanged}")
    from laomo.assess import check_standards, run_assessment
    from laomo.ledger.records import get_setting

    assessments = {}
    for year in ASSESS_YEARS:  # the earlier year first: its grades are the later year's "previous year"
        with dbmod.write_session(engine) as session:
            stored = _stored_run(session, year)  # run once: a second quickstart changes nothing
            assessments[year] = stored or run_assessment(session, year=year).to_json()
        progress(f"{year} 年度考核：{assessments[year]['assessed']} 个工作室")
    from laomo.award import apply_and_name

    year = ASSESS_YEARS[-1]
    with dbmod.write_session(engine) as session:
        awards = apply_and_name(session, year, as_of=DECISION_DATE, batch=f"{year}年度",
                                doc={"county": f"演示县工发〔{year + 1}〕1号", "city": f"演示市工发〔{year + 1}〕1号"},
                                amount={"county": 20000, "city": 50000})
    progress(f"{year} 年度动态管理与命名已完成（决定日期 {DECISION_DATE}）")
    with dbmod.read_session(engine) as session:
        counts = ledger_counts(session)
        union = get_setting(session, UNION_SETTING)
        check = check_standards(session).to_json()
    labels = {"person": "人员", "honor": "荣誉", "studio": "工作室", "member": "成员",
              "achievement": "创新成果", "activity": "活动", "mentorship": "师带徒",
              "inspection": "现场检查评分", "designation": "命名/处理记录", "assessment": "考核结果"}
    lines = [f"演示台账（{union}）已建好：", f"  数据库：{dbmod.describe(str(engine.url))}",
             f"  导入文件：{directory / 'data'}"]
    lines += [f"  {labels[k]}：{v}" for k, v in counts.items()]
    passed = sum(1 for r in check["results"] if r["passed"])
    lines.append(f"创建标准检查（{check['profile']}）：{passed}/{len(check['results'])} 个工作室达标")
    from laomo.enums import GRADE, RECOMMENDATION

    for year, run in assessments.items():
        grades = "，".join(f"{GRADE.label(g)} {n}" for g, n in sorted(run["by_grade"].items(), key=lambda kv: GRADE.rank(kv[0])))
        recs = "，".join(f"{RECOMMENDATION.label(r)} {n}" for r, n in
                        sorted(run["by_recommendation"].items(), key=lambda kv: RECOMMENDATION.rank(kv[0]))
                        if r != "none")
        lines.append(f"{year} 年度考核：{run['assessed']} 个工作室（{grades}）；建议：{recs or '无'}")
    from laomo.enums import ACTION

    actions: dict[str, int] = {}
    for act in awards["apply"]["actions"]:
        actions[act["action"]] = actions.get(act["action"], 0) + 1
    done = "，".join(f"{ACTION.label(a)} {n}" for a, n in actions.items()) or "无"
    lines.append(f"{year} 年度动态管理（{DECISION_DATE}）：{done}")
    from laomo.enums import LEVEL

    for level, codes in awards["named"].items():
        lines.append(f"命名{LEVEL.label(level)}工作室：{len(codes)} 个" + (f"（{'、'.join(codes)}）" if codes else ""))
    from laomo.reports import write_quickstart_reports

    reports = write_quickstart_reports(engine, directory, year=year)
    lines.append("报表：")
    lines += [f"  {label}：{path}" for label, path in reports]
    lines.append(f"试试：laomo --db {dbmod.describe(str(engine.url))} award history {codes[0] if codes else 'S0001'}")
    return {"database": dbmod.describe(str(engine.url)), "data_dir": str(directory / "data"),
            "counts": counts, "imports": imports,
            "check": {"profile": check["profile"], "passed": passed, "studios": len(check["results"])},
            "assessments": {str(y): {k: r[k] for k in ("assessed", "by_grade", "by_recommendation")}
                            for y, r in assessments.items()},
            "named": awards["named"],
            "reports": {label: str(path) for label, path in reports},
            "text": "\n".join(lines)}


def _stored_run(session, year: int) -> dict | None:  # type: ignore[no-untyped-def]
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
