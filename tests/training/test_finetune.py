"""Learning a user's own hand: a synthetic writer the shipped model misreads, before and after fine-tuning."""

import cv2
import numpy as np
import pytest

from conftest import SHARED, needs_shared
from digitocr.training.finetune import FinetuneError, load_user_samples
from digitocr.networks.classifier import DEFAULT_MODEL_PATH
from digitocr.training.userdata import append_samples, counts_by_label, extract_zip, read_labels


def test_samples_are_appended_never_overwritten(tmp_path):
    crop = np.full((30, 20), 255, np.uint8)
    first = append_samples(tmp_path, [(crop, "3"), (crop, "x")])
    second = append_samples(tmp_path, [(crop, "3")])
    assert len({*first, *second}) == 3
    items, problems = read_labels(tmp_path)
    assert [item.label for item in items] == ["3", "x", "3"] and problems == []
    assert counts_by_label(tmp_path)["3"] == 2
    with pytest.raises(ValueError, match="not a digit"):
        append_samples(tmp_path, [(crop, "12")])


def test_too_few_or_unreadable_samples_are_refused_by_name(tmp_path):
    crop = np.full((40, 40), 255, np.uint8)
    cv2.line(crop, (20, 5), (20, 35), 0, 3)
    append_samples(tmp_path, [(crop, "1")] * 3)
    with pytest.raises(FinetuneError, match="at least 20"):
        load_user_samples(tmp_path)
    (tmp_path / "broken.png").write_bytes(b"nope")
    with (tmp_path / "labels.csv").open("a") as stream:
        stream.write("broken.png,4\nmissing.png,5\n")
    with pytest.raises(FinetuneError, match="broken.png") as raised:
        load_user_samples(tmp_path)
    assert "missing.png" in str(raised.value)


def test_a_zip_with_paths_outside_is_refused(tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../evil.csv", "x")
    with pytest.raises(ValueError, match="outside"):
        extract_zip(buffer.getvalue(), tmp_path)


def writer_digit(digit, rng) -> np.ndarray:
    """This writer draws every digit mirrored, tilted far back, with a long flag on '1' and a crossed '7'."""
    from digitocr.training.pendigits import draw_strokes, scale_strokes

    strokes = list(scale_strokes(digit.strokes, 100, (60.0, 60.0)))
    if digit.label == 1:
        top = min(strokes, key=lambda s: s[:, 1].min())
        head = top[np.argmin(top[:, 1])]
        strokes.append(np.array([head, head + (-45, 38)], np.float32))
    if digit.label == 7:
        strokes.append(np.array([(60, 112), (130, 108)], np.float32))
    angle = np.deg2rad(-38 + rng.uniform(-4, 4))
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]], np.float32)
    turned = tuple((s - (110, 110)) @ rotation.T + (110, 110) for s in strokes)
    image = np.full((220, 220), 255, np.uint8)
    draw_strokes(image, turned, 7, 0)
    return np.ascontiguousarray(image[:, ::-1])


@needs_shared
def test_finetuning_reads_a_new_writer_20_points_better_without_forgetting_mnist(tmp_path):
    from digitocr.training.finetune import finetune
    from digitocr.training.mnist import load_mnist
    from digitocr.training.pendigits import parse_pendigits

    rng = np.random.default_rng(11)
    digits = [d for d in parse_pendigits(SHARED / "data/pendigits/pendigits-orig.tra") if d.writer == 24]
    chosen = []
    for label in range(10):
        mine = [d for d in digits if d.label == label]
        chosen += [mine[i % len(mine)] for i in range(12)]
    append_samples(tmp_path / "mine", [(writer_digit(d, rng), str(d.label)) for d in chosen])
    card = finetune(tmp_path / "mine", DEFAULT_MODEL_PATH,
                    tmp_path / "my_model.keras", load_mnist(SHARED / "data/mnist"))
    before, after = card["accuracy_before"], card["accuracy_after"]
    assert after["own_held_out"] - before["own_held_out"] >= 0.20
    assert before["mnist_test"] - after["mnist_test"] <= 0.003
    assert (tmp_path / "my_model.json").exists()
