import numpy as np
import pytest

from digitocr.reader.orientation import (INDEPENDENT, TRY_FROM, TurnEvidence, WayUp, confirms, half_turn_evidence,
                                        keeps_turned, log_posterior, marks_favour_turn, outweighs_guess,
                                        prior_chances, read_upside_down, turns_to_try)


def answers(*rows):
    return np.array(rows, np.float32)


def test_flat_answers_try_no_turn():
    assert turns_to_try(INDEPENDENT, answers([0.25] * 4, [0.25] * 4)) == ()
    assert turns_to_try(INDEPENDENT, answers()) == ()  # no blobs at all


def test_one_digit_that_could_go_either_way_is_not_turned():
    # a '6' or a '9': half its evidence says upright, half says a half turn
    assert turns_to_try(INDEPENDENT, answers([0.5, 0.0, 0.5, 0.0])) == ()


def test_a_turn_most_blobs_agree_on_is_tried_with_its_probability():
    (way,) = turns_to_try(INDEPENDENT, answers([0.02, 0.9, 0.03, 0.05], [0.05, 0.85, 0.05, 0.05], [0.25] * 4, [0.1, 0.8, 0.05, 0.05]))
    assert way.turns == 1 and 0.9 < way.probability <= 1.0


def test_a_turn_in_doubt_is_tried_though_upright_is_likelier():
    # two digits leaning a half turn, not enough to overcome the prior, but enough to be worth reading that way
    (way,) = turns_to_try(INDEPENDENT, answers([0.05, 0.05, 0.85, 0.05], [0.1, 0.05, 0.8, 0.05]))
    assert way.turns == 2 and TRY_FROM <= way.probability < 0.5


def test_one_odd_blob_does_not_turn_a_page_the_rest_call_upright():
    assert turns_to_try(INDEPENDENT, answers([0.0, 0.0, 0.0, 1.0], [0.9, 0.05, 0.03, 0.02], [0.8, 0.1, 0.05, 0.05],
                               [0.9, 0.04, 0.03, 0.03])) == ()


def test_a_page_read_as_nothing_tries_each_turn_its_marks_leave_as_likely_as_their_prior_however_doubtful():
    shapes = answers([0.2, 0.3, 0.05, 0.45], [0.3, 0.25, 0.05, 0.4])  # two marks: a quarter turn either way, not a half
    assert turns_to_try(INDEPENDENT, shapes) == ()
    ways = turns_to_try(INDEPENDENT, shapes, read_in_doubt=True)
    assert [way.turns for way in ways] == [3, 1]  # a person who can read nothing turns the page, but not upside down
    way = ways[0]
    assert prior_chances()[3] <= way.probability < TRY_FROM and way.among_turns > ways[1].among_turns
    chances = np.exp(log_posterior(INDEPENDENT, shapes))  # as given ruled out, the turn is its share of the three turns'
    assert way.among_turns == pytest.approx(chances[3] / chances[1:].sum()) and way.among_turns > 0.5
    assert chances[2] / chances.sum() < prior_chances()[2]  # the half turn, left out: its marks argue against it
    assert turns_to_try(INDEPENDENT, answers(), read_in_doubt=True) == ()  # no marks: nothing to turn


def test_a_doubtful_reading_tries_every_turn_its_marks_leave_as_likely_as_their_prior_and_none_they_rule_out():
    prior = prior_chances()
    leaning = answers([0.3, 0.1, 0.1, 0.5], [0.35, 0.1, 0.05, 0.5])  # two marks that lean a little to turn 3
    assert turns_to_try(INDEPENDENT, leaning) == ()  # too little to try it for the marks alone
    (way,) = turns_to_try(INDEPENDENT, leaning, read_in_doubt=True)
    assert way.turns == 3 and prior[3] <= way.probability < TRY_FROM
    upright = answers(*[[0.9, 0.04, 0.03, 0.03]] * 4)  # four marks that say upright
    assert turns_to_try(INDEPENDENT, upright, read_in_doubt=True) == ()
    assert turns_to_try(INDEPENDENT, answers(), read_in_doubt=True) == ()  # no marks: nothing to turn


def test_a_turned_reading_is_kept_where_surer_and_replaces_nothing_only_where_more_likely_right_than_wrong():
    assert confirms(0.3, 0.2) and not confirms(0.2, 0.3)
    assert confirms(0.6, None) and not confirms(0.07, None)  # as given it read nothing: a noise field's '3' is not kept


def test_a_turned_reading_replaces_a_guess_as_given_only_where_its_way_up_is_likely_enough_to_pay_for_it():
    """A guess as given (no line looked like the number) is right as often as it is sure and the page is upright."""
    assert outweighs_guess(1.0, 0.05, 0.15)  # a sure '8' turned, against a 5% guess on a page 85% upright
    assert not outweighs_guess(0.66, 0.07, 0.01)  # a cell almost surely upright keeps its guess


