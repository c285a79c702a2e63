import cv2
import numpy as np

from conftest import enclosed_holes
from digitocr.training import augment


def stem(height: int = 40, width: int = 4) -> np.ndarray:
    mask = np.zeros((height, width), np.uint8)
    mask[:, 1:3] = 1
    return mask


def z_shaped_two() -> np.ndarray:
    two = np.zeros((40, 30), np.uint8)
    cv2.line(two, (2, 2), (27, 2), 1, 3)
    cv2.line(two, (27, 2), (2, 37), 1, 3)
    cv2.line(two, (2, 37), (27, 37), 1, 3)
    return two


def test_a_flagged_one_gains_a_flag_left_of_its_stem_falling_from_the_top():
    for seed in range(20):
        flagged = augment.flagged_one(stem(), np.random.default_rng(seed))
        ys, xs = np.nonzero(flagged)
        stem_left = xs[ys == 0].min()
        flag = xs < stem_left - 1
        assert flag.any(), seed
        assert ys[flag].min() < 0.5 * 40 and ys[flag].max() <= 0.95 * 40 + 2, seed


def test_a_lead_in_flag_may_reach_further_left_than_the_stem_is_tall():
    def reach(longest: float) -> int:
        spans = []
        for seed in range(40):
            ys, xs = np.nonzero(augment.flagged_one(stem(), np.random.default_rng(seed), longest=longest))
            spans.append(int(xs[ys == 0].min() - xs.min()))
        return max(spans)

    usual, lead_in = reach(augment.FLAG_LENGTH[1]), reach(1.5)
    assert lead_in > usual + 5 and lead_in > 0.85 * 40


def test_a_leaning_stroke_is_no_stem_to_flag():
    diagonal = np.eye(40, dtype=np.uint8)
    assert augment.flagged_one(diagonal, np.random.default_rng(0)).sum() == diagonal.sum()


def test_a_hooked_nine_curls_from_its_foot_to_the_left():
    nine = np.zeros((40, 24), np.uint8)
    nine[2:18, 4:20] = 1
    nine[5:15, 7:17] = 0
    nine[2:39, 17:20] = 1
    for seed in range(10):
        hooked = augment.hooked_nine(nine, np.random.default_rng(seed))
        ys, xs = np.nonzero(hooked)
        below_loop = ys > 30
        assert xs[below_loop].min() < xs[below_loop].max() - 8, seed


def test_a_stem_left_nine_has_its_stem_below_the_loops_left_side():
    nine = np.zeros((40, 24), np.uint8)
    nine[2:18, 4:20] = 1
    nine[5:15, 7:17] = 0
    nine[2:39, 17:20] = 1
    ys, xs = np.nonzero(augment.stem_left_nine(nine))
    assert xs[ys > 30].max() < 24 / 2 and xs[ys < 18].max() > 24 / 2


def test_a_looped_two_may_loop_nearly_half_its_height():
    two = z_shaped_two()
    tallest = max(np.ptp(np.nonzero(np.any(hole, axis=1))[0]) for seed in range(30)
                  for hole in enclosed_holes(augment.looped_two(two, np.random.default_rng(seed),
                                                             *augment.AugmentSettings().loop_radii)))
    assert tallest > 0.4 * two.shape[0]


def test_a_looped_two_closes_a_loop_at_its_bottom_left_corner():
    two = z_shaped_two()
    for seed in range(10):
        looped = augment.looped_two(two, np.random.default_rng(seed))
        holes = enclosed_holes(looped)
        assert holes, seed
        hole_rows = np.nonzero(np.any(holes, axis=0))[0]
        assert hole_rows.mean() > looped.shape[0] / 2, seed


def test_cursive_zeros_are_one_stroke_a_loop_wide_per_zero():
    rng = np.random.default_rng(6)
    for count in (2, 3, 2, 3):
        mask = augment.cursive_zeros(count, 48, rng)
        assert cv2.connectedComponents(mask)[0] == 2  # the background and one stroke
        columns = np.nonzero(mask.any(axis=0))[0]
        assert columns[-1] - columns[0] >= count * 0.35 * 48


def test_a_curled_two_begins_with_a_closed_curl_at_its_top_left_joined_to_the_stroke():
    two = z_shaped_two()
    for seed in range(10):
        curled = augment.curled_start(two, np.random.default_rng(seed))
        assert cv2.connectedComponents(curled)[0] == 2, seed  # the background and one stroke
        holes = enclosed_holes(curled)
        assert len(holes) == 1, seed
        rows, columns = np.nonzero(holes[0])
        added = curled.shape[1] - two.shape[1]
        assert rows.mean() < curled.shape[0] / 3 and columns.mean() < added + 5, seed
