import numpy as np

from digitocr.image.lines import LineImage, inked_columns_covered, line_box, to_line_input
from digitocr.networks.line_recognizer import FRAME_STEP, LINE_HEIGHT, RIGHT_CONTEXT, batch_of_lines


def test_line_inputs_keep_their_aspect_at_the_recognizers_height():
    ink = np.zeros((50, 200), np.uint8)
    ink[10:40, 20:180] = 1
    image = to_line_input(ink)
    assert image.shape == (LINE_HEIGHT, 128) and image.dtype == np.float32 and image.max() == 1.0
    batch = batch_of_lines([image, image[:, :37]])
    assert batch.shape == (2, LINE_HEIGHT, 128 + RIGHT_CONTEXT, 1)
    assert batch[1, :, 37:].max() == 0.0 and batch.shape[2] % FRAME_STEP == 0


def test_a_line_band_has_margins_and_stays_inside_the_image():
    x, y, width, height = line_box([(10, 20, 30, 40), (60, 25, 30, 40)], (200, 100))  # rows 20-65, columns 10-90
    assert (x, width) == (0, 100)
    assert y < 20 and y + height > 65 and height < 1.4 * 45


def test_ink_covered_counts_only_inked_columns_within_the_spans():
    """A line 200 pixels wide shown in 100 columns: ink in columns 10-29 and 60-69; a span over the first mark
    covers its 20 columns, blank columns and the unread mark do not count as covered."""
    image = np.zeros((LINE_HEIGHT, 100), np.float32)
    image[5:20, 10:30] = image[5:20, 60:70] = 1.0
    line = LineImage(0, (0, 0, 100, LINE_HEIGHT), image)
    assert inked_columns_covered(line, 200, [(0.0, 80.0)]) == (30, 20)
    assert inked_columns_covered(line, 200, [(0.0, 80.0), (110.0, 150.0)]) == (30, 30)
    assert inked_columns_covered(line, 200, []) == (30, 0)


def test_a_line_given_its_tone_keeps_the_darker_middle_of_a_stroke_the_threshold_made_fat():
    """A faint, blurred stroke cut into a band 24 pixels wide: its cut is flat, its gray levels peak in the middle;
    the tone of a rule clean-up removed (no ink within a pixel) stays out."""
    ink = np.zeros((64, 128), np.uint8)
    ink[8:56, 52:76] = 1
    columns = np.exp(-0.5 * ((np.arange(128) - 64) / 5.0) ** 2)
    tone = np.tile(40 * columns, (64, 1))
    tone[60:62, :] = 60
    cut, gray = to_line_input(ink), to_line_input(ink, tone.astype(np.uint8))
    assert cut.shape == gray.shape == (LINE_HEIGHT, 64)
    middle = gray[LINE_HEIGHT // 2]
    assert middle[32] == 1.0 and middle[26] < 0.5 and middle[38] < 0.5
    assert cut[LINE_HEIGHT // 2, 27] == cut[LINE_HEIGHT // 2, 32] == 1.0
    assert gray[30:].max() == 0.0


def test_a_line_with_no_tone_in_its_ink_is_read_by_its_cut():
    ink = np.zeros((40, 80), np.uint8)
    ink[10:30, 20:60] = 1
    assert np.array_equal(to_line_input(ink, np.zeros_like(ink)), to_line_input(ink))
