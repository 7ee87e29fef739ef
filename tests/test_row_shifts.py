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
def test_moves_give_the_wanted_order_and_carry_what_stays(
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
    assert len(moved) == len(after) + 1
    first_row = {}
    for row, key in enumerate(before_keys, 1):
        first_row.setdefault(key, row)
    for index, key in enumerate(after, 1):
        cells = moved[index]
        if cells:  # a row that stayed: its own key and note, never another row's
            assert cells[0] == key
            assert cells[1] == f"note {first_row[key]}"
    # deletions come first, bottom up; then insertions, top down
    kinds = [kind for kind, _ in ops]
    assert kinds == sorted(kinds)  # "delete" < "insert"
    deletes = [row for kind, row in ops if kind == "delete"]
    inserts = [row for kind, row in ops if kind == "insert"]
    assert deletes == sorted(deletes, reverse=True) and 0 not in deletes
    assert inserts == sorted(inserts)


def test_a_new_finding_is_inserted_and_the_others_keep_their_rows() -> None:
    before = [None, "a", "b", "c"]
    assert row_ops(before, ["a", "new", "b", "c"]) == [("insert", 2)]
    assert row_ops(before, ["a", "c"]) == [("delete", 2)]
    assert row_ops(before, ["a", "b", "c"]) == []


def test_a_finding_that_changed_places_is_moved_by_delete_and_insert() -> None:
    assert row_ops([None, "a", "b", "c"], ["c", "a", "b"]) == [("delete", 3), ("insert", 1)]


def test_nothing_to_carry_means_no_moves() -> None:
    assert row_ops([None, "x", "y"], ["a", "b"]) == []
    assert row_ops([None], ["a"]) == []
