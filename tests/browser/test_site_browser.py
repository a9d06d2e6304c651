"""The static site in a real browser: headless Chromium (Debian's ``chromium`` + ``chromium-driver``,
which ``.ci/run`` installs when absent) driven by selenium, on a site built from the committed Results.

What a person sees: the index lists every task, a table sorts when its header is clicked, a filter
hides rows, every image and link resolves, the console shows no errors; screenshots at desktop
and phone widths are saved under the test's temporary folder (``ROSETTA_SCREENSHOTS=DIR`` keeps
a copy) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
COMMITTED = REPO / "leaderboard" / "results"


def _chromium() -> tuple[str, str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if os.environ.get("CI") == "true" and not (browser and driver):
        pytest.fail("CI must install chromium and chromium-driver (.ci/run does it with apt-get)")
    if not (browser and driver):
        pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver)")
    return browser, driver


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    from benchmark.report.leaderboard import write_leaderboard

    if not any(COMMITTED.glob("*.json")):
        pytest.fail(f"no committed Result files under {COMMITTED}")
    root = tmp_path_factory.mktemp("board")
    shutil.copytree(COMMITTED, root / "results")
    write_leaderboard(root)
    return root / "site"


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = _chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--allow-file-access-from-files"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(driver_path), options=options)
    drv.set_window_size(1280, 900)
    yield drv
    drv.quit()


def _open(browser, path: Path):
    browser.get(path.as_uri())
    browser.get_log("browser")  # start each page with an empty console
    browser.refresh()


def _console_errors(browser) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def _column(browser, table_id: str, index: int) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.getElementById(arguments[0]).tBodies[0].rows)"
        ".filter(r => !r.hidden).map(r => r.cells[arguments[1]].textContent.trim());", table_id, index)


def test_index_lists_every_task(browser, site):
    from benchmark.run.results import read_results

    _open(browser, site / "index.html")
    tasks = sorted({r.task for r in read_results(COMMITTED)})
    headings = browser.execute_script("return Array.from(document.querySelectorAll('main h2')).map(h => h.id);")
    for task in tasks:
        assert task in headings, task
    assert headings.index("static_static") == 0  # the reading order starts with static ↔ static
    assert _console_errors(browser) == []


def test_clicking_a_header_sorts_the_table(browser, site):
    from selenium.webdriver.common.by import By

    _open(browser, site / "index.html")
    table = "table-static_static"
    header = browser.find_elements(By.CSS_SELECTOR, f"#{table} thead th")
    names = [h.text for h in header]
    col = next(i for i, n in enumerate(names) if n.startswith("P@1 NN"))
    header[col].click()
    down = [float(v) for v in _column(browser, table, col)]
    assert down == sorted(down, reverse=True) and len(down) > 2
    assert header[col].get_attribute("aria-sort") == "descending"
    header[col].click()
    up = [float(v) for v in _column(browser, table, col)]
    assert up == sorted(up)
    models_col = names.index("models")
    header[models_col].click()
    texts = _column(browser, table, models_col)
    assert texts == sorted(texts, key=str.lower, reverse=True)
    assert _console_errors(browser) == []


def test_a_filter_hides_rows(browser, site):
    from selenium.webdriver.common.by import By

    _open(browser, site / "index.html")
    table = "table-static_static"
    before = _column(browser, table, 1)
    box = browser.find_element(By.CSS_SELECTOR, f'input.filter[data-table="{table}"]')
    box.send_keys("glove")
    after = _column(browser, table, 1)
    assert 0 < len(after) < len(before) and all("glove" in row for row in after)
    box.clear()
    box.send_keys("no-such-model")
    assert _column(browser, table, 1) == []


def _local_targets(browser) -> list[str]:
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
        ".concat(Array.from(document.querySelectorAll('img')).map(i => i.src))"
        ".concat(Array.from(document.querySelectorAll('link[href], script[src]')).map(e => e.href || e.src));")


def test_every_image_and_link_resolves_on_every_page(browser, site):
    pages = [site / "index.html", *sorted((site / "tasks").glob("*.html")), *sorted((site / "models").glob("*.html"))]
    assert len(pages) > 3
    n_images = 0
    for page in pages:
        _open(browser, page)
        broken = browser.execute_script(
            "return Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);")
        assert broken == [], (page.name, broken)
        n_images += browser.execute_script("return document.images.length;")
        for url in _local_targets(browser):
            parsed = urlparse(url)
            if parsed.scheme != "file":
                pytest.fail(f"{page.name} links outside the site (no network, no CDN): {url}")
            target = Path(unquote(parsed.path))
            assert target.exists(), f"{page.name}: {url} does not resolve"
            if parsed.fragment and target.suffix == ".html":
                assert f'id="{parsed.fragment}"' in target.read_text(encoding="utf-8"), url
        assert _console_errors(browser) == [], page.name
    assert n_images >= 10  # the task pages show their plots inline


def test_model_page_answers_how_a_model_does(browser, site):
    _open(browser, site / "models" / "glove-6b-50d.html")
    ranks = _column(browser, "model-items", 4)
    assert ranks and all("/" in r for r in ranks)
    assert _console_errors(browser) == []


@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_screenshots_for_a_person(browser, site, tmp_path, width, height):
    browser.set_window_size(width, height)
    try:
        for page in (site / "index.html", site / "tasks" / "static_static.html"):
            _open(browser, page)
            shot = tmp_path / f"{page.stem}-{width}.png"
            assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 5_000
            overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
            assert overflow <= 1, f"{page.name} scrolls sideways at {width} px (tables scroll inside their box)"
            keep = os.environ.get("ROSETTA_SCREENSHOTS")
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                shutil.copy(shot, Path(keep) / shot.name)
    finally:
        browser.set_window_size(1280, 900)
