"""The status rules in plain pandas: the computed columns the gspread baselines write.

This is what a competent pandas user would write by hand against the partnership template: the
tabs as DataFrames (header row = column names), vectorised with ``groupby``, ``map`` and
``numpy.select``. It computes only the computed columns (no findings, no Issues column):

- KPIs: Latest value, Latest date, Expected, Progress, Status
- Goals: Last review, Next review, Review status, Status
- RACI: Accountable, Responsible

Cells may come in as gspread and gspread-dataframe return them: text, numbers, dates as
serial numbers (day 0 = 1899-12-30) or as text (``2026-11-27``, ``3 Nov 2026``,
``11/3/2026``), or as ``datetime.date`` objects. Computed dates are returned as ISO text
(``YYYY-MM-DD``), numbers as floats, blanks as NaN.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

ON_TRACK_RATIO = 0.95
AT_RISK_RATIO = 0.75
STALE_GRACE_DAYS = 3
TOLERANCE = 1e-9

EPOCH = pd.Timestamp("1899-12-30")
SERIAL_MIN, SERIAL_MAX = 2, 2958465
DIRECTIONS = ("increase", "decrease", "maintain above", "maintain below")
PACED = ("increase", "decrease")
CADENCES = ("weekly", "biweekly", "monthly", "quarterly")
CADENCE_OFFSETS: dict[str, Any] = {
    "weekly": pd.Timedelta(days=7),
    "biweekly": pd.Timedelta(days=14),
    "monthly": pd.DateOffset(months=1),  # calendar months, clamped to the month's end
    "quarterly": pd.DateOffset(months=3),
}
#: Worst first: a goal takes the worst status among its KPIs.
SEVERITY_ORDER = ("Overdue", "Off track", "Stale", "At risk", "No data", "On track", "Achieved")
RACI_CODES = ("R", "A", "C", "I", "A/R")

#: Declared columns per tab; computed ones are listed in COMPUTED.
DECLARED: dict[str, tuple[str, ...]] = {
    "People": ("Person", "Email", "Organization", "Role"),
    "Goals": (
        "Goal ID",
        "Goal",
        "Owner",
        "Partner owner",
        "Start date",
        "Due date",
        "Review cadence",
        "Last review",
        "Next review",
        "Review status",
        "Status",
        "Issues",
    ),
    "KPIs": (
        "KPI ID",
        "Goal ID",
        "KPI",
        "Unit",
        "Direction",
        "Baseline",
        "Target",
        "Start date",
        "Due date",
        "Cadence",
        "Owner",
        "Latest value",
        "Latest date",
        "Expected",
        "Progress",
        "Status",
        "Issues",
    ),
    "KPI Log": ("Date", "KPI ID", "Value", "Entered by", "Note"),
    "RACI": ("Task ID", "Task", "Goal ID", "Due date", "Accountable", "Responsible", "Issues"),
    "Reviews": ("Date", "Goal ID", "Attendees", "Decisions", "Next steps"),
}
#: Computed columns per tab (Issues excluded: the baselines leave it alone).
COMPUTED: dict[str, tuple[str, ...]] = {
    "Goals": ("Last review", "Next review", "Review status", "Status"),
    "KPIs": ("Latest value", "Latest date", "Expected", "Progress", "Status"),
    "RACI": ("Accountable", "Responsible"),
}
ISSUES = "Issues"
#: Columns holding dates, per tab (inputs and computed).
DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "Goals": ("Start date", "Due date", "Last review", "Next review"),
    "KPIs": ("Start date", "Due date", "Latest date"),
    "KPI Log": ("Date",),
    "RACI": ("Due date",),
    "Reviews": ("Date",),
}
#: Computed columns that hold numbers (the rest of COMPUTED is text or dates).
NUMBER_COLUMNS: dict[str, tuple[str, ...]] = {
    "KPIs": ("Latest value", "Expected", "Progress"),
}

_UNNAMED = re.compile(r"^Unnamed: \d+$")
_NUMBER_JUNK = re.compile(r"[\s,$€£¥₹₩₽¢₺₪]")


# ------------------------------------------------------------------ headers and frames


def norm(header: Any) -> str:
    """Header matching is case- and whitespace-insensitive."""
    if header is None or (isinstance(header, str) and _UNNAMED.match(header)):
        return ""
    return " ".join(str(header).split()).casefold()


def column(frame: pd.DataFrame, header: str) -> Any:
    """The label of the first column of ``frame`` whose header matches ``header``, or None."""
    want = norm(header)
    return next((label for label in frame.columns if norm(label) == want), None)


def frame_from_values(values: list[list[Any]]) -> pd.DataFrame:
    """A DataFrame from a grid (``ws.get_all_values()``): row 0 is the header row.

    Columns keep their sheet positions (a blank header becomes ``Unnamed: N``, a repeated one
    ``Header.1``, as gspread-dataframe names them); blank cells are NaN; the index is the
    0-based position of the row under the header.
    """
    if not values:
        return pd.DataFrame()
    width = max(len(r) for r in values)
    labels: list[str] = []
    seen: dict[str, int] = {}
    for i, head in enumerate(list(values[0]) + [""] * (width - len(values[0]))):
        label = f"Unnamed: {i}" if head in (None, "") else str(head)
        if label in seen:
            seen[label] += 1
            label = f"{label}.{seen[label]}"
        else:
            seen[label] = 0
        labels.append(label)
    rows = [list(r) + [None] * (width - len(r)) for r in values[1:]]
    frame = pd.DataFrame(rows, columns=labels, dtype=object)
    return frame.mask(frame.isin([""]) | frame.isna())


def blank(frame: pd.DataFrame) -> pd.DataFrame:
    """True where a cell is blank (NaN, None or whitespace-only text)."""
    text = frame.apply(lambda s: _text(s).str.strip().eq(""))
    return frame.isna() | text.fillna(False).astype(bool)


# ------------------------------------------------------------------ coercion (vectorised)


def _is_text(s: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object:
        return s.notna()
    if s.dtype != object:
        return pd.Series(False, index=s.index)
    return s.map(lambda v: isinstance(v, str)).astype(bool)


def _text(s: pd.Series) -> pd.Series:
    """The text cells of ``s`` (others NaN), as an object Series usable with ``.str``."""
    return s.astype(object).where(_is_text(s))


def _is_number(s: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s.dtype):
        return pd.Series(False, index=s.index)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.notna()
    if s.dtype != object:
        return pd.Series(False, index=s.index)
    return s.map(
        lambda v: (
            isinstance(v, (int, float, np.number))
            and not isinstance(v, (bool, np.bool_))
            and v == v
        )
    ).astype(bool)


def keys(s: pd.Series) -> pd.Series:
    """IDs and references: trimmed, case-folded text; a number reads as its integer text."""
    out = pd.Series(np.nan, index=s.index, dtype=object)
    text = _text(s).str.strip().str.casefold()
    out = out.where(text.isna() | text.eq(""), text)
    num = _is_number(s)
    if num.any():
        values = pd.to_numeric(s[num], errors="coerce")
        whole = values == np.floor(values)
        shown = values.map(lambda v: f"{v:g}").where(~whole, values.map(lambda v: str(int(v))))
        out[num] = shown
    return out


def enums(s: pd.Series, allowed: Iterable[str]) -> pd.Series:
    """Enum text, trimmed and case-folded; NaN when blank or not one of ``allowed``."""
    text = _text(s).str.split().str.join(" ").str.casefold()
    return text.where(text.isin(list(allowed)))


def numbers(s: pd.Series) -> pd.Series:
    """Numbers: as they are, or from text (thousands separators, currency, ``12%`` = 0.12)."""
    if pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype):
        return s.astype(float)
    out = pd.to_numeric(s.where(_is_number(s)), errors="coerce").astype(float)
    text = _text(s)
    has = text.notna()
    if has.any():
        clean = text[has].str.replace(_NUMBER_JUNK, "", regex=True)
        pct = clean.str.endswith("%")
        value = pd.to_numeric(clean.str.rstrip("%"), errors="coerce")
        out[has] = value.where(~pct, value / 100)
    return out


def dates(s: pd.Series) -> pd.Series:
    """Dates (datetime64, midnight) from serial numbers, text or date objects; NaT otherwise."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return s.dt.normalize()
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    num = _is_number(s)
    if num.any():
        serial = pd.to_numeric(s[num], errors="coerce").astype(float)
        serial = serial.where((serial >= SERIAL_MIN) & (serial <= SERIAL_MAX))
        out[num] = EPOCH + pd.to_timedelta(np.floor(serial), unit="D")
    text = _text(s).str.strip()
    has = text.notna() & text.ne("")
    if has.any():
        parsed = pd.to_datetime(text[has], format="ISO8601", errors="coerce")
        rest = parsed.isna()
        if rest.any():
            parsed[rest] = pd.to_datetime(text[has][rest], format="mixed", errors="coerce")
        out[has] = parsed.dt.normalize().astype("datetime64[ns]")
    other = s.notna() & ~num & ~_is_text(s)
    if other.any():
        out[other] = pd.to_datetime(s[other].astype(object), errors="coerce").dt.normalize()
    return out


