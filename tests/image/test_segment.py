import cv2
import numpy as np

from conftest import blank_page, draw_bar, draw_ring
from digitocr.image.components import Components, candidate_mask
from digitocr.image.pipeline import analyse
from digitocr.image.segment import RING_REASON, segment
from digitocr.settings import ReaderSettings


def binary(page: np.ndarray) -> np.ndarray:
    return np.where(page < 128, 255, 0).astype(np.uint8)


def boxes(segmentation):
    return [(c.x, c.y, c.width, c.height, c.line) for c in segmentation.digits]


def test_an_image_with_no_pixels_has_no_marks_and_does_not_crash():
    for shape in ((10, 0), (0, 10), (0, 0)):
        marks = Components.of(np.zeros(shape, np.uint8))
        assert marks.labels.shape == shape and len(marks.stats) == 1 and not marks.stats.any()


def test_known_boxes_in_left_to_right_order():
    page = blank_page()
    draw_bar(page, 300, 50, 10, 80)
    draw_bar(page, 40, 52, 12, 78)
    draw_ring(page, (180, 90), (25, 38), thickness=8)
    result = segment(binary(page), ReaderSettings(max_components=100))
    found = boxes(result)
    assert [b[0] for b in found] == [40, 151, 300]
    assert found[0] == (40, 52, 12, 78, 0)
    assert found[2] == (300, 50, 10, 80, 0)


def two_lines_of_bars() -> np.ndarray:
    """Three bars below, two above, the lower line's bars between the upper's."""
    page = blank_page(300, 300)
    for x in (40, 120, 200):
        draw_bar(page, x, 160, 10, 70)
    for x in (80, 160):
        draw_bar(page, x, 30, 10, 70)
    return binary(page)


def test_several_lines_read_top_to_bottom():
    result = segment(two_lines_of_bars(), ReaderSettings(max_components=100))
    assert [(c.line, c.x) for c in result.digits] == [(0, 80), (0, 160), (1, 40), (1, 120), (1, 200)]


def test_an_image_known_to_hold_one_line_keeps_every_mark_on_it_left_to_right():
    result = segment(two_lines_of_bars(), ReaderSettings(max_components=100, one_line=True))
    assert [(c.line, c.x) for c in result.digits] == [(0, 40), (0, 80), (0, 120), (0, 160), (0, 200)]


def test_an_image_known_to_hold_one_digit_reads_all_its_marks_as_one_whatever_its_size():
    page = blank_page(300, 300)
    draw_bar(page, 80, 40, 10, 70)
    draw_bar(page, 150, 160, 10, 70)
    for one_digit, units in ((False, 2), (True, 1)):
        analysis = analyse(np.dstack([page] * 3), (300, 300), 1.0, ReaderSettings(one_digit=one_digit))
        assert analysis.single_digit == one_digit and len(analysis.segmentation.units) == units


def test_a_broken_five_is_merged_into_one_digit():
    page = blank_page()
    draw_bar(page, 100, 50, 40, 8)  # the detached top bar
    draw_bar(page, 100, 62, 8, 30)  # the rest of the five, simplified
    draw_bar(page, 100, 88, 40, 8)
    draw_bar(page, 132, 88, 8, 40)
    draw_bar(page, 100, 122, 40, 8)
    draw_bar(page, 250, 50, 10, 80)  # a one beside it
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert len(result.digits) == 2
    five = result.digits[0]
    assert (five.x, five.y, five.width, five.height) == (100, 50, 40, 80)


def test_dots_and_dashes_are_dropped_with_a_reason():
    page = blank_page()
    draw_bar(page, 40, 50, 10, 80)
    draw_bar(page, 80, 120, 8, 8)  # a decimal point
    draw_bar(page, 120, 85, 35, 6)  # a dash
    draw_bar(page, 180, 50, 10, 80)
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert [c.x for c in result.digits] == [40, 180]
    reasons = sorted(c.dropped for c in result.dropped)
    assert "dash" in reasons[0] and "dot" in reasons[1]


