import cv2
import numpy as np
import pytest

from conftest import binary_of, blank_page, draw_ring
from digitocr.image import binarize


def test_polarity_is_read_from_the_image_both_ways():
    page = blank_page()
    draw_ring(page, (100, 100), (25, 40))
    assert binarize.ink_is_dark(page)
    assert not binarize.ink_is_dark(255 - page)


def test_a_bold_digit_filling_a_tight_crop_is_dark_ink_though_it_covers_most_pixels():
    crop = np.full((40, 40), 255, np.uint8)
    cv2.circle(crop, (20, 20), 14, 0, thickness=12)  # two thirds of the pixels are ink; the crop's edge is paper
    assert (crop == 0).mean() > 0.6
    assert binarize.ink_is_dark(crop)
    assert not binarize.ink_is_dark(255 - crop)


def test_a_number_written_small_on_a_whole_sheet_is_dark_ink_though_its_grain_outnumbers_it():
    rng = np.random.default_rng(3)
    sheet = np.clip(rng.normal(225, 3, (1200, 1600)), 0, 255).astype(np.uint8)
    cv2.putText(sheet, "4096", (700, 600), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 20, 2)  # digits 13 pixels tall
    assert (sheet < 120).mean() < 0.001  # far less of the sheet than either tail of its tones
    assert binarize.ink_is_dark(sheet)
    assert not binarize.ink_is_dark(255 - sheet)


def small_number_on_a_sheet(ink: int, glint: float) -> np.ndarray:
    """A 4096 about 7 pixels tall on a 1024-pixel sheet at working size, blurred as the pipeline blurs it, where a
    glint of light `glint` levels brighter lies elsewhere on the paper."""
    rng = np.random.default_rng(5)
    sheet = 225 + rng.normal(0, 1.5, (768, 1024))
    rows, columns = np.mgrid[:768, :1024]
    sheet += glint * np.exp(-((rows - 200) ** 2 + (columns - 250) ** 2) / (2 * 40 ** 2))
    sheet = np.clip(sheet, 0, 255).astype(np.uint8)
    cv2.putText(sheet, "4096", (600, 400), cv2.FONT_HERSHEY_SIMPLEX, 0.3, ink, 1)
    return binarize.blur(sheet)


def test_a_small_number_is_dark_ink_though_a_glint_on_the_paper_reaches_further_than_the_grain():
    sheet = small_number_on_a_sheet(ink=90, glint=6)
    assert binarize.ink_is_dark(sheet)
    assert not binarize.ink_is_dark(255 - sheet)


def test_a_small_faint_number_is_dark_ink_though_in_the_small_copy_it_is_as_faint_as_grain():
    sheet = small_number_on_a_sheet(ink=160, glint=0)
    assert binarize.ink_is_dark(sheet)
    assert not binarize.ink_is_dark(255 - sheet)


def test_ink_comes_out_bright_for_both_polarities():
    page = blank_page()
    draw_ring(page, (100, 100), (25, 40))
    for image in (page, 255 - page):
        binary = binary_of(image)
        assert binary[100, 75] == 255  # on the ring's left side
        assert binary[10, 10] == 0 and binary[100, 100] == 0


def test_a_shadow_across_the_page_is_not_ink():
    page = blank_page(240, 480).astype(np.float64)
    page *= np.linspace(0.35, 1.0, 480)[None, :]  # dark on the left, as a hand's shadow
    page = page.astype(np.uint8)
    draw_ring(page, (300, 120), (25, 40), ink=10)
    for method in ("auto", "otsu", "adaptive"):
        binary = binary_of(page, method)
        assert binary[:, :150].mean() < 2, method  # the shadowed side holds no ink
        assert binary[120, 275] == 255, method


def test_stroke_width_follows_the_strokes_not_a_black_margin():
    mask = np.zeros((100, 300), np.uint8)
    mask[:, :40] = 255  # a scan's black margin, far wider than any stroke
    for x in range(80, 280, 40):
        mask[20:80, x:x + 6] = 255
    assert 5 <= binarize.ridge_stroke_width(mask) <= 7
    assert binarize.ridge_stroke_width(np.zeros_like(mask)) == 0