def iso(d: pd.Series) -> pd.Series:
    """datetime64 -> ``YYYY-MM-DD`` text (NaN for NaT), as an object Series."""
    return d.dt.strftime("%Y-%m-%d").astype(object).where(d.notna(), np.nan)


def add_cadence(d: pd.Series, cadence: pd.Series, grace_days: int = 0) -> pd.Series:
    """``d + cadence`` (days, or calendar months clamped to the month's end), then grace."""
    out = pd.Series(pd.NaT, index=d.index, dtype="datetime64[ns]")
    for name, offset in CADENCE_OFFSETS.items():
        pick = cadence.eq(name) & d.notna()
        if pick.any():
            out[pick] = (d[pick] + offset).astype("datetime64[ns]")
    return out + pd.Timedelta(days=grace_days)


def _round6(s: pd.Series) -> pd.Series:
    """Python's round(x, 6) (as sheets-sync writes it), NaN kept."""
    return s.map(lambda v: v if v != v else round(float(v), 6)).astype(float)


def _records(frame: pd.DataFrame, tab: str) -> pd.Series:
    """Rows that are records: a row whose people-owned cells are all blank is not one."""
    computed = {norm(h) for h in (*COMPUTED.get(tab, ()), ISSUES)} if tab in COMPUTED else set()
    own = [label for label in frame.columns if norm(label) not in computed]
    if not own:
        return pd.Series(False, index=frame.index)
    return ~blank(frame[own]).all(axis=1)


