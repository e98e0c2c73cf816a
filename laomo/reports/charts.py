"""内联 SVG 图表的几何：只算坐标，输出由模板（自动转义）写成 SVG。

Each function returns a plain dict ``{"id", "title", "width", "height",
"elements": [...], "legend": [...]}`` whose elements are ``rect``, ``text``
and ``line`` dicts with their SVG attributes.  Bars carry ``label`` and
``value`` (rendered as ``data-label``/``data-value`` and a ``<title>``
tooltip), so a test — or a reader with a screen reader — can get the figures
back from the SVG.  No text is pre-escaped here: the HTML template escapes.
"""

from __future__ import annotations

import math
from typing import Any

PALETTE = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037", "#c2185b",
           "#455a64", "#9e9d24"]
GRADE_COLORS = {"excellent": "#2e7d32", "good": "#7cb342", "pass": "#f9a825", "fail": "#c62828"}
LEVEL_COLORS = {"enterprise": "#78909c", "county": "#1565c0", "city": "#6a1b9a", "province": "#ef6c00",
                "national": "#b71c1c"}
FONT = 12


def text_width(text: str, size: float = FONT) -> float:
    """Approximate rendered width: CJK and full-width characters one em, others half."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in str(text))


def nice_step(value: float) -> float:
    """A round grid step ≥ value: 1, 2, 2.5, 3, 4, 5, 6, 8 × 10^n (whole numbers for whole counts)."""
    if value <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for m in (1, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = m * exp
        if step >= value and (step >= 10 or float(step).is_integer()):
            return step
    return 10 * exp  # pragma: no cover


def fmt(value: float) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def hbar(chart_id: str, title: str, items: list[tuple[str, float]], colors: list[str] | None = None,
         width: int = 340, unit: str = "") -> dict[str, Any]:
    """Horizontal bars, one per (label, value), value printed at the bar's end."""
    row, pad_top = 24, 8
    label_w = max([text_width(lbl) for lbl, _ in items] + [24]) + 10
    value_w = max([text_width(fmt(v) + unit) for _, v in items] + [20]) + 8
    plot_w = max(60, width - label_w - value_w - 8)
    top = max([v for _, v in items] + [0])
    scale = plot_w / top if top else 0
    elements: list[dict[str, Any]] = []
    for i, (label, value) in enumerate(items):
        y = pad_top + i * row
        color = (colors[i] if colors and i < len(colors) else PALETTE[i % len(PALETTE)])
        w = max(value * scale, 1 if value else 0)
        elements.append({"t": "text", "x": label_w - 6, "y": y + row / 2 + 4, "anchor": "end", "text": label,
                         "cls": "lbl"})
        elements.append({"t": "rect", "x": label_w, "y": y + 3, "w": round(w, 1), "h": row - 8, "fill": color,
                         "label": label, "value": value})
        elements.append({"t": "text", "x": label_w + w + 4, "y": y + row / 2 + 4, "anchor": "start",
                         "text": fmt(value) + unit, "cls": "val"})
    height = pad_top * 2 + max(len(items), 1) * row
    if not items:
        elements.append({"t": "text", "x": width / 2, "y": height / 2 + 4, "anchor": "middle", "text": "暂无数据",
                         "cls": "lbl"})
    elements.append({"t": "line", "x1": label_w, "y1": pad_top, "x2": label_w, "y2": height - pad_top,
                     "stroke": "#9e9e9e"})
    return {"id": chart_id, "title": title, "width": width, "height": height, "elements": elements, "legend": []}


