"""The merge of the facts' row streams: what a studio's facts are when streams have or lack its rows,
and the plans it refuses to compile (a default that depends on which rows exist)."""

from __future__ import annotations

from typing import Any

import pytest

from laomo.facts.merge import Plan, Stream, batched, chunk_builder, merged

ZERO: dict[str, Any] = {"team_size": 0, "share": 0, "honor": None, "score_X": None}
DRIVER = Plan({"code": "{r}[1]", "team_size": "{r}[2]"})
SHARE = Plan({"share": "({r}[2] / {r}[1] if {r}[1] else 0)"}, empty=(None, 0, 0))
HONOR = Plan({"honor": "_NAMES[{r}[1]]"}, empty=(None, -1), names={"_NAMES": {-1: None, 0: "county", 1: "city"}})


def _fill_score(f: dict[str, Any], r: tuple[Any, ...]) -> None:
    f[f"score_{r[1]}"] = r[2]


def _run(*, chunk: int, only_attached: bool = False, size: int = 2) -> list[tuple[int, dict[str, Any], Any]]:
    studios = [(1, "A", 3), (2, "B", 0), (4, "D", 5), (7, "G", 1), (9, "I", 2)]
    shares = [(1, 4, 2), (4, 2, 1), (9, 1, 1)]
    honors = [(2, 0), (4, 1), (7, -1)]
    scores = [(1, "X", 7), (1, "Y", 3), (7, "X", 9), (8, "X", 1)]  # 8: no such studio, skipped
    states = [(1, "s1"), (7, "s7"), (9, "s9")]
    return list(merged(Stream(batched(studios, size), plan=DRIVER), ZERO,
                       [Stream(batched(shares, size), plan=SHARE), Stream(batched(scores, size), _fill_score),
                        Stream(batched(honors, size), plan=HONOR)],
                       chunk=chunk, attached=Stream(batched(states, size), lambda f, r: f.update(state=r[1])),
                       only_attached=only_attached))


@pytest.mark.parametrize("chunk", [1, 2, 1000])
@pytest.mark.parametrize("size", [1, 2, 3, 1000])
def test_a_studio_without_rows_in_a_stream_keeps_the_defaults_whatever_the_chunk(chunk: int, size: int) -> None:
    """Whatever the chunk of studios and the length of the streams' lists (a chunk's end inside a
    list, between two rows of one studio, past the last row)."""
    got = {sid: (f, extra) for sid, f, extra in _run(chunk=chunk, size=size)}
    assert list(got) == [1, 2, 4, 7, 9]
    assert got[1] == ({"team_size": 3, "share": 0.5, "honor": None, "score_X": 7, "code": "A", "score_Y": 3,
                       "state": "s1"}, "s1")
    assert got[2] == ({"team_size": 0, "share": 0, "honor": "county", "score_X": None, "code": "B"}, None)
    assert got[4][0] == {"team_size": 5, "share": 0.5, "honor": "city", "score_X": None, "code": "D"}
    assert got[7][0] == {"team_size": 1, "share": 0, "honor": None, "score_X": 9, "code": "G", "state": "s7"}
    assert got[9][0]["share"] == 1.0 and got[9][1] == "s9"
    # the defaults' order first, then what only the rows add
    assert list(got[1][0]) == ["team_size", "share", "honor", "score_X", "code", "score_Y", "state"]


def test_only_attached_makes_no_facts_for_a_studio_without_a_row_there() -> None:
    assert [sid for sid, _, _ in _run(chunk=2, only_attached=True)] == [1, 7, 9]


def test_a_plan_whose_empty_row_is_not_the_default_is_refused() -> None:
    wrong = Plan({"share": "{r}[1]"}, empty=(None, 1))
    with pytest.raises(ValueError, match="share"):
        chunk_builder(DRIVER, [wrong], ZERO)
    # 0 is not False: a flag's default must stay a bool
    with pytest.raises(ValueError, match="flag"):
        chunk_builder(DRIVER, [Plan({"flag": "{r}[1]"}, empty=(None, 0))], {**ZERO, "flag": False})


def test_two_plans_making_one_fact_are_refused() -> None:
    with pytest.raises(ValueError, match="team_size"):
        chunk_builder(DRIVER, [Plan({"team_size": "{r}[1]"}, empty=(None, 0))], ZERO)


def test_a_stream_has_a_plan_or_a_fill_and_the_driver_a_plan() -> None:
    with pytest.raises(ValueError):
        Stream(iter([]))
    with pytest.raises(ValueError):
        list(merged(Stream(iter([[(1, "A", 0)]]), _fill_score), ZERO, [], chunk=10))


def test_an_attached_stream_with_a_plan_makes_its_facts_and_still_hands_back_its_value() -> None:
    zero = {**ZERO, "level": None}
    states = [(1, "s1", "county"), (7, "s7", None)]
    got = list(merged(Stream(batched([(1, "A", 3), (2, "B", 0), (7, "G", 1)], 2), plan=DRIVER), zero, [], chunk=2,
                      attached=Stream(batched(states, 1), plan=Plan({"level": "{r}[2]"}, empty=(None, None, None)))))
    assert [(sid, f["level"], extra) for sid, f, extra in got] == [(1, "county", "s1"), (2, None, None), (7, None, "s7")]
