"""The fake's charts (addChart, updateChartSpec, deleteEmbeddedObject), through real gspread.

No cassette records a chart: the shapes checked here follow the discovery document and the
API reference (the reply to addChart is ``{"addChart": {"chart": EmbeddedChart}}``).
"""

from __future__ import annotations

from typing import Any

import gspread
import pytest

from tests.fakes.conftest import api_error
from tests.fakes.google_api import FakeGoogle

Json = dict[str, Any]


def grid(sheet_id: int, r0: int, r1: int, c0: int, c1: int) -> Json:
    return {
        "sheetId": sheet_id,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }


def column_chart(sheet_id: int, *, title: str = "Hours", row: int = 15, col: int = 4) -> Json:
    """A stacked column chart over E1:G5 (categories in E, two series), anchored at E16."""
    return {
        "spec": {
            "title": title,
            "basicChart": {
                "chartType": "COLUMN",
                "stackedType": "STACKED",
                "legendPosition": "RIGHT_LEGEND",
                "headerCount": 1,
                "axis": [{"position": "BOTTOM_AXIS"}, {"position": "LEFT_AXIS"}],
                "domains": [{"domain": {"sourceRange": {"sources": [grid(sheet_id, 0, 5, 4, 5)]}}}],
                "series": [
                    {
                        "series": {"sourceRange": {"sources": [grid(sheet_id, 0, 5, 5, 6)]}},
                        "targetAxis": "LEFT_AXIS",
                        "colorStyle": {"rgbColor": {"red": 1, "green": 0.5, "blue": 0}},
                    },
                    {
                        "series": {"sourceRange": {"sources": [grid(sheet_id, 0, 5, 6, 7)]}},
                        "targetAxis": "LEFT_AXIS",
                        "color": {"red": 0, "green": 0, "blue": 1},
                    },
                ],
            },
        },
        "position": {
            "overlayPosition": {
                "anchorCell": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": col},
                "offsetXPixels": 0,
                "offsetYPixels": 4,
                "widthPixels": 600,
                "heightPixels": 300,
            }
        },
    }


def charts_of(sh: gspread.Spreadsheet, fields: str = "sheets(properties(title),charts)") -> Json:
    meta = sh.fetch_sheet_metadata({"fields": fields})
    return {s["properties"]["title"]: s.get("charts", []) for s in meta["sheets"]}


def test_add_chart_replies_and_reads_back_like_google(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("C", {"First": [["a"]], "Dash": [["Week", "A", "B"]]})
    sh = gc.open_by_key(sid)
    sheet_id = sh.worksheet("Dash").id
    reply = sh.batch_update({"requests": [{"addChart": {"chart": column_chart(sheet_id)}}]})
    chart = reply["replies"][0]["addChart"]["chart"]
    assert isinstance(chart["chartId"], int)
    assert chart["spec"]["title"] == "Hours"
    basic = chart["spec"]["basicChart"]
    assert (basic["chartType"], basic["stackedType"], basic["headerCount"]) == (
        "COLUMN",
        "STACKED",
        1,
    )
    assert basic["domains"][0]["domain"]["sourceRange"]["sources"] == [grid(sheet_id, 0, 5, 4, 5)]
    first, second = basic["series"]
    # colours come back in both forms, channels as Google keeps them (8 bits)
    assert first["color"] == {"red": 1, "green": 0.49803922}
    assert first["colorStyle"] == {"rgbColor": {"red": 1, "green": 0.49803922}}
    assert second["colorStyle"] == {"rgbColor": {"blue": 1}}
    overlay = chart["position"]["overlayPosition"]
    assert overlay == {
        "anchorCell": {"sheetId": sheet_id, "rowIndex": 15, "columnIndex": 4},
        "offsetYPixels": 4,
        "widthPixels": 600,
        "heightPixels": 300,
    }
    read = charts_of(sh)["Dash"]
    assert read == [chart]
    # the fields mask reaches into charts like any other sheet field
    small = charts_of(sh, "sheets(properties(title),charts(chartId,spec(title)))")
    assert small["Dash"] == [{"chartId": chart["chartId"], "spec": {"title": "Hours"}}]
    assert charts_of(sh, "sheets.properties.title")["Dash"] == []


def test_chart_defaults_and_zero_indexes_on_sheet_zero(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("C"))
    body = column_chart(0, row=0, col=0)
    del body["position"]["overlayPosition"]["widthPixels"]
    del body["position"]["overlayPosition"]["heightPixels"]
    body["chartId"] = 77
    reply = sh.batch_update({"requests": [{"addChart": {"chart": body}}]})
    chart = reply["replies"][0]["addChart"]["chart"]
    assert chart["chartId"] == 77
    assert chart["position"]["overlayPosition"] == {
        "anchorCell": {},
        "offsetYPixels": 4,
        "widthPixels": 600,
        "heightPixels": 371,
    }
    assert chart["spec"]["basicChart"]["domains"][0]["domain"]["sourceRange"]["sources"] == [
        {"startRowIndex": 0, "endRowIndex": 5, "startColumnIndex": 4, "endColumnIndex": 5}
    ]
    assert chart["spec"]["hiddenDimensionStrategy"] == "SKIP_HIDDEN_ROWS_AND_COLUMNS"
    err = api_error(sh.batch_update, {"requests": [{"addChart": {"chart": body}}]})
    assert err.code == 400
    assert "An object with id 77 already exists." in err.error["message"]


def test_delete_embedded_object_and_update_chart_spec(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("C"))
    reply = sh.batch_update(
        {
            "requests": [
                {"addChart": {"chart": column_chart(0, title="One")}},
                {"addChart": {"chart": column_chart(0, title="Two")}},
            ]
        }
    )
    one, two = (r["addChart"]["chart"]["chartId"] for r in reply["replies"])
    assert one != two
    spec = column_chart(0, title="Renamed")["spec"]
    sh.batch_update(
        {
            "requests": [
                {"updateChartSpec": {"chartId": two, "spec": spec}},
                {"deleteEmbeddedObject": {"objectId": one}},
            ]
        }
    )
    charts = charts_of(sh)["Sheet1"]
    assert [(c["chartId"], c["spec"]["title"]) for c in charts] == [(two, "Renamed")]
    err = api_error(sh.batch_update, {"requests": [{"deleteEmbeddedObject": {"objectId": one}}]})
    assert err.code == 400
    assert err.error["message"] == (
        f"Invalid requests[0].deleteEmbeddedObject: No object with id: {one}"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda c: c["spec"]["basicChart"].update(foo=1),
            "Invalid JSON payload received. Unknown name \"foo\" at "
            "'requests[0].add_chart.chart.spec.basic_chart': Cannot find field.",
        ),
        (
            lambda c: c["spec"]["basicChart"].update(chartType="DONUT"),
            # (Google names the type BasicChartType; the fake names enums by their field)
            "Invalid value at 'requests[0].add_chart.chart.spec.basic_chart.chart_type' ",
        ),
        (
            lambda c: c["spec"]["basicChart"]["series"][0]["series"]["sourceRange"].update(
                sources=[grid(99, 0, 5, 5, 6)]
            ),
            "Invalid requests[0].addChart: No grid with id: 99",
        ),
        (
            lambda c: c["spec"]["basicChart"].update(series=[]),
            "Invalid requests[0].addChart: A basic chart needs at least one series.",
        ),
        (
            lambda c: c["position"]["overlayPosition"]["anchorCell"].update(rowIndex=5000),
            "Invalid requests[0].addChart: The anchor cell (row 5000, column 4) is outside the "
            "grid of sheet 0.",
        ),
        (
            lambda c: c.pop("spec"),
            "Invalid requests[0].addChart: The chart spec must be set.",
        ),
    ],
)
def test_malformed_add_chart_is_400_and_applies_nothing(
    fake: FakeGoogle, gc: gspread.Client, change: Any, message: str
) -> None:
    sid = fake.create_spreadsheet("C")
    sh = gc.open_by_key(sid)
    body = column_chart(0)
    change(body)
    before = fake.state_dict()
    err = api_error(
        sh.batch_update,
        {"requests": [{"addSheet": {"properties": {"title": "X"}}}, {"addChart": {"chart": body}}]},
    )
    assert (err.code, err.error["status"]) == (400, "INVALID_ARGUMENT")
    assert err.error["message"].startswith(message.replace("requests[0]", "requests[1]"))
    assert fake.state_dict() == before