def test_touching_digits_are_cut_at_the_thinnest_column():
    page = blank_page(200, 400)
    draw_ring(page, (100, 100), (28, 40), thickness=8)
    draw_bar(page, 130, 99, 16, 3)  # a pen stroke joining the two
    draw_ring(page, (176, 100), (28, 40), thickness=8)
    draw_bar(page, 300, 60, 10, 80)
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert len(result.digits) == 3
    cut = result.digits[0].right
    assert 132 <= cut <= 146


def test_candidate_mask_leaves_out_a_neighbours_ink():
    page = blank_page()
    draw_bar(page, 40, 50, 10, 80)
    draw_bar(page, 52, 40, 40, 6)  # a neighbour reaching over the first's box
    result = segment(binary(page), ReaderSettings(split_touching=False, max_components=100))
    first = min(result.digits, key=lambda c: c.x)
    mask = candidate_mask(result.labels, first)
    assert mask.sum() == 10 * 80


def test_components_are_capped():
    page = blank_page(400, 400)
    for y in range(5, 395, 12):
        for x in range(5, 395, 12):
            draw_bar(page, x, y, 5, 5)
    result = segment(binary(page), ReaderSettings(max_components=50))
    assert result.capped
    assert len(result.digits) + len(result.dropped) <= 50


def test_a_comma_taller_than_a_speck_is_still_not_a_digit():
    page = blank_page()
    draw_bar(page, 40, 50, 10, 80)
    draw_bar(page, 70, 112, 8, 36)  # a comma: below the middle of the line, reaching under it
    draw_bar(page, 100, 50, 10, 80)
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert [c.x for c in result.digits] == [40, 100]
    assert "comma" in result.dropped[0].dropped


def test_a_comma_hanging_below_the_digits_is_no_line_of_its_own():
    page = blank_page()
    draw_bar(page, 40, 50, 10, 80)
    draw_bar(page, 70, 115, 8, 50)  # a long comma: most of it below the digits, so it shares too little of their band
    draw_bar(page, 100, 50, 10, 80)
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert [(c.x, c.line) for c in result.digits] == [(40, 0), (100, 0)]
    assert "comma" in result.dropped[0].dropped


def test_a_long_comma_from_mid_line_to_below_it_is_not_a_digit_but_a_short_one_on_the_line_is():
    page = blank_page(240)
    draw_bar(page, 40, 50, 10, 80)
    draw_bar(page, 70, 95, 8, 60)  # a quick comma, three quarters of the digits' height, hanging well below them
    draw_bar(page, 100, 50, 10, 80)
    draw_bar(page, 160, 50, 10, 80)
    draw_bar(page, 190, 70, 10, 60)  # as short, but standing on the line: a small '1'
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert [c.x for c in result.digits] == [40, 100, 160, 190]
    assert [c.x for c in result.dropped] == [70] and "comma" in result.dropped[0].dropped
    page[95:155, 70:78] = 235
    draw_bar(page, 230, 95, 50, 55)  # as low, but wide and mostly above the line: a small digit written low
    assert [c.x for c in segment(binary(page), ReaderSettings(max_components=100)).digits] == [40, 100, 160, 190, 230]


def test_a_short_low_mark_after_the_last_digit_is_left_to_the_readers_but_one_between_digits_is_a_comma():
    page = blank_page(200, 240)
    draw_bar(page, 40, 50, 10, 80)
    draw_bar(page, 70, 112, 8, 36)  # comma-sized, between two digits
    draw_bar(page, 100, 50, 10, 80)
    draw_bar(page, 140, 94, 24, 6)  # a small '7' written low after the number: its bar...
    draw_bar(page, 158, 94, 6, 36)  # ...and its stem, as short and as low as the comma
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert [c.x for c in result.digits] == [40, 100, 140]
    assert [c.x for c in result.dropped] == [70] and "comma" in result.dropped[0].dropped


