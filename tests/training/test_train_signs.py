import cv2
import numpy as np

from digitocr.training import scenes
from digitocr.training.train_signs import small_digits_after
from test_scenes import bar_digits


def test_the_sign_judge_s_lessons_write_numbers_whose_last_digits_are_smaller_than_their_first():
    for seed in range(6):
        page = small_digits_after(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, width, height), text = page.numbers[0]
        ink = (page.ink[y:y + height, x:x + width] > 0.5).astype(np.uint8)
        count, _, stats, _ = cv2.connectedComponentsWithStats(ink)
        heights = [int(stats[mark, cv2.CC_STAT_HEIGHT]) for mark in sorted(range(1, count),
                                                                             key=lambda m: stats[m, cv2.CC_STAT_LEFT])]
        assert 2 <= len(text) <= 7 and heights[-1] < heights[0]
