"""The Streamlit app through Streamlit's AppTest: each tab, debug mode and the error paths."""

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from conftest import PROJECT, SAMPLES

TIMEOUT = 120


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITOCR_DATA", str(tmp_path / "my_digits"))
    test = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=TIMEOUT)
    test.run()
    assert not test.exception
    return test


def texts(app) -> str:
    parts = [e.value for e in app.code] + [e.value for e in app.info] + [e.value for e in app.warning]
    parts += [e.value for e in app.error] + [e.value for e in app.markdown] + [e.value for e in app.caption]
    return "\n".join(str(p) for p in parts)


def test_the_app_starts_with_four_tabs_and_hints(app):
    assert [tab.label for tab in app.tabs] == ["Upload", "Camera", "Draw", "Samples"]
    assert "Upload one image" in texts(app)
    assert "Draw a number" in texts(app)


def test_a_sample_is_read_with_one_click(app):
    app.button(key="sample-4096_paper.png").click().run()
    assert not app.exception
    assert app.code[0].value == "4096"
    assert app.selectbox(key="choice-4096_paper.png") is not None


def test_debug_mode_shows_every_stage(app):
    app.sidebar.toggle(key="debug").set_value(True).run()
    app.button(key="sample-315-2718_shadow.jpg").click().run()
    assert app.code[0].value == "315\n2718"
    captions = " ".join(" ".join(image.captions) for image in app.image)
    for number, stage in enumerate(["grayscale", "working size", "blur", "sheet", "polarity", "background removed",
                                    "threshold", "clean-up", "deslant", "segmentation"], start=1):
        assert f"{number}. {stage}:" in captions
    assert "Otsu threshold, cut-off" in captions or "Adaptive threshold, cut-off" in captions


def test_settings_change_the_reading_live(app):
    app.button(key="sample-4096_paper.png").click().run()
    assert app.code[0].value == "4096"
    assert "(doubtful)" not in texts(app)
    app.sidebar.slider(key="reject").set_value(0.9).run()
    app.sidebar.slider(key="doubtful").set_value(1.0).run()
    assert not app.exception
    assert "(doubtful)" in texts(app)


def test_a_visitor_picks_a_model_by_name_and_cannot_name_a_path(tmp_path, monkeypatch):
    monkeypatch.setenv("DIGITOCR_DATA", str(tmp_path / "my_digits"))
    models = tmp_path / "models"
    models.mkdir()
    sevens_everywhere(models / "my_hand.keras")
    monkeypatch.setenv("DIGITOCR_MODELS", str(models))
    app = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception
    assert list(app.sidebar.text_input) == [] and list(app.text_input) == []  # nowhere to type a path
    assert app.sidebar.selectbox(key="model").options == ["shipped", "my_hand"]
    app.sidebar.toggle(key="read_lines").set_value(False).run()  # the classifier's word alone
    app.button(key="sample-4096_paper.png").click().run()
    assert app.code[0].value == "4096"
    app.sidebar.selectbox(key="model").set_value("my_hand").run()
    app.button(key="sample-4096_paper.png").click().run()
    assert not app.exception and app.code[0].value == "7777"


def sevens_everywhere(path: Path) -> None:
    """A classifier that answers '7' for whatever it is shown, saved at `path`: a model of a visitor's choosing
    whose use shows."""
    import keras

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")])
    kernel, bias = model.layers[-1].get_weights()
    bias[7] = 20.0
    model.layers[-1].set_weights([kernel * 0, bias])
    model.save(path)


def test_one_upload_is_read_and_shown(app):
    app.file_uploader(key="uploads").set_value(("cheque.png", (SAMPLES / "583_chalkboard.png").read_bytes(),
                                                 "image/png")).run()
    assert not app.exception
    assert app.code[0].value == "583"


def test_several_uploads_give_a_review_queue_least_sure_first(app):
    files = [(p.name, p.read_bytes(), "image/png") for p in sorted(SAMPLES.glob("*.png"))]
    blank = io.BytesIO()
    Image.fromarray(np.full((200, 300), 230, np.uint8)).save(blank, "PNG")
    files += [("blank.png", blank.getvalue(), "image/png"), ("broken.png", b"not really a png", "image/png")]
    app.file_uploader(key="uploads").set_value(files).run()
    assert not app.exception
    headers = [m.value for m in app.markdown if m.value.startswith("**")]
    assert len(headers) == len(files)
    assert "broken.png" in headers[0] and "blank.png" in headers[1] and all("⚠" in h for h in headers[:2])
    assert "not read" in headers[0] and "sure" not in headers[0]  # no sureness claimed for a file never read
    assert "no digits found" in headers[1] and "sure" not in headers[1]  # nor for a blank page, which has no reading
    assert "not an image" in app.error[0].value
    assert [w.value for w in app.warning if w.value.startswith("No digits found")]  # the blank row says why it is empty
    assert len(app.get("download_button")) == 4


