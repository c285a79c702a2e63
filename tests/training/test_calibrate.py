import json

import numpy as np
import pytest

from conftest import needs_shared, SHARED
from digitocr import ReaderSettings
from digitocr.networks.model_files import model_sha256
from digitocr.reader.confidence import probability
from digitocr.reader.number_finder import NumberFinder
from digitocr.reader.orientation import WayUp
from digitocr.reader.word_groups import WordGroupJudge
from digitocr.training import calibrate


def test_the_logistic_fit_finds_the_coefficients_that_made_the_data():
    rng = np.random.default_rng(0)
    features = rng.normal(0, 1, (20000, 3))
    weights, bias = np.array([2.0, -1.0, 0.5]), 0.3
    right = (rng.random(20000) < probability(weights, bias, features)).astype(np.float64)
    fitted, fitted_bias = calibrate.fit_logistic(features, right)
    assert np.allclose(fitted, weights, atol=0.1) and abs(fitted_bias - bias) < 0.1


def test_the_measures_say_how_many_are_accepted_and_how_often_those_are_wrong():
    confidences = np.array([0.95, 0.95, 0.95, 0.95, 0.55, 0.55])
    right = np.array([True, True, True, False, True, False])
    figures = calibrate.measured(confidences, right)
    point = next(p for p in figures["operating_points"] if p["review_below"] == 0.9)
    assert point["accepted"] == 4 / 6 and point["error_among_accepted"] == 0.25
    assert figures["expected_calibration_error"] == (4 * abs(0.95 - 0.75) + 2 * abs(0.55 - 0.5)) / 6


def test_the_confidence_networks_learn_what_no_single_feature_weighed_alone_tells():
    """Right where two signs agree, wrong where they differ: no weighted sum of the two tells these apart, as a
    recognizer's sure text says little where the number finder doubts the line, and much where it does not."""
    rng = np.random.default_rng(1)
    features = rng.normal(0, 1, (1000, 2)) + [5.0, -3.0]  # standardised before the networks see them
    right = (np.sign(features[:, 0] - 5.0) == np.sign(features[:, 1] + 3.0)).astype(np.float64)
    model = calibrate.fit_confidence(features, right)
    assert model.output_weights.shape == (calibrate.NETWORKS, calibrate.HIDDEN_UNITS)
    answers = model.answers(np.array([[6.0, -2.0], [4.0, -4.0], [6.0, -4.0], [4.0, -2.0]]))
    assert answers[:2].min() > 0.8 and answers[2:].max() < 0.2
    fitted, bias = calibrate.fit_logistic(features, right)
    assert np.abs(probability(fitted, bias, features) - 0.5).max() < 0.2  # a logistic model cannot tell them apart


def test_a_reading_of_several_lines_is_judged_no_surer_than_its_least_sure_line_as_the_reader_does():
    model = calibrate.fit_confidence(np.array([[-3.0], [-1.0], [1.0], [3.0]] * 50),
                                     np.array([0.0, 0.0, 1.0, 1.0] * 50))
    sure, unsure = np.array([3.0]), np.array([-1.0])
    one_line = calibrate.Candidate(sure[None], True)
    two_lines = calibrate.Candidate(np.vstack([sure, sure, unsure]), True)  # the whole reading, then each line
    assert calibrate.reading_confidence(one_line, model) == model.answers(sure[None])[0]
    least = calibrate.reading_confidence(two_lines, model)
    assert least == pytest.approx(model.answers(unsure[None])[0]) and least < 0.5
    assert calibrate.reading_confidence(calibrate.Candidate(None, False), model) == 0.0


