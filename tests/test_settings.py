"""Reader settings refuse a typo or an impossible size where it is made, not deep inside a read."""

import pytest

from digitocr import ReaderSettings, SettingsError


@pytest.mark.parametrize("changes, named", [({"ink": "black"}, "ink"),
                                            ({"threshold_method": "Otsu"}, "threshold_method"),
                                            ({"working_side": 0}, "working_side"),
                                            ({"review_below": -0.5}, "review_below"),
                                            ({"doubtful_below": float("nan")}, "doubtful_below"),
                                            ({"max_pixels": 0}, "max_pixels")])
def test_a_setting_out_of_its_choices_or_range_is_refused_and_named(changes, named):
    with pytest.raises(SettingsError, match=f"ReaderSettings.{named} is"):
        ReaderSettings(**changes)
    with pytest.raises(SettingsError, match=f"ReaderSettings.{named} is"):
        ReaderSettings().with_changes(**changes)


def test_every_choice_and_a_threshold_past_one_are_taken():
    for ink in ("auto", "dark", "light"):
        for method in ("auto", "otsu", "adaptive"):
            assert ReaderSettings(ink=ink, threshold_method=method).ink == ink
    assert ReaderSettings(review_below=1.01, doubtful_below=0.0, min_short_side=0).review_below == 1.01
