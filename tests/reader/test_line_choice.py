import numpy as np

from conftest import frames_for
from digitocr.image.lines import LineImage, to_line_input
from digitocr.networks.ctc import BLANK, greedy_decode
from digitocr.networks.line_recognizer import FRAME_STEP
from digitocr.reader.line_choice import Dispute, character_boxes, judge_line


def test_a_sure_contour_reading_stands_against_a_mild_preference():
    verdict = judge_line(0, "12", [0.999, 0.999], frames_for([1, BLANK, 2, BLANK, 3], sure=0.6))
    assert not verdict.use_recognizer and "kept the contour reading" in verdict.explanation


def test_a_doubtful_contour_reading_gives_way_to_a_sure_line_reading():
    frames = frames_for([BLANK, 1, BLANK, 1, BLANK, 7, BLANK], sure=0.99)
    verdict = judge_line(0, "17", [0.55, 0.9], frames)
    assert verdict.use_recognizer and verdict.preference > 5


def test_agreeing_readers_keep_the_contour_digits():
    frames = frames_for([4, BLANK, 2])
    verdict = judge_line(0, "42", [0.6, 0.6], frames)
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


def test_a_last_digit_is_boxed_on_its_own_marks_not_the_word_written_after_it():
    upright = np.zeros((40, 200), np.uint8)
    upright[10:30, 10:22] = 255  # the digit
    upright[14:30, 90:190] = 255  # a word's end, read as nothing, in the same band
    image = to_line_input(upright)
    frames = np.full((image.shape[1] // FRAME_STEP, BLANK + 1), 0.01, np.float32)
    frames[:, BLANK] = 0.9
    frames[3, BLANK], frames[3, 4] = 0.01, 0.9  # columns 12-15 of 160: on the digit
    boxes = character_boxes(greedy_decode(frames), LineImage(0, (0, 0, 200, 40), image), upright)
    assert boxes == [(10, 10, 12, 20)]


def test_the_disputed_digits_are_those_the_recognizer_changes_or_drops():
    assert Dispute.between("107", "07").disputed_digits == [0]
    assert Dispute.between("1234", "1284").disputed_digits == [2]
    assert Dispute.between("12", "123").disputed_digits == []


def test_a_sure_digit_the_recognizer_would_drop_stays():
    frames = frames_for([BLANK, 0, BLANK, 7, BLANK], sure=0.97)
    verdict = judge_line(0, "407", [0.99, 0.99, 0.55], frames)
    assert verdict.recognized.text == "07" and not verdict.use_recognizer


def test_a_sure_one_the_recognizer_leaves_out_goes_as_a_bare_bar():
    frames = frames_for([BLANK, 1, BLANK, 4, BLANK, 4, BLANK], sure=0.97)
    verdict = judge_line(0, "1441", [0.99, 0.99, 0.99, 0.99], frames)
    assert verdict.recognized.text == "144" and verdict.use_recognizer and verdict.contour_certainty <= 1.5
    assert Dispute.between("1441", "144").leaves_out_only("1")
    assert not Dispute.between("1441", "124").leaves_out_only("1")


def test_a_sure_one_after_the_number_counts_for_nothing_but_one_before_it_still_counts():
    trailing = frames_for([BLANK, 1, BLANK, 4, BLANK, 4, BLANK], sure=0.97)
    leading = frames_for([BLANK, 6, BLANK, 7, BLANK], sure=0.97)
    after = judge_line(0, "1441", [0.99, 0.99, 0.99, 0.99], trailing)
    before = judge_line(0, "167", [0.99, 0.99, 0.99], leading)
    assert after.contour_certainty == 0.0 and before.contour_certainty == 1.5


def test_a_sure_zero_after_the_number_taller_than_every_digit_counts_for_nothing_but_a_written_one_still_counts():
    frames = frames_for([BLANK, 4, BLANK, 5, BLANK, 8, BLANK], sure=0.97)  # the recognizer reads '458'
    ring = judge_line(0, "4580", [0.99, 0.99, 0.99, 0.9999], frames, contour_heights=[25, 26, 29, 64])
    written = judge_line(0, "4580", [0.99, 0.99, 0.99, 0.9999], frames, contour_heights=[25, 26, 29, 24])
    assert ring.use_recognizer and ring.contour_certainty == 0.0
    assert not written.use_recognizer and written.contour_certainty > 9
    assert Dispute.between("4580", "458").at_the_end and not Dispute.between("4580", "480").at_the_end


def test_a_digit_the_recognizer_adds_where_the_contour_reader_left_a_flat_piece_out_is_kept():
    frames = frames_for([BLANK, 5, BLANK, 0, BLANK], sure=0.97)
    certain = judge_line(0, "5", [0.999], frames)
    left_ink_out = judge_line(0, "5", [0.999], frames, flat_spans=((3.0, 4.0, 20),))
    assert not certain.use_recognizer
    assert left_ink_out.use_recognizer and left_ink_out.recognized.text == "50"
    assert left_ink_out.contour_certainty == 0.0
    elsewhere = judge_line(0, "5", [0.999], frames, flat_spans=((0.0, 2.0, 20),))
    assert elsewhere.contour_certainty > 6


def test_two_touching_digits_the_classifier_could_not_name_are_read_by_the_recognizer():
    frames = frames_for([BLANK, 5, BLANK, 0, BLANK, 0, BLANK], sure=0.97)
    one_flat_piece_of_two_zeros = judge_line(0, "5", [0.999], frames, flat_spans=((2.5, 6.0, 20),))
    assert one_flat_piece_of_two_zeros.use_recognizer and one_flat_piece_of_two_zeros.recognized.text == "500"
    assert judge_line(0, "5", [0.999], frames, flat_spans=((2.5, 4.5, 20),)).contour_certainty > 6


def test_digits_added_on_a_flat_piece_count_where_a_digit_the_contours_read_lies_at_its_edge_if_it_is_digit_sized():
    frames = frames_for([BLANK, 5, BLANK, 7, BLANK, 0, BLANK, 0, BLANK], sure=0.97)  # '5,700', its '00' one piece
    heights = [20, 20]
    zeros_flat = judge_line(0, "57", [0.999, 0.999], frames, flat_spans=((3.4, 8.0, 24),), contour_heights=heights)
    assert zeros_flat.use_recognizer and zeros_flat.recognized.text == "5700" and zeros_flat.contour_certainty == 0.0
    taller_than_any_digit = judge_line(0, "57", [0.999, 0.999], frames, flat_spans=((3.4, 8.0, 40),),
                                       contour_heights=heights)
    one_zero_off_the_piece = judge_line(0, "57", [0.999, 0.999], frames, flat_spans=((3.4, 6.0, 20),),
                                        contour_heights=heights)
    assert taller_than_any_digit.contour_certainty > 6 and one_zero_off_the_piece.contour_certainty > 6
