import itertools

import numpy as np
import pytest

from conftest import frames_for
from digitocr.networks.ctc import BLANK, greedy_decode, log_likelihood


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


def test_no_digits_at_all_is_a_blank_in_every_frame():
    frames = frames_for([BLANK, 3, BLANK, BLANK], sure=0.8)
    assert log_likelihood(frames, []) == pytest.approx(float(np.log(frames[:, BLANK]).sum()))
    assert log_likelihood(frames[:0], []) == float("-inf")
