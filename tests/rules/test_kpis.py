"""KPI status rules: property tests and a worked table."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sheets_sync.config import RulesConfig
from sheets_sync.rules.cadence import add_cadence, add_months
from sheets_sync.rules.goals import SEVERITY_ORDER, rollup
from sheets_sync.rules.kpis import KpiInputs, evaluate, expected_at
from sheets_sync.rules.reviews import review_status

D = dt.date
STATUSES = set(SEVERITY_ORDER)
days = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))
values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
cadences = st.sampled_from(["weekly", "biweekly", "monthly", "quarterly"])


@st.composite
def paced(draw: st.DrawFn) -> KpiInputs:
    direction = draw(st.sampled_from(["increase", "decrease"]))
    baseline = draw(values)
    delta = draw(st.floats(min_value=0, max_value=1e6))
    target = baseline + delta if direction == "increase" else baseline - delta
    start = draw(days)
    due = draw(days)
    return KpiInputs(direction, target, draw(cadences), baseline, start, due)


@given(paced(), st.one_of(st.none(), st.tuples(days, values)), days)
def test_status_is_always_one_of_the_enum(k: KpiInputs, latest: tuple[D, float] | None,
                                          as_of: D) -> None:
    result = evaluate(k, latest, as_of)
    assert result.status in STATUSES
    if result.progress is not None:
        assert 0.0 <= result.progress <= 1.0
    if latest is None:
        assert result.status in {"Overdue", "No data"}
        assert result.latest_value is None and result.expected is None


@given(paced(), days, values, days)
def test_achieved_comes_first(k: KpiInputs, when: D, value: float, as_of: D) -> None:
    achieved = value >= k.target if k.direction == "increase" else value <= k.target
    result = evaluate(k, (when, value), as_of)
    assert (result.status == "Achieved") == achieved
    if not achieved and k.due is not None and as_of > k.due:
        assert result.status == "Overdue"


@given(paced(), days, values, days)
def test_silence_is_never_green(k: KpiInputs, when: D, value: float, as_of: D) -> None:
    result = evaluate(k, (when, value), as_of)
    if as_of > add_cadence(when, k.cadence, 3) and result.status not in {"Achieved", "Overdue"}:
        assert result.status == "Stale"


@given(paced(), days)
def test_expected_stays_between_baseline_and_target(k: KpiInputs, when: D) -> None:
    assert k.baseline is not None
    low, high = sorted([k.baseline, k.target])
    assert low - 1e-6 <= expected_at(k, when) <= high + 1e-6


@given(st.sampled_from(["maintain above", "maintain below"]), values, values, days, days, cadences)
def test_maintain(direction: str, target: float, value: float, when: D, as_of: D,
                  cadence: str) -> None:
    assume(as_of <= add_cadence(when, cadence, 3))
    result = evaluate(KpiInputs(direction, target, cadence), (when, value), as_of)
    good = value >= target if direction == "maintain above" else value <= target
    assert result.status == ("On track" if good else "Off track")
    assert result.expected is None and result.progress is None


@given(st.lists(st.sampled_from(sorted(STATUSES)), max_size=8))
def test_goal_takes_the_worst_kpi(statuses: list[str]) -> None:
    worst = rollup(statuses)
    assert worst in STATUSES
    for s in statuses:
        assert SEVERITY_ORDER.index(worst) <= SEVERITY_ORDER.index(s)


K = KpiInputs("increase", 100, "weekly", 0, D(2026, 1, 1), D(2026, 12, 31))
AS_OF = D(2026, 11, 27)


@pytest.mark.parametrize(
    ("k", "latest", "as_of", "status"),
    [
        (K, (D(2026, 11, 20), 100), AS_OF, "Achieved"),
        (K, (D(2026, 11, 20), 90), AS_OF, "On track"),
        (K, (D(2026, 11, 20), 70), AS_OF, "At risk"),
        (K, (D(2026, 11, 20), 50), AS_OF, "Off track"),
        (K, (D(2026, 11, 20), 90), D(2027, 1, 2), "Overdue"),
        (K, None, AS_OF, "No data"),
        (K, (D(2026, 11, 16), 90), AS_OF, "Stale"),  # 16 + 7 + 3 = 26 < 27
        (K, (D(2026, 11, 17), 90), AS_OF, "On track"),  # 17 + 7 + 3 = 27, not after
        (KpiInputs("decrease", 10, "monthly", 50, D(2026, 1, 1), D(2026, 12, 31)),
         (D(2026, 11, 1), 17), AS_OF, "On track"),
        (KpiInputs("maintain above", 95, "monthly"), (D(2026, 11, 1), 94.9), AS_OF, "Off track"),
        (KpiInputs("maintain below", 400, "weekly"), (D(2026, 11, 25), 400), AS_OF, "On track"),
    ],
)
def test_worked_statuses(k: KpiInputs, latest: tuple[D, float] | None, as_of: D,
                         status: str) -> None:
    assert evaluate(k, latest, as_of).status == status


def test_pace_ratio_boundary_is_on_track() -> None:
    k = KpiInputs("increase", 200, "weekly", 0, D(2026, 1, 1), D(2026, 1, 11))
    when = D(2026, 1, 6)  # expected 100 exactly
    assert evaluate(k, (when, 95.0), when).status == "On track"
    assert evaluate(k, (when, 75.0), when).status == "At risk"
    assert evaluate(k, (when, 74.9), when).status == "Off track"
    strict = RulesConfig(on_track_ratio=0.99, at_risk_ratio=0.9)
    assert evaluate(k, (when, 95.0), when, strict).status == "At risk"


def test_due_before_start_paces_as_a_step() -> None:
    k = KpiInputs("increase", 10, "weekly", 0, D(2026, 6, 1), D(2026, 5, 1))
    assert expected_at(k, D(2026, 4, 30)) == 0
    assert expected_at(k, D(2026, 5, 1)) == 10


def test_baseline_equals_target() -> None:
    k = KpiInputs("increase", 5, "weekly", 5, D(2026, 1, 1), D(2026, 12, 31))
    assert evaluate(k, (D(2026, 11, 25), 5), AS_OF).progress == 1.0
    k = KpiInputs("decrease", 5, "weekly", 5, D(2026, 1, 1), D(2026, 12, 31))
    assert evaluate(k, (D(2026, 11, 25), 6), AS_OF).progress == 0.0


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2026, 11, 30), 3, D(2027, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
    ],
)
def test_calendar_months_clamp(day: D, months: int, expected: D) -> None:
    assert add_months(day, months) == expected


@given(days, cadences, st.integers(min_value=0, max_value=30))
def test_grace_is_added_after_the_cadence(day: D, cadence: str, grace: int) -> None:
    assert add_cadence(day, cadence, grace) == add_cadence(day, cadence) + dt.timedelta(grace)
    assert add_cadence(day, cadence) > day


def test_review_status() -> None:
    assert review_status(None, "monthly", AS_OF, 3) == (None, "Never reviewed")
    assert review_status(D(2026, 10, 24), "monthly", AS_OF, 3) == (D(2026, 11, 24), "OK")
    assert review_status(D(2026, 10, 23), "monthly", AS_OF, 3) == (D(2026, 11, 23), "Overdue")
