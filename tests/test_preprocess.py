import cv2
import numpy as np

from conftest import blank_page, draw_bar, draw_ring
from digitocr import preprocess
from digitocr.segment import Components


def binary_of(gray: np.ndarray, method: str = "auto") -> np.ndarray:
    bright = preprocess.ink_bright(gray, preprocess.ink_is_dark(gray))
    background = preprocess.flatten_background(bright)
    return preprocess.threshold(background.flattened, method, background.unevenness).binary


def test_polarity_is_read_from_the_image_both_ways():
    page = blank_page()
    draw_ring(page, (100, 100), (25, 40))
    assert preprocess.ink_is_dark(page)
    assert not preprocess.ink_is_dark(255 - page)


def test_a_bold_digit_filling_a_tight_crop_is_dark_ink_though_it_covers_most_pixels():
    crop = np.full((40, 40), 255, np.uint8)
    cv2.circle(crop, (20, 20), 14, 0, thickness=12)  # two thirds of the pixels are ink; the crop's edge is paper
    assert (crop == 0).mean() > 0.6
    assert preprocess.ink_is_dark(crop)
    assert not preprocess.ink_is_dark(255 - crop)


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
    assert preprocess.working_scale((3000, 4000), 1024, 96) == 1024 / 4000
    assert preprocess.working_scale((16, 16), 1024, 96) == 6.0
    assert preprocess.working_scale((300, 400), 1024, 96) == 1.0


def test_ruled_lines_and_frame_are_removed_but_digits_kept():
    page = blank_page(300, 600)
    for y in (60, 140, 220):
        page[y:y + 2, :] = 120
    page[:, :4] = 0  # a dark scan margin
    draw_ring(page, (200, 140), (22, 40), ink=20)
    draw_bar(page, 320, 100, 8, 80)
    binary = binary_of(page)
    cleaned = preprocess.clean_up(binary, remove_lines=True, min_ink_pixels=12).binary
    assert cleaned[60:62, 300:].max() == 0 and cleaned[60:62, :100].max() == 0
    assert cleaned[:, :4].max() == 0
    assert cleaned[140, 178] == 255  # ring side where a rule crossed it
    assert cleaned[140, 323] == 255  # the bar
    assert cleaned[100:182, 318:330].mean() > 100


def test_stroke_bars_of_a_large_digit_are_not_taken_for_rules():
    page = blank_page(200, 200)
    draw_bar(page, 40, 30, 120, 14)  # the top bar of a big '7'
    draw_bar(page, 140, 30, 14, 140)
    cleaned = preprocess.clean_up(binary_of(page), True, 12).binary
    assert cleaned[37, 60] == 255 and cleaned[100, 147] == 255


def test_specks_are_removed():
    page = blank_page()
    page[50, 50] = 0
    page[120:122, 300:302] = 0
    draw_ring(page, (150, 100), (25, 40))
    cleaned = preprocess.clean_up(binary_of(page), True, 12)
    assert cleaned.binary[50, 50] == 0 and cleaned.binary[121, 301] == 0
    assert cleaned.binary[100, 125] == 255


def test_hysteresis_keeps_a_faint_tail_joined_to_a_strong_stroke():
    image = np.zeros((50, 50), np.uint8)
    image[10:40, 10:13] = 200
    image[38:41, 13:30] = 85  # faint, but touching
    image[5:8, 40:45] = 85  # faint and alone
    binary = preprocess.hysteresis(image, 100)
    assert binary[39, 25] == 255 and binary[6, 42] == 0


def test_a_border_remnant_hugging_a_cell_side_goes_but_a_one_near_the_side_stays():
    cell = blank_page(96, 170)
    draw_ring(cell, (60, 48), (14, 22), ink=30)
    draw_ring(cell, (110, 48), (14, 22), ink=30)
    draw_bar(cell, 165, 30, 3, 40)  # what is left of the cell's right border, digit-sized
    cleaned = preprocess.clean_up(binary_of(cell), True, 12).binary
    assert cleaned[30:70, 163:].max() == 0
    assert cleaned[48, 47] == 255

    canvas = blank_page(300, 900)
    cv2.line(canvas, (44, 100), (34, 210), 0, 13)  # a '1' drawn 30 px in from the canvas's left edge
    for centre in (150, 300, 450):
        draw_ring(canvas, (centre, 155), (35, 55), ink=0)
    cleaned = preprocess.clean_up(binary_of(canvas), True, 12).binary
    assert cleaned[150:160, 36:42].mean() > 200


