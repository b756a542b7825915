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


def test_html_report_renders_in_chromium(browser, tmp_path):
    from PIL import Image, ImageStat
    from selenium.webdriver.common.by import By

    report = smartgoals.evaluate(EXAMPLE_GOALS, [str(p) for p in EXAMPLE_DATA], as_of=AS_OF)
    page = tmp_path / "report.html"
    page.write_text(render(report, "html"), encoding="utf-8")
    browser.get(page.as_uri())

    cards = browser.find_elements(By.CSS_SELECTOR, "article.goal")
    assert sorted(c.get_attribute("data-goal") for c in cards) == sorted(g.id for g in report.goals)
    for card in cards:
        chart = card.find_element(By.CSS_SELECTOR, "svg.chart")
        goal_id = card.get_attribute("data-goal")
        assert chart.size["width"] > 200, goal_id
        assert chart.size["height"] > 80, goal_id
        target = chart.find_element(By.CSS_SELECTOR, "line.target")
        assert target.size["width"] > 100
    with_history = [g.id for g in report.goals if g.weekly or g.daily]
    for goal_id in with_history:
        line = browser.find_element(
            By.CSS_SELECTOR, f'article[data-goal="{goal_id}"] polyline.actual'
        )
        assert line.size["width"] > 10, goal_id

    OUTPUT.mkdir(exist_ok=True)
    shot = OUTPUT / "report.png"
    browser.set_window_size(1400, 2200)
    assert browser.save_screenshot(str(shot))
    image = Image.open(shot).convert("RGB")
    assert image.size[0] >= 1000
    assert max(ImageStat.Stat(image).stddev) > 20
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 50
