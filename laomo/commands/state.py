"""The global options of one ``laomo`` run (``--db``, ``--quiet``), set by the root callback
in :mod:`laomo.cli` and read by the commands."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class State:
    db: str | None = None
    quiet: bool = False


STATE = State()
