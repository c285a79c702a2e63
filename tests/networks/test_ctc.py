import itertools

import numpy as np
import pytest

from conftest import frames_for
from digitocr.networks.ctc import BLANK, decode, greedy_decode, log_likelihood, text_of


def test_greedy_decoding_merges_repeats_and_drops_blanks():
    decoded = greedy_decode(frames_for([BLANK, 1, 1, BLANK, 1, BLANK, 0, 0, 7, BLANK]))
    assert decoded.text == "1107"
    assert decoded.frames == ((1, 2), (4, 4), (6, 7), (8, 8))
    assert all(len(p) == 10 and abs(sum(p) - 1) < 1e-5 for p in decoded.probabilities)
    assert decoded.confidences[0] == pytest.approx(0.9)


def test_a_line_of_blanks_reads_as_nothing():
    assert greedy_decode(frames_for([BLANK] * 6)).text == ""


def zeros_and_blanks(zero_chances: list[float]) -> np.ndarray:
    frames = np.zeros((len(zero_chances), BLANK + 1))
    frames[:, 0] = zero_chances
    frames[:, BLANK] = 1 - frames[:, 0]
    return frames


def test_two_touching_zeros_read_as_two_where_that_text_is_likelier():
    frames = zeros_and_blanks([0.9, 0.55, 0.55, 0.9])  # sure of a zero at each end, torn over the touch between
    assert greedy_decode(frames).text == "0"
    assert log_likelihood(frames, [0, 0]) > log_likelihood(frames, [0])
    decoded = decode(frames)
    assert decoded.text == "00"
    first, second = decoded.frames
    assert first[0] == 0 and first[1] < second[0] and second[1] == 3
    assert decoded.confidences == pytest.approx((0.9, 0.9))


def test_decoding_finds_a_digit_no_single_frame_is_sure_of():
    assert greedy_decode(zeros_and_blanks([0.4, 0.4])).text == ""
    assert decode(zeros_and_blanks([0.4, 0.4])).text == "0"


def test_decoding_is_never_less_likely_than_the_best_path():
    rng = np.random.default_rng(7)
    for _ in range(200):
        frames = rng.dirichlet(np.full(BLANK + 1, 0.15), int(rng.integers(1, 40)))
        best_path = greedy_decode(frames)
        decoded = decode(frames)
        assert log_likelihood(frames, decoded.labels) >= log_likelihood(frames, best_path.labels) - 1e-9
        assert len(decoded.frames) == len(decoded.labels)
        assert all(first <= last < next_first for (first, last), (next_first, _) in
                   zip(decoded.frames, decoded.frames[1:] + ((len(frames), 0),)))


def test_a_clear_line_decodes_as_its_best_path():
    frames = frames_for([BLANK, 1, 1, BLANK, 1, BLANK, 0, 0, 7, BLANK])
    assert decode(frames) == greedy_decode(frames)


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


def test_the_text_found_cheaply_is_the_text_decoding_reads():
    rng = np.random.default_rng(0)
    sure_paths = 0
    for _ in range(500):
        frames = rng.random((int(rng.integers(1, 30)), BLANK + 1)) ** rng.uniform(0.5, 30)
        frames[rng.random(len(frames)) < 0.5, BLANK] += 30  # blanks between the digits, surely
        frames = (frames / frames.sum(axis=1, keepdims=True)).astype(np.float32)
        sure_paths += bool(np.prod(frames.max(axis=1), dtype=np.float64) >= 0.5)
        assert text_of(frames) == decode(frames).text
    assert 20 < sure_paths < 480  # both ways of finding it are tried