def _tilted_lines(binary: np.ndarray, horizontal: bool, shortest: int, gap: int) -> list:
    found = cv2.HoughLinesP(binary, 1, np.pi / 180, threshold=shortest // 2, minLineLength=shortest, maxLineGap=gap)
    lines = []
    for x1, y1, x2, y2 in ([] if found is None else found.reshape(-1, 4)):
        angle = abs(np.degrees(np.arctan2(y2 - y1, x2 - x1))) % 180
        tilt = min(angle, 180 - angle) if horizontal else abs(90 - angle)
        if tilt <= preprocess.MAX_TILT:
            lines.append((x1, y1, x2, y2))
    return lines


def test_the_hough_transform_is_skipped_only_where_it_would_find_no_rule():
    rng = np.random.default_rng(3)
    skipped = 0
    for _ in range(300):
        height, width = (int(v) for v in rng.integers(40, 400, 2))
        binary = np.zeros((height, width), np.uint8)
        for _ in range(int(rng.integers(1, 8))):
            start = (int(rng.integers(0, width)), int(rng.integers(0, height)))
            length, angle = rng.uniform(5, 1.2 * max(height, width)), np.radians(rng.uniform(0, 180))
            end = (int(start[0] + length * np.cos(angle)), int(start[1] + length * np.sin(angle)))
            cv2.line(binary, start, end, 255, int(rng.integers(1, 6)))
        if rng.random() < 0.5:
            binary[rng.random((height, width)) < rng.uniform(0, 0.05)] = 255  # scattered specks join runs
        shortest, gap = int(rng.integers(15, max(16, max(height, width) // 2))), int(rng.integers(3, 12))
        for horizontal in (True, False):
            if not preprocess._may_hold_line(binary, horizontal, shortest, gap):
                skipped += 1
                assert not _tilted_lines(binary, horizontal, shortest, gap)
    assert skipped > 100  # the test does spare the transform on many images


def test_digits_alone_spare_the_hough_transform_but_a_tilted_rule_does_not():
    page = blank_page(300, 600)
    for centre in (100, 230, 360, 490):
        draw_ring(page, (centre, 150), (40, 60), ink=20)
    binary = binary_of(page)
    assert not preprocess._may_hold_line(binary, True, 250, 10)
    assert not preprocess._may_hold_line(binary, False, 200, 10)
    cv2.line(page, (20, 40), (580, 110), 20, 3)  # a rule leaning 7 degrees
    binary = binary_of(page)
    assert preprocess._may_hold_line(binary, True, 250, 10)
    cleaned = preprocess.clean_up(binary, True, 12).binary
    assert cleaned[75, 300] == 0 and cleaned[150, 62] == 255


def test_a_drawn_box_is_removed_but_a_round_zero_and_a_touching_stroke_stay():
    page = blank_page(200, 400)
    cv2.rectangle(page, (40, 40), (140, 140), 20, 3)
    draw_bar(page, 88, 60, 6, 82)  # a '1' standing on the box's floor
    draw_ring(page, (280, 100), (35, 50))  # a '0' as large as the box, but round
    binary = binary_of(page)
    boxes = preprocess.box_outlines(Components.of(binary))
    assert boxes[40, 90] == 255 and boxes[90, 40] == 255 and boxes[140, 60] == 255
    assert boxes[:, 200:].max() == 0  # the zero
    assert boxes[60:130, 88:94].max() == 0  # the '1' above the floor's band
    cleaned = preprocess.clean_up(binary, True, 12).binary
    assert cleaned[40, 90] == 0 and cleaned[100, 90] == 255 and cleaned[100, 245] == 255


def test_a_tilted_line_of_digits_is_levelled_and_a_level_one_left_alone():
    page = blank_page(200, 400)
    for x in (60, 140, 220, 300):
        draw_ring(page, (x, 100), (22, 34))
    ink = binary_of(page)
    assert preprocess.estimate_tilt(preprocess.small_ink(ink)) == 0.0
    matrix, size = preprocess._sheared(ink.shape, 0.15, 0.0)  # the line climbs about 9 degrees
    tilted = cv2.warpAffine(ink, matrix, size, flags=cv2.INTER_NEAREST)
    tilt = preprocess.estimate_tilt(preprocess.small_ink(tilted))
    assert abs(tilt + 0.15) <= 0.03
    level, straightening = preprocess.straighten(tilted, tilt, 0.0)
    rows = np.nonzero(level.sum(axis=1))[0]
    assert rows[-1] - rows[0] < 1.3 * 72  # about one ring's height again
    x, y, width, height = straightening.box_before(0, int(rows[0]), level.shape[1], int(rows[-1] - rows[0]))
    assert x <= 30 and x + width >= 330  # the levelled line's box maps back around the tilted ink


def test_a_lone_flagged_one_is_not_laid_flat():
    page = blank_page(200, 200)
    draw_bar(page, 110, 30, 10, 140)
    cv2.line(page, (110, 32), (60, 80), 20, 10)  # a long flag
    assert preprocess.estimate_tilt(preprocess.small_ink(binary_of(page))) == 0.0


def test_a_slanted_one_cut_by_a_tight_crop_stays_but_a_band_along_the_edge_goes():
    crop = blank_page(96, 300)
    cv2.line(crop, (30, 12), (4, 95), 0, 8)  # a leading '1' slanting to the crop's bottom-left corner
    for centre in (90, 170, 250):
        draw_ring(crop, (centre, 50), (24, 38), ink=0)
    cleaned = preprocess.clean_up(binary_of(crop), True, 12).binary
    assert cleaned[20:80, 8:28].max() == 255

    crop[:, 280:] = 235
    crop[6:, 290:] = 0  # a dark band along the right edge, as a scan's margin
    cleaned = preprocess.clean_up(binary_of(crop), True, 12).binary
    assert cleaned[10:90, 292:].max() == 0 and cleaned[20:80, 8:28].max() == 255
