import cv2
import numpy as np

from conftest import binary_and_tone, binary_of, blank_page, draw_bar, draw_ring, threshold_and_tone
from digitocr.image import cleanup
from digitocr.image.components import Components


def test_ruled_lines_and_frame_are_removed_but_digits_kept():
    page = blank_page(300, 600)
    for y in (60, 140, 220):
        page[y:y + 2, :] = 120
    page[:, :4] = 0  # a dark scan margin
    draw_ring(page, (200, 140), (22, 40), ink=20)
    draw_bar(page, 320, 100, 8, 80)
    binary = binary_of(page)
    cleaned = cleanup.clean_up(binary, remove_lines=True, min_ink_pixels=12).binary
    assert cleaned[60:62, 300:].max() == 0 and cleaned[60:62, :100].max() == 0
    assert cleaned[:, :4].max() == 0
    assert cleaned[140, 178] == 255  # ring side where a rule crossed it
    assert cleaned[140, 323] == 255  # the bar
    assert cleaned[100:182, 318:330].mean() > 100


def seven_on_a_rule(rule_ink: int) -> np.ndarray:
    """A '7' whose bar lies along a ruled line printed in `rule_ink`."""
    page = blank_page(200, 600)
    page[98:101, :] = rule_ink
    draw_bar(page, 250, 96, 60, 7)
    cv2.line(page, (305, 100), (270, 180), 20, 7)
    return page


def test_a_bar_written_along_a_lighter_printed_rule_keeps_its_ink():
    binary, tone = binary_and_tone(seven_on_a_rule(rule_ink=150))
    cleaned = cleanup.clean_up(binary, True, 12, tone).binary
    assert cleaned[96:103, 255:300].mean() > 200
    assert cleaned[95:104, :200].max() == 0 and cleaned[95:104, 400:].max() == 0
    assert cleanup.clean_up(binary, True, 12).binary[99, 255:300].max() == 0  # with no tone to tell, the rule goes


def test_a_rule_as_dark_as_the_writing_goes_where_it_touches_a_stroke():
    binary, tone = binary_and_tone(seven_on_a_rule(rule_ink=20))
    cleaned = cleanup.clean_up(binary, True, 12, tone).binary
    assert cleaned[99, 255:300].max() == 0 and cleaned[95:104, :200].max() == 0
    assert cleaned[140, 287] == 255  # the stem below the rule stays


def test_stroke_bars_of_a_large_digit_are_not_taken_for_rules():
    page = blank_page(200, 200)
    draw_bar(page, 40, 30, 120, 14)  # the top bar of a big '7'
    draw_bar(page, 140, 30, 14, 140)
    cleaned = cleanup.clean_up(binary_of(page), True, 12).binary
    assert cleaned[37, 60] == 255 and cleaned[100, 147] == 255


def test_specks_are_removed():
    page = blank_page()
    page[50, 50] = 0
    page[120:122, 300:302] = 0
    draw_ring(page, (150, 100), (25, 40))
    cleaned = cleanup.clean_up(binary_of(page), True, 12)
    assert cleaned.binary[50, 50] == 0 and cleaned.binary[121, 301] == 0
    assert cleaned.binary[100, 125] == 255


def test_a_border_remnant_hugging_a_cell_side_goes_but_a_one_near_the_side_stays():
    cell = blank_page(96, 170)
    draw_ring(cell, (60, 48), (14, 22), ink=30)
    draw_ring(cell, (110, 48), (14, 22), ink=30)
    draw_bar(cell, 165, 30, 3, 40)  # what is left of the cell's right border, digit-sized
    cleaned = cleanup.clean_up(binary_of(cell), True, 12).binary
    assert cleaned[30:70, 163:].max() == 0
    assert cleaned[48, 47] == 255

    canvas = blank_page(300, 900)
    cv2.line(canvas, (44, 100), (34, 210), 0, 13)  # a '1' drawn 30 px in from the canvas's left edge
    for centre in (150, 300, 450):
        draw_ring(canvas, (centre, 155), (35, 55), ink=0)
    cleaned = cleanup.clean_up(binary_of(canvas), True, 12).binary
    assert cleaned[150:160, 36:42].mean() > 200


