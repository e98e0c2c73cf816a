"""命名与动态管理（核心逻辑，不依赖 Typer/Rich）：候选名单、命名、示范性、整改、通报、摘牌、撤销、执行考核建议、历史。

Functions take a SQLModel session whose transaction the caller owns
(``laomo.store.db.write_session`` for those that write, ``read_session`` for
:func:`candidates`, :func:`plan_apply` and :func:`history`), keyword-only arguments
after it, and return frozen dataclasses whose ``to_json()`` is the JSON of cli.md.

=================================  ===========================================
:mod:`laomo.award.eligibility`     candidates, the naming conditions, Verdict
:mod:`laomo.award.transitions`     name, demonstrate, rectify, warn, revoke, close
:mod:`laomo.award.apply_year`      carry out a year's recommendations, restore
:mod:`laomo.award.studio_history`  the designations of a studio (voided ones shown as such)
:mod:`laomo.award.mistakes`        void a designation entered by mistake
:mod:`laomo.award.records`         studios, states, profile, writing designations
:mod:`laomo.award.values`          the caller's values checked (level, date, …)
=================================  ===========================================

(The modules are not called ``apply``, ``history`` and ``void``: the functions re-exported here
would hide them as attributes of this package.)
"""

from __future__ import annotations

from laomo.award.apply_year import (
    APPLY_ACTIONS,
    ApplyPlan,
    ApplyResult,
    NotAssessed,
    PlanChanged,
    PlanKey,
    PlannedAction,
    Skipped,
    apply,
    plan_apply,
)
from laomo.award.eligibility import Candidates, Verdict, candidates
from laomo.award.mistakes import VoidedDesignation, void
from laomo.award.records import ACTION_TEXT
from laomo.award.studio_history import History, HistoryEntry, history
from laomo.award.transitions import (
    NamedStudio,
    NamingResult,
    TransitionResult,
    close,
    demonstrate,
    name,
    rectify,
    revoke,
    warn,
)
from laomo.award.values import parse_level

__all__ = [
    "ACTION_TEXT",
    "APPLY_ACTIONS",
    "ApplyPlan",
    "ApplyResult",
    "Candidates",
    "History",
    "HistoryEntry",
    "NamedStudio",
    "NamingResult",
    "NotAssessed",
    "PlanChanged",
    "PlanKey",
    "PlannedAction",
    "Skipped",
    "TransitionResult",
    "Verdict",
    "VoidedDesignation",
    "apply",
    "candidates",
    "close",
    "demonstrate",
    "history",
    "name",
    "parse_level",
    "plan_apply",
    "rectify",
    "revoke",
    "void",
    "warn",
]
