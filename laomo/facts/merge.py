"""One generic merge, by studio id, of row streams each ordered by studio id.

A stream is an iterator of tuples whose first value is the studio id, in ascending
order, with the function that copies one row into that studio's facts dict.  The
merge walks the studios (the *driver* stream, one row per studio) a chunk at a time:
it makes the chunk's dicts, then hands every stream's rows up to the chunk's last
studio to them — so only one chunk of facts is in memory, whatever the number of
studios, and each stream is read once, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import islice
from typing import Any

Row = tuple[Any, ...]
Facts = dict[str, Any]
#: Copies one row of a stream into the facts of its studio.
Fill = Callable[[Facts, Row], None]


class Stream:
    """An ordered row stream and its :data:`Fill`; holds the first row past the last chunk read."""

    __slots__ = ("fill", "held", "rows")

    def __init__(self, rows: Iterator[Row], fill: Fill) -> None:
        self.rows = rows
        self.fill = fill
        self.held: Row | None = None

    def feed(self, last: float, get: Callable[[int], Facts | None]) -> None:
        """Hand the rows of the studios up to ``last`` to their facts (``get(id)``; None: skipped)."""
        fill = self.fill
        row = self.held
        if row is not None:
            if row[0] > last:
                return
            self.held = None
            f = get(row[0])
            if f is not None:
                fill(f, row)
        for row in self.rows:
            if row[0] > last:
                self.held = row
                return
            f = get(row[0])
            if f is not None:
                fill(f, row)

    def take(self, last: float) -> dict[int, Row]:
        """The rows of the studios up to ``last``, by studio (one row per studio)."""
        out: dict[int, Row] = {}
        row = self.held
        if row is not None:
            if row[0] > last:
                return out
            self.held = None
            out[row[0]] = row
        for row in self.rows:
            if row[0] > last:
                self.held = row
                break
            out[row[0]] = row
        return out


def merged(driver: Iterator[Row], start: Callable[[Row], Facts], streams: list[Stream], *, chunk: int,
           attached: Stream | None = None, only_attached: bool = False) -> Iterator[tuple[int, Facts, Any]]:
    """Yield ``(studio_id, facts, extra)`` for every row of ``driver``, in its (studio id) order.

    ``start(row)`` makes a studio's facts from its driver row; every stream then fills them.
    ``attached``: a stream of one row per studio, filled like the others, whose second value
    is handed back as ``extra`` (None for a studio without a row); with ``only_attached``, a
    studio without a row there is skipped — its facts are never made.
    """
    while True:
        batch = list(islice(driver, chunk))
        if not batch:
            return
        last = batch[-1][0]
        extra = attached.take(last) if attached is not None else None
        chunk_facts: dict[int, Facts] = {}
        for r in batch:
            if only_attached and extra is not None and r[0] not in extra:
                continue
            chunk_facts[r[0]] = start(r)
        get = chunk_facts.get
        for stream in streams:
            stream.feed(last, get)
        if attached is None or extra is None:
            for sid, f in chunk_facts.items():
                yield sid, f, None
            continue
        fill = attached.fill
        for sid, row in extra.items():
            found = get(sid)
            if found is not None:
                fill(found, row)
        for sid, f in chunk_facts.items():
            own = extra.get(sid)
            yield sid, f, None if own is None else own[1]


def fill_all(facts: dict[int, Facts], streams: list[Stream]) -> None:
    """Hand every row of ``streams`` to the facts of its studio (a studio not in ``facts`` is skipped)."""
    get = facts.get
    for stream in streams:
        stream.feed(float("inf"), get)
