import numpy as np

from digitocr.image.components import Candidate
from digitocr.image.merging import merge_broken_pieces


def test_a_piece_that_grows_by_one_join_is_joined_to_an_earlier_piece_it_now_reaches():
    """A digit in three pieces, the top one too far above the middle one until the bottom one joins it from
    below the top's reach: all three are one digit."""
    top = Candidate(14, 0, 6, 20, (1,))  # a short stroke over the left of the rest
    middle = Candidate(15, 40, 20, 14, (2,))  # 20 pixels below it: too far, alone
    bottom_up = Candidate(20, 22, 15, 15, (3,))  # right on top of the middle piece, and up to just below the top
    merged = merge_broken_pieces([bottom_up, middle, top], 40.0, np.zeros((60, 40), np.int32))
    assert len(merged) == 1
    assert (merged[0].x, merged[0].y, merged[0].width, merged[0].height) == (14, 0, 21, 54)
    assert sorted(merged[0].labels) == [1, 2, 3]


def test_pieces_a_digit_apart_stay_apart():
    pieces = [Candidate(0, 0, 12, 40, (1,)), Candidate(30, 0, 12, 40, (2,)), Candidate(60, 0, 12, 40, (3,))]
    assert merge_broken_pieces(pieces, 40.0, np.zeros((40, 80), np.int32)) == pieces
