"""Moving Issues rows: the moves turn the rows as read into the rows wanted, carrying cells."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.row_shifts import apply_ops, row_ops

KEYS = st.sampled_from("abcdefghij")


@given(
    st.lists(st.one_of(st.none(), KEYS), max_size=12),
    st.lists(KEYS, max_size=10, unique=True),
)
def test_moves_give_the_wanted_order_and_carry_every_finding_that_stays(
    before_keys: list[str | None], after: list[str]
) -> None:
    before = [None, *before_keys]  # row 0: the header
    # each row holds its key and a note a person typed beside it
    grid = [["header"], *[[key, f"note {row}"] for row, key in enumerate(before_keys, 1)]]
    ops = row_ops(before, after)
    if not ops:
        return
    moved = apply_ops(grid, ops)
    assert moved[0] == ["header"]
    first_row: dict[str | None, int] = {}
    for row, key in enumerate(before_keys, 1):
        first_row.setdefault(key, row)
    for index, key in enumerate(after, 1):
        cells = moved[index] if index < len(moved) else []
        if key in first_row:  # a finding that stays: its own row, wherever it went
            assert cells == [key, f"note {first_row[key]}"]
        else:
            assert cells == []
    # nothing is lost: every row read is still there, once
    assert sorted(map(repr, filter(None, moved))) == sorted(map(repr, filter(None, grid)))
    # each new finding gets an empty row: never a row that showed another finding
    inserted = [row for kind, row, _ in ops if kind == "insert"]
    assert len(inserted) == sum(1 for key in after if key not in first_row)
    # each row moves at most twice; the header never
    moves = [(row, to) for kind, row, to in ops if kind == "move"]
    assert len(moves) <= 2 * len(before_keys)
    assert all(row > 0 and to > 0 for row, to in moves)


def test_a_new_finding_is_inserted_and_the_others_keep_their_rows() -> None:
    before = [None, "a", "b", "c"]
    assert row_ops(before, ["a", "new", "b", "c"]) == [("insert", 2, 2)]
    assert row_ops(before, ["a", "b", "c"]) == []


def test_a_gone_finding_moves_below_the_others_and_a_new_one_gets_an_empty_row() -> None:
    before = [None, "a", "b", "c"]
    # b's row goes below c, where the sync clears it
    assert row_ops(before, ["a", "c"]) == [("move", 2, 4)]
    assert apply_ops([["h"], ["a"], ["b"], ["c"]], [("move", 2, 4)]) == [["h"], ["a"], ["c"], ["b"]]
    # a new finding never takes b's row: a note typed beside b meanwhile stays b's
    ops = row_ops(before, ["a", "c", "new"])
    assert ops == [("move", 2, 4), ("insert", 3, 3)]
    assert apply_ops([["h"], ["a"], ["b"], ["c"]], ops) == [["h"], ["a"], ["c"], [], ["b"]]


def test_a_finding_that_changed_places_is_moved_with_its_row() -> None:
    ops = row_ops([None, "a", "b", "c"], ["c", "a", "b"])
    assert ops == [("move", 3, 1)]
    grid = [["h"], ["a", "1"], ["b", "2"], ["c", "3"]]
    assert apply_ops(grid, ops) == [["h"], ["c", "3"], ["a", "1"], ["b", "2"]]


def test_nothing_to_carry_means_no_moves() -> None:
    assert row_ops([None, "x", "y"], ["a", "b"]) == []
    assert row_ops([None], ["a"]) == []
