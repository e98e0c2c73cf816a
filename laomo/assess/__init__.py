"""达标检查与年度考核（核心逻辑，不依赖 Typer/Rich）。

Functions take a SQLModel session whose transaction the caller owns
(``laomo.store.db.write_session`` for :func:`run_assessment` and
:func:`use_profile`, ``read_session`` for the rest; :func:`store_assessment`
takes the engine and runs its own), keyword arguments after it, and return
typed results whose ``to_json()`` is the JSON of cli.md, so the CLI only
renders them.

* :mod:`laomo.assess.profiles`  — which rules profile, and the database setting that chooses it;
* :mod:`laomo.assess.standards` — the creation-standards check (``assess check``);
* :mod:`laomo.assess.run`       — the yearly run (``assess run``), stored or dry, and what-if;
* :mod:`laomo.assess.scoring`   — its studio loop; :mod:`laomo.assess.outcome` — a studio's outcome;
* :mod:`laomo.assess.store`     — the assessment table: a run's rows staged and moved in, read back;
* :mod:`laomo.assess.runs`      — the stored runs (``assess history``), a year applied or not;
* :mod:`laomo.assess.worker`    — the worker process of a large stored run, and its protocol;
* :mod:`laomo.assess.explain`   — one studio's items with the facts behind them (``assess explain``);
* :mod:`laomo.assess.studios`   — the studios due for a year.

This package re-exports the functions other layers and the tests call; the
result types are in their modules.
"""

from __future__ import annotations

from laomo.assess.explain import explain
from laomo.assess.profiles import list_profiles, resolve_profile, show_profile, use_profile
from laomo.assess.run import run_assessment, store_assessment, what_if
from laomo.assess.runs import run_history
from laomo.assess.scoring import needed_facts
from laomo.assess.standards import check_standards
from laomo.assess.store import stored_results

__all__ = [
    "check_standards", "explain", "list_profiles", "needed_facts", "resolve_profile", "run_assessment",
    "run_history", "show_profile", "store_assessment", "stored_results", "use_profile", "what_if",
]
