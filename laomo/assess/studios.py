"""The studios due for a year's assessment (studios by code: :func:`laomo.domain.studios.find`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def due(conn: Connection, year: int, studio_ids: Iterable[int] | None = None) -> set[int]:
    """Studios assessed for Y: holding now a naming dated on or before 31 Dec Y, not revoked/closed."""
    from laomo.domain.studios import states

    day = dt.date(year, 12, 31)
    return {sid for sid, st in states(conn, studio_ids=studio_ids).items() if st.held_on(day)}
