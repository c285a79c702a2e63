import json

import numpy as np
import pytest

from conftest import SHARED, needs_shared
from digitocr.errors import ModelError
from digitocr.reader.orientation import INDEPENDENT, TurnEvidence
from digitocr.training import fit_turns
from digitocr.training.calibrate import FIT_SHARE
from digitocr.training.fit_turns import Evidence, drawn_prior, fit_weights
from digitocr.training.scenes import KINDS


def scenes(count: int, blobs: int, leaning: float, turn: int) -> Evidence:
    """`count` scenes whose `blobs` blobs lean to a quarter turn by `leaning` nats in all, `turn` bringing them
    upright."""
    summed = np.zeros((count, 4))
    summed[:, 3] = leaning
    return Evidence(summed, np.full(count, blobs, np.float64), np.zeros(count), np.full(count, turn))


def joined(*parts: Evidence) -> Evidence:
    return Evidence(*(np.concatenate([getattr(part, name) for part in parts])
                      for name in ("summed", "blobs", "half_turns", "truths")))


def test_many_weak_witnesses_are_learned_to_count_for_less_than_a_few_clear_ones():
    # pages of 300 specks lean 30 nats to a turn, upright as often as turned; three clear blobs lean 6 and are right
    evidence = joined(scenes(200, 300, 30.0, 0), scenes(200, 300, 30.0, 3), scenes(200, 3, 6.0, 3),
                      scenes(200, 3, -6.0, 0))
    fitted = fit_weights(evidence)
    assert fitted.growth < 0.5
    assert evidence.log_loss(fitted, drawn_prior(evidence)) < 0.5 * evidence.log_loss(INDEPENDENT,
                                                                                       drawn_prior(evidence))
    many = evidence.chances(fitted, drawn_prior(evidence))[0, 3]
    assert 0.3 < many < 0.7  # the specks' page: as likely turned as not, as drawn


def test_a_damaged_turn_evidence_file_names_the_command_that_fits_one(tmp_path):
    damaged = tmp_path / "TurnEvidence.json"
    damaged.write_text('{"weights": {"scale": 1.0}}')
    with pytest.raises(ModelError, match="fit_turns"):
        TurnEvidence.load(damaged)


@needs_shared
def test_the_command_writes_weights_the_reader_loads_and_measures_them_beside_independent_witnesses(tmp_path):
    assert fit_turns.main(["--data", str(SHARED / "data/mnist"), "--pendigits",
                           str(SHARED / "data/pendigits/pendigits-orig.tra"), "--scenes", "4", "--out",
                           str(tmp_path)]) == 0
    card = json.loads((tmp_path / "TurnEvidence.json").read_text())
    weights = TurnEvidence.load(tmp_path / "TurnEvidence.json")
    assert all(np.isfinite([weights.scale, weights.growth, weights.half_turn_weight]))
    assert card["command"].startswith("python -m digitocr.training.fit_turns")
    scenes = 4 * len(KINDS)  # four of every trained kind; four fifths of them fit the weights
    assert set(card["held_out"]) == {"fitted", "added_up_as_independent"} and \
        card["fitted_on_scenes"] == int(FIT_SHARE * scenes)