def _usable(record: pd.Series, key: pd.Series) -> pd.Series:
    """Records minus later duplicates of a key (the first row is used)."""
    k = key.where(record)
    return record & ~(k.notna() & k.duplicated(keep="first"))


def _get(frame: pd.DataFrame, header: str) -> pd.Series:
    label = column(frame, header)
    if label is None:
        return pd.Series(np.nan, index=frame.index, dtype=object)
    return frame[label]


def _put(frame: pd.DataFrame, header: str, values: pd.Series) -> None:
    label = column(frame, header)
    frame[header if label is None else label] = values.astype(object).where(values.notna(), np.nan)


# ------------------------------------------------------------------ the rules


def latest_readings(log: pd.DataFrame | None, as_of: dt.date) -> pd.DataFrame:
    """Per case-folded KPI ID: the latest reading up to as_of (greatest date, lowest row)."""
    empty = pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]"), "value": []})
    if log is None or log.empty:
        return empty
    frame = pd.DataFrame(
        {
            "kpi": keys(_get(log, "KPI ID")),
            "date": dates(_get(log, "Date")),
            "value": numbers(_get(log, "Value")),
            "row": np.arange(len(log)),
        }
    )
    frame = frame.dropna(subset=["kpi", "date", "value"])
    frame = frame[frame["date"] <= pd.Timestamp(as_of)]
    frame = frame.sort_values(["kpi", "date", "row"], kind="mergesort")
    return frame.drop_duplicates("kpi", keep="last").set_index("kpi")[["date", "value"]]