def test_the_reading_kept_is_the_reader_s_choice_of_way_up_with_its_own_confidence():
    model = calibrate.fit_confidence(np.array([[-3.0], [-1.0], [1.0], [3.0]] * 50),
                                     np.array([0.0, 0.0, 1.0, 1.0] * 50))
    doubtful, sure = calibrate.Candidate(np.array([[-0.5]]), False), calibrate.Candidate(np.array([[3.0]]), True)
    surest = calibrate.reading_confidence(sure, model)
    unlikely_turn, likely_turn = WayUp(2, 0.05, 0.9), WayUp(2, 0.4, 0.9)
    assert calibrate.kept(calibrate.Example((doubtful, sure), False, (unlikely_turn,)), model) == (sure, surest)
    assert calibrate.kept(calibrate.Example((doubtful, sure), True, (unlikely_turn,)), model)[0] == doubtful  # a guess
    assert calibrate.kept(calibrate.Example((doubtful, sure), True, (likely_turn,)), model) == (sure, surest)
    nothing = calibrate.Candidate(None, False)
    assert calibrate.kept(calibrate.Example((nothing, sure), False, (unlikely_turn,)), model) == (sure, surest)
    assert calibrate.kept(calibrate.Example((sure,)), model) == (sure, surest)
    second_turn = WayUp(1, 0.01, 0.08)  # read as nothing, each turn is tried in turn: the first that confirms is kept
    assert calibrate.kept(calibrate.Example((nothing, doubtful, sure), False, (unlikely_turn, second_turn)),
                          model) == (sure, surest)
    nine, six = calibrate.Candidate(np.array([[-0.5]]), False, "9"), calibrate.Candidate(np.array([[3.0]]), True, "6")
    assert calibrate.kept(calibrate.Example((nine, six), False, (unlikely_turn,)), model)[0] == nine  # the same marks
    assert calibrate.kept(calibrate.Example((nine, six), False, (WayUp(2, 0.6, 0.9),)), model)[0] == six


def test_a_digit_scan_is_small_enough_to_be_read_as_one_digit_dark_on_light():
    def bar(rng):
        mask = np.zeros((40, 12), np.uint8)
        mask[2:38, 4:9] = 1
        return mask, 1

    rng = np.random.default_rng(3)
    for _ in range(20):
        pixels, label = calibrate.digit_scan(bar, rng)
        side = pixels.shape[0]
        assert label == "1" and pixels.shape == (side, side, 3) and side <= ReaderSettings().single_digit_side
        assert pixels[side // 2, side // 2, 0] < 100 < pixels[1, 1, 0]  # the bar's ink in the middle, paper round it


@needs_shared
@pytest.mark.parametrize("shipped_word_groups", [False, True])
def test_the_command_writes_its_judges_into_a_folder_it_makes(tmp_path, shipped_word_groups):
    out = tmp_path / "judges" / "new"
    assert calibrate.main(["--data", str(SHARED / "data/mnist"), "--pendigits",
                           str(SHARED / "data/pendigits/pendigits-orig.tra"), "--fields", "40", "--scenes", "2",
                           "--noise-pictures", "1", "--scans", "20", "--group-scenes", "8", "--seed", "1",
                           "--out", str(out)] + ["--shipped-word-groups"] * shipped_word_groups) == 0

    def not_json(constant: str):
        raise ValueError(f"{constant} is not JSON")

    written = {path.name: json.loads(path.read_text(), parse_constant=not_json) for path in out.iterdir()}
    fitted = {"NumberFinder.json", "FieldConfidence.json"} | (set() if shipped_word_groups else {"WordGroups.json"})
    assert set(written) == fitted
    assert all(card["command"].startswith("python -m digitocr.training.calibrate") for card in written.values())
    shipped_judge = written["FieldConfidence.json"].get("judges", {}).get("word_groups")
    assert (shipped_judge == model_sha256(WordGroupJudge.load().path)) == shipped_word_groups


def test_a_judge_is_not_fitted_on_lessons_of_one_class_but_told_to_draw_more():
    def all_numbers(images):
        return np.ones((len(images), 3)), np.ones(len(images))
    with pytest.raises(calibrate.TooFewLessons, match="the 8 groups drawn to fit the NumberFinder are all part of"):
        calibrate.fit_judge(NumberFinder, all_numbers, list(range(10)), "group")


def test_the_command_refuses_two_ways_of_fitting_at_once(capsys):
    with pytest.raises(SystemExit):
        calibrate.main(["--confidence-only", "--shipped-word-groups"])
    assert "not allowed with argument" in capsys.readouterr().err
