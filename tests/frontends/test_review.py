import csv
import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from conftest import SAMPLES
from digitocr.frontends import deployment, review
from digitocr.training.userdata import MOST_ZIP_ENTRIES, images_in_zip


def row(key: str, read: str, confidence: float, needs_review: bool, error: str = "", digits: int = 0):
    return review.ReviewRow(key, f"{key}.png", read, confidence, needs_review, np.zeros((4, 4, 3), np.uint8),
                            tuple(np.full((3, 3, 3), i, np.uint8) for i in range(digits)), error)


def test_the_queue_puts_failures_then_doubtful_readings_first_least_sure_first():
    rows = [row("sure", "12", 0.99, False), row("doubtful", "7", 0.6, True), row("worse", "8", 0.2, True),
            row("broken", "", 0.0, True, "not an image"), row("fair", "5", 0.95, False)]
    assert [r.key for r in review.queue_order(rows)] == ["broken", "worse", "doubtful", "fair", "sure"]


def test_the_queue_summary_counts_in_plain_words():
    one_doubtful = [row("a", "12", 0.99, False), row("b", "7", 0.6, True)]
    assert review.queue_summary(one_doubtful, 1).startswith("2 readings, least sure first; 1 needs review")
    assert review.queue_summary(one_doubtful, 1).endswith("Decided: 1 of 2.")
    alone = review.queue_summary([row("b", "7", 0.6, True)], 0)
    assert alone.startswith("1 reading, least sure first; 1 needs review")
    assert "0 need review" in review.queue_summary([row("a", "12", 0.99, False)] * 3, 0)


def test_the_export_holds_what_was_approved_and_says_what_was_corrected():
    rows = [row("a", "12", 0.9, False), row("b", "7", 0.4, True), row("c", "3", 0.5, True)]
    decisions = {"a": review.decided(rows[0], None), "b": review.decided(rows[1], " 1 ")}
    approved = review.approved_rows(rows, decisions)
    assert [(r["file"], r["approved"], r["corrected"]) for r in approved] == [("a.png", "12", False),
                                                                             ("b.png", "1", True)]
    assert list(csv.DictReader(io.StringIO(review.approved_csv(approved))))[1]["corrected"] == "True"
    assert json.loads(review.approved_json(approved))[0]["read"] == "12"


def test_a_correction_teaches_each_digit_only_where_the_digits_line_up():
    three = row("a", "123", 0.5, True, digits=3)
    assert review.corrected_digits(three, review.decided(three, "1,723")) == []  # four digits for three crops
    fixed = review.corrected_digits(three, review.decided(three, "173"))
    assert [label for _, label in fixed] == ["1", "7", "3"]
    assert review.corrected_digits(three, review.decided(three, None)) == []


def test_a_rows_picture_is_the_number_with_a_margin_and_fits_the_row(reader):
    loaded = reader.load(SAMPLES / "4096_paper.png")
    outcome = next(reader.read_many([SAMPLES / "4096_paper.png"]))
    made = review.review_row("0", "4096_paper.png", outcome, loaded.pixels, loaded.scale)
    assert made.read == "4096" and len(made.digit_crops) == 4 and not made.error
    assert made.picture.shape[1] <= review.CROP_SIDE[0] and made.picture.shape[0] <= review.CROP_SIDE[1]


def test_a_row_of_a_file_with_more_pages_says_only_the_first_was_read(reader):
    pages = [Image.open(SAMPLES / name).convert("RGB") for name in ("4096_paper.png", "583_chalkboard.png")]
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=pages[1:])
    loaded = reader.load(buffer.getvalue())
    outcome = next(reader.read_many([buffer.getvalue()]))
    made = review.review_row("0", "pages.tiff", outcome, loaded.pixels, loaded.scale)
    assert made.read == "4096" and any("2 pages" in note for note in made.notes)
    single = next(reader.read_many([SAMPLES / "4096_paper.png"]))
    assert not any("pages" in note for note in review.review_row("1", "4096_paper.png", single, loaded.pixels,
                                                                 loaded.scale).notes)


def test_visitors_choose_models_by_name_from_the_operators_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(deployment.MODELS_FOLDER, str(tmp_path))
    (tmp_path / "fine.keras").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not a model")
    assert list(deployment.known_models()) == ["shipped", "fine"]
    monkeypatch.setenv(deployment.DATA_FOLDER, str(tmp_path / "digits"))
    assert deployment.data_folder() == tmp_path / "digits"


def zipped(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_zip_is_checked_before_anything_is_unpacked():
    png = (SAMPLES / "4096_paper.png").read_bytes()
    found, left_out = images_in_zip(zipped({"b.png": png, "a/c.PNG": png, "x.txt": b"t", "a/._c.PNG": b"mac"}),
                                    {".png"})
    assert [name for name, _ in found] == ["a/c.PNG", "b.png"] and left_out == ["x.txt"]
    for unsafe in ("../up.png", "/etc/abs.png", "a/../../up.png"):
        with pytest.raises(ValueError, match="outside"):
            images_in_zip(zipped({unsafe: png}), {".png"})
    with pytest.raises(ValueError, match="entries"):
        images_in_zip(zipped({f"{i}.png": b"" for i in range(MOST_ZIP_ENTRIES + 1)}), {".png"})
    with pytest.raises(ValueError, match="unpacks to"):
        images_in_zip(zipped({"bomb.png": bytes(201_000_000)}), {".png"})  # a few hundred kB packed
    with pytest.raises(ValueError, match="not a zip"):
        images_in_zip(b"plain bytes", {".png"})