def _tilted_lines(binary: np.ndarray, horizontal: bool, shortest: int, gap: int) -> list:
    found = cv2.HoughLinesP(binary, 1, np.pi / 180, threshold=shortest // 2, minLineLength=shortest, maxLineGap=gap)
    lines = []
    for x1, y1, x2, y2 in ([] if found is None else found.reshape(-1, 4)):
        angle = abs(np.degrees(np.arctan2(y2 - y1, x2 - x1))) % 180
        tilt = min(angle, 180 - angle) if horizontal else abs(90 - angle)
        if tilt <= cleanup.MAX_TILT:
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
            if not cleanup._may_hold_line(binary, horizontal, shortest, gap):
                skipped += 1
                assert not _tilted_lines(binary, horizontal, shortest, gap)
    assert skipped > 100  # the test does spare the transform on many images


def test_digits_alone_spare_the_hough_transform_but_a_tilted_rule_does_not():
    page = blank_page(300, 600)
    for centre in (100, 230, 360, 490):
        draw_ring(page, (centre, 150), (40, 60), ink=20)
    binary = binary_of(page)
    assert not cleanup._may_hold_line(binary, True, 250, 10)
    assert not cleanup._may_hold_line(binary, False, 200, 10)
    cv2.line(page, (20, 40), (580, 110), 20, 3)  # a rule leaning 7 degrees
    binary = binary_of(page)
    assert cleanup._may_hold_line(binary, True, 250, 10)
    cleaned = cleanup.clean_up(binary, True, 12).binary
    assert cleaned[75, 300] == 0 and cleaned[150, 62] == 255


def test_a_drawn_box_is_removed_but_a_round_zero_and_a_touching_stroke_stay():
    page = blank_page(200, 400)
    cv2.rectangle(page, (40, 40), (140, 140), 20, 3)
    draw_bar(page, 88, 60, 6, 82)  # a '1' standing on the box's floor
    draw_ring(page, (280, 100), (35, 50))  # a '0' as large as the box, but round
    binary = binary_of(page)
    boxes = cleanup.box_outlines(Components.of(binary))
    assert boxes[40, 90] == 255 and boxes[90, 40] == 255 and boxes[140, 60] == 255
    assert boxes[:, 200:].max() == 0  # the zero
    assert boxes[60:130, 88:94].max() == 0  # the '1' above the floor's band
    cleaned = cleanup.clean_up(binary, True, 12).binary
    assert cleaned[40, 90] == 0 and cleaned[100, 90] == 255 and cleaned[100, 245] == 255


def test_a_slanted_one_cut_by_a_tight_crop_stays_but_a_band_along_the_edge_goes():
    crop = blank_page(96, 300)
    cv2.line(crop, (30, 12), (4, 95), 0, 8)  # a leading '1' slanting to the crop's bottom-left corner
    for centre in (90, 170, 250):
        draw_ring(crop, (centre, 50), (24, 38), ink=0)
    cleaned = cleanup.clean_up(binary_of(crop), True, 12).binary
    assert cleaned[20:80, 8:28].max() == 255

    crop[:, 280:] = 235
    crop[6:, 290:] = 0  # a dark band along the right edge, as a scan's margin
    cleaned = cleanup.clean_up(binary_of(crop), True, 12).binary
    assert cleaned[10:90, 292:].max() == 0 and cleaned[20:80, 8:28].max() == 255


def test_a_column_line_is_removed_but_a_tall_stroke_is_not():
    page = blank_page(120, 400)
    page[:, 250:253] = 40  # the column's ruled line, top to bottom
    draw_ring(page, (100, 60), (14, 22), ink=30)
    draw_ring(page, (300, 60), (14, 22), ink=30)
    cleaned = cleanup.clean_up(binary_of(page), True, 12).binary
    assert cleaned[:, 249:254].max() == 0 and cleaned[50:70, 80:120].max() == 255

    page = blank_page(300, 400)
    draw_ring(page, (100, 150), (14, 22), ink=30)
    draw_bar(page, 250, 140, 3, 70)  # vertical, slender, taller than the digit but a fraction of the page
    assert cleanup.clean_up(binary_of(page), True, 12).binary[150:200, 250:253].max() == 255


def test_a_column_line_too_faint_to_pass_for_ink_is_still_found_as_a_column_line():
    page = blank_page(120, 400)
    page[:, 200:202] = 195  # a light printed column line, top to bottom
    draw_ring(page, (100, 60), (14, 22), ink=30)
    draw_ring(page, (300, 60), (14, 22), ink=30)
    cut, tone = threshold_and_tone(page)
    assert cut.binary[:, 195:207].max() == 0  # too faint for the threshold to keep
    lines = cleanup.clean_up(cut.binary, True, 12, tone, cut.faint_level).column_lines
    assert len(lines) and np.all(np.abs(lines[:, [0, 2]] - 200.5) <= 3)
    assert np.all(lines[:, 1] <= lines[:, 3])  # top end first
    assert not len(cleanup.clean_up(cut.binary, True, 12).column_lines)  # no tone, no faint marks to look at


def test_digits_and_a_tall_stroke_are_no_column_line():
    page = blank_page(300, 400)
    draw_ring(page, (100, 150), (14, 22), ink=30)
    draw_bar(page, 250, 140, 3, 70)
    cut, tone = threshold_and_tone(page)
    assert not len(cleanup.clean_up(cut.binary, True, 12, tone, cut.faint_level).column_lines)


def test_a_column_line_as_dark_as_the_writing_is_found_among_thin_ink():
    page = blank_page(120, 400)
    page[:, 250:253] = 40
    draw_ring(page, (100, 60), (14, 22), ink=30)
    draw_ring(page, (300, 60), (14, 22), ink=30)
    cut, tone = threshold_and_tone(page)
    assert cut.binary[:, 250:253].min() == 255  # ink, not a faint mark
    lines = cleanup.clean_up(cut.binary, True, 12, tone, cut.faint_level).column_lines
    assert len(lines) and np.all(np.abs(lines[:, [0, 2]] - 251) <= 3)


def test_the_pieces_of_a_faint_column_line_the_threshold_kept_go_with_it():
    page = blank_page(120, 400)
    page[:, 200:202] = 195  # a light printed column line, top to bottom...
    page[10:25, 200:202] = page[70:85, 200:202] = 60  # ...darker in two short stretches, as printing or a scan leaves it
    draw_ring(page, (100, 60), (14, 22), ink=30)
    draw_ring(page, (300, 60), (14, 22), ink=30)
    tone = 235.0 - page  # the ink's darkness
    binary = np.where(tone > 100, 255, 0).astype(np.uint8)  # the threshold keeps the dark stretches alone
    cleaned = cleanup.clean_up(binary, True, 12, tone, faint_level=20.0).binary
    assert cleaned[:, 195:207].max() == 0 and cleaned[50:70, 80:120].max() == 255
    assert cleanup.clean_up(binary, True, 12).binary[10:25, 200:202].min() == 255  # the pieces alone are no rule


def test_rules_running_down_a_page_through_the_digits_leave_the_digits_apart():
    # a ruled page photographed on its side: the rules run the page's height, one through each digit; as the
    # commonest mark they would pass for the digits' height, and a stroke cut by the rule would be bridged
    # along it from one digit to the next
    page = blank_page(400, 200)
    for x in (40, 100, 160):
        page[:, x:x + 2] = 120
    for y in (80, 200, 320):
        draw_ring(page, (100, y), (22, 40))
    binary, tone = binary_and_tone(page)
    cleaned = cleanup.clean_up(binary, True, 12, tone)
    heights = sorted(cleaned.components.stats[1:, cv2.CC_STAT_HEIGHT].tolist())
    assert len(heights) == 3 and heights[-1] < 100
