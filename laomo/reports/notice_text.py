"""The wording of a decision notice (公文): titles, addressees (主送), the body's paragraphs and dates.

Kept apart from the data layer (:mod:`laomo.reports.data` selects the designations; this module
says them in the words union offices use), so a union that words its notices differently
changes one module — or its own ``--template``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from laomo.enums import STUDIO_KIND


def kind_title(kinds: Iterable[str]) -> str:
    """劳模创新工作室 / 工匠人才创新工作室 / 劳模和工匠人才创新工作室 for the studios' kinds."""
    ks = set(kinds)
    if len(ks) == 1:
        return STUDIO_KIND.label(ks.pop())
    return "劳模和工匠人才创新工作室"


def addressees(union: str | None) -> str:
    """主送: the unions below the issuing union, by the kind of union it is."""
    u = union or ""
    if u.startswith("全国总工会") or u == "中华全国总工会":
        return "各省、自治区、直辖市总工会，各全国产业工会，中央和国家机关工会联合会，全总各部门、各直属单位："
    if u.endswith(("省总工会", "自治区总工会")):
        return "各市（州）总工会，各省级产业工会，省直机关工会，各中央在省企业工会："
    if u.endswith("市总工会") and not u.endswith(("县级市总工会",)):
        return "各县（市、区）总工会，各产业工会，市直机关工会，各直属基层工会："
    if u.endswith("区总工会"):
        return "各街道（乡镇）总工会，区直各产业（系统）工会，各直属基层工会："
    return "各乡镇（街道）工会，县直各产业（系统）工会，各直属基层工会："


def cn_date(d: dt.date | None) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


def notice_text(action: str, year: int, rows: list[dict[str, Any]], level_label: str, studio_kind: str,
                 union_text: str) -> tuple[str, str, list[str]]:
    """The title, the attachment's title and the body's paragraphs."""
    n = len(rows)
    first = rows[0]["name"] if n else ""
    more = f"等{n}个工作室" if n > 1 else ""
    if action == "name":
        return f"关于命名{year}年度{level_label}{studio_kind}的决定", f"{year}年度{level_label}{studio_kind}名单", [
            "为大力弘扬劳模精神、劳动精神、工匠精神，充分发挥劳模和工匠人才在技术攻关、创新创效和技能传承中的"
            f"示范引领作用，根据劳模和工匠人才创新工作室创建管理有关规定，经基层工会推荐、{union_text}审核评估，"
            f"决定命名{first}{more}为“{year}年度{level_label}{studio_kind}”。",
            "希望被命名的工作室珍惜荣誉，再接再厉，在技术攻关、创新创效、人才培养等方面取得新的更大成绩。"
            "各级工会要加强对工作室的指导和服务，落实经费保障，推动工作室规范运行、持续发展。",
        ]
    reasons = Counter(r["reason"] for r in rows if r["reason"])
    why = "年度考核结果和工作室运行情况"
    body = [
        f"根据劳模和工匠人才创新工作室动态管理有关规定，依据{why}，经研究，决定撤销{first}{more}的"
        f"“{level_label}{studio_kind}”命名，收回标牌，停止享受相关待遇。各工作室撤销原因见附件。",
        "希望各级工会以此为鉴，加强对工作室的日常管理和指导，督促工作室规范运行、切实发挥作用。",
    ]
    if reasons and n <= 3:
        body.insert(1, "撤销原因：" + "；".join(f"{r['name']}，{r['reason']}" for r in rows if r["reason"]) + "。")
    return f"关于撤销部分{level_label}{studio_kind}命名的决定", f"撤销{level_label}{studio_kind}命名名单", body
