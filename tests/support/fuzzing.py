"""Hypothesis set-up for the property tests (a plugin, registered by tests/conftest.py).

* The ``ci`` profile: derandomized (a test's examples follow from the test itself, so a
  run is repeatable), no example database, no deadline, a failure printed with the blob
  that replays it.  Loaded when ``LAOMO_HYPOTHESIS_PROFILE=ci`` (``.ci/run`` sets it) or
  ``CI`` is set; ``LAOMO_HYPOTHESIS_PROFILE=default`` keeps Hypothesis's default.
* ``LAOMO_FUZZ_SEED``, the seed of tests/test_import_fuzz_all.py (its ``laomo-fuzz``
  profile is not derandomized: each run fuzzes anew): when unset, the pytest process
  that runs the session picks one — fixed under ``ci``, random otherwise — and puts it
  in its environment before any test module is imported and before pytest-xdist starts
  its workers, so all workers fuzz with that one seed; the report header shows it.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import settings

PROFILE_ENV = "LAOMO_HYPOTHESIS_PROFILE"
SEED_ENV = "LAOMO_FUZZ_SEED"
CI_SEED = 0

settings.register_profile("ci", settings.get_profile("ci"), derandomize=True, database=None, deadline=None,
                          print_blob=True)


def _profile() -> str | None:
    name = os.environ.get(PROFILE_ENV, "").strip()
    if name:
        if name not in ("ci", "default"):
            raise pytest.UsageError(f"{PROFILE_ENV} must be 'ci' or 'default', not {name!r}")
        return name
    return "ci" if os.environ.get("CI") else None


PROFILE = _profile()
if PROFILE is not None:
    settings.load_profile(PROFILE)


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the seed came with the environment
        return
    if not os.environ.get(SEED_ENV, "").strip():
        seed = CI_SEED if PROFILE == "ci" else random.SystemRandom().randrange(2**32)
        os.environ[SEED_ENV] = str(seed)


def pytest_report_header(config: pytest.Config) -> str:
    seed = os.environ.get(SEED_ENV, "")
    return (f"hypothesis profile: {PROFILE or 'default'}; import fuzz seed: {seed} "
            f"({SEED_ENV}={seed} replays it)")


@contextmanager
def small_chunks(size: int | None) -> Iterator[None]:
    """Let the importer write every ``size`` rows (repeated keys then span chunks); None: its own size."""
    from laomo.ledger import importer

    if size is None or not hasattr(importer, "CHUNK"):
        yield
        return
    with mock.patch.object(importer, "CHUNK", size):
        yield
