"""The parse worker of a large import hands a user error to the writer as the error itself:
its class (a UsageError stays a usage error), ``option`` and ``lines``, not an exit code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from laomo.errors import LaomoError, UsageError
from laomo.ledger import pipeline
from laomo.ledger.sources import Source

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="the worker needs fork")


class FailingSource(Source):
    """Two good rows, then the error a reader raises on a bad line."""

    name = "people.csv"
    encoding = "utf-8"
    sha256 = ""

    def __init__(self, error: LaomoError):
        self.header = ["编号"]
        self.error = error

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        yield 2, ["P1"]
        yield 3, ["P2"]
        raise self.error

    def fraction(self) -> float:
        return 0.5


class Unpicklable(LaomoError):
    def __init__(self, what: str, where: str):
        super().__init__(f"{where}: {what}", option="encoding")


def parse(line: int, cells: list[Any]) -> tuple[int, list[Any], list[Any], list[Any]]:
    return line, cells, list(cells), []


def run_through_worker(monkeypatch: pytest.MonkeyPatch, error: LaomoError) -> LaomoError:
    monkeypatch.setattr(pipeline, "WORKER_MIN_BYTES", 0)
    monkeypatch.setenv("LAOMO_IMPORT_WORKER", "1")
    source = FailingSource(error)
    assert pipeline._wanted(source, 1)
    with pytest.raises(LaomoError) as info:
        for _ in pipeline.chunks(parse, source, 1, keep_cells=True, size=1):
            pass
    return info.value


def test_the_worker_forwards_the_error_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    got = run_through_worker(monkeypatch, UsageError("按 utf-8 解码失败", option="encoding", lines=["第 4 行"]))
    assert type(got) is UsageError
    assert (str(got), got.option, got.lines, got.exit_code) == ("按 utf-8 解码失败", "encoding", ["第 4 行"], 2)


def test_an_error_that_cannot_cross_the_pipe_arrives_as_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    got = run_through_worker(monkeypatch, Unpicklable("无法解码", "people.csv:4"))
    assert type(got) is LaomoError
    assert (str(got), got.option) == ("people.csv:4: 无法解码", "encoding")


def test_an_import_started_ahead_and_never_run_stops_its_worker(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``start_import`` starts a large file's worker before the database is opened; closing it
    (the database could not be opened, say) ends that worker even while it waits to hand on rows."""
    from laomo.ledger import importer
    from laomo.ledger.sources import open_source

    monkeypatch.setattr(pipeline, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(pipeline, "QUEUE_CHUNKS", 1)
    monkeypatch.setattr(importer, "CHUNK", 10)
    monkeypatch.setenv("LAOMO_IMPORT_WORKER", "1")
    path = tmp_path / "people.csv"
    path.write_text("编号,姓名,性别,出生年份\n" + "".join(f"P{n:06d},张{n},男,1980\n" for n in range(5000)),
                    encoding="utf-8")
    with open_source(str(path)) as source:
        with importer.start_import(source, kind="people", url="sqlite:////nowhere/laomo.db",
                                   keep_cells=False) as started:
            worker = started.worker
            assert worker is not None
            assert worker.proc.is_alive()  # blocked: nobody takes its rows
        assert not worker.proc.is_alive()
        assert not worker.reader.is_alive()