def test_digits_after_one_tall_stem_are_digits_not_commas():
    page = blank_page(220)
    draw_bar(page, 30, 20, 10, 160)  # a '4' or '1' with a stem far taller than the rest of the number
    for x in (80, 140, 200):
        draw_ring(page, (x, 150), (18, 28))
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert len(result.digits) == 4 and not result.dropped


def test_a_small_low_loop_after_the_number_is_a_zero_not_a_comma():
    page = blank_page()
    draw_bar(page, 40, 50, 10, 80)
    draw_bar(page, 100, 50, 10, 80)
    draw_ring(page, (150, 112), (14, 16), thickness=5)  # a '0' of the cents, written small and low
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert len(result.digits) == 3 and not result.dropped


def test_a_short_number_on_the_next_line_is_not_a_comma():
    page = blank_page(260)
    draw_bar(page, 40, 50, 10, 80)
    draw_bar(page, 100, 50, 10, 80)
    draw_bar(page, 70, 150, 10, 70)  # a second line: it starts below the first
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert [(c.x, c.line) for c in result.digits] == [(40, 0), (100, 0), (70, 1)]


def test_a_tiny_crop_is_one_digit_whatever_its_pieces():
    page = blank_page()
    draw_bar(page, 40, 50, 40, 12)
    draw_bar(page, 100, 50, 12, 80)
    result = segment(binary(page), ReaderSettings(max_components=100), single_digit=True)
    assert len(result.digits) == 1
    assert (result.digits[0].x, result.digits[0].right) == (40, 112)


def test_two_strokes_close_together_may_be_read_as_one_digit():
    page = blank_page()
    draw_bar(page, 100, 40, 8, 50)  # the left stroke of a two-stroke '4'
    draw_bar(page, 112, 50, 8, 80)  # its upright, just beside
    draw_bar(page, 250, 50, 10, 80)
    result = segment(binary(page), ReaderSettings(max_components=100))
    first = result.units[0]
    assert [len(option) for option in first.options] == [1, 2]
    assert len(result.digits) == 3  # geometry alone keeps them apart; the classifier may join them


def test_a_wide_blob_is_also_offered_cut_where_unequal_digits_touch():
    page = blank_page(200, 400)
    draw_ring(page, (120, 100), (20, 40), thickness=8)  # a narrow '0'...
    draw_ring(page, (196, 100), (52, 40), thickness=8)  # ...touching a wide one at x = 144
    result = segment(binary(page), ReaderSettings(max_components=100))
    [unit] = result.units
    two_way_cuts = [option[0].right for option in unit.options if len(option) == 2]
    assert len(two_way_cuts) >= 2
    assert any(abs(cut - 144) <= 4 for cut in two_way_cuts)


def test_components_match_opencv_for_sparse_and_dense_ink_and_after_marks_are_erased():
    rng = np.random.default_rng(0)
    for side, inked in ((30, 0.02), (90, 0.2), (300, 0.01), (700, 0.03), (700, 0.003)):  # sparse and dense (dilated)
        image = cv2.dilate((rng.random((side, side + 7)) < inked).astype(np.uint8) * 255, np.ones((3, 3), np.uint8))
        _, labels, stats, _ = cv2.connectedComponentsWithStats(image, connectivity=8)
        components = Components.of(image)
        assert np.array_equal(components.labels, labels) and np.array_equal(components.stats[1:], stats[1:])
        erased = rng.random(len(stats)) < 0.5
        erased[0] = False
        left = components.without(erased)
        relabelled = Components.of(cv2.subtract(image, components.mask(erased)))
        assert np.array_equal(left.labels, relabelled.labels) and np.array_equal(left.stats, relabelled.stats)


def test_a_one_after_the_number_is_kept_when_close_or_within_the_band():
    for bar_x, bar_top, bar_height in ((262, 62, 76), (380, 62, 76)):
        page = blank_page(200, 400)
        draw_ring(page, (120, 100), (25, 38), thickness=8)
        draw_ring(page, (190, 100), (25, 38), thickness=8)
        draw_bar(page, bar_x, bar_top, 6, bar_height)
        result = segment(binary(page), ReaderSettings(max_components=100))
        assert [c.x for c in result.digits][-1] == bar_x


