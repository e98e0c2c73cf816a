"""把“读取+校验”和“写库”分到两个进程：大文件导入时两个 CPU 核同时工作。

``chunks(parse, source, …)`` yields lists of parsed rows.  For a small
source it simply parses in this process.  For a large CSV/XLSX file (at
least ``WORKER_MIN_BYTES``) on a system with ``fork``, a child process reads
and validates the file and sends the parsed chunks through a pipe while this
process resolves references and writes: the two halves of the import then
run on two cores at once, which is what keeps a bulk import within twice the
cost of a bare ``csv`` + ``executemany`` load.

The child only reads the file; it never touches the database, and it ends
with ``os._exit`` so that no inherited connection is finalised in it.  If the
parent dies (even SIGKILL), the pipe breaks and the child exits; its work
was never visible to anyone.  A :class:`~laomo.errors.LaomoError` raised while
reading (an undecodable line, a broken CSV) reaches the parent as the same
exception, class, ``option`` and ``lines`` included.  The rows the reader skipped
(empty, total and signature rows) are counted in the child; its last message
carries the counts, which are set on the parent's source, so ``source.skipped``
is the same whether or not a worker read the file.  ``LAOMO_IMPORT_WORKER=0``
turns the worker off.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import queue
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from laomo.errors import LaomoError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from laomo.ledger.rowparser import Problem, Row
    from laomo.ledger.sources import Source

#: ``(line, cells, values, problems, blanks)``; cells None for a good row the writer need not
#: keep; ``blanks`` the row parser's bitmask of blank cells (an update keeps those fields).
Packed = tuple[int, "list[Any] | None", "list[Any]", "list[Problem]", int]
Parse = Callable[[int, list[Any]], "Packed | None"]
#: A check of a whole chunk of parsed rows, run where they are parsed: adds problems to rows.
Check = Callable[["list[Packed]"], None]
Chunks = Iterator[tuple["list[Row]", int, float]]

WORKER_MIN_BYTES = 4 << 20
#: parsed chunks waiting for the writer, at most (memory stays flat: a chunk of 2,000 people is
#: about 0.2 MB pickled, twice that with the cells a rejects file needs)
QUEUE_CHUNKS = 32


@contextlib.contextmanager
def no_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while the block runs (the writing side of an import).

    An import allocates a few containers per row (the row, its values, its problems), none of
    them in a reference cycle, so reference counting frees them all; but every few hundred
    allocations the collector runs, and its older generations walk every object the process
    holds (SQLAlchemy's, the models'): about a fifth of the writing side's time, for nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _wanted(source: Source, size: int | None) -> bool:
    if os.environ.get("LAOMO_IMPORT_WORKER", "1") == "0":
        return False
    if sys.platform == "win32" or not hasattr(os, "fork"):
        return False
    return size is not None and size >= WORKER_MIN_BYTES


def chunks(parse: Parse, source: Source, chunk: int, keep_cells: bool, size: int | None,
           check: Check | None = None) -> Chunks:
    """Yield ``(rows, rows_read, fraction)`` with ``rows`` the parsed non-blank rows as :class:`Row`
    objects (see :func:`packed_chunks`)."""
    from laomo.ledger.rowparser import Row

    for packed, fraction in packed_chunks(parse, source, chunk, keep_cells, size, check):
        yield [Row(*r) for r in packed], len(packed), fraction


def packed_chunks(parse: Parse, source: Source, chunk: int, keep_cells: bool, size: int | None,
                  check: Check | None = None, worker: Worker | None = None) -> Iterator[tuple[list[Packed], float]]:
    """Yield ``(rows, fraction)`` with ``rows`` the parsed non-blank rows as ``parse`` packed them.

    ``parse(line, cells)`` returns ``(line, cells, values, problems, blanks)`` or None;
    ``check(rows)``, when given, sees each chunk of them before it is handed on (in the parse
    worker when there is one: its work then runs beside the writer's); it may add problems to
    rows whose cells are already gone when ``keep_cells`` is false (no rejects file needs them).
    ``worker``: a parse worker started ahead for this source (:func:`start_worker`), whose chunks
    are yielded instead.
    """
    if worker is None:
        worker = start_worker(parse, source, chunk, keep_cells, size, check)
    if worker is not None:
        try:
            yield from worker.chunks()
        finally:
            worker.stop()
        return
    pending: list[Packed] = []
    for line, cells in source.rows():
        row = parse(line, cells)
        if row is None:
            continue
        pending.append(row)
        if len(pending) >= chunk:
            if check is not None:
                check(pending)
            yield pending, source.fraction()
            pending = []
    if pending:
        if check is not None:
            check(pending)
        yield pending, source.fraction()


def start_worker(parse: Parse, source: Source, chunk: int, keep_cells: bool, size: int | None,
                 check: Check | None = None) -> Worker | None:
    """A parse worker reading ``source`` from now on, when one is wanted for it (a large file, on a
    system with ``fork``); None otherwise.  The caller hands it to :func:`packed_chunks` and stops
    it (:meth:`Worker.stop`) if it never gets that far."""
    return Worker(parse, source, chunk, keep_cells, check) if _wanted(source, size) else None


class Worker:
    """A child process that reads and parses the file and sends the packed chunks through a pipe.

    A reader thread drains the pipe into a bounded queue, so the child never waits for this
    process to finish writing a chunk (a chunk is larger than the pipe's buffer): reading and
    writing then really overlap.  Started before this process has opened the database (see
    :func:`laomo.ledger.importer.start_import`), the child gets ahead by up to
    :data:`QUEUE_CHUNKS` chunks while this process loads the rest of what it needs.
    """

    def __init__(self, parse: Parse, source: Source, chunk: int, keep_cells: bool, check: Check | None) -> None:
        import multiprocessing

        self.source = source
        ctx = multiprocessing.get_context("fork")
        self.receiver, sender = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_produce, args=(parse, source, chunk, keep_cells, check, sender, self.receiver),
                                daemon=True)
        self.proc.start()
        sender.close()
        self.inbox: queue.Queue[bytes | None] = queue.Queue(maxsize=QUEUE_CHUNKS)
        self.reader = threading.Thread(target=_drain, args=(self.receiver, self.inbox), daemon=True)
        self.reader.start()
        self.finished = False
        self.stopped = False

    def chunks(self) -> Iterator[tuple[list[Packed], float]]:
        """The child's chunks in order; its errors raised here (see the module docstring)."""
        while True:
            data = self.inbox.get()
            if data is None:
                raise LaomoError("读取文件的子进程意外退出，导入未完成，数据库未改动")
            message = pickle.loads(data)
            tag = message[0]
            if tag == "rows":
                yield message[1], message[2]
            elif tag == "done":  # the rows the child skipped were counted there: this source learns them
                _, self.source.skipped, self.source.skipped_lines = message
                self.finished = True
                return
            elif tag == "error":  # the child's LaomoError itself: its class, option and lines
                raise message[1] from None
            else:
                raise RuntimeError(f"读取文件的子进程出错：\n{message[1]}")

    def stop(self) -> None:
        """The child and the reader thread ended (killed when the import stopped early, as its work
        is moot then); the pipe closed.  Idempotent."""
        if self.stopped:
            return
        self.stopped = True
        proc, reader, inbox = self.proc, self.reader, self.inbox
        if not self.finished and proc.is_alive():
            proc.kill()
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
            proc.join()
        while reader.is_alive():  # the child is gone, so the reader meets EOF; unblock a full queue
            try:
                inbox.get_nowait()
            except queue.Empty:
                reader.join(timeout=0.05)
        self.receiver.close()


def _drain(receiver: Connection, inbox: queue.Queue[bytes | None]) -> None:
    try:
        while True:
            inbox.put(receiver.recv_bytes())
    except (EOFError, OSError):
        inbox.put(None)


def _produce(parse: Parse, source: Source, chunk: int, keep_cells: bool, check: Check | None,
             sender: Connection, receiver: Connection) -> None:
    code = 0
    # Close this process's copy of the read end: when the parent dies, the
    # pipe then has no reader left and the next send fails, ending the child.
    receiver.close()
    gc.disable()  # short-lived, acyclic data: reference counting frees it, the cycle collector only costs
    try:
        pending: list[Packed] = []
        for line, cells in source.rows():
            row = parse(line, cells)
            if row is None:
                continue
            if not keep_cells and not row[3]:  # cells only go to a rejects file
                row = (line, None, row[2], row[3], row[4])
            pending.append(row)
            if len(pending) >= chunk:
                _send(sender, pending, source.fraction(), check)
                pending = []
        if pending:
            _send(sender, pending, source.fraction(), check)
        sender.send_bytes(pickle.dumps(("done", source.skipped, list(source.skipped_lines))))
    except (BrokenPipeError, EOFError, KeyboardInterrupt):
        code = 1
    except LaomoError as exc:
        code = _try_send(sender, ("error", _portable(exc)))
    except BaseException:  # a bug: hand the traceback to the parent, which shows it without locals
        code = _try_send(sender, ("crash", traceback.format_exc()))
    finally:
        os._exit(code)


def _send(sender: Connection, pending: list[Packed], fraction: float, check: Check | None) -> None:
    """One chunk to the writer, checked first."""
    if check is not None:
        check(pending)
    sender.send_bytes(pickle.dumps(("rows", pending, fraction), pickle.HIGHEST_PROTOCOL))


def _portable(exc: LaomoError) -> LaomoError:
    """The error as it can cross the pipe: itself (exceptions pickle with their attributes),
    or, for a subclass that does not unpickle, a plain LaomoError with the same text."""
    exc = exc.with_traceback(None)
    exc.__context__ = exc.__cause__ = None
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        plain = LaomoError(str(exc), lines=exc.lines, option=exc.option)
        plain.exit_code = exc.exit_code
        return plain
    return exc


def _try_send(sender: Connection, message: tuple[Any, ...]) -> int:
    with contextlib.suppress(BrokenPipeError, OSError):
        sender.send_bytes(pickle.dumps(message))
    return 1
