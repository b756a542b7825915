"""The HTML report in a real browser: every goal's chart renders, and the page is not blank.

Needs Chromium and chromedriver (Debian packages ``chromium`` and ``chromium-driver``, which
``scripts/test`` installs when it runs as root). Without them the test is skipped, except under
``CI=true``, where it fails. The screenshot is written to ``tests/output/report.png``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import smartgoals
from smartgoals._render import render
from tests.conftest import AS_OF, EXAMPLE_DATA, EXAMPLE_GOALS

OUTPUT = Path(__file__).parent / "output"
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--window-size=1400,2200",
]


def _browser_paths() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    reason = (
        "Chromium and chromedriver are needed (Debian: apt-get install chromium chromium-driver)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def browser(tmp_path):
    browser_path, driver_path = _browser_paths()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = browser_path
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, smartgoals.Report]:
    report = smartgoals.evaluate(EXAMPLE_GOALS, [str(p) for p in EXAMPLE_DATA], as_of=AS_OF)
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render(report, "html"), encoding="utf-8")
    return path, report


OVERLAPS = """
const boxes = [];
document.querySelectorAll("svg.chart").forEach(function (svg, chart) {
  svg.querySelectorAll("text").forEach(function (text) {
    const r = text.getBoundingClientRect();
    boxes.push([chart, text.textContent, r.left, r.top, r.right, r.bottom]);
  });
});
const found = [];
for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
  const a = boxes[i], b = boxes[j];
  if (a[0] !== b[0]) continue;
  if (a[2] < b[4] && b[2] < a[4] && a[3] < b[5] && b[3] < a[5]) found.push([a[1], b[1]]);
}
return found;
"""


@pytest.mark.parametrize("width", [1400, 400])
def test_html_report_in_chromium(browser, page, width):
    from PIL import Image, ImageStat
    from selenium.webdriver.common.by import By

    path, report = page
    browser.set_window_size(width, 1000)
    browser.get(path.as_uri())
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal overflow at {width}px"
    cards = browser.find_elements(By.CSS_SELECTOR, "article.goal")
    assert sorted(c.get_attribute("data-goal") for c in cards) == sorted(g.id for g in report.goals)
    for card in cards:
        assert card.size["width"] <= width, card.get_attribute("data-goal")
        charts = card.find_elements(By.CSS_SELECTOR, "svg.chart")
        message = card.find_elements(By.CSS_SELECTOR, ".nochart")
        assert len(charts) + len(message) == 1, card.get_attribute("data-goal")
        for chart in charts:
            assert chart.size["width"] > 200
    assert browser.execute_script(OVERLAPS) == []
    smallest = browser.execute_script(
        "return Math.min(...Array.from(document.querySelectorAll('svg.chart text'))"
        ".map(t => t.getBoundingClientRect().height))"
    )
    assert smallest >= 10, f"chart labels {smallest:.1f}px high at {width}px"
    attention = browser.find_elements(By.CSS_SELECTOR, ".attention a")
    assert attention
    for link in attention:
        target = link.get_attribute("href").split("#")[1]
        assert browser.find_elements(By.ID, target)

    OUTPUT.mkdir(exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(height, 2600))
    shot = OUTPUT / f"report-{width}.png"
    assert browser.save_screenshot(str(shot))
    image = Image.open(shot).convert("RGB")
    assert max(ImageStat.Stat(image).stddev) > 20


def test_overview_sorts_with_scripts_and_reads_without(browser, page, tmp_path):
    from selenium.webdriver.common.by import By

    path, report = page
    browser.set_window_size(1400, 1000)
    browser.get(path.as_uri())

    def column(index: int) -> list[str]:
        rows = browser.find_elements(By.CSS_SELECTOR, "table.overview tbody tr")
        return [r.find_elements(By.TAG_NAME, "td")[index].text for r in rows]

    assert len(column(1)) == len(report.goals)
    browser.find_elements(By.CSS_SELECTOR, "table.overview th button")[1].click()
    assert column(1) == sorted(column(1))
    browser.find_elements(By.CSS_SELECTOR, "table.overview th button")[1].click()
    assert column(1) == sorted(column(1), reverse=True)

    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    browser.get(path.as_uri())
    assert len(browser.find_elements(By.CSS_SELECTOR, "article.goal")) == len(report.goals)
    statuses = [
        r.get_attribute("data-sort")
        for r in browser.find_elements(By.CSS_SELECTOR, "table.overview tbody td:first-child")
    ]
    assert statuses == sorted(statuses, key=int)  # in status order, as written


def test_narrow_page_never_scrolls_sideways(browser, tmp_path):
    """Long unbroken words (data paths, goal ids) and a wide font still fit a 320 px phone."""
    deep = tmp_path / ("a-very-long-folder-name-without-spaces" * 3) / "data"
    deep.mkdir(parents=True)
    for source in EXAMPLE_DATA:
        shutil.copy(source, deep / source.name)
    report = smartgoals.evaluate(
        EXAMPLE_GOALS, [str(deep / p.name) for p in EXAMPLE_DATA], as_of=AS_OF
    )
    page = render(report, "html").replace(
        "</head>", "<style>*{font-family:monospace !important}</style></head>"
    )
    path = tmp_path / "narrow.html"
    path.write_text(page, encoding="utf-8")
    browser.set_window_size(320, 1000)
    browser.get(path.as_uri())
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of horizontal overflow at 320px"