def compute_kpis(
    kpis: pd.DataFrame,
    log: pd.DataFrame | None,
    as_of: dt.date,
    *,
    on_track_ratio: float = ON_TRACK_RATIO,
    at_risk_ratio: float = AT_RISK_RATIO,
    stale_grace_days: int = STALE_GRACE_DAYS,
) -> pd.DataFrame:
    """The KPIs frame with Latest value, Latest date, Expected, Progress and Status filled."""
    out = kpis.copy()
    today = pd.Timestamp(as_of)
    kid = keys(_get(kpis, "KPI ID"))
    usable = _usable(_records(kpis, "KPIs"), kid)
    direction = enums(_get(kpis, "Direction"), DIRECTIONS)
    cadence = enums(_get(kpis, "Cadence"), CADENCES)
    baseline = numbers(_get(kpis, "Baseline"))
    target = numbers(_get(kpis, "Target"))
    start = dates(_get(kpis, "Start date"))
    due = dates(_get(kpis, "Due date"))

    paced = direction.isin(PACED)
    increase, decrease = direction.eq("increase"), direction.eq("decrease")
    wrong_side = (increase & (target < baseline)) | (decrease & (target > baseline))
    paced_ok = baseline.notna() & start.notna() & due.notna() & ~wrong_side
    valid = usable & direction.notna() & target.notna() & cadence.notna() & (~paced | paced_ok)

    latest = latest_readings(log, as_of)
    when = kid.map(latest["date"]).astype("datetime64[ns]").where(valid)
    value = kid.map(latest["value"]).astype(float).where(valid)
    has = when.notna() & value.notna()

    # Expected: pacing at the latest reading's date.
    span = (due - start).dt.days.astype(float)
    elapsed = (when - start).dt.days.astype(float)
    f = np.where(
        span <= 0,
        (when >= due).astype(float),
        np.clip(elapsed / span.where(span > 0), 0.0, 1.0),
    )
    expected = (baseline + (target - baseline) * f).where(paced & has)
    achieved = has & ((increase & (value >= target)) | (decrease & (value <= target)))
    progress = np.clip((value - baseline) / (target - baseline).where(target != baseline), 0, 1)
    progress = progress.where(target != baseline, achieved.astype(float)).where(paced & has)
    pace = (value - baseline) / (expected - baseline).where(expected != baseline)
    pace = pace.where(expected != baseline, 1.0)

    stale_after = add_cadence(when, cadence, stale_grace_days)
    status = np.select(
        [
            achieved,
            paced & (today > due),
            ~has,
            today > stale_after,
            direction.eq("maintain above"),
            direction.eq("maintain below"),
            pace >= on_track_ratio - TOLERANCE,
            pace >= at_risk_ratio - TOLERANCE,
        ],
        [
            "Achieved",
            "Overdue",
            "No data",
            "Stale",
            np.where(value >= target, "On track", "Off track"),
            np.where(value <= target, "On track", "Off track"),
            "On track",
            "At risk",
        ],
        "Off track",
    )
    status = pd.Series(status, index=kpis.index, dtype=object).where(valid)

    _put(out, "Latest value", value)
    _put(out, "Latest date", iso(when))
    _put(out, "Expected", _round6(expected))
    _put(out, "Progress", _round6(progress))
    _put(out, "Status", status)
    return out


def compute_goals(
    goals: pd.DataFrame,
    kpis: pd.DataFrame | None,
    reviews: pd.DataFrame | None,
    as_of: dt.date,
    *,
    stale_grace_days: int = STALE_GRACE_DAYS,
) -> pd.DataFrame:
    """Goals with Last review, Next review, Review status and Status filled.

    ``kpis`` must already hold the computed KPI Status (see :func:`compute_kpis`).
    """
    out = goals.copy()
    today = pd.Timestamp(as_of)
    gid = keys(_get(goals, "Goal ID"))
    usable = _usable(_records(goals, "Goals"), gid) & gid.notna()
    cadence = enums(_get(goals, "Review cadence"), CADENCES)
    due = dates(_get(goals, "Due date"))

    # Reviews: the greatest valid Date up to as_of per goal.
    if reviews is not None and not reviews.empty:
        rv = pd.DataFrame(
            {"goal": keys(_get(reviews, "Goal ID")), "date": dates(_get(reviews, "Date"))}
        ).dropna()
        last_by_goal = rv[rv["date"] <= today].groupby("goal")["date"].max()
    else:
        last_by_goal = pd.Series(dtype="datetime64[ns]")
    last = gid.map(last_by_goal).astype("datetime64[ns]").where(usable)
    next_review = add_cadence(last, cadence).where(usable & cadence.notna())
    review_status = pd.Series(
        np.select(
            [last.isna(), today > next_review + pd.Timedelta(days=stale_grace_days)],
            ["Never reviewed", "Overdue"],
            "OK",
        ),
        index=goals.index,
        dtype=object,
    ).where(usable & cadence.notna())

    # Status: the worst status of the goal's KPIs (No data when none), Overdue past due.
    rank_of = {s: i for i, s in enumerate(SEVERITY_ORDER)}
    if kpis is not None and not kpis.empty:
        kid = keys(_get(kpis, "KPI ID"))
        k = pd.DataFrame(
            {
                "goal": keys(_get(kpis, "Goal ID")),
                "rank": _get(kpis, "Status").map(rank_of),
            }
        )[_usable(_records(kpis, "KPIs"), kid)]
        worst = k.dropna(subset=["goal"]).groupby("goal")["rank"].min()
    else:
        worst = pd.Series(dtype=float)
    rank = gid.map(worst).fillna(rank_of["No data"]).astype(int)
    status = pd.Series(np.asarray(SEVERITY_ORDER, dtype=object)[rank], index=goals.index)
    status = status.where(~((today > due) & status.ne("Achieved")), "Overdue")
    status = status.where(usable & due.notna())

    _put(out, "Last review", iso(last))
    _put(out, "Next review", iso(next_review))
    _put(out, "Review status", review_status)
    _put(out, "Status", status)
    return out


