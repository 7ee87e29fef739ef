"""Shards: every workbook in exactly one, chosen by its own name, the same in every process."""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
from collections import Counter
from pathlib import Path
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheets_sync.shards import ENV_INDEX, Shard, ShardError, parse_shard, shard_of

ROOT = Path(__file__).resolve().parents[1]
COUNTS = range(1, 17)
#: Names as people write them in a config: any text, unicode and spaces included.
NAMES = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=24)
#: What the pseudo-random rest of the thousand names are made of.
ALPHABET = string.ascii_letters + string.digits + " -_.&'()/" + "äöüéñçøßÅŁ日本語中文Ωσ"
MANY = settings(max_examples=25, deadline=None)


@st.composite
def workbook_names(draw: st.DrawFn, size: int = 1000) -> list[str]:
    """``size`` distinct names: up to 50 that Hypothesis picks (and shrinks), the rest
    pseudo-random from a seed it picks (a thousand drawn one by one would be too large
    an example for it)."""
    names = dict.fromkeys(draw(st.lists(NAMES, max_size=50, unique=True)))
    rng = Random(draw(st.integers(0, 2**64), label="seed of the rest"))
    while len(names) < size:
        names["".join(rng.choices(ALPHABET, k=rng.randint(1, 24)))] = None
    return list(names)


def shards(names: list[str], count: int) -> list[list[str]]:
    """The names each shard of ``count`` holds, shard 0 first."""
    return [Shard(index, count).select(names, str) for index in range(count)]


@MANY
@given(workbook_names())
def test_every_name_is_in_exactly_one_shard(names: list[str]) -> None:
    assert len(set(names)) == 1000
    for count in COUNTS:
        held = shards(names, count)
        # each name exactly once: the union is all of them, and no two shards share one
        assert Counter(n for shard in held for n in shard) == Counter(names), count
        for shard in held:
            inside = set(shard)
            assert shard == [n for n in names if n in inside]  # in config order


@MANY
@given(workbook_names(), st.data())
def test_adding_names_moves_no_existing_one(names: list[str], data: st.DataObject) -> None:
    known = set(names)
    added = data.draw(
        st.lists(NAMES.filter(lambda n: n not in known), min_size=10, max_size=10, unique=True)
    )
    # where the new ones are written in the config does not matter either
    grown = [*names, *added]
    Random(data.draw(st.integers(0, 2**32), label="shuffle seed")).shuffle(grown)
    for count in COUNTS:
        before = shards(names, count)
        after = shards(grown, count)
        for index in range(count):
            assert set(after[index]) - set(added) == set(before[index]), (count, index)


def test_a_fresh_process_puts_every_name_in_the_same_shard() -> None:
    # str hashes are salted per process (PYTHONHASHSEED); the shard must not be
    names = [f"partner-{i}" for i in range(500)] + ["acme-globex", "Ünïcode & spaces", "日本"]
    script = (
        "import json, sys\n"
        "from sheets_sync.shards import shard_of\n"
        "names = json.load(sys.stdin)\n"
        "print(json.dumps([[shard_of(n, c) for c in range(1, 17)] for n in names]))\n"
    )
    seen = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", script],
            input=json.dumps(names), capture_output=True, text=True, check=True, cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        seen.append(json.loads(done.stdout))
    here = [[shard_of(n, c) for c in COUNTS] for n in names]
    assert seen[0] == seen[1] == here


def test_the_shard_of_a_name_is_pinned() -> None:
    # changing how a shard is chosen would move every workbook: these must never change
    assert [shard_of("acme-globex", c) for c in (2, 3, 4, 16)] == [0, 1, 2, 2]
    assert [shard_of("initech", c) for c in (2, 3, 4, 16)] == [1, 2, 3, 11]
    assert shard_of("anything", 1) == 0


def test_parse_index_and_count() -> None:
    assert parse_shard("0/4", {}) == Shard(0, 4)
    assert parse_shard(" 3 / 4 ", {}) == Shard(3, 4)
    assert parse_shard("auto/4", {ENV_INDEX: "2"}) == Shard(2, 4)
    assert str(Shard(3, 16)) == "3/16"


@pytest.mark.parametrize(
    ("text", "environ", "message"),
    [
        ("0/0", {}, "COUNT must be at least 1, got 0"),
        ("0/-2", {}, "COUNT must be at least 1, got -2"),
        ("4/4", {}, "INDEX must be from 0 to 3 (COUNT is 4), got 4"),
        ("-1/4", {}, "INDEX must be from 0 to 3 (COUNT is 4), got -1"),
        ("4", {}, "'4' is not INDEX/COUNT (e.g. 0/4), nor auto/COUNT (INDEX from "
                  "JOB_COMPLETION_INDEX)"),
        ("1/2/3", {}, "'1/2/3' is not INDEX/COUNT (e.g. 0/4), nor auto/COUNT (INDEX from "
                      "JOB_COMPLETION_INDEX)"),
        ("auto/4", {}, "auto/4 takes INDEX from JOB_COMPLETION_INDEX, which is not set "
                       "(a Kubernetes Indexed Job sets it); give INDEX/COUNT instead"),
        ("auto/4", {ENV_INDEX: ""}, "auto/4 takes INDEX from JOB_COMPLETION_INDEX, which is "
                                    "not set (a Kubernetes Indexed Job sets it); give "
                                    "INDEX/COUNT instead"),
        ("auto/4", {ENV_INDEX: "x"}, "JOB_COMPLETION_INDEX='x' is not a whole number"),
        ("auto/4", {ENV_INDEX: "4"}, "JOB_COMPLETION_INDEX=4 is not from 0 to 3 (COUNT is 4): "
                                     "the Job's completions must equal COUNT"),
        ("auto/0", {ENV_INDEX: "0"}, "COUNT must be at least 1, got 0"),
    ],
)
def test_bad_values_say_what_is_wrong(text: str, environ: dict[str, str], message: str) -> None:
    with pytest.raises(ShardError) as caught:
        parse_shard(text, environ)
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


def test_a_count_below_one_is_refused_by_shard_of() -> None:
    with pytest.raises(ValueError, match="count must be at least 1, got 0"):
        shard_of("acme-globex", 0)
