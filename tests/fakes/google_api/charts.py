"""batchUpdate kinds for embedded charts: addChart, updateChartSpec, deleteEmbeddedObject.

Only basic charts (``spec.basicChart``: bar, column, line, area...) floating over a sheet
(``position.overlayPosition``) are implemented; other chart kinds, a chart on a sheet of its
own (``position.newSheet`` / ``position.sheetId``) and a missing position answer 501, never a
silent 200. Field names and enums are checked against the discovery document before these
run (validate.py); these add the checks Google makes on the values: the ranges and the anchor
must lie on an existing sheet, inside its grid, and the domain and every series need data.

A chart is stored as ``{"chartId", "spec", "position"}`` on the sheet it floats over
(``Sheet.charts``): deleting the sheet deletes it, and inserting or deleting rows and columns
moves its anchor and its source ranges with the cells (state.py).

No recorded cassette holds a chart, so the shapes follow the discovery document and the
API reference: the reply is ``{"addChart": {"chart": EmbeddedChart}}``, and Google fills
``hiddenDimensionStrategy``, the chart's size (600 x 371) and its border when not given.
"""

from __future__ import annotations

from collections.abc import Iterator

from tests.fakes.google_api import render
from tests.fakes.google_api.batch import Ctx, kind
from tests.fakes.google_api.errors import RequestError, unimplemented
from tests.fakes.google_api.fields import jcopy
from tests.fakes.google_api.ranges import checked_box, sheet_for
from tests.fakes.google_api.state import Json, Sheet, Spreadsheet

CHART_KINDS = (
    "basicChart",
    "pieChart",
    "bubbleChart",
    "candlestickChart",
    "orgChart",
    "histogramChart",
    "waterfallChart",
    "treemapChart",
    "scorecardChart",
)
DEFAULT_WIDTH, DEFAULT_HEIGHT = 600, 371
WHITE = {"red": 1, "green": 1, "blue": 1}


def all_charts(ss: Spreadsheet) -> Iterator[tuple[Sheet, Json]]:
    for sheet in ss.sheets:
        for chart in sheet.charts:
            yield sheet, chart


def _sources(data: Json, what: str) -> list[Json]:
    sources = data.get("sourceRange", {}).get("sources", [])
    if not sources:
        raise RequestError(f"{what} must have a source range.")
    return list(sources)


def _check_spec(ctx: Ctx, spec: Json | None) -> Json:
    """A chart spec Google would take (a basic chart over ranges of existing sheets)."""
    if not spec:
        raise RequestError("The chart spec must be set.")
    kinds = [k for k in CHART_KINDS if k in spec]
    if len(kinds) > 1:
        raise RequestError("Only one chart type may be set in a chart spec.")
    if not kinds:
        raise RequestError("A chart spec must set a chart type.")
    if kinds[0] != "basicChart":
        raise unimplemented(f"chart type '{kinds[0]}'")
    basic = spec["basicChart"]
    if basic.get("chartType", "BASIC_CHART_TYPE_UNSPECIFIED") == "BASIC_CHART_TYPE_UNSPECIFIED":
        raise RequestError("basicChart.chartType must be specified.")
    domains = basic.get("domains", [])
    if len(domains) > 1:
        raise RequestError("A basic chart may have at most one domain.")
    series = basic.get("series", [])
    if not series:
        raise RequestError("A basic chart needs at least one series.")
    counts = set()
    for i, domain in enumerate(domains):
        sources = _sources(domain.get("domain", {}), f"basicChart.domains[{i}].domain")
        counts.add(len(sources))
        for source in sources:
            checked_box(ctx.ss, source)
    for i, one in enumerate(series):
        sources = _sources(one.get("series", {}), f"basicChart.series[{i}].series")
        counts.add(len(sources))
        for source in sources:
            checked_box(ctx.ss, source)
    if len(counts) > 1:
        raise RequestError("The domain and every series must have the same number of sources.")
    if int(basic.get("headerCount", 0)) < 0:
        raise RequestError("basicChart.headerCount must not be negative.")
    out = jcopy(spec)
    out.setdefault("hiddenDimensionStrategy", "SKIP_HIDDEN_ROWS_AND_COLUMNS")
    return out


def _check_position(ctx: Ctx, position: Json | None) -> tuple[Sheet, Json]:
    """The sheet the chart floats over and its position, Google's defaults filled in."""
    if not position:
        raise unimplemented("a chart without a position (on a new sheet)")
    if "overlayPosition" not in position:
        raise unimplemented("a chart on a sheet of its own (newSheet or sheetId)")
    if len(position) > 1:
        raise RequestError("Only one of sheetId, overlayPosition or newSheet may be set.")
    overlay = jcopy(position["overlayPosition"])
    anchor = overlay.get("anchorCell")
    if anchor is None:
        raise RequestError("overlayPosition.anchorCell must be set.")
    sheet = sheet_for(ctx.ss, anchor.get("sheetId"))
    row, col = int(anchor.get("rowIndex", 0)), int(anchor.get("columnIndex", 0))
    if not (0 <= row < sheet.row_count and 0 <= col < sheet.column_count):
        raise RequestError(
            f"The anchor cell (row {row}, column {col}) is outside the grid of sheet "
            f"{sheet.sheet_id}."
        )
    for key in ("offsetXPixels", "offsetYPixels", "widthPixels", "heightPixels"):
        if int(overlay.get(key, 0)) < 0:
            raise RequestError(f"overlayPosition.{key} must not be negative.")
    overlay.setdefault("widthPixels", DEFAULT_WIDTH)
    overlay.setdefault("heightPixels", DEFAULT_HEIGHT)
    return sheet, {"overlayPosition": overlay}


def _find(ss: Spreadsheet, object_id: object) -> tuple[Sheet, Json]:
    for sheet, chart in all_charts(ss):
        if chart["chartId"] == int(str(object_id or 0)):
            return sheet, chart
    raise RequestError(f"No object with id: {object_id}")


@kind("addChart")
def add_chart(ctx: Ctx, req: Json) -> Json:
    chart = req.get("chart") or {}
    spec = _check_spec(ctx, chart.get("spec"))
    sheet, position = _check_position(ctx, chart.get("position"))
    chart_id = chart.get("chartId")
    if chart_id is not None and any(c["chartId"] == int(chart_id) for _, c in all_charts(ctx.ss)):
        raise RequestError(f"An object with id {chart_id} already exists.")
    if chart_id is None:
        chart_id = ctx.fake.rng.randrange(1, 2_147_483_647)
    stored: Json = {"chartId": int(chart_id), "spec": spec, "position": position}
    stored["border"] = jcopy(chart.get("border") or {"color": WHITE})
    sheet.charts.append(stored)
    return {"addChart": {"chart": render.chart(stored)}}


@kind("updateChartSpec")
def update_chart_spec(ctx: Ctx, req: Json) -> None:
    _, chart = _find(ctx.ss, req.get("chartId"))
    chart["spec"] = _check_spec(ctx, req.get("spec"))


@kind("deleteEmbeddedObject")
def delete_embedded_object(ctx: Ctx, req: Json) -> None:
    sheet, chart = _find(ctx.ss, req.get("objectId"))
    sheet.charts.remove(chart)
