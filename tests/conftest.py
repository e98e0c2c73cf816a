"""Registers the shared fixtures (tests/support/) for every test module.

Test modules ask for fixtures by naming them as arguments — never by importing them —
and import helpers from the ``support`` package (``from support.db import query``).
See tests/support/__init__.py for what is where.
"""

pytest_plugins = ["support.fixtures", "support.fuzzing"]
