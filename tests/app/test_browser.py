"""End to end in real headless Chromium: the app on a free local port, driven with real mouse strokes.

Set DIGITOCR_SCREENSHOTS=docs to keep the screenshots the README shows.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from conftest import PROJECT, SAMPLES

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed")
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_url():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.address", "127.0.0.1", "--server.headless", "true"],
                              cwd=PROJECT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                break
        except OSError:
            time.sleep(0.5)
    else:
        server.kill()
        pytest.fail("the app did not start within 90 s")
    yield url
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1100, "height": 1400})
    opened = context.new_page()
    opened.goto(app_url)
    opened.get_by_role("tab", name="Upload").wait_for(timeout=60_000)
    yield opened
    context.close()


def screenshot(page, name: str) -> None:
    folder = os.environ.get("DIGITOCR_SCREENSHOTS")
    if folder:
        page.screenshot(path=str(PROJECT / folder / name), full_page=True)


def open_tab(page, name: str) -> None:
    """Click a tab until it is the selected one: a click that lands while the app reruns can be lost."""
    tab = page.get_by_role("tab", name=name)
    for _ in range(5):
        tab.click()
        try:
            playwright.expect(tab).to_have_attribute("aria-selected", "true", timeout=5_000)
            return
        except AssertionError:
            continue
    playwright.expect(tab).to_have_attribute("aria-selected", "true")


def expect_number(page, number: str) -> None:
    """Wait until the page shows `number` as the reading (the app reruns after each stroke)."""
    playwright.expect(page.locator("[data-testid='stCode'] code").first).to_have_text(number, timeout=60_000)


def digit_strokes(origin: tuple[float, float], size: float) -> list[list[tuple[float, float]]]:
    """Pen strokes for '1', '0' and '7', drawn by hand's rules: one stroke each, the 7 with a corner."""
    x, y = origin
    one = [(x + size * 0.3 + size * 0.05 * t, y + size * t) for t in np.linspace(0, 1, 12)]
    angles = np.linspace(-np.pi / 2, 1.5 * np.pi, 30)
    zero = [(x + size * 1.0 + size * 0.32 * np.cos(a), y + size * 0.5 + size * 0.5 * np.sin(a)) for a in angles]
    seven = [(x + size * 1.6, y), (x + size * 2.15, y), (x + size * 1.8, y + size)]
    return [one, zero, seven]


def test_drawing_on_the_canvas_reads_the_number(page):
    open_tab(page, "Draw")
    canvas = page.locator("canvas").last
    canvas.wait_for(timeout=60_000)
    canvas_box = canvas.bounding_box()
    left, top = canvas_box["x"], canvas_box["y"]
    for stroke in digit_strokes((left + 120, top + 70), 150):
        page.mouse.move(*stroke[0])
        page.mouse.down()
        for point in stroke[1:]:
            page.mouse.move(*point, steps=3)
        page.mouse.up()
    expect_number(page, "107")
    screenshot(page, "canvas.png")


def test_uploading_a_sample_reads_it(page):
    uploader = page.locator("[data-testid='stMain'] input[type='file']").first
    uploader.set_input_files(str(SAMPLES / "315-2718_shadow.jpg"))
    expect_number(page, "315\n2718")
    screenshot(page, "reading.png")


def test_debug_mode_shows_the_stages(page):
    page.get_by_text("Debug mode").click()
    playwright.expect(page.locator("[data-testid='stSidebar'] input[type='checkbox']").first).to_be_checked(
        timeout=30_000)
    open_tab(page, "Samples")
    page.get_by_role("button", name="Read this").first.click(timeout=60_000)
    page.get_by_text("1. grayscale:", exact=False).first.wait_for(timeout=60_000)
    for stage in ("threshold:", "clean-up:", "deslant:", "segmentation:", "classification:"):
        page.get_by_text(stage, exact=False).first.wait_for(timeout=30_000)
    screenshot(page, "debug.png")
