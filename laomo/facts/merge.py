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


def merged(driver: Stream, zero: Facts, streams: list[Stream], *, chunk: int, attached: Stream | None = None,
           only_attached: bool = False) -> Iterator[tuple[int, Facts, Any]]:
    """Yield ``(studio_id, facts, extra)`` for every row of ``driver``, in its (studio id) order.

    A studio's facts start as a copy of ``zero`` filled from its ``driver`` row; every stream
    then fills them.  ``attached``: a stream of one row per studio, filled like the others,
    whose second value is handed back as ``extra`` (None for a studio without a row); with
    ``only_attached``, a studio without a row there is skipped — its facts are never made.
    """
    rows, start = driver.rows, driver.fill
    while True:
        batch = list(islice(rows, chunk))
        if not batch:
            return
        last = batch[-1][0]
        extra = attached.take(last) if attached is not None else None
        keep = extra if only_attached else None
        chunk_facts: dict[int, Facts] = {}
        for r in batch:
            if keep is not None and r[0] not in keep:
                continue
            f = chunk_facts[r[0]] = dict(zero)
            start(f, r)
        get = chunk_facts.get
        for stream in streams:
            stream.feed(last, get)
        if attached is None or extra is None:
            for sid, f in chunk_facts.items():
                yield sid, f, None
            continue
        fill, pick = attached.fill, extra.get
        for sid, f in chunk_facts.items():
            own = pick(sid)
            if own is None:
                yield sid, f, None
            else:
                fill(f, own)
                yield sid, f, own[1]


def fill_all(facts: dict[int, Facts], streams: list[Stream]) -> None:
    """Hand every row of ``streams`` to the facts of its studio (a studio not in ``facts`` is skipped)."""
    get = facts.get
    for stream in streams:
        stream.feed(float("inf"), get)