def test_a_row_is_accepted_or_corrected_in_one_action_and_corrections_can_be_saved(app, tmp_path):
    files = [(p.name, p.read_bytes(), "image/png") for p in sorted(SAMPLES.glob("*.png"))]
    app.file_uploader(key="uploads").set_value(files).run()
    first, second = app.text_input[0].key, app.text_input[1].key
    app.button(key=first.replace("fix-", "accept-")).click().run()
    app.text_input(key=second).input("9999").run()
    assert not app.exception
    headers = [m.value for m in app.markdown if m.value.startswith("**")]
    assert "✅ accepted" in headers[0] and "✅ corrected" in headers[1]
    assert "Decided: 2 of 3" in " ".join(c.value for c in app.caption)
    save = [b for b in app.button if b.key == "save_corrections"]
    assert save and "4 corrected digits" in save[0].label
    save[0].click().run()
    rows = (tmp_path / "my_digits" / "labels.csv").read_text().splitlines()
    assert [row.split(",")[1] for row in rows[1:]] == ["9", "9", "9", "9"]


def test_a_zip_of_images_joins_the_queue_and_an_unsafe_one_is_refused(app):
    good, unsafe = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(good, "w") as archive:
        for sample in sorted(SAMPLES.glob("*.png"))[:2]:
            archive.writestr(f"cells/{sample.name}", sample.read_bytes())
        archive.writestr("cells/notes.txt", "not an image, left out")
    with zipfile.ZipFile(unsafe, "w") as archive:
        archive.writestr("../../escape.png", b"x")
    app.file_uploader(key="uploads").set_value([("cells.zip", good.getvalue(), "application/zip"),
                                               ("bad.zip", unsafe.getvalue(), "application/zip")]).run()
    assert not app.exception
    assert "points outside the folder" in app.error[0].value
    assert "cells.zip: 1 file(s) left out, not images by their names: cells/notes.txt." in app.warning[0].value
    headers = [m.value for m in app.markdown if m.value.startswith("**")]
    assert len(headers) == 2 and all("cells.zip/cells/" in h for h in headers)


def test_a_file_that_is_not_an_image_gets_a_plain_message(app):
    app.file_uploader(key="uploads").set_value(("notes.png", b"%PDF-1.4 hello", "image/png")).run()
    assert not app.exception
    assert "not an image" in app.error[0].value


def test_a_blank_photo_says_no_digits(app):
    blank = io.BytesIO()
    Image.fromarray(np.full((200, 300), 230, np.uint8)).save(blank, "PNG")
    app.file_uploader(key="uploads").set_value(("blank.png", blank.getvalue(), "image/png")).run()
    assert not app.exception
    assert "no digits found" in app.warning[0].value
    assert not any("No digit read" in image.proto.imgs[0].caption for image in app.get("image"))  # said once only


def test_a_camera_photo_is_read(app):
    photo = io.BytesIO()
    Image.open(SAMPLES / "4096_paper.png").convert("RGB").save(photo, "JPEG", quality=95)
    app.camera_input(key="camera").set_value(("photo.jpg", photo.getvalue(), "image/jpeg")).run()
    assert not app.exception
    assert "4096" in [c.value for c in app.code]


def test_corrected_digits_are_saved_for_fine_tuning(app, tmp_path):
    app.button(key="sample-583_chalkboard.png").click().run()
    app.selectbox(key="label-583_chalkboard.png-1").set_value("x").run()
    app.button(key="save-583_chalkboard.png").click().run()
    assert not app.exception
    rows = (tmp_path / "my_digits" / "labels.csv").read_text().splitlines()
    assert rows[0] == "filename,label"
    assert [row.split(",")[1] for row in rows[1:]] == ["5", "x", "3"]
    assert "Saved 3 digits" in app.success[0].value