def test_a_reading_turned_half_round_is_told_from_a_reading_of_other_marks():
    assert read_upside_down("9", "6") and read_upside_down("1608", "8091") and read_upside_down("18\n69", "69\n81")
    assert not read_upside_down("9", "9") and not read_upside_down("372", "968")  # a '2' upside down is no digit
    assert not read_upside_down("96", "69") and not read_upside_down("", "")
    assert not read_upside_down("69", "69") and not read_upside_down("0", "0")  # the same number either way up


def test_the_same_marks_read_upside_down_are_kept_turned_only_where_that_way_up_is_more_likely_than_not():
    """Each of the two readings assumes its own way up, so how sure each is cannot say which way is up."""
    unlikely, likely = WayUp(2, 0.021, 0.9), WayUp(2, 0.7, 0.95)
    assert keeps_turned(0.967, 0.66, False, unlikely, "9", "7")  # a lone '9' 66% sure, turned another mark 97% sure
    assert not keeps_turned(0.967, 0.66, False, unlikely, "9", "6")  # ...but the '9' itself read as '6'
    assert keeps_turned(0.967, 0.66, False, likely, "9", "6")
    assert not keeps_turned(0.5, 0.66, False, likely, "9", "6")
    assert keeps_turned(0.967, 0.66, False, WayUp(1, 0.021, 0.9), "9", "6")  # a quarter turn is no same marks


def frames(*best):
    """A line's (T, 11) recognizer answers whose surest label has these probabilities, frame by frame."""
    rows = np.full((len(best), 11), 0.0, np.float32)
    for row, probability in zip(rows, best):
        row[10] = probability
        row[:10] = (1 - probability) / 10
    return rows


def test_lines_read_more_surely_turned_half_round_count_for_a_half_turn_and_only_that():
    evidence = half_turn_evidence([frames(0.6, 0.5)], [frames(0.99, 0.99)])
    assert evidence > 0
    shapes = answers([0.5, 0.0, 0.5, 0.0])  # a '6' or a '9': the shape alone leaves the prior standing
    assert turns_to_try(INDEPENDENT, shapes) == ()
    chances, before = np.exp(log_posterior(INDEPENDENT, shapes, evidence)), np.exp(log_posterior(INDEPENDENT, shapes))
    chances, before = chances / chances.sum(), before / before.sum()
    assert chances[2] > before[2]
    assert np.allclose(chances[[1, 3]] / chances[0], before[[1, 3]] / before[0])  # quarter turns: no evidence
    assert half_turn_evidence([frames(0.9)], [frames(0.3)]) < 0


def test_a_half_turn_the_shapes_doubt_is_tried_where_the_lines_read_surer_that_way():
    shapes = answers([0.4, 0.05, 0.5, 0.05], [0.4, 0.05, 0.5, 0.05])
    assert turns_to_try(INDEPENDENT, shapes) == ()
    surer_turned = half_turn_evidence([frames(0.3, 0.3, 0.4, 0.3, 0.3)], [frames(0.99, 0.99, 0.9, 0.99, 0.99)])
    (way,) = turns_to_try(INDEPENDENT, shapes, surer_turned)
    assert way is not None and way.turns == 2 and way.probability >= TRY_FROM


def test_a_page_of_specks_each_leaning_a_little_is_not_turned_though_their_sum_is_sure():
    specks = answers(*[[0.24, 0.24, 0.24, 0.28]] * 300)
    assert turns_to_try(INDEPENDENT, specks)[0].turns == 3  # 300 witnesses of their own: 46 nats for a quarter turn
    assert turns_to_try(TurnEvidence.load(), specks) == ()


def test_a_few_clear_blobs_still_turn_an_image_with_the_shipped_weights():
    sevens_on_their_side = answers([0.02, 0.9, 0.03, 0.05], [0.05, 0.85, 0.05, 0.05], [0.1, 0.8, 0.05, 0.05])
    (way,) = turns_to_try(TurnEvidence.load(), sevens_on_their_side)
    assert way.turns == 1 and way.probability > 0.5


def test_marks_favour_a_turn_only_where_more_read_as_digits_that_way_than_chance_gives():
    rng = np.random.default_rng(0)
    specks_as_given, specks_turned = rng.random(889) < 22 / 889, rng.random(889) < 20 / 889  # a field of noise
    assert not marks_favour_turn(specks_as_given, specks_turned)
    column = np.zeros(9, bool)
    assert marks_favour_turn(column, np.array([True] * 7 + [False] * 2))  # a turned column: one chance in 128
    assert not marks_favour_turn(column, np.array([True] * 5 + [False] * 4))  # one in 32: could be luck
    assert not marks_favour_turn(column, column)
