"""End to end in real headless Chromium: the app on a free local port, driven with real mouse strokes.

Set DIGITOCR_SCREENSHOTS=docs to keep the screenshots the README shows.
"""

import csv
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from PIL import Image

from conftest import PROJECT, SAMPLES
from digitocr.frontends.bench import cell_jpeg

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


def click_until(target, settled, timeout: float = 5_000) -> None:
    """Click until `settled(timeout)` passes: a click that lands while the app reruns can be lost."""
    for _ in range(5):
        target.click()
        try:
            settled(timeout)
            return
        except AssertionError:
            continue
    settled(timeout)


def open_tab(page, name: str) -> None:
    tab = page.get_by_role("tab", name=name)
    click_until(tab, lambda timeout: playwright.expect(tab).to_have_attribute("aria-selected", "true",
                                                                               timeout=timeout))


def wait_until_idle(page) -> None:
    """Wait until the app's run is over: its status widget ('Stop') shows only while the script runs. Streamlit
    keeps a download's file one run past the run that drew it, so a button clicked mid-run still fetches it; when
    Accept reran the app twice (its click, then `st.rerun`), CI's download after it was canceled once."""
    playwright.expect(page.locator("[data-testid='stStatusWidget']")).to_have_count(0, timeout=60_000)


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


def draw_on_canvas(page, draw_stroke, offset: tuple[float, float], size: float) -> dict:
    """Draw '107' at `offset` in the canvas, once it takes strokes, and return the canvas's box. The component's
    toolbar shows once it is laid out, and its Undo button comes on with the first stroke the canvas kept: a stroke
    that lands while the page still shifts is lost, as a click can be (the whole drawing was, once, in a suite run
    beside other work), so the first is drawn again until it is kept."""
    undo = page.get_by_role("button", name="Undo")
    undo.wait_for(timeout=60_000)
    for _ in range(5):
        box = page.locator("canvas").last.bounding_box()
        strokes = digit_strokes((box["x"] + offset[0], box["y"] + offset[1]), size)
        draw_stroke(page, strokes[0])
        try:
            playwright.expect(undo).to_be_enabled(timeout=5_000)
            break
        except AssertionError:
            continue
    for stroke in strokes[1:]:
        draw_stroke(page, stroke)
    return box


def mouse_stroke(page, points: list[tuple[float, float]]) -> None:
    page.mouse.move(*points[0])
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*point, steps=3)
    page.mouse.up()


def test_drawing_on_the_canvas_reads_the_number(page):
    open_tab(page, "Draw")
    draw_on_canvas(page, mouse_stroke, (120, 70), 150)
    expect_number(page, "107")
    screenshot(page, "canvas.png")


def test_uploading_a_sample_reads_it(page):
    uploader = page.locator("[data-testid='stMain'] input[type='file']").first
    uploader.set_input_files(str(SAMPLES / "315-2718_shadow.jpg"))
    expect_number(page, "315\n2718")
    screenshot(page, "reading.png")


def test_uploading_an_iphone_photo_reads_it(page, tmp_path):
    pillow_heif.register_heif_opener()
    photo = tmp_path / "IMG_0042.HEIC"
    Image.open(SAMPLES / "315-2718_shadow.jpg").save(photo, "HEIF", quality=90)
    page.locator("[data-testid='stMain'] input[type='file']").first.set_input_files(str(photo))
    expect_number(page, "315\n2718")


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


def test_a_clerk_reviews_ten_uploads_corrects_one_and_exports_what_was_approved(page, tmp_path):
    rng = np.random.default_rng(11)
    paths = [SAMPLES / name for name in ("4096_paper.png", "583_chalkboard.png", "2026_canvas.png")]
    for index in range(7):
        cell = tmp_path / f"cell{index}.jpg"
        cell.write_bytes(cell_jpeg(rng))
        paths.append(cell)
    page.locator("[data-testid='stMain'] input[type='file']").first.set_input_files([str(p) for p in paths])
    page.get_by_text("Review queue").wait_for(timeout=120_000)
    numbers = page.get_by_label("Right number")
    playwright.expect(numbers).to_have_count(10, timeout=60_000)
    first = numbers.nth(0)
    first.fill("12345")
    first.press("Enter")
    page.get_by_text("✅ corrected").wait_for(timeout=60_000)
    accepts = page.get_by_role("button", name="Accept")
    playwright.expect(accepts.first).to_be_disabled(timeout=60_000)
    click_until(accepts.nth(1),
                lambda timeout: playwright.expect(page.get_by_text("✅ accepted")).to_be_visible(timeout=timeout),
                timeout=20_000)
    wait_until_idle(page)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Download approved (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == 2 and rows[0]["approved"] == "12345" and rows[0]["corrected"] == "True"
    assert rows[1]["corrected"] == "False" and rows[1]["approved"] == rows[1]["read"]


PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                       "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"}  # an iPhone 13: screen, browser


@pytest.fixture
def phone(browser, app_url):
    context = browser.new_context(**PHONE)
    opened = context.new_page()
    opened.goto(app_url)
    opened.get_by_role("tab", name="Upload").wait_for(timeout=60_000)
    yield opened
    context.close()


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def touch_stroke(page, points: list[tuple[float, float]]) -> None:
    """A finger's stroke, as touch events through the browser's own input, not mouse events."""
    dense = [points[0]] + [(a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)
                           for a, b in zip(points, points[1:]) for t in (0.25, 0.5, 0.75, 1.0)]
    session = page.context.new_cdp_session(page)
    for kind, (x, y) in zip(["touchStart"] + ["touchMove"] * (len(dense) - 1), dense):
        session.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [{"x": x, "y": y, "id": 1}]})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def test_on_a_phone_every_tab_fits_and_a_number_drawn_with_a_finger_is_read(phone):
    assert phone.viewport_size == {"width": 390, "height": 844}
    for tab in ("Upload", "Camera", "Samples", "Draw"):
        open_tab(phone, tab)
        phone.wait_for_timeout(1500)
        assert no_sideways_scrolling(phone), f"the {tab} tab scrolls sideways at 390 px"
    box = draw_on_canvas(phone, touch_stroke, (40, 70), 110)
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    expect_number(phone, "107")
    assert no_sideways_scrolling(phone)
    screenshot(phone, "phone.png")


def test_a_visitor_has_no_path_to_type_and_no_deploy_menu(page):
    page.get_by_text("Model and my own digits").click()
    page.get_by_text("Digits saved for fine-tuning so far").wait_for(timeout=30_000)
    # a selectbox's search field (role combobox) takes only one of its own options, never a path
    assert page.locator("[data-testid='stSidebar'] input[type='text']:not([role='combobox'])").count() == 0
    assert page.get_by_role("combobox", name="Model").input_value() == "shipped"
    assert page.locator("[data-testid='stSidebar'] textarea").count() == 0
    assert page.get_by_role("button", name="Deploy").count() == 0
