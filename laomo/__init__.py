"""laomo — 劳模和工匠人才创新工作室管理工具, as a library.

The command line (``laomo …``) is one user of this API; a union's own script is another::

    import laomo

    engine = laomo.open_engine("laomo.db")
    with laomo.read_session(engine) as session:
        for verdict in laomo.candidates(session, level="city").eligible:
            print(verdict.code, verdict.name)

Every function takes a SQLModel session (from :func:`read_session`, or :func:`write_session`
for those that write: one transaction, committed when the block ends) and keyword-only
arguments after it, and returns a typed result whose ``to_json()`` is the command's JSON.
Errors the user can act on are :class:`LaomoError` (with :class:`UsageError` for a wrong
combination of arguments); their text is Chinese.

Names are loaded on first use, so ``import laomo`` stays cheap (the command line's
start-up does not pay for SQLAlchemy, pydantic or openpyxl until a command needs them).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it (the layer it belongs to)
_EXPORTS: dict[str, str] = {
    # errors
    "LaomoError": "laomo.errors", "NotFound": "laomo.errors", "UsageError": "laomo.errors",
    # store: where the database lives, sessions
    "open_engine": "laomo.store.db", "read_session": "laomo.store.db", "write_session": "laomo.store.db",
    # ledger: records and imports
    "init_database": "laomo.ledger.records", "register_record": "laomo.ledger.records",
    "open_source": "laomo.ledger.sources", "import_source": "laomo.ledger.importer",
    "ImportResult": "laomo.ledger.importer", "RecordSource": "laomo.ledger.importer",
    "MissingFields": "laomo.ledger.importer",
    # rules
    "load_profile": "laomo.rules",
    # assessment
    "check_standards": "laomo.assess", "run_assessment": "laomo.assess", "store_assessment": "laomo.assess",
    "what_if": "laomo.assess", "explain": "laomo.assess",
    # awards and dynamic management
    "candidates": "laomo.award", "name": "laomo.award", "demonstrate": "laomo.award",
    "rectify": "laomo.award", "warn": "laomo.award", "revoke": "laomo.award", "close": "laomo.award",
    "plan_apply": "laomo.award", "apply": "laomo.award", "history": "laomo.award",
    # reports: the data of a report, and its rendering in a format
    "collect_report": "laomo.reports", "render_report": "laomo.reports.render",
}
_SOURCE_NAMES = {"collect_report": "collect", "render_report": "render"}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'laomo' has no attribute {name!r}")
    value = getattr(import_module(module), _SOURCE_NAMES.get(name, name))
    globals()[name] = value  # later look-ups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
