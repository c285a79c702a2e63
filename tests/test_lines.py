import itertools

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES
from digitocr.line_reading import Dispute, character_boxes, judge_line
from digitocr.lines import (BLANK, FRAME_STEP, LINE_HEIGHT, RIGHT_CONTEXT, LineImage, batch_of_lines, greedy_decode,
                            line_box, log_likelihood, to_line_input)


def frames_for(path: list[int], sure: float = 0.9) -> np.ndarray:
    """Per-frame probabilities that put `sure` on the given label and spread the rest."""
    frames = np.full((len(path), BLANK + 1), (1 - sure) / BLANK, np.float32)
    frames[np.arange(len(path)), path] = sure
    return frames


def test_greedy_decoding_merges_repeats_and_drops_blanks():
    decoded = greedy_decode(frames_for([BLANK, 1, 1, BLANK, 1, BLANK, 0, 0, 7, BLANK]))
    assert decoded.text == "1107"
    assert decoded.frames == ((1, 2), (4, 4), (6, 7), (8, 8))
    assert all(len(p) == 10 and abs(sum(p) - 1) < 1e-5 for p in decoded.probabilities)
    assert decoded.confidences[0] == pytest.approx(0.9)


def test_a_line_of_blanks_reads_as_nothing():
    assert greedy_decode(frames_for([BLANK] * 6)).text == ""


def test_the_ctc_likelihood_sums_every_alignment():
    rng = np.random.default_rng(0)
    frames = rng.dirichlet(np.ones(BLANK + 1), 5).astype(np.float64)
    labels = [3, 3]
    total = 0.0
    for path in itertools.product(range(BLANK + 1), repeat=len(frames)):
        collapsed = [label for label, _ in itertools.groupby(path) if label != BLANK]
        if collapsed == labels:
            total += np.prod(frames[np.arange(len(frames)), path])
    assert log_likelihood(frames, labels) == pytest.approx(np.log(total), rel=1e-6)
    assert log_likelihood(frames[:2], [1, 2, 3]) == float("-inf")


def test_line_inputs_keep_their_aspect_at_the_recognizers_height():
    ink = np.zeros((50, 200), np.uint8)
    ink[10:40, 20:180] = 1
    image = to_line_input(ink)
    assert image.shape == (LINE_HEIGHT, 128) and image.dtype == np.float32 and image.max() == 1.0
    batch = batch_of_lines([image, image[:, :37]])
    assert batch.shape == (2, LINE_HEIGHT, 128 + RIGHT_CONTEXT, 1)
    assert batch[1, :, 37:].max() == 0.0 and batch.shape[2] % FRAME_STEP == 0


def test_a_lines_reading_does_not_depend_on_the_lines_read_with_it(reader):
    line = to_line_input((np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("L")) < 128).astype(np.uint8))
    alone = reader.line_recognizer.frames([line])[0]
    beside_a_longer_one = reader.line_recognizer.frames([line, np.zeros((LINE_HEIGHT, 400), np.float32)])[0]
    assert np.array_equal(alone, beside_a_longer_one)


def test_a_line_band_has_margins_and_stays_inside_the_image():
    x, y, width, height = line_box([(10, 20, 30, 40), (60, 25, 30, 40)], (200, 100))  # rows 20-65, columns 10-90
    assert (x, width) == (0, 100)
    assert y < 20 and y + height > 65 and height < 1.4 * 45


def test_a_sure_contour_reading_stands_against_a_mild_preference():
    recognized = greedy_decode(frames_for([1, BLANK, 2, BLANK, 3], sure=0.6))
    verdict = judge_line(0, "12", [0.999, 0.999], frames_for([1, BLANK, 2, BLANK, 3], sure=0.6), recognized)
    assert not verdict.use_recognizer and "kept the contour reading" in verdict.explanation


