import cv2
import numpy as np

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


def test_working_scale_shrinks_photos_and_enlarges_tiny_scans():
    assert binarize.working_scale((3000, 4000), 1024, 96) == 1024 / 4000
    assert binarize.working_scale((16, 16), 1024, 96) == 6.0
    assert binarize.working_scale((300, 400), 1024, 96) == 1.0


def test_hysteresis_keeps_a_faint_tail_joined_to_a_strong_stroke():
    image = np.zeros((50, 50), np.uint8)
    image[10:40, 10:13] = 200
    image[38:41, 13:30] = 85  # faint, but touching
    image[5:8, 40:45] = 85  # faint and alone
    binary = binarize.hysteresis(image, 100)
    assert binary[39, 25] == 255 and binary[6, 42] == 0
