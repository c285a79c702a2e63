import json
from dataclasses import replace

import numpy as np
import pytest

from conftest import PROJECT, frames_for, tampered_copy, written
from digitocr import ModelError, Reader
from digitocr.image.lines import LineImage, mark_field
from digitocr.networks.ctc import BLANK
from digitocr.networks.sign_judge import DEFAULT_SIGN_JUDGE_PATH, SignJudge
from digitocr.reader.signs import end_marks, signs_among, with_recognizer
from digitocr.results import Box, Digit
from digitocr.training.distractors import hand_sign
from digitocr.training.train_signs import NoSigns


def digit_at(label: int, x: int) -> Digit:
    return Digit(label, 0.99, tuple(0.99 if i == label else 0.001 for i in range(10)), Box(x, 10, 30, 50), 0, False)


def beside_a_number(sign: str, seed: int, after: bool) -> np.ndarray:
    """'4096' written on a page with `sign` written by hand (as the training scenes write one) before or after it."""
    page = written("4096", 20)
    mark = hand_sign(sign, 62, np.random.default_rng(seed))
    margin = np.full((page.shape[0], mark.shape[1] + 30, 3), 235, np.uint8)
    top = max(0, 28 - (mark.shape[0] - 62) // 2)
    region = margin[top:top + mark.shape[0], 15:15 + mark.shape[1]]
    region[mark[:region.shape[0], :region.shape[1]] > 0] = 40
    return np.hstack([page, margin] if after else [margin, page])


def test_signs_written_beside_a_number_are_no_digits_of_it(reader):
    """A '$' before the number and a '€' before or after it, ten of each; both readers read most of them as digits."""
    images = [beside_a_number(sign, seed, sign == "€" and seed % 2 == 0) for sign in "$€" for seed in range(10)]
    without_judge = Reader(models=replace(reader.models, signs=NoSigns()))
    readings = [reader.read(image) for image in images]
    assert sum(reading.text == "4096" for reading in readings) >= 15
    assert sum(without_judge.read(image).text == "4096" for image in images) <= 8
    assert sum(any("read as a sign" in note for note in reading.notes) for reading in readings) >= 7  # and say so


def test_only_marks_the_judge_is_sure_of_at_a_lines_ends_are_signs():
    judge = SignJudge(None, None, sign_from=0.9)
    three = [digit_at(1, 100), digit_at(8, 0), digit_at(2, 50)]  # given in any order: the ends are by place
    assert end_marks(three) == [1, 0]
    assert signs_among(three, np.array([0.95, 0.5]), judge) == [(1, 0.95)]
    assert signs_among(three, np.array([0.95, 0.97]), judge) == [(0, 0.97), (1, 0.95)]
    two = [digit_at(8, 0), digit_at(7, 50)]
    assert signs_among(two, np.array([0.95, 0.99]), judge) == [(1, 0.99)]  # one of two is the number


def test_a_mark_is_shown_to_the_judge_in_its_lines_rows_centred_or_squeezed():
    image = np.zeros((32, 200), np.float32)
    image[4:28, 50:60] = 1.0
    image[:, 100:180] = 0.5
    line = LineImage(0, (0, 0, 100, 16), image)  # the line 100 pixels wide in the image: its image twice that
    narrow = mark_field(line, 100, 25, 30)  # columns 49 to 60
    assert narrow.shape == (32, 32) and narrow[4:28, 11:21].all() and not narrow[:, :10].any()
    wide = mark_field(line, 100, 50, 90)
    assert wide.shape == (32, 32) and np.allclose(wide[:, 2:-2], 0.5, atol=0.02)


def test_the_shipped_sign_judge_is_small_and_its_card_says_from_what_chance_a_mark_is_a_sign(tmp_path):
    assert DEFAULT_SIGN_JUDGE_PATH.resolve() == PROJECT / "SignJudge.keras"
    card = json.loads(DEFAULT_SIGN_JUDGE_PATH.with_suffix(".json").read_text())
    assert card["file_bytes"] < 500_000 and 0.5 <= card["sign_from"] < 1
    assert card["held_out"]["digits_called_signs"] <= 0.001
    assert SignJudge.load().sign_chances(np.zeros((0, 32, 32), np.float32)).shape == (0,)
    with pytest.raises(ModelError, match="checksum"):
        SignJudge.load(tampered_copy(DEFAULT_SIGN_JUDGE_PATH, tmp_path))
    copy = tmp_path / "judge" / DEFAULT_SIGN_JUDGE_PATH.name
    copy.parent.mkdir()
    copy.write_bytes(DEFAULT_SIGN_JUDGE_PATH.read_bytes())
    copy.with_suffix(".json").write_text(json.dumps({k: v for k, v in card.items() if k != "sign_from"}))
    with pytest.raises(ModelError, match="sign_from"):
        SignJudge.load(copy)


def test_a_mark_the_judge_leans_to_call_a_sign_is_one_where_the_recognizer_reads_the_line_without_it():
    judge = SignJudge(None, None, sign_from=0.99)
    digits = [digit_at(1, 0), digit_at(6, 50), digit_at(4, 100)]  # a '$' before '64', read '164' by the contours
    reads_without = frames_for([BLANK, 6, BLANK, 4, BLANK], sure=0.97)
    raised = with_recognizer(np.array([0.95, 0.01]), digits, reads_without, judge)
    assert raised[0] >= 0.99 and raised[1] == pytest.approx(0.01)
    assert signs_among(digits, raised, judge) == [(0, raised[0])]
    assert with_recognizer(np.array([0.4, 0.01]), digits, reads_without, judge)[0] == pytest.approx(0.4)
    reads_with = frames_for([BLANK, 1, BLANK, 6, BLANK, 4, BLANK], sure=0.97)
    assert with_recognizer(np.array([0.95, 0.01]), digits, reads_with, judge)[0] == pytest.approx(0.95)
