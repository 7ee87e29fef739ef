"""Coercion of what people type: property tests and the messy cases people really type."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheets_sync.backends.base import CellError
from sheets_sync.coerce import (
    SERIAL_EPOCH,
    Invalid,
    Locale,
    coerce_bool,
    coerce_date,
    coerce_email,
    coerce_id,
    coerce_number,
    coerce_text,
)

US, GB, DE = Locale.parse("en_US"), Locale.parse("en_GB"), Locale.parse("de_DE")
dates = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(9999, 12, 31))
cells = st.one_of(
    st.none(), st.text(), st.integers(), st.floats(allow_nan=True), st.booleans(),
    st.dates(), st.datetimes(), st.builds(CellError, st.sampled_from(["#REF!", "#N/A"])),
)


@given(dates)
def test_iso_dates_round_trip(day: dt.date) -> None:
    assert coerce_date(day.isoformat()) == day
    assert coerce_date(f"  {day.isoformat()}\u200b ") == day


@given(dates, st.sampled_from(["%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d %Y"]))
def test_written_dates_round_trip(day: dt.date, fmt: str) -> None:
    assert coerce_date(day.strftime(fmt)) == day
    assert coerce_date(day.strftime(fmt).upper()) == day


@given(dates)
def test_short_dates_follow_the_locale(day: dt.date) -> None:
    assert coerce_date(f"{day.month}/{day.day}/{day.year}", US) == day
    assert coerce_date(f"{day.day}/{day.month}/{day.year}", GB) == day
    assert coerce_date(f"{day.day}.{day.month}.{day.year}", US) == day


@given(dates)
def test_serial_numbers_are_dates(day: dt.date) -> None:
    serial = (day - SERIAL_EPOCH).days
    assert coerce_date(serial) == day
    assert coerce_date(float(serial) + 0.75) == day


@given(cells)
def test_coercion_is_total(value: object) -> None:
    """Anything a cell can hold gives a value, None or Invalid: never an exception."""
    for fn in (coerce_date, coerce_number, coerce_id, coerce_text, coerce_email, coerce_bool):
        fn(value)  # type: ignore[operator]


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["", "$", "€", "£"]))
def test_thousands_and_currency(n: int, symbol: str) -> None:
    text = f"{'-' if n < 0 else ''}{symbol}{abs(n):,}"
    assert coerce_number(text) == n
    assert coerce_number(text.replace(",", ".").replace("-", "-"), DE) == n


@given(st.integers(min_value=0, max_value=100000))
def test_percent(n: int) -> None:
    assert coerce_number(f"{n}%") == pytest.approx(n / 100)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_numbers_as_typed(x: float) -> None:
    assert coerce_number(x) == x
    assert coerce_number(repr(x)) == pytest.approx(x)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-11-03", dt.date(2026, 11, 3)),
        ("3 Nov 2026", dt.date(2026, 11, 3)),
        ("11/3/2026", dt.date(2026, 11, 3)),
        ("2026/11/03", dt.date(2026, 11, 3)),
        ("3rd November 2026", dt.date(2026, 11, 3)),
        ("Nov. 3, 2026", dt.date(2026, 11, 3)),
        ("2026-11-03T00:00:00", dt.date(2026, 11, 3)),
        (dt.datetime(2026, 11, 3, 14, 5), dt.date(2026, 11, 3)),
        ("", None),
        ("   ", None),
    ],
)
def test_dates_people_type(typed: object, expected: dt.date | None) -> None:
    assert coerce_date(typed) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "typed", ["31/02/2026", "next Tuesday", "2026-13-01", "TBD", True, 0, -5, CellError("#REF!")]
)
def test_bad_dates_are_invalid(typed: object) -> None:
    assert isinstance(coerce_date(typed), Invalid)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("$1,200", 1200.0),
        ("1 200", 1200.0),
        ("12%", 0.12),
        ("(1,200.50)", -1200.5),
        ("−3.5", -3.5),
        ("€-5", -5.0),
        ("+7", 7.0),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("1'000", 1000.0),
    ],
)
def test_numbers_people_type(typed: str, expected: float) -> None:
    assert coerce_number(typed) == pytest.approx(expected)


@pytest.mark.parametrize("typed", ["abc", "1,2", "--5", "nan", "inf", "12 apples", True])
def test_bad_numbers_are_invalid(typed: object) -> None:
    assert isinstance(coerce_number(typed), Invalid)  # type: ignore[arg-type]


def test_ids_read_numbers_as_integer_text() -> None:
    assert coerce_id(1.0) == "1"
    assert coerce_id(12) == "12"
    assert coerce_id("  K1 \u200b") == "K1"


def test_email_and_bool() -> None:
    assert coerce_email("ana@example.com") == "ana@example.com"
    assert isinstance(coerce_email("ana at example"), Invalid)
    assert coerce_bool("Yes") is True and coerce_bool(0) is False


def test_locale_spellings_and_an_unknown_locale() -> None:
    assert Locale.parse("en-gb") == Locale.parse("en_GB") == GB
    assert Locale.parse("DE-de") == DE
    assert Locale.canonical("en_us") == "en_US" and Locale.canonical("klingon") is None
    # a spreadsheet's own locale the tool does not know reads as en_US (not a user setting)
    assert Locale.parse("ja_JP") == Locale.parse("xx") == Locale.parse(None) == US
