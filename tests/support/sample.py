"""The shared data (``shared/data``) and the one builder of the sample county.

The data is read from ``LAOMO_TEST_SHARED`` when set, else from the ``shared``
folder beside the checkout.  :func:`build_sample` is the only place the sample
county is imported (and assessed) for the tests; the session fixtures of
:mod:`support.fixtures` build it once and hand out copies.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from support.db import DbRef, copy_db, seal_db

CHECKOUT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("LAOMO_TEST_SHARED", "").strip() or CHECKOUT.parent / "shared")
SAMPLE = SHARED / "data" / "sample-county"
BAD = SHARED / "data" / "bad-input"
#: The import KINDs in dependency order (expected.json says the same).
ORDER = ["people", "honors", "studios", "members", "achievements", "activities",
         "mentorships", "inspections", "designations", "assessments"]


def __getattr__(name: str) -> Any:
    """``EXPECTED``, the sample county's expected.json, read when first imported (so that only the
    modules that use it fail when the shared data is missing)."""
    if name == "EXPECTED":
        value = globals()["EXPECTED"] = json.loads((SAMPLE / "expected.json").read_text(encoding="utf-8"))
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def sample_file(kind: str) -> Path:
    return SAMPLE / f"{kind}.csv"


def build_sample(ref: DbRef, *, assess: tuple[int, ...] = (), imported: DbRef | None = None) -> DbRef:
    """Import the whole sample county into the new database ``ref`` (in this process, through the
    importer as ``register import`` does), assess the years ``assess`` in turn, and seal it for copying.

    ``imported``: a sealed database this function made before (without ``assess``); ``ref`` then
    starts as a copy of it instead of importing the files again."""
    from laomo.ledger.importer import import_source
    from laomo.ledger.sources import open_source
    from laomo.store.db import open_engine, write_session

    if imported is not None:
        copy_db(imported, ref)
    engine = open_engine(str(ref), create=imported is None)
    if imported is None:
        for kind in ORDER:
            with write_session(engine) as session, open_source(str(sample_file(kind))) as src:
                result = import_source(session, src, kind=kind)
                assert result.rejected == 0, result.errors
    if assess:
        from laomo.assess import run_assessment

        for year in assess:
            with write_session(engine) as session:
                run_assessment(session, year=year)
    return seal_db(ref)
