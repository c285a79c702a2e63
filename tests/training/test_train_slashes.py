import numpy as np

from digitocr.reader.dates import slash_places
from digitocr.training import scenes
from digitocr.training.train_slashes import LESSON_SLASHES, date_shaped, held_out_dates


def any_digit(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """A stand-in digit source: an upright bar, labelled with any digit."""
    mask = np.zeros((40, 12), np.uint8)
    mask[2:38, 4:9] = 1
    return mask, int(rng.integers(10))


def test_the_slash_judge_s_lessons_are_dates_and_numbers_read_alike():
    """Both kinds are written to be read as a date's digits with a '1' for each slash, two or four for the year."""
    years = set()
    for seed in range(8):
        for slashes in (True, False):
            page = date_shaped(scenes.Writer(any_digit), np.random.default_rng(seed), slashes)
            text = page.numbers[0][1]
            assert LESSON_SLASHES in slash_places([int(c) for c in text])
            years.add(len(text) - 6)
    assert years == {2, 4}


def test_a_held_out_line_is_a_date_where_both_its_marks_reach_the_threshold():
    chances = np.array([0.9, 0.8, 0.9, 0.2, 0.95, 0.1])
    labels = np.array([1, 1, 0, 0, 1, 1])  # a line's two marks side by side: a date, a number, a date
    point = held_out_dates(chances, labels, 0.5)
    assert point["held_out_dates"] == 2 and point["held_out_numbers"] == 1
    assert point["dates_found"] == 0.5 and point["numbers_called_dates"] == 0.0
    assert point["signs_caught"] == 0.75 and point["digits_called_signs"] == 0.5