def test_the_adaptive_cut_keeps_a_bold_stroke_whole_not_its_outline():
    flattened = np.zeros((96, 400), np.uint8)
    cv2.rectangle(flattened, (40, 20), (360, 76), 200, thickness=30)  # strokes wider than a sixth of the image
    cut = binarize.threshold(flattened, "adaptive", 0)
    assert cut.binary[48, 200] == 0  # the hole inside the frame
    assert cut.binary[20, 200] == 255 and cut.binary[48, 40] == 255  # each stroke's middle, not only its edges


def test_working_scale_shrinks_photos_and_enlarges_tiny_scans():
    assert binarize.working_scale((3000, 4000), 1024, 96) == 1024 / 4000
    assert binarize.working_scale((16, 16), 1024, 96) == 6.0
    assert binarize.working_scale((300, 400), 1024, 96) == 1.0


@pytest.mark.parametrize("shape", [(130, 8400), (8400, 130), (130, 2000)])
def test_a_long_strip_keeps_its_shorter_side_legible(shape):
    factor = binarize.working_scale(shape, 1024, 96)
    assert round(min(shape) * factor) == 96  # not 16 pixels tall, as brought down to the working side
    assert max(shape) * factor > 1024


def test_the_working_image_of_any_strip_holds_no_more_pixels_than_a_square_one():
    for shape in [(100, 400_000), (400_000, 100), (130, 16_800), (2, 50_000)]:
        factor = binarize.working_scale(shape, 1024, 96)
        assert shape[0] * shape[1] * factor ** 2 <= 1024 ** 2 * 1.0001


def test_hysteresis_keeps_a_faint_tail_joined_to_a_strong_stroke():
    image = np.zeros((50, 50), np.uint8)
    image[10:40, 10:13] = 200
    image[38:41, 13:30] = 85  # faint, but touching
    image[5:8, 40:45] = 85  # faint and alone
    binary = binarize.hysteresis(image, 100)
    assert binary[39, 25] == 255 and binary[6, 42] == 0


def thin_faint_ring_beside_a_bold_one() -> np.ndarray:
    """A flattened page: a marker's bold ring, a ballpoint's thin one fading leftwards to under the Otsu cut-off, and
    a faint printed ring that nowhere reaches it."""
    page = np.zeros((120, 360), np.float32)
    cv2.circle(page, (60, 60), 35, 220, 10)
    thin = np.zeros_like(page)
    cv2.circle(thin, (180, 60), 35, 255, 1)
    page = cv2.GaussianBlur(page, (0, 0), 1.2) + cv2.GaussianBlur(thin, (0, 0), 1.2) * np.linspace(0.5, 1.9, 360)
    cv2.circle(page, (300, 60), 35, 45, 3)
    noise = np.random.default_rng(1).normal(0, 2, page.shape)
    return np.clip(page + noise, 0, 255).astype(np.uint8)


def test_a_thin_stroke_fainter_than_the_bold_ink_stays_whole_and_a_faint_print_stays_out():
    page = thin_faint_ring_beside_a_bold_one()
    cut = binarize.threshold(page, "otsu", 0)
    angles = np.linspace(0, 2 * np.pi, 36, endpoint=False)
    on_ring = [(round(60 + 35 * np.sin(a)), round(180 + 35 * np.cos(a))) for a in angles]
    darkest_near = [page[y - 1:y + 2, x - 1:x + 2].max() for y, x in on_ring]
    assert min(darkest_near) < cut.level < max(darkest_near)  # one cut for the page would break the thin ring
    kept_near = cv2.dilate(cut.binary, np.ones((3, 3), np.uint8))
    assert all(kept_near[y, x] for y, x in on_ring)
    assert cut.binary[:, 250:].max() == 0
