import json
from dataclasses import replace

import cv2
import numpy as np
import pytest

from conftest import PROJECT, tampered_copy, written
from digitocr import ModelError, Reader
from digitocr.networks.sign_judge import DEFAULT_SLASH_JUDGE_PATH, SLASH_COMMAND, SignJudge
from digitocr.reader.dates import slash_places, slash_separators, slashes_among
from digitocr.results import Box, Digit
from digitocr.training.train_signs import NoSigns


def digit_at(label: int, x: int) -> Digit:
    return Digit(label, 0.99, tuple(0.99 if i == label else 0.001 for i in range(10)), Box(x, 10, 30, 50), 0, False)


def date_with_slashes(parts: tuple[str, str, str], lean: float) -> np.ndarray:
    """The date's parts in the test script, each two apart parted by a straight '/' leaning `lean` degrees from
    upright, in the same pen, a fifth taller than the digits and reaching below them."""
    pieces = []
    for index, part in enumerate(parts):
        pieces.append(written(part, 10)[:, 20:-20])
        if index < len(parts) - 1:
            slash = np.full((120, 70), 235, np.uint8)
            reach = np.tan(np.radians(lean)) * 62
            cv2.line(slash, (int(35 - reach / 2), 98), (int(35 + reach / 2), 36), 40, 7)
            pieces.append(np.dstack([slash] * 3))
    return np.hstack(pieces)


def test_a_reading_has_a_dates_shape_with_a_one_where_each_slash_stands():
    assert slash_places([1, 2, 1, 0, 3, 1, 2, 4]) == [(2, 5)]
    assert slash_places([1, 2, 1, 0, 3, 1, 2, 0, 2, 4]) == [(2, 5)]
    assert slash_places([3, 1, 7, 1, 2, 4]) == [(1, 3)]  # '3/7/24'
    assert slash_places([3, 1, 7, 1, 2, 0, 2, 4]) == [(1, 3)]  # '3/7/2024'
    assert slash_places([3, 1, 1, 1, 1, 2, 4]) == [(1, 4), (2, 4)]  # '3/11/24' or '31/1/24'
    assert slash_places([1, 2, 1, 0, 3, 1, 2]) == []  # a year of one digit
    assert slash_places([1, 2, 1, 0, 3, 1, 2, 0, 2]) == []  # ...or three
    assert slash_places([1, 2, 7, 0, 3, 1, 2, 4]) == []
    assert slash_places([]) == []


def test_a_dates_two_ones_are_slashes_only_where_the_judge_takes_both_for_slashes():
    judge = SignJudge(None, None, sign_from=0.8)
    assert slashes_among([(2, 5)], np.array([[0.9, 0.99]]), judge) == [(2, 0.9), (5, 0.99)]
    assert slashes_among([(2, 5)], np.array([[0.7, 0.99]]), judge) == []  # a date has two slashes or none


def test_of_two_shapes_a_reading_can_have_the_pair_the_judge_is_surer_of_counts():
    judge = SignJudge(None, None, sign_from=0.8)
    assert slashes_among([(1, 4), (2, 4)], np.array([[0.99, 0.85], [0.9, 0.95]]), judge) == [(2, 0.9), (4, 0.95)]
    assert slashes_among([(1, 4), (2, 4)], np.array([[0.99, 0.7], [0.1, 0.95]]), judge) == []


def test_a_dates_slashes_are_written_where_they_stood():
    kept = [digit_at(label, x) for label, x in zip([1, 2, 0, 3, 2, 4], [0, 40, 120, 160, 240, 280])]
    assert slash_separators(kept, [digit_at(1, 80), digit_at(1, 200)]) == ((2, "/"), (4, "/"))


def test_a_date_parted_by_slashes_reads_as_its_digits_and_is_written_with_them(reader):
    """Straight slashes of one pen with the digits, in a script the judge never learned from, leaning 15-40
    degrees: without the slash judge every slash is read as a '1'."""
    dates = [("12", "03", "24"), ("07", "11", "2025"), ("30", "06", "98"), ("25", "12", "2019")]
    images = [(date_with_slashes(parts, lean), parts) for parts in dates for lean in (15, 25, 40)]
    without_judge = Reader(models=replace(reader.models, slashes=NoSigns()))
    readings = [(reader.read(image), parts) for image, parts in images]
    assert sum(reading.text == "".join(parts) for reading, parts in readings) >= 9
    assert sum(reading.written == "/".join(parts) for reading, parts in readings) >= 9
    assert sum(any("read as a date" in note for note in reading.notes) for reading, _ in readings) >= 9
    assert sum(without_judge.read(image).text == "".join(parts) for image, parts in images) == 0


def test_a_date_with_a_day_or_month_of_one_digit_reads_as_its_digits(reader):
    dates = [("3", "7", "24"), ("9", "11", "2025"), ("12", "5", "98"), ("4", "6", "2019")]
    readings = [(reader.read(date_with_slashes(parts, lean)), parts) for parts in dates for lean in (20, 35)]
    assert sum(reading.written == "/".join(parts) for reading, parts in readings) >= 6


def test_a_date_drawn_on_the_canvas_reads_as_its_digits_too(reader):
    """As the canvas exports a drawing: the pen's colour where it drew, see-through elsewhere."""
    for parts, lean in ((("12", "03", "24"), 25), (("07", "11", "2025"), 35)):
        page = date_with_slashes(parts, lean)[..., 0].astype(np.float32)
        alpha = np.clip((235 - page) * 255 / 195, 0, 255).astype(np.uint8)
        drawing = np.dstack([np.zeros((*alpha.shape, 3), np.uint8), alpha])
        reading = reader.read(drawing)
        assert reading.text == "".join(parts) and reading.written == "/".join(parts)


def test_a_number_of_a_dates_shape_keeps_its_ones(reader):
    for text in ("12131415", "9817162024", "31714", "5161990"):
        assert reader.read(written(text, 20)).text == text


def test_the_shipped_slash_judge_is_small_and_its_card_says_how_it_was_made(tmp_path):
    assert DEFAULT_SLASH_JUDGE_PATH.resolve() == PROJECT / "SlashJudge.keras"
    card = json.loads(DEFAULT_SLASH_JUDGE_PATH.with_suffix(".json").read_text())
    assert card["file_bytes"] < 500_000 and 0 < card["sign_from"] < 1
    assert card["command"].startswith("python -m digitocr.training.train_slashes")
    assert card["held_out"]["numbers_called_dates"] <= 0.01
    assert SignJudge.load_slash_judge().sign_chances(np.zeros((0, 32, 32), np.float32)).shape == (0,)
    with pytest.raises(ModelError, match="checksum"):
        SignJudge.load(tampered_copy(DEFAULT_SLASH_JUDGE_PATH, tmp_path), train_command=SLASH_COMMAND)
    with pytest.raises(ModelError, match="train_slashes"):
        SignJudge.load(tmp_path / "missing" / DEFAULT_SLASH_JUDGE_PATH.name, train_command=SLASH_COMMAND)
