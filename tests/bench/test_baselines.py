"""The benchmark's gspread baselines against the Google API fake, checked against sheets-sync.

One tiny workbook is provisioned, filled and synced by sheets-sync (the ground truth); each
test starts from that synced state.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import gspread
import pandas as pd
import pytest
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.credentials import Credentials

from bench import baselines
from bench import pandas_rules as rules
from bench.workloads import AS_OF, Size, changes, handover, workbook
from sheets_sync.demo import fill_demo
from sheets_sync.sync import sync
from tests.fakes.google_api import FakeGoogle
from tests.fakes.google_api.state import Spreadsheet
from tests.fakes.google_backend import TOKEN, google_backend

TINY = Size("T", 300, 12, 4, 10)
TABS = baselines.INPUT_TABS
#: Text a person may type that a careless write would turn into something else.
TRICKY = ["00123", "TRUE", "N/A", "'quoted", "1/2", "12%", "  padded  ", "3.50", "-", "1e3"]


@dataclass
class Book:
    fake: FakeGoogle
    sid: str
    client: gspread.Client
    synced: Any  # the spreadsheet's state right after sheets-sync's sync
    dirty: bool = False  # a test changed the spreadsheet since

    @property
    def ss(self) -> Spreadsheet:
        return self.fake.spreadsheet(self.sid)

    def pending(self) -> list[tuple[str, int, str, Any]]:
        """Computed cells (Issues aside) a sheets-sync sync would still change."""
        result = sync(google_backend(self.fake, self.sid), as_of=AS_OF, dry_run=True)
        out = []
        for u in result.updates:
            if u.tab in rules.COMPUTED:
                header = self.ss.values(u.tab)[0][u.col]
                if header in rules.COMPUTED[u.tab]:
                    out.append((u.tab, u.row, header, u.value))
        return out


@pytest.fixture(scope="module")
def built() -> Book:
    fake = FakeGoogle()
    backend = google_backend(fake)
    fill_demo(backend, AS_OF, rows=workbook(TINY))
    sid = backend.spreadsheet_id
    assert sid is not None
    ss = fake.spreadsheet(sid)
    for sheet in list(ss.sheets):  # grids sized to the data keep the fake quick
        height = len(ss.values(sheet.title)) + 5
        if sheet.row_count > height:
            ss.delete_rows(sheet.title, height, sheet.row_count - height)
    creds = Credentials(token=TOKEN)
    session = AuthorizedSession(creds)
    fake.mount(session)
    client = gspread.Client(auth=creds, session=session)
    return Book(fake, sid, client, fake.spreadsheet(sid).snapshot())


@pytest.fixture
def book(built: Book) -> Iterator[Book]:
    """The synced workbook, for a test that may change it."""
    if built.dirty:
        built.ss.restore(built.synced)
    built.dirty = True
    yield built


@pytest.fixture
def synced(built: Book) -> Book:
    """The synced workbook, for a test that only reads it."""
    if built.dirty:
        built.ss.restore(built.synced)
        built.dirty = False
    return built


def apply_changes(ss: Spreadsheet, round_no: int = 1) -> None:
    """``bench.workloads.changes``, typed as a person would: readings appended, handovers."""
    edit = changes(TINY, round_no)
    height = len(ss.values("KPI Log"))
    log = ss.sheet("KPI Log")
    if height + len(edit.readings) > log.row_count:
        ss.insert_rows("KPI Log", log.row_count, height + len(edit.readings) - log.row_count)
    for i, reading in enumerate(edit.readings):
        for c, value in enumerate(reading):
            if value is not None:
                ss.set_cell("KPI Log", height + i, c, value)
    raci = ss.values("RACI")
    for row, person in edit.handovers:
        for col, value in handover(raci[row], person).items():
            ss.set_cell("RACI", row, col, value)


# ------------------------------------------------------------------ readers


def _sheets(book: Book) -> dict[str, Any]:
    return baselines.worksheets(book.client.open_by_key(book.sid))


def read_gspread_dataframe(book: Book) -> dict[str, pd.DataFrame]:
    pytest.importorskip("gspread_dataframe")
    return {tab: baselines.read_frame(ws) for tab, ws in _sheets(book).items()}


def read_get_all_values(book: Book) -> dict[str, pd.DataFrame]:
    return {
        tab: rules.frame_from_values(baselines.read_values(ws)) for tab, ws in _sheets(book).items()
    }


def read_serials(book: Book) -> dict[str, pd.DataFrame]:
    """Dates as serial numbers (the fake's effective values)."""
    return {tab: rules.frame_from_values(book.ss.values(tab)) for tab in TABS}


def read_date_objects(book: Book) -> dict[str, pd.DataFrame]:
    return {tab: rules.frame_from_values(book.ss.values(tab, dates=True)) for tab in TABS}


READERS: dict[str, Callable[[Book], dict[str, pd.DataFrame]]] = {
    "gspread-dataframe": read_gspread_dataframe,
    "get_all_values": read_get_all_values,
    "serial-dates": read_serials,
    "date-objects": read_date_objects,
}


def _normalised(tab: str, header: str, s: pd.Series) -> pd.Series:
    if header in rules.DATE_COLUMNS.get(tab, ()):
        return rules.iso(rules.dates(s)).fillna("")
    if header in rules.NUMBER_COLUMNS.get(tab, ()):
        return rules.numbers(s).round(9).astype(object).where(s.notna(), "").astype(str)
    return s.astype(object).where(s.notna(), "").astype(str)


# ------------------------------------------------------------------ (i) + (ii) agreement


@pytest.mark.parametrize("reader", list(READERS))
def test_pandas_rules_agree_with_sheets_sync(synced: Book, reader: str) -> None:
    frames = READERS[reader](synced)
    truth = {tab: frames[tab].copy() for tab in rules.COMPUTED}
    for tab, headers in rules.COMPUTED.items():  # compute from inputs only
        for header in headers:
            frames[tab][rules.column(frames[tab], header)] = None
    computed = rules.compute(frames, AS_OF)

    agreement: dict[str, tuple[int, int]] = {}
    for tab, headers in rules.COMPUTED.items():
        key = rules.keys(truth[tab].iloc[:, 0])
        rows = key.notna()
        assert rows.sum() > 0
        for header in headers:
            label = rules.column(truth[tab], header)
            want = _normalised(tab, header, truth[tab][label])[rows]
            got = _normalised(tab, header, computed[tab][label])[rows]
            agreement[f"{tab}.{header}"] = (int((want == got).sum()), int(rows.sum()))
    report = ", ".join(f"{k} {a}/{n}" for k, (a, n) in agreement.items())

    def share(name: str) -> float:
        same, total = agreement[name]
        return same / total

    assert share("KPIs.Status") >= 0.95, report
    assert share("Goals.Status") >= 0.95, report
    assert share("Goals.Review status") >= 0.95, report
    assert share("RACI.Accountable") == 1.0, report
    # On this clean workbook every computed cell agrees, not only the statuses.
    assert all(a == n for a, n in agreement.values()), report


def test_statuses_cover_more_than_one_outcome(synced: Book) -> None:
    """The tiny workbook exercises several rules, so agreement means something."""
    kpis = rules.frame_from_values(synced.ss.values("KPIs"))
    assert kpis["Status"].nunique() >= 3, kpis["Status"].value_counts().to_dict()


# ------------------------------------------------------------------ (iii) naive gspread


def test_naive_per_row_updates_changed_rows_only(book: Book) -> None:
    first = baselines.naive_per_row(book.client, book.sid, AS_OF)
    assert first["update_calls"] == 0, first  # the sheet is synced: nothing to do

    apply_changes(book.ss)
    pending = book.pending()
    rows = {(tab, row) for tab, row, _, _ in pending}
    assert rows, "the changes should change some computed cells"
    result = baselines.naive_per_row(book.client, book.sid, AS_OF)
    assert result["update_calls"] >= 1, result
    assert result["update_calls"] == len(rows), (result, sorted(rows))
    assert book.pending() == []  # the sheet now holds what sheets-sync computes

    # It takes a gspread.Spreadsheet as well as a client.
    again = baselines.naive_per_row(book.client.open_by_key(book.sid), book.sid, AS_OF)
    assert again["update_calls"] == 0, again


# ------------------------------------------------------------------ (iv) gspread-dataframe


def _people_cells(ss: Spreadsheet, tab: str) -> dict[tuple[int, int], Any]:
    """Every non-blank cell of a tab outside its computed columns (Issues aside)."""
    values = ss.values(tab, dates=True)
    computed = {rules.norm(h) for h in rules.COMPUTED[tab]}
    owned = {c for c, h in enumerate(values[0]) if rules.norm(h) in computed}
    return {
        (r, c): v
        for r, row in enumerate(values)
        for c, v in enumerate(row)
        if c not in owned and v is not None
    }


def _same_cell(a: Any, b: Any) -> bool:
    """Same value and kind: text stays text, a date stays a date (2.0 and 2 are one number)."""
    number = (int, float)
    if isinstance(a, number) and isinstance(b, number):
        return not isinstance(a, bool) and not isinstance(b, bool) and a == b
    return type(a) is type(b) and a == b


def test_dataframe_round_trip_keeps_what_people_typed(book: Book) -> None:
    pytest.importorskip("gspread_dataframe")
    ss = book.ss
    apply_changes(ss)
    # A person's own column in KPIs, holding text a careless round trip would re-parse.
    width = len(ss.values("KPIs")[0])
    if ss.sheet("KPIs").column_count <= width:
        ss.insert_columns("KPIs", ss.sheet("KPIs").column_count, 1)
    ss.set_cell("KPIs", 0, width, "My notes")
    for r, text in enumerate(TRICKY, start=1):
        ss.set_cell("KPIs", r, width, text)
    before = {tab: _people_cells(ss, tab) for tab in baselines.WRITTEN_TABS}

    result = baselines.dataframe_round_trip(book.client, book.sid, AS_OF)
    assert result["tabs_written"] == 3, result
    assert result["cells_written"] > 0, result

    for tab in baselines.WRITTEN_TABS:
        after = _people_cells(ss, tab)
        changed = {
            k: (before[tab].get(k), after.get(k))
            for k in before[tab].keys() | after.keys()
            if not _same_cell(before[tab].get(k), after.get(k))
        }
        assert not changed, f"{tab}: {changed}"
    assert book.pending() == []  # computed cells as sheets-sync computes them

    # Dates stay dates (not text, not bare numbers) in people's and computed columns.
    kpis = ss.values("KPIs", dates=True)
    col = kpis[0].index("Latest date")
    assert all(isinstance(row[col], dt.date) for row in kpis[1:] if row[col] is not None)


# ------------------------------------------------------------------ the rules, case by case


def test_kpi_rules_match_sheets_sync_evaluate() -> None:
    """Random KPIs (edge cases included) against sheets-sync's own evaluate()."""
    from sheets_sync.rules.kpis import KpiInputs, evaluate

    rng = random.Random(7)
    rows, log, expected = [], [], []
    for i in range(400):
        direction = rng.choice(rules.DIRECTIONS)
        cadence = rng.choice(rules.CADENCES)
        baseline = float(rng.randrange(0, 50))
        target = baseline + rng.choice((-20.0, 0.0, 15.0, 40.0))
        if direction == "decrease":
            target = baseline - abs(target - baseline)
        elif direction == "increase":
            target = baseline + abs(target - baseline)
        start = AS_OF - dt.timedelta(days=rng.randrange(0, 400))
        due = start + dt.timedelta(days=rng.choice((-5, 0, 1, 90, 365)))
        kid = f"K{i}"
        rows.append([kid, direction, baseline, target, start, due, cadence])
        latest = None
        if rng.random() < 0.9:
            when = AS_OF - dt.timedelta(days=rng.randrange(0, 120))
            value = baseline + (target - baseline) * rng.choice((0.0, 0.5, 0.76, 0.95, 1.0, 1.2))
            value += rng.choice((0.0, 0.0, rng.uniform(-5, 5)))
            log.append([when - dt.timedelta(days=3), kid, value + 1])  # an older reading
            log.append([when, kid, value])
            log.append([AS_OF + dt.timedelta(days=1), kid, value + 7])  # after as_of: ignored
            latest = (when, value)
        paced = direction in rules.PACED
        inputs = KpiInputs(
            direction,
            target,
            cadence,
            baseline if paced else None,
            start if paced else None,
            due if paced else None,
        )
        expected.append(evaluate(inputs, latest, AS_OF))

    headers = ["KPI ID", "Direction", "Baseline", "Target", "Start date", "Due date", "Cadence"]
    frames = {
        "KPIs": rules.frame_from_values([[*headers, *rules.COMPUTED["KPIs"]], *rows]),
        "KPI Log": rules.frame_from_values([["Date", "KPI ID", "Value"], *log]),
    }
    got = rules.compute(frames, AS_OF)["KPIs"]
    for i, want in enumerate(expected):
        row = got.iloc[i]
        assert row["Status"] == want.status, (rows[i], want, row.to_dict())
        for header, value in (("Expected", want.expected), ("Progress", want.progress)):
            if value is None:
                assert pd.isna(row[header]), (rows[i], want, row.to_dict())
            else:
                assert row[header] == round(value, 6), (rows[i], want, row.to_dict())
        when = None if want.latest_date is None else want.latest_date.isoformat()
        assert (None if pd.isna(row["Latest date"]) else row["Latest date"]) == when


def test_cadence_arithmetic_matches_sheets_sync() -> None:
    from sheets_sync.rules.cadence import add_cadence

    days = [
        dt.date(2026, 1, 31),
        dt.date(2026, 3, 31),
        dt.date(2024, 11, 30),
        dt.date(2026, 12, 15),
    ]
    for cadence in rules.CADENCES:
        got = rules.add_cadence(
            rules.dates(pd.Series(days, dtype=object)), pd.Series([cadence] * len(days)), 3
        )
        assert [d.date() for d in got] == [add_cadence(d, cadence, 3) for d in days]


def test_latest_reading_tie_goes_to_the_lowest_row_and_dates_read_in_any_form() -> None:
    day = AS_OF - dt.timedelta(days=2)
    serial = (pd.Timestamp(day) - rules.EPOCH).days
    log = rules.frame_from_values(
        [
            ["Date", "KPI ID", "Value"],
            [day.isoformat(), "k1", 1.0],  # text, case-folded id
            [serial, "K1", "2"],  # serial number, number as text
            [day.strftime("%d %b %Y"), " K1 ", 3],  # another text form: same day, lowest row
            ["not a date", "K1", 9],
            [day, 7, 5],  # a number typed into an id cell is its integer text
        ]
    )
    latest = rules.latest_readings(log, AS_OF)
    assert latest.loc["k1", "value"] == 3.0
    assert latest.loc["7", "value"] == 5.0
    assert latest.loc["k1", "date"] == pd.Timestamp(day)