def columns(chart_id: str, title: str, categories: list[str], series: list[tuple[str, list[float], str]],
            width: int = 700, height: int = 240, stacked: bool = False) -> dict[str, Any]:
    """Vertical columns per category: grouped (side by side) or stacked; a y axis with 4 grid lines."""
    left, right, top, bottom = 44, 10, 14, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    if stacked:
        peak = max([sum(s[1][i] for s in series) for i in range(len(categories))] + [0])
    else:
        peak = max([v for s in series for v in s[1]] + [0])
    axis = nice_step(peak / 4) * 4 if peak else 4
    elements: list[dict[str, Any]] = []
    for k in range(5):
        value = axis * k / 4
        y = top + plot_h - plot_h * k / 4
        elements.append({"t": "line", "x1": left, "y1": round(y, 1), "x2": width - right, "y2": round(y, 1),
                         "stroke": "#e0e0e0" if k else "#9e9e9e"})
        elements.append({"t": "text", "x": left - 4, "y": round(y + 4, 1), "anchor": "end", "text": fmt(value),
                         "cls": "tick"})
    n = max(len(categories), 1)
    slot = plot_w / n
    group_w = slot * 0.7
    bar_w = group_w if stacked else group_w / max(len(series), 1)
    for i, cat in enumerate(categories):
        x0 = left + slot * i + (slot - group_w) / 2
        base: float = top + plot_h
        for j, (name, values, color) in enumerate(series):
            value = values[i]
            h = plot_h * value / axis if axis else 0
            if stacked:
                x, y = x0, base - h
                base -= h
            else:
                x, y = x0 + j * bar_w, top + plot_h - h
            elements.append({"t": "rect", "x": round(x, 1), "y": round(y, 1), "w": round(bar_w - (0 if stacked else 2), 1),
                             "h": round(h, 1), "fill": color, "label": f"{cat} {name}", "value": value})
            if value and (not stacked or h >= 12):
                ty = y + h / 2 + 4 if stacked else y - 3
                elements.append({"t": "text", "x": round(x + (bar_w - (0 if stacked else 2)) / 2, 1),
                                 "y": round(ty, 1), "anchor": "middle", "text": fmt(value),
                                 "cls": "in" if stacked else "val"})
        elements.append({"t": "text", "x": round(left + slot * i + slot / 2, 1), "y": height - 8, "anchor": "middle",
                         "text": cat, "cls": "lbl"})
    if not categories:
        elements.append({"t": "text", "x": width / 2, "y": height / 2, "anchor": "middle", "text": "暂无数据",
                         "cls": "lbl"})
    legend = [{"name": name, "color": color} for name, _, color in series]
    return {"id": chart_id, "title": title, "width": width, "height": height, "elements": elements,
            "legend": legend}


def summary_charts(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The summary's charts: by level, by industry, by grade, namings and results per year, grades per year."""
    from laomo.enums import GRADE, INDUSTRY, LEVEL

    st = data["studios"]
    levels = list(st["by_level"].items())
    by_level = hbar("chart-level", "命名在册工作室（按最高级别）", [(LEVEL.label(k), v) for k, v in levels],
                    [LEVEL_COLORS.get(k, PALETTE[0]) for k, _ in levels], unit="个")
    by_industry = hbar("chart-industry", "工作室（按行业门类）",
                       [(f"{k} {INDUSTRY.label(k)}", v) for k, v in
                        sorted(st["by_industry"].items(), key=lambda kv: (-kv[1], kv[0]))],
                       [PALETTE[1]] * len(st["by_industry"]), width=700, unit="个")
    grades = list(data["assessment"]["by_grade"].items())
    by_grade = hbar("chart-grade", f"{data['year']}年度考核等级", [(GRADE.label(k), v) for k, v in grades],
                    [GRADE_COLORS.get(k, PALETTE[0]) for k, _ in grades], unit="个")
    trends = data.get("trends", [])
    years = [str(t["year"]) for t in trends]
    per_year = columns("chart-years", "历年命名与创新成果", years, [
        ("命名（个）", [t["namings"] for t in trends], "#b71c1c"),
        ("摘牌（个）", [t["revocations"] for t in trends], "#616161"),
        ("创新成果（项）", [t["achievements"] for t in trends], "#1565c0"),
    ])
    assessed = [t for t in trends if t["assessed"]]
    grade_years = columns("chart-grade-years", "历年考核结果", [str(t["year"]) for t in assessed], [
        (GRADE.label(g), [t["by_grade"].get(g, 0) for t in assessed], GRADE_COLORS[g]) for g in GRADE.values
    ], width=700, height=220, stacked=True)
    return [by_level, by_grade, by_industry, per_year, grade_years]
