import hashlib
import json
from dataclasses import replace

import numpy as np
import pytest

from conftest import SHARED, needs_shared
from digitocr.networks.ctc import BLANK
from digitocr.networks.line_recognizer import DEFAULT_LINE_MODEL_PATH, LINE_HEIGHT, LineRecognizer
from digitocr.training import line_lessons, line_synth, scenes, train_lines


def bar_digits(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """A stand-in digit source: an upright bar, labelled 1."""
    mask = np.zeros((40, 12), np.uint8)
    mask[2:38, 4:9] = 1
    return mask, 1


def test_the_line_model_reads_any_width_and_answers_every_fourth_column():
    model = train_lines.build_line_model()
    assert model.input_shape == (None, LINE_HEIGHT, None, 1)
    assert model.output_shape == (None, 1, None, BLANK + 1)
    assert model(np.zeros((2, LINE_HEIGHT, 48, 1), np.float32)).shape == (2, 1, 12, BLANK + 1)
    assert model.count_params() < 1_000_000


def test_a_composed_number_has_one_digit_per_character_of_its_text():
    rng = np.random.default_rng(3)
    for _ in range(20):
        mask, text = line_synth.compose_number(bar_digits, rng)
        assert set(text.rstrip("0")) == {"1"} and 1 <= len(text) <= line_synth.MAX_DIGITS  # zeros: cursive ones
        assert mask.dtype == np.uint8 and mask.any() and mask.shape[1] >= 5 * len(text)


def gaps_between_bars(mask: np.ndarray) -> list[int]:
    """The widths of the empty column runs between a mask's marks."""
    filled = mask.any(axis=0)
    edges = np.flatnonzero(np.diff(filled.astype(np.int8)))
    return [int(end - start) for start, end in zip(edges[0::2], edges[1::2])]


def test_a_spaced_field_leaves_wide_gaps_and_one_without_spacing_has_none_as_wide():
    spaced, packed = (line_synth.FieldSettings(spaced_probability=share, slant=0.0, separator_probability=0.0,
                                               sign_probability=0.0, bold_probability=0.0,
                                               cursive_zeros_probability=0.0, small_tail_probability=0.0)
                      for share in (1.0, 0.0))
    widest_packed = line_synth.COMPOSE_HEIGHT * packed.gap[1]
    for seed in range(10):
        mask, text = line_synth.compose_number(bar_digits, np.random.default_rng(seed), spaced)
        gaps = gaps_between_bars(mask)
        assert len(gaps) == len(text) - 1 and all(gap >= int(line_synth.COMPOSE_HEIGHT * spaced.spaced_gap[0])
                                                  for gap in gaps)
        mask, _ = line_synth.compose_number(bar_digits, np.random.default_rng(seed), packed)
        assert all(gap <= widest_packed for gap in gaps_between_bars(mask))


def bars_of_any_digit(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    return bar_digits(rng)[0], int(rng.integers(10))


APART = line_synth.FieldSettings(spaced_probability=1.0, slant=0.0, separator_probability=0.0, sign_probability=0.0,
                                 bold_probability=0.0, cursive_zeros_probability=0.0, small_tail_probability=0.0,
                                 round_probability=0.0, narrow_hand_probability=0.0, size_wobble=(1.0, 1.0))


def mark_widths(mask: np.ndarray) -> list[int]:
    filled = np.flatnonzero(np.diff(np.pad(mask.any(axis=0), 1).astype(np.int8)))
    return [int(end - start) for start, end in zip(filled[0::2], filled[1::2])]


def test_a_narrow_hand_writes_every_digit_of_its_number_narrower_by_one_factor():
    narrow = replace(APART, narrow_hand_probability=1.0, narrow_hand_width=(0.5, 0.5))
    for seed in range(6):
        plain = mark_widths(line_synth.compose_number(bars_of_any_digit, np.random.default_rng(seed), APART)[0])
        narrowed = mark_widths(line_synth.compose_number(bars_of_any_digit, np.random.default_rng(seed), narrow)[0])
        assert len(plain) == len(narrowed) and all(abs(n - p / 2) <= 1 for p, n in zip(plain, narrowed))


def test_a_round_number_ends_in_zeros_written_apart():
    settings = replace(APART, round_probability=1.0)
    texts = [line_synth.compose_number(bars_of_any_digit, np.random.default_rng(seed), settings) for seed in range(20)]
    for mask, text in texts:
        assert len(mark_widths(mask)) == len(text)
        assert text.endswith("00") or len(text) <= 2
    assert any(len(text) > 2 for _, text in texts)


def test_a_field_s_first_digit_can_be_drawn_as_people_s_numbers_begin():
    """People's numbers begin with a '1' far more often than a '9' (Benford's law); a tenth begin with a zero."""
    chances = line_lessons.FIRST_DIGITS["benford"]
    assert chances.sum() == pytest.approx(1.0) and chances[0] == line_lessons.BENFORD_ZEROS
    assert np.all(np.diff(chances[1:]) < 0) and chances[1] > 6 * chances[9]

    def any_digit(rng: np.random.Generator) -> tuple[np.ndarray, int]:
        return bar_digits(rng)[0], int(rng.integers(10))

    rng = np.random.default_rng(5)
    texts = [line_synth.compose_number(scenes.first_digit_of(any_digit, 7), rng)[1] for _ in range(30)]
    assert all(text[0] == "7" for text in texts) and len({text[1:2] for text in texts if len(text) > 1}) > 3


def test_some_one_stroke_commas_begin_well_above_the_line_and_all_hang_below_it():
    height = line_synth.COMPOSE_HEIGHT

    def comma_tops(tall_share: float) -> list[int]:
        settings = line_synth.FieldSettings(tall_comma_probability=tall_share)
        commas = [line_synth._separator(",", height, np.random.default_rng(seed), settings) for seed in range(40)]
        assert all(np.flatnonzero(comma.any(axis=1))[-1] > height for comma in commas)
        return [int(np.flatnonzero(comma.any(axis=1))[0]) for comma in commas]

    assert min(comma_tops(0.0)) > 0.7 * height and min(comma_tops(1.0)) < 0.5 * height


def test_a_field_is_drawn_small_as_an_rgb_photo():
    rng = np.random.default_rng(4)
    mask, _ = line_synth.compose_number(bar_digits, rng)
    field = line_synth.render_field(mask, rng)
    assert field.ndim == 3 and field.shape[2] == 3 and field.dtype == np.uint8
    assert field.shape[0] < 2 * line_synth.COMPOSE_HEIGHT * 2


def test_an_edge_cut_runs_the_number_into_the_crop_edge_and_keeps_every_digit():
    bars = np.hstack([np.pad(bar_digits(None)[0], ((0, 0), (0, 10)))] * 4)[:, :-10].astype(np.float32)
    for seed in range(12):
        cut, left, right = line_synth._cut_at_edges(bars, 9, 9, 40.0, np.random.default_rng(seed), (0.0, 0.3))
        assert (left == 0 and cut[:, 0].any()) or (right == 0 and cut[:, -1].any())
        assert len(gaps_between_bars(cut > 0.5)) == 3  # every bar kept, each nicked by a share of its width
        assert (cut > 0.5).any(axis=0).sum() >= (bars > 0.5).any(axis=0).sum() - 2

    settings = line_synth.FieldSettings(edge_cut_probability=1.0)
    for seed in range(8):
        rng = np.random.default_rng(seed)
        pixels, (left, _, width, _) = line_synth.rendered_field(line_synth.compose_number(bar_digits, rng)[0], rng,
                                                                settings)
        assert left == 0 or left + width == pixels.shape[1]


@needs_shared
def test_the_line_training_command_fine_tunes_into_a_loadable_model_and_card(tmp_path):
    out = tmp_path / "lines.keras"
    assert train_lines.main(["--data", str(SHARED / "data/mnist"), "--pendigits",
                             str(SHARED / "data/pendigits/pendigits-orig.tra"), "--lines", "128", "--epochs", "1",
                             "--workers", "1", "--base", str(DEFAULT_LINE_MODEL_PATH), "--first-digits", "benford",
                             "--out", str(out)]) == 0
    card = json.loads(out.with_suffix(".json").read_text())
    assert card["data"]["lessons"]["training"] == 128 and card["seed"] == train_lines.SEED
    assert card["data"]["lessons"]["first_digits"] == "benford"
    shipped = hashlib.sha256(DEFAULT_LINE_MODEL_PATH.read_bytes()).hexdigest()
    made_by = json.loads(DEFAULT_LINE_MODEL_PATH.with_suffix(".json").read_text())["command"]
    assert card["training"]["started_from"] == {"model": "LineReader.keras", "sha256": shipped, "command": made_by}
    assert card["int8"]["lessons"] == 128 and card["int8"]["command"] == card["command"]
    assert len(LineRecognizer.load(out).frames([np.zeros((LINE_HEIGHT, 64), np.float32)])[0]) == 16


