import numpy as np

from digitocr.training.evaluate import most_accepted


def test_the_most_accepted_share_is_the_largest_any_setting_keeps_within_the_error():
    """Ten fields: the three surest right, then a wrong one, then six right. Within 1% error a setting can take
    only the three; within 12%, all but the least sure (one wrong in nine)."""
    confidences = np.array([0.99, 0.985, 0.975, 0.965, 0.9, 0.8, 0.7, 0.6, 0.5, 0.05])
    right = np.array([True, True, True, False, True, True, True, True, True, False])
    assert most_accepted(confidences, right, 0.01) == 0.3
    assert most_accepted(confidences, right, 0.12) == 0.9


def test_no_setting_keeps_within_the_error_where_the_surest_field_is_wrong():
    assert most_accepted(np.array([0.995, 0.9]), np.array([False, True]), 0.01) == 0.0


def test_fields_surer_than_any_round_setting_count_too():
    """The three surest fields are right and surer than 0.99, the fourth (0.99) wrong: a setting just above it
    accepts the three, though no setting on a grid of hundredths does."""
    confidences = np.array([0.999, 0.998, 0.995, 0.99, 0.5])
    assert most_accepted(confidences, np.array([True, True, True, False, True]), 0.01) == 0.6
