import numpy as np

from digitocr.reader.orientation import TRY_FROM, confirms, turn_to_try


def answers(*rows):
    return np.array(rows, np.float32)


def test_flat_answers_try_no_turn():
    assert turn_to_try(answers([0.25] * 4, [0.25] * 4)) is None
    assert turn_to_try(answers()) is None  # no blobs at all


def test_one_digit_that_could_go_either_way_is_not_turned():
    # a '6' or a '9': half its evidence says upright, half says a half turn
    assert turn_to_try(answers([0.5, 0.0, 0.5, 0.0])) is None


def test_a_turn_most_blobs_agree_on_is_tried_with_its_probability():
    way = turn_to_try(answers([0.02, 0.9, 0.03, 0.05], [0.05, 0.85, 0.05, 0.05], [0.25] * 4, [0.1, 0.8, 0.05, 0.05]))
    assert way.turns == 1 and 0.9 < way.probability <= 1.0


def test_a_turn_in_doubt_is_tried_though_upright_is_likelier():
    # two digits leaning a half turn, not enough to overcome the prior, but enough to be worth reading that way
    way = turn_to_try(answers([0.05, 0.05, 0.85, 0.05], [0.1, 0.05, 0.8, 0.05]))
    assert way.turns == 2 and TRY_FROM <= way.probability < 0.5


def test_one_odd_blob_does_not_turn_a_page_the_rest_call_upright():
    assert turn_to_try(answers([0.0, 0.0, 0.0, 1.0], [0.9, 0.05, 0.03, 0.02], [0.8, 0.1, 0.05, 0.05],
                               [0.9, 0.04, 0.03, 0.03])) is None


def test_a_turned_reading_is_kept_where_surer_and_replaces_nothing_only_where_more_likely_right_than_wrong():
    assert confirms(0.3, 0.2) and not confirms(0.2, 0.3)
    assert confirms(0.6, None) and not confirms(0.07, None)  # as given it read nothing: a noise field's '3' is not kept