def test_a_doubtful_contour_reading_gives_way_to_a_sure_line_reading():
    frames = frames_for([BLANK, 1, BLANK, 1, BLANK, 7, BLANK], sure=0.99)
    verdict = judge_line(0, "17", [0.55, 0.9], frames, greedy_decode(frames))
    assert verdict.use_recognizer and verdict.preference > 5


def test_agreeing_readers_keep_the_contour_digits():
    frames = frames_for([4, BLANK, 2])
    verdict = judge_line(0, "42", [0.6, 0.6], frames, greedy_decode(frames))
    assert not verdict.use_recognizer and verdict.explanation == "line 1: both read '42'"


def test_recognized_characters_are_boxed_on_their_own_ink():
    upright = np.zeros((40, 100), np.uint8)
    upright[10:30, 10:20] = 255
    upright[12:28, 60:75] = 255
    image = to_line_input(upright)
    frames = np.full((image.shape[1] // FRAME_STEP, BLANK + 1), 0.01, np.float32)
    frames[:, BLANK] = 0.9
    frames[4, BLANK], frames[4, 1] = 0.01, 0.9  # columns 16-19 of 80: the first mark
    frames[16, BLANK], frames[16, 7] = 0.01, 0.9  # columns 64-67: the second
    decoded = greedy_decode(frames)
    assert decoded.text == "17"
    boxes = character_boxes(decoded, LineImage(0, (0, 0, 100, 40), image), upright)
    assert boxes == [(10, 10, 10, 20), (60, 12, 15, 16)]


def test_the_disputed_digits_are_those_the_recognizer_changes_or_drops():
    assert Dispute.between("107", "07").disputed_digits == [0]
    assert Dispute.between("1234", "1284").disputed_digits == [2]
    assert Dispute.between("12", "123").disputed_digits == []


def test_a_sure_digit_the_recognizer_would_drop_stays():
    frames = frames_for([BLANK, 0, BLANK, 7, BLANK], sure=0.97)
    verdict = judge_line(0, "407", [0.99, 0.99, 0.55], frames, greedy_decode(frames))
    assert verdict.recognized.text == "07" and not verdict.use_recognizer


def test_a_sure_one_the_recognizer_leaves_out_goes_as_a_bare_bar():
    frames = frames_for([BLANK, 1, BLANK, 4, BLANK, 4, BLANK], sure=0.97)
    verdict = judge_line(0, "1441", [0.99, 0.99, 0.99, 0.99], frames, greedy_decode(frames))
    assert verdict.recognized.text == "144" and verdict.use_recognizer and verdict.contour_certainty <= 1.5
    assert Dispute.between("1441", "144").leaves_out_only_ones
    assert not Dispute.between("1441", "124").leaves_out_only_ones


def test_a_sure_one_after_the_number_counts_for_nothing_but_one_before_it_still_counts():
    trailing = frames_for([BLANK, 1, BLANK, 4, BLANK, 4, BLANK], sure=0.97)
    leading = frames_for([BLANK, 6, BLANK, 7, BLANK], sure=0.97)
    after = judge_line(0, "1441", [0.99, 0.99, 0.99, 0.99], trailing, greedy_decode(trailing))
    before = judge_line(0, "167", [0.99, 0.99, 0.99], leading, greedy_decode(leading))
    assert after.contour_certainty == 0.0 and before.contour_certainty == 1.5


def test_a_digit_the_recognizer_adds_where_the_contour_reader_left_a_flat_piece_out_is_kept():
    frames = frames_for([BLANK, 5, BLANK, 0, BLANK], sure=0.97)
    certain = judge_line(0, "5", [0.999], frames, greedy_decode(frames))
    left_ink_out = judge_line(0, "5", [0.999], frames, greedy_decode(frames), flat_pieces=1)
    assert not certain.use_recognizer
    assert left_ink_out.use_recognizer and left_ink_out.recognized.text == "50"
    too_many = frames_for([BLANK, 5, BLANK, 0, BLANK, 0, BLANK], sure=0.97)
    assert judge_line(0, "5", [0.999], too_many, greedy_decode(too_many), flat_pieces=1).contour_certainty > 6