def role_labels(raci: pd.DataFrame, people: pd.DataFrame | None) -> list[Any]:
    """RACI's role columns, in sheet order: undeclared columns whose header is a Person or Role
    in People, or whose non-blank cells are all R, A, C, I or A/R."""
    declared = {norm(h) for h in DECLARED["RACI"]}
    names: set[str] = set()
    if people is not None and not people.empty:
        for header in ("Person", "Role"):
            names |= set(_text(_get(people, header)).str.strip().str.casefold().dropna())
    roles = []
    for label in raci.columns:
        header = norm(label)
        if header in declared:
            continue
        codes = raci_codes(raci[label])
        filled = ~blank(raci[[label]])[label]
        all_raci = bool(filled.any()) and bool(codes[filled].notna().all())
        if (header and header in names) or all_raci:
            roles.append(label)
    return roles


def raci_codes(s: pd.Series) -> pd.Series:
    """Canonical RACI codes (spaces ignored, R/A = A/R); NaN when blank or not a code."""
    code = _text(s).str.replace(r"\s+", "", regex=True).str.upper().replace({"R/A": "A/R"})
    return code.where(code.isin(RACI_CODES))


def compute_raci(raci: pd.DataFrame, people: pd.DataFrame | None) -> pd.DataFrame:
    """RACI with Accountable and Responsible filled (people in column order, ``, ``)."""
    out = raci.copy()
    tid = keys(_get(raci, "Task ID"))
    usable = _usable(_records(raci, "RACI"), tid)
    roles = role_labels(raci, people)
    if roles:
        codes = raci[roles].apply(raci_codes)
        header = pd.Series(
            [("" if _UNNAMED.match(str(r)) else str(r)) + ", " for r in roles], index=roles
        )
        # bool x str is the name or "", so a dot product joins the names in column order.
        accountable = codes.isin(["A", "A/R"]).astype(object).dot(header).str[:-2]
        responsible = codes.isin(["R", "A/R"]).astype(object).dot(header).str[:-2]
    else:
        accountable = responsible = pd.Series("", index=raci.index, dtype=object)
    accountable = accountable.where(usable & accountable.ne(""))
    responsible = responsible.where(usable & responsible.ne(""))
    _put(out, "Accountable", accountable)
    _put(out, "Responsible", responsible)
    return out


def compute(
    frames: Mapping[str, pd.DataFrame],
    as_of: dt.date,
    *,
    on_track_ratio: float = ON_TRACK_RATIO,
    at_risk_ratio: float = AT_RISK_RATIO,
    stale_grace_days: int = STALE_GRACE_DAYS,
) -> dict[str, pd.DataFrame]:
    """The input frames with the computed columns of KPIs, Goals and RACI filled.

    ``frames`` maps tab names (People, Goals, KPIs, KPI Log, RACI, Reviews) to DataFrames
    whose columns are the tab's headers; missing tabs are skipped. Frames of other tabs are
    returned as they are; the Issues columns are left as they are.
    """
    out = dict(frames)
    if "KPIs" in frames:
        out["KPIs"] = compute_kpis(
            frames["KPIs"],
            frames.get("KPI Log"),
            as_of,
            on_track_ratio=on_track_ratio,
            at_risk_ratio=at_risk_ratio,
            stale_grace_days=stale_grace_days,
        )
    if "Goals" in frames:
        out["Goals"] = compute_goals(
            frames["Goals"],
            out.get("KPIs"),
            frames.get("Reviews"),
            as_of,
            stale_grace_days=stale_grace_days,
        )
    if "RACI" in frames:
        out["RACI"] = compute_raci(frames["RACI"], frames.get("People"))
    return out
