"""A county whose rows sit on the boundary days of the rules (31 Dec, 1 Jan): shared by the report
boundary tests and the predicate-mutation tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from support.assess import load, merge, studio

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

BOUNDARY_MEMBERS = [
    {"studio": "RB1", "person": "RB-JOIN-ON", "joined": "2025-12-31"},            # active on 31 Dec
    {"studio": "RB1", "person": "RB-LEFT-ON", "joined": "2020-01-01", "left": "2025-12-31"},  # active
    {"studio": "RB1", "person": "RB-JOIN-AFTER", "joined": "2026-01-01"},         # not yet
    {"studio": "RB1", "person": "RB-LEFT-BEFORE", "joined": "2020-01-01", "left": "2025-12-30"},  # gone
]
BOUNDARY_MENTORSHIPS = [
    {"start": "2020-01-01", "end": "2025-01-01", "promoted_on": "2025-01-01"},  # runs in 2025; promoted in it
    {"start": "2025-12-31", "promoted_on": "2025-12-31"},                       # runs; promoted in 2025
    {"start": "2020-01-01", "end": "2024-12-31", "promoted_on": "2024-12-31"},  # ended in 2024
    {"start": "2026-01-01", "promoted_on": "2026-01-01"},                       # starts in 2026
]


def boundary_county(engine: Engine) -> None:
    """RB1: members joining/leaving on 31 Dec 2025, mentorships starting/ending/promoted on the first
    and last day of 2025 (and the days around), named on 31 Dec 2025; RB2 named on 1 Jan 2026."""
    people = {"people": [{"code": c, "name": c, "frontline": True}
                         for c in ("RB-JOIN-ON", "RB-LEFT-ON", "RB-JOIN-AFTER", "RB-LEFT-BEFORE")]}
    load(engine, merge(
        people,
        studio("RB1", team=0, members=BOUNDARY_MEMBERS, mentorships=BOUNDARY_MENTORSHIPS,
               named=[("county", "2025-12-31")]),
        studio("RB2", team=0, named=[("county", "2026-01-01")]),
    ))
