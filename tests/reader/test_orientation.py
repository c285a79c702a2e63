from digitocr.reader.orientation import surest


def test_an_unsure_upright_reading_is_kept_where_a_turn_reads_only_somewhat_surer():
    # upright '68' at 0.37, turned a half '89' at 0.88: 12 times the odds, not the 20 a turn needs
    assert surest({0: 0.37, 1: 0.05, 2: 0.88, 3: 0.1}) == 0


def test_a_turn_that_reads_and_the_image_as_given_does_not_is_kept():
    assert surest({0: 0.02, 1: 0.1, 2: 0.04, 3: 0.9}) == 3


def test_no_turn_is_kept_where_none_reads():
    assert surest({0: 0.0, 1: 0.3, 2: 0.45, 3: 0.2}) == 0
