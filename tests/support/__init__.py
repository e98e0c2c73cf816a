"""What the tests share: fixtures and helpers, written once.

``tests/conftest.py`` registers the fixture modules as plugins (``pytest_plugins``),
so a test asks for a fixture by naming it as an argument and never imports it:

* :mod:`support.fixtures` — a fresh database per test (``laomo_db``, autouse), more
  databases (``make_db``), the in-process ``cli``, and the sample county built once
  per session (``sample_template``, ``assessed_template``) with private copies of it
  (``sample_db``, ``sample_engine``, ``assessed``, ``assessed_engine``, ``engine``);
* :mod:`support.fuzzing` — Hypothesis profiles (``ci``) and the import-fuzz seed.

Helpers are imported by name from the modules that hold them:

* :mod:`support.db` — the test backend (SQLite file or PostgreSQL server), making,
  copying and reading databases on either (``query``, ``execute``, ``dump``);
* :mod:`support.sample` — where the shared data lives (``SAMPLE``, ``BAD``,
  ``EXPECTED``) and the one builder of the sample county (``build_sample``);
* :mod:`support.assess` — hand-built studios (``studio``, ``merge``, ``load``) and
  shortcuts to facts and assessment runs;
* :mod:`support.award` — read/write shortcuts for the award tests;
* :mod:`support.process` — real ``laomo`` processes on one SQLite file, observed by
  ``support/sqlite_probe.py`` (a program, run as a script).
"""
