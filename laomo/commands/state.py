"""One ``laomo`` run: its command line and global options (``--db``, ``--quiet``, ``--json``), set by
:mod:`laomo.cli` and read by the commands."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class State:
    db: str | None = None
    quiet: bool = False
    json: bool = False  # --json before the subcommand
    argv: list[str] = field(default_factory=list)


STATE = State()
