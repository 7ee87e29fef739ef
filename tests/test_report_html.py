"""The HTML report: self-contained, escaped, every section there and true to the result."""

from __future__ import annotations

import base64
import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.demo import build_demo, fill_demo
from sheets_sync.digests import plan
from sheets_sync.messages import compose
from sheets_sync.report_html import person_section, render_html
from sheets_sync.sync import SyncResult, check

AS_OF = dt.date(2026, 11, 27)


class Page(HTMLParser):
    """What a page loads and links to, its ids, and its text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]

    def by_id(self, ident: str) -> dict[str, str | None]:
        (found,) = [a for _, a in self.tags if a.get("id") == ident]
        return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[XlsxBackend, SyncResult]:
    """The demo with a year of History, checked as of AS_OF."""
    path = tmp_path_factory.mktemp("demo") / "partnership.xlsx"
    build_demo(path, AS_OF)
    backend = XlsxBackend(path)
    return backend, check(backend, as_of=AS_OF)


@pytest.fixture(scope="module")
def demo_page(demo: tuple[XlsxBackend, SyncResult]) -> str:
    backend, result = demo
    return render_html(result, link=backend.cell_link)


def svg_of(uri: str | None) -> str:
    assert uri is not None and uri.startswith("data:image/svg+xml;base64,")
    return base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")


def test_the_page_loads_nothing_from_anywhere(demo_page: str) -> None:
    page = Page(demo_page)
    loaded = [a.get("src") for t, a in page.tags if "src" in a] + [
        a.get("href") for t, a in page.tags if t == "link"
    ]
    assert loaded and all(str(src).startswith("data:") for src in loaded)
    assert not page.all("script") and not page.all("iframe") and not page.all("link")
    assert "url(" not in demo_page and "@import" not in demo_page


def test_the_chart_draws_a_years_counts(
    demo_page: str, demo: tuple[XlsxBackend, SyncResult]
) -> None:
    _, result = demo
    page = Page(demo_page)
    chart = page.by_id("status-over-time")
    svg = svg_of(chart["src"])
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert "2025-W49" in str(chart["alt"]) and "2026-W48" in str(chart["alt"])
    # the figures under the chart: this week's row equals the summary's KPI counts
    this_week = re.search(r"<tr><td>2026-W48</td>(.*?)</tr>", demo_page)
    assert this_week is not None
    shown = [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', this_week.group(1))]
    assert sum(shown) == sum(result.summary.kpis.values())


def test_before_any_history_the_chart_is_todays_count(tmp_path: Path) -> None:
    backend = XlsxBackend(tmp_path / "fresh.xlsx")
    result = fill_demo(backend, AS_OF)  # one sync: no earlier period on the History tab
    page = render_html(result, link=backend.cell_link)
    assert "holds no earlier period yet, so this is today's count" in page
    assert svg_of(Page(page).by_id("status-over-time")["src"])


def test_the_heatmap_colours_each_period_by_status(
    demo_page: str, demo: tuple[XlsxBackend, SyncResult]
) -> None:
    _, result = demo
    assert result.analysis is not None
    colors = result.analysis.context.template.colors["status"]
    grid = result.analysis.history
    label = grid.labels()[-1]
    for key in list(grid.rows)[:5]:
        status = grid.status(key, label)
        assert status is not None
        cell = f'<td title="{label}: {status}" style="background:#{colors[status]}"></td>'
        assert cell in demo_page
    assert f"the last 52 of {len(grid.periods)} periods" in demo_page


def test_goals_list_their_kpis_with_status(
    demo_page: str, demo: tuple[XlsxBackend, SyncResult]
) -> None:
    _, result = demo
    assert result.analysis is not None
    section = demo_page.split("<h2>Goals and their KPIs</h2>")[1].split("<h2>")[0]
    kpis = result.analysis.context.tables["KPIs"]
    goals = result.analysis.context.tables["Goals"]
    for g in goals:
        gid = goals.key(g)
        at = section.index(f">{gid}</a>")
        for k in kpis:
            if str(kpis.value(k, "Goal ID")) == gid:
                # each KPI comes after its goal, before the next goal's row
                after = section.index(f">{kpis.key(k)}</a>", at)
                assert '<tr class="goal">' not in section[at:after]


def test_every_open_finding_links_to_its_cell(
    demo_page: str, demo: tuple[XlsxBackend, SyncResult]
) -> None:
    backend, result = demo
    section = demo_page.split("<h2>Issues (")[1]
    hrefs = {a.get("href") for a in Page(section).all("a")}
    for f in result.active:
        assert backend.cell_link(f.tab, f.cell or "A1") in hrefs
    assert f"Issues ({len(result.active)} open)" in demo_page
    assert f"<h3>Muted ({len(result.muted)}:" in demo_page
    assert "acknowledged by Hugo Laurent" in demo_page


def test_the_digest_reuses_the_reports_person_section(
    demo_page: str, demo: tuple[XlsxBackend, SyncResult]
) -> None:
    backend, result = demo
    assert result.analysis is not None
    digests = plan(result, result.analysis, backend.cell_link).digests
    assert digests
    for digest in digests:
        section = person_section(digest, result.as_of)
        assert section in demo_page
        message = compose(digest, result.workbook, result.as_of, "sync@example.org")
        part = message.get_body(("html",))
        assert part is not None and section in part.get_content()


def test_typed_markup_is_shown_never_run(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "typed.xlsx"
    fill_demo(XlsxBackend(path), AS_OF)
    book = openpyxl.load_workbook(path)
    book["Goals"]["B2"] = "<script>alert('goal')</script> & more"
    book.save(path)
    backend = XlsxBackend(path)
    page = render_html(check(backend, as_of=AS_OF), link=backend.cell_link)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&#x27;goal&#x27;)&lt;/script&gt; &amp; more" in page


def test_the_same_result_gives_the_same_page(demo: tuple[XlsxBackend, SyncResult]) -> None:
    backend, result = demo
    first = render_html(result, link=backend.cell_link)
    assert render_html(result, link=backend.cell_link) == first
