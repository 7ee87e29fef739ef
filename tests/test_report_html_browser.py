"""The HTML report and the portfolio page in a real browser: headless Chromium (Debian's
``chromium``, driven by Playwright, which downloads no browser of its own).

Each page is opened from disk at 1280 px wide, once with JavaScript off (as the pages are
meant to be read): no console error, no request beyond the file itself, the charts drawn
and not blank, nothing wider than the window. Set ``SHEETS_SYNC_SCREENSHOTS=DIR`` to keep
the screenshots for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from sheets_sync.backends.xlsx import XlsxBackend
from sheets_sync.config import Config
from sheets_sync.demo import build_demo, fill_demo
from sheets_sync.portfolio import entry, render_portfolio
from sheets_sync.report_html import render_html
from sheets_sync.sync import check
from sheets_sync.templates import load_template

pytestmark = pytest.mark.chromium

AS_OF = dt.date(2026, 11, 27)
WIDTH = 1280


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        yield chromium
        chromium.close()


@dataclass
class Seen:
    """What the browser did with a page."""

    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    scroll_width: int = 0
    charts: dict[str, bytes] = field(default_factory=dict)  # id -> PNG of the element
    natural_widths: dict[str, int] = field(default_factory=dict)
    screenshot: bytes = b""


def look(browser: Any, path: Path, chart_ids: list[str]) -> Seen:
    """Open ``path`` with JavaScript off; screenshot it and each chart."""
    seen = Seen()
    context = browser.new_context(viewport={"width": WIDTH, "height": 900},
                                  java_script_enabled=False)
    page = context.new_page()
    page.on("console", lambda m: seen.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.console_errors.append(str(e)))
    page.on("request", lambda r: seen.requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    seen.screenshot = page.screenshot(full_page=True)
    for ident in chart_ids:
        seen.charts[ident] = page.locator(f"#{ident}").screenshot()
    context.close()
    # measuring needs the browser's own scripting (the page has none of its own)
    context = browser.new_context(viewport={"width": WIDTH, "height": 900})
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    seen.scroll_width = page.evaluate("document.documentElement.scrollWidth")
    for ident in chart_ids:
        seen.natural_widths[ident] = page.evaluate(
            f"document.getElementById('{ident}').naturalWidth"
        )
    context.close()
    keep = os.environ.get("SHEETS_SYNC_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        (Path(keep) / f"{path.stem}.png").write_bytes(seen.screenshot)
    return seen


def not_blank(png: bytes) -> tuple[float, int]:
    """The share of pixels that are not white, and how many colours the image has."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    size = image.width * image.height
    inked = sum(image.convert("L").histogram()[:235])
    return inked / size, len(image.getcolors(size) or [])


def assert_clean(seen: Seen, path: Path) -> None:
    assert seen.console_errors == []
    assert [u for u in seen.requests if u != path.as_uri()] == []
    assert seen.scroll_width <= WIDTH, "something is wider than a 1280 px window"
    for ident, png in seen.charts.items():
        assert seen.natural_widths[ident] > 0, f"{ident} did not load"
        inked, colours = not_blank(png)
        assert inked > 0.03 and colours > 8, f"{ident} looks blank ({inked:.1%}, {colours})"


def test_the_demo_report_renders(browser: Any, tmp_path: Path) -> None:
    workbook = tmp_path / "partnership.xlsx"
    build_demo(workbook, AS_OF)
    backend = XlsxBackend(workbook)
    page = tmp_path / "report.html"
    page.write_text(render_html(check(backend, as_of=AS_OF), link=backend.cell_link))
    seen = look(browser, page, ["status-over-time"])
    assert_clean(seen, page)
    inked, _ = not_blank(seen.screenshot)
    assert inked > 0.05  # the page itself: tables, badges and the heatmap


def test_a_portfolio_of_three_workbooks_renders(browser: Any, tmp_path: Path) -> None:
    entries = []
    for name, day, history in (("Acme & Globex", AS_OF, True),
                               ("Initech pilot", AS_OF - dt.timedelta(days=40), False),
                               ("Umbrella renewal", AS_OF, False)):
        path = tmp_path / f"{name.split()[0].lower()}.xlsx"
        if history:
            build_demo(path, day)
        else:
            fill_demo(XlsxBackend(path), day)
        backend = XlsxBackend(path)
        entries.append(entry(name, check(backend, as_of=day),
                             backend.cell_link("Dashboard", "A1")))
    page = tmp_path / "portfolio.html"
    colors = load_template(Config().template).colors["status"]
    page.write_text(render_portfolio(entries, colors))
    seen = look(browser, page, ["kpis-by-workbook"])
    assert_clean(seen, page)
