"""工作室状态：由命名/处理记录（Designation）推出，从不单独存储。

This module holds the fold itself: :class:`State` and :func:`fold`.
:func:`laomo.domain.studios.states` reads the designation rows of every studio (or some) in
one query, ordered by studio, date, id, and folds them here one studio at a time, so its
cost is one pass over the table whatever the number of studios.  A voided designation is
never read (:func:`laomo.domain.studios.designation_rows`): voiding one derives the status
again from the others, as if it had never been written.

The fold follows the lifecycle of domain.md:

============  ============================================================
name L        adds level L to the levels held; status → named
demonstrate   marks the studio demonstrative (示范性) at L
rectify       status → rectification (限期整改), with the row's deadline
warn          status → warned (通报)
restore       status → named (恢复)
revoke L      removes level L (and its demonstrative mark); revoke without a
              level removes every level; status → revoked when none is left
close         status → closed (已撤销)
============  ============================================================

Decisions where the spec is silent:

* a ``restore``, ``rectify`` or ``warn`` of a studio holding no level leaves
  the status as it is (there is nothing to restore or warn);
* ``closed`` is final for ``revoke`` (revoking a level of a closed studio
  keeps it closed), but a later ``name`` row names it again;
* ``named_since[L]`` is the date of the naming at L still in force: a revoke
  at L forgets it, and a renaming at L starts it anew.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from laomo.enums import LEVEL


@dataclass(slots=True)  # one per studio in the facts' and reports' folds: cheaper to make and read
class State:
    """One studio's state, folded from its designations in date order (:meth:`apply`)."""

    status: str = "registered"
    named_since: dict[str, dt.date] = field(default_factory=dict)  # level held → naming date
    demonstrative_levels: set[str] = field(default_factory=set)
    first_named: dt.date | None = None
    deadline: dt.date | None = None  # of the current rectification
    status_date: dt.date | None = None  # date of the designation that set the current status

    @property
    def levels_held(self) -> list[str]:
        """The levels held, lowest first."""
        if len(self.named_since) < 2:  # most studios hold one level: no sort (the reports' hot loops)
            return list(self.named_since)
        return sorted(self.named_since, key=LEVEL.rank)

    @property
    def level(self) -> str | None:
        """The highest level held (None when none)."""
        if len(self.named_since) < 2:  # most studios hold one level: no sort (the facts' and reports' hot loops)
            return next(iter(self.named_since), None)
        return self.levels_held[-1]

    @property
    def demonstrative(self) -> bool:
        """Demonstrative at its highest level held."""
        return self.level is not None and self.level in self.demonstrative_levels

    @property
    def active(self) -> bool:
        """Holds a naming and is neither revoked nor closed."""
        return bool(self.named_since) and self.status not in ("revoked", "closed")

    def held_on(self, day: dt.date) -> bool:
        """Holds (now) a naming dated on or before ``day`` and is not revoked or closed."""
        return self.active and any(d <= day for d in self.named_since.values())

    def apply(self, action: str, level: str | None, date: dt.date, deadline: dt.date | None = None) -> None:
        """Fold one designation row (the fields in the row's order: the facts' hot loop calls it so)."""
        if action == "name" and level:
            self.named_since.setdefault(level, date)
            if self.first_named is None or date < self.first_named:
                self.first_named = date
            self.status = "named"
            self.deadline = None
            self.status_date = date
        elif action == "demonstrate" and level:
            self.demonstrative_levels.add(level)
        elif action == "rectify":
            if self.named_since:
                self.status = "rectification"
                self.deadline = deadline
                self.status_date = date
        elif action == "warn":
            if self.named_since:
                self.status = "warned"
                self.status_date = date
        elif action == "restore":
            if self.named_since:
                self.status = "named"
                self.deadline = None
                self.status_date = date
        elif action == "revoke":
            if level:
                self.named_since.pop(level, None)
                self.demonstrative_levels.discard(level)
            else:
                self.named_since.clear()
                self.demonstrative_levels.clear()
            if not self.named_since and self.status != "closed":
                if self.status != "revoked":
                    self.status_date = date
                self.status = "revoked"
                self.deadline = None
        elif action == "close":
            if self.status != "closed":
                self.status_date = date
            self.status = "closed"
            self.deadline = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status, "level": self.level, "levels_held": self.levels_held,
            "demonstrative_levels": sorted(self.demonstrative_levels, key=LEVEL.rank),
            "first_named": self.first_named, "deadline": self.deadline,
        }


def fold(rows: Iterable[tuple[int, str, str | None, dt.date, dt.date | None]]) -> dict[int, State]:
    """Fold ``(studio_id, action, level, date, deadline)`` rows, ordered by studio, date, id."""
    states: dict[int, State] = {}
    for studio_id, action, level, date, deadline in rows:
        state = states.get(studio_id)
        if state is None:
            state = states[studio_id] = State()
        state.apply(action, level, date, deadline)
    return states