def test_touching_loops_are_also_offered_cut_between_their_holes():
    page = blank_page(200, 400)
    for centre in (100, 150, 200):  # '000' in one stroke: each join is thicker than a loop's two sides
        draw_ring(page, (centre, 100), (26, 30), thickness=10)
    draw_bar(page, 300, 60, 10, 80)
    result = segment(binary(page), ReaderSettings(max_components=100))
    three_way_cuts = [[piece.right for piece in option[:2]] for option in result.units[0].options if len(option) == 3]
    assert any(119 <= first <= 134 and 169 <= second <= 184 for first, second in three_way_cuts), three_way_cuts


def test_two_loops_one_on_the_other_are_one_eight_but_two_lines_of_zeros_stay_apart():
    eight, zeros = blank_page(400, 300), blank_page(400, 300)
    for page, gap in ((eight, 3), (zeros, 40)):  # pixels between the loops
        draw_ring(page, (150, 100), (40, 40), thickness=8)
        draw_ring(page, (150, 148 + gap + 44), (44, 44), thickness=8)
    [one] = segment(binary(eight), ReaderSettings(max_components=100)).digits
    assert one.height > 170
    assert [c.line for c in segment(binary(zeros), ReaderSettings(max_components=100)).digits] == [0, 1]


def test_marks_either_side_of_a_removed_ruled_line_stay_one_line():
    """Squared paper's lines run through a number written across them: once clean-up removes them, the number's
    marks are one line, as a person reads it."""
    page = blank_page(200, 400)
    for x in (40, 100, 230, 290):
        draw_bar(page, x, 60 if x < 190 else 50, 10, 80)  # the right marks a little higher
    for column in (10, 188, 360):
        page[:, column:column + 2] = 60
    rgb = np.dstack([page] * 3)
    marks = analyse(rgb, (400, 200), 1.0, ReaderSettings(max_components=100, min_short_side=0)).segmentation.digits
    assert [c.line for c in marks] == [0, 0, 0, 0] and all(c.width < 20 for c in marks)


def test_a_ring_around_several_marks_frames_them_but_a_zero_with_its_slash_is_a_digit():
    page = blank_page(240, 520)
    for x in (40, 100):
        draw_bar(page, x, 70, 10, 80)
    draw_ring(page, (210, 110), (36, 40), thickness=6)  # a slashed zero: one stroke inside its loop
    cv2.line(page, (195, 135), (225, 85), 20, 5)
    draw_ring(page, (400, 110), (90, 90), thickness=5)  # a stamp: letters in a ring
    for x in (350, 385, 420):
        draw_bar(page, x, 100, 20, 24)
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert [c.dropped for c in result.dropped] == ["a ring around other marks: a stamp's or a circling's, not a digit"]
    lines = {}
    for c in result.digits:
        lines.setdefault(c.line, []).append(c.x)
    assert sorted(lines.values()) == [[40, 100, 171], [350, 385, 420]]


def test_a_stamp_whose_word_runs_together_is_no_zero_and_neither_is_the_ring_around_it():
    page = blank_page(240, 560)
    for x in (40, 100):
        draw_bar(page, x, 70, 10, 80)
    draw_ring(page, (240, 110), (36, 40), thickness=6)  # a zero with a dot in its loop
    draw_bar(page, 236, 106, 8, 8)
    draw_ring(page, (420, 110), (60, 60), thickness=4)  # a stamp: one word, its letters run together...
    draw_bar(page, 395, 102, 50, 16)
    draw_ring(page, (420, 110), (80, 80), thickness=5)  # ...inside a second ring
    result = segment(binary(page), ReaderSettings(max_components=100))
    assert [(c.x, c.dropped) for c in result.dropped if c.height > 100] == \
        [(358, RING_REASON), (337, RING_REASON)]
    assert [c.x for c in result.digits if c.line == 0][:3] == [40, 100, 201]
