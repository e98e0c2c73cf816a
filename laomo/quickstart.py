"""laomo quickstart：用项目自带的确定性生成器造一个演示县，走正式导入流程建库并汇总。

The demo database is always ``DIR/laomo.db`` unless ``--db`` is given
explicitly: quickstart never writes into the ledger that ``LAOMO_DB`` points
at.  Running it again is harmless: the generator is deterministic and the
import is an upsert, so every row comes back unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .errors import LaomoError

#: The demo county's data run 2021–2025 with imported 2023 grades; these years are assessed.
ASSESS_YEARS = (2024, 2025)


def run_quickstart(directory: Path, db: str | None = None,
                   progress: Callable[[str], None] = lambda m: None) -> dict[str, Any]:
    from . import db as dbmod
    from .demo import write_demo_county
    from .importer import import_source
    from .registry import UNION_SETTING, init_database, ledger_counts
    from .sources import open_source

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
    from .assess import check_standards, run_assessment
    from .registry import get_setting

    assessments = {}
    for year in ASSESS_YEARS:  # the earlier year first: its grades are the later year's "previous year"
        with dbmod.write_session(engine) as session:
            assessments[year] = run_assessment(session, year)
        progress(f"{year} 年度考核：{assessments[year]['assessed']} 个工作室")
    with dbmod.read_session(engine) as session:
        counts = ledger_counts(session)
        union = get_setting(session, UNION_SETTING)
        check = check_standards(session)
    labels = {"person": "人员", "honor": "荣誉", "studio": "工作室", "member": "成员",
              "achievement": "创新成果", "activity": "活动", "mentorship": "师带徒",
              "inspection": "现场检查评分", "designation": "命名/处理记录", "assessment": "考核结果"}
    lines = [f"演示台账（{union}）已建好：", f"  数据库：{dbmod.describe(str(engine.url))}",
             f"  导入文件：{directory / 'data'}"]
    lines += [f"  {labels[k]}：{v}" for k, v in counts.items()]
    passed = sum(1 for r in check["results"] if r["passed"])
    lines.append(f"创建标准检查（{check['profile']}）：{passed}/{len(check['results'])} 个工作室达标")
    from .enums import GRADE, RECOMMENDATION

    for year, run in assessments.items():
        grades = "，".join(f"{GRADE.label(g)} {n}" for g, n in sorted(run["by_grade"].items(), key=lambda kv: GRADE.rank(kv[0])))
        recs = "，".join(f"{RECOMMENDATION.label(r)} {n}" for r, n in run["by_recommendation"].items() if r != "none")
        lines.append(f"{year} 年度考核：{run['assessed']} 个工作室（{grades}）；建议：{recs or '无'}")
    lines.append(f"试试：laomo --db {dbmod.describe(str(engine.url))} db check")
    return {"database": dbmod.describe(str(engine.url)), "data_dir": str(directory / "data"),
            "counts": counts, "imports": imports,
            "check": {"profile": check["profile"], "passed": passed, "studios": len(check["results"])},
            "assessments": {str(y): {k: r[k] for k in ("assessed", "by_grade", "by_recommendation")}
                            for y, r in assessments.items()},
            "text": "\n".join(lines)}
