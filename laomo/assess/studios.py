"""The studios due for a year's assessment (studios by code: :func:`laomo.domain.studios.find`).

Who is assessed for Y (rules.md): every studio that, on 31 December of Y, held a
naming (any level) dated on or before that day and had not been revoked or
closed by then.  Designations dated after that day do not change it (a studio
revoked in January of Y+1 because of its Y result stays in Y's results), and
voided designations count nowhere.  The yearly run reads the same state from the
facts' designation stream (:func:`laomo.facts.iter_facts` with ``state_on_day``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection


def due(conn: Connection, year: int, studio_ids: Iterable[int] | None = None) -> set[int]:
    """Studios assessed for Y: on 31 Dec Y holding a naming and neither revoked nor closed."""
    from laomo.domain.status import fold
    from laomo.domain.studios import designation_rows, fold_order
    from laomo.models import Designation

    d = Designation.__table__
    q = designation_rows(as_of=dt.date(year, 12, 31)).order_by(d.c.studio_id, *fold_order())  # in force only
    if studio_ids is not None:
        q = q.where(d.c.studio_id.in_(list(studio_ids)))
    return {sid for sid, st in fold(tuple(r) for r in conn.execute(q)).items() if st.active}