def test_chart_on_a_sheet_of_its_own_is_501(fake: FakeGoogle, gc: gspread.Client) -> None:
    sh = gc.open_by_key(fake.create_spreadsheet("C"))
    body = column_chart(0)
    body["position"] = {"newSheet": True}
    err = api_error(sh.batch_update, {"requests": [{"addChart": {"chart": body}}]})
    assert err.code == 501


def test_charts_move_with_rows_and_columns_and_go_with_their_sheet(
    fake: FakeGoogle, gc: gspread.Client
) -> None:
    sid = fake.create_spreadsheet("C", {"Other": [["y"]], "Dash": [["x"]]})
    sh = gc.open_by_key(sid)
    dash = sh.worksheet("Dash").id
    sh.batch_update({"requests": [{"addChart": {"chart": column_chart(dash)}}]})
    ss = fake.spreadsheet(sid)
    ss.insert_rows("Dash", 2, 3)  # inside the source, above the anchor
    ss.insert_columns("Dash", 0, 1)  # before both
    (chart,) = charts_of(sh)["Dash"]
    basic = chart["spec"]["basicChart"]
    assert basic["domains"][0]["domain"]["sourceRange"]["sources"] == [grid(dash, 0, 8, 5, 6)]
    assert basic["series"][1]["series"]["sourceRange"]["sources"] == [grid(dash, 0, 8, 7, 8)]
    anchor = chart["position"]["overlayPosition"]["anchorCell"]
    assert (anchor["rowIndex"], anchor["columnIndex"]) == (18, 5)
    ss.delete_rows("Dash", 17, 5)  # the anchor's row goes: the chart stays where the cut was
    ss.delete_columns("Dash", 7, 1)  # the second series' column goes, and the series with it
    (chart,) = charts_of(sh)["Dash"]
    anchor = chart["position"]["overlayPosition"]["anchorCell"]
    assert (anchor["rowIndex"], anchor["columnIndex"]) == (17, 5)
    assert basic_sources(chart) == [[grid(dash, 0, 8, 6, 7)], []]
    # a batchUpdate's deleteDimension moves them too
    sh.batch_update(
        {
            "requests": [
                {
                    "deleteDimension": {
                        "range": {"sheetId": dash, "dimension": "ROWS", "startIndex": 0,
                                  "endIndex": 1}
                    }
                }
            ]
        }
    )
    (chart,) = charts_of(sh)["Dash"]
    assert chart["position"]["overlayPosition"]["anchorCell"]["rowIndex"] == 16
    sh.batch_update({"requests": [{"deleteSheet": {"sheetId": dash}}]})
    assert charts_of(sh) == {"Other": []}
    assert fake.state_dict()["spreadsheets"][sid]["sheets"][0]["charts"] == []


def basic_sources(chart: Json) -> list[list[Json]]:
    return [
        s["series"]["sourceRange"].get("sources", []) for s in chart["spec"]["basicChart"]["series"]
    ]
