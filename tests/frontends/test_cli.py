import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pillow_heif
import pytest
from conftest import PROJECT, SAMPLES, SHARED, needs_shared
from PIL import Image

from digitocr.frontends.cli import build_parser, main
from digitocr.frontends.inputs import expand_inputs
from digitocr.results import ROW_COLUMNS
from digitocr.settings import ReaderSettings


def run_cli(*arguments):
    return subprocess.run([sys.executable, "-m", "digitocr", *arguments], capture_output=True, text=True,
                          cwd=PROJECT, timeout=300)


def test_ctrl_c_stops_a_long_read_with_one_line_saying_how_far_it_got_and_leaves_no_worker(tmp_path):
    """A terminal's Ctrl-C reaches the command and its workers (one process group): it had printed a traceback from
    each of them."""
    from digitocr.frontends.bench import cell_jpeg

    rng = np.random.default_rng(3)
    for index in range(400):
        (tmp_path / f"cell{index:03d}.jpg").write_bytes(cell_jpeg(rng))
    command = [sys.executable, "-m", "digitocr", "read", "--json", "--workers", "2", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=PROJECT,
                               start_new_session=True)
    first = process.stdout.readline()
    os.killpg(process.pid, signal.SIGINT)
    lines = [first] + process.stdout.read().splitlines()  # what the stream holds already, then the rest
    errors = process.stderr.read()
    process.wait(timeout=60)
    assert process.returncode == 130, errors
    assert all(json.loads(line)["text"] for line in lines), (lines[-2:], errors)
    assert f"interrupted: {len(lines)} of 400 images read; their results are complete" in errors
    assert "Traceback" not in errors and len(lines) < 400
    time.sleep(1)
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # no worker is left in the group


def test_a_dash_reads_one_image_from_standard_input_named_as_given():
    command = [sys.executable, "-m", "digitocr", "read", "--json", "-", str(SAMPLES / "583_chalkboard.png")]
    result = subprocess.run(command, input=(SAMPLES / "4096_paper.png").read_bytes(), capture_output=True,
                            cwd=PROJECT, timeout=300)
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0 and [(o["path"], o["text"]) for o in objects] == \
        [("-", "4096"), (str(SAMPLES / "583_chalkboard.png"), "583")]


def test_json_contract_one_object_per_input_in_order_errors_included(tmp_path):
    not_image = tmp_path / "notes.txt"
    not_image.write_text("hello")
    paths = [str(SAMPLES / "4096_paper.png"), str(not_image), str(tmp_path / "missing.png"),
             str(SAMPLES / "315-2718_shadow.jpg")]
    result = run_cli("read", "--json", *paths)
    assert result.returncode == 1
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["path"] for o in objects] == paths
    assert objects[0]["text"] == "4096"
    assert objects[3]["text"] == "315\n2718"
    assert "not an image" in objects[1]["error"] and "No image file" in objects[2]["error"]
    digit = objects[0]["digits"][0]
    assert set(digit) >= {"label", "confidence", "box"} and len(digit["box"]) == 4


def test_plain_output_and_success_status(capsys):
    assert main(["read", str(SAMPLES / "583_chalkboard.png")]) == 0
    assert re.fullmatch(r".*583_chalkboard.png: 583( \(needs review\))?", capsys.readouterr().out.strip())


def test_a_multi_page_file_says_in_plain_output_that_only_its_first_page_was_read(capsys, tmp_path):
    pages = tmp_path / "pages.tiff"
    first = Image.open(SAMPLES / "4096_paper.png").convert("RGB")
    first.save(pages, save_all=True, append_images=[Image.open(SAMPLES / "583_chalkboard.png").convert("RGB")])
    main(["read", str(pages), str(SAMPLES / "4096_paper.png")])
    printed = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r".*pages.tiff: 4096( \(needs review\))? \(page 1 of 2 read\)", printed[0])
    assert "page" not in printed[1].rsplit(":", 1)[1]


def test_the_ink_is_taken_as_set(capsys, tmp_path):
    light_on_dark = tmp_path / "light_on_dark.png"
    Image.fromarray(255 - np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("RGB"))).save(light_on_dark)
    main(["read", "--ink", "light", str(light_on_dark)])
    assert capsys.readouterr().out.startswith(f"{light_on_dark}: 4096")
    main(["read", "--ink", "dark", str(light_on_dark)])
    assert not capsys.readouterr().out.startswith(f"{light_on_dark}: 4096")


def test_an_image_of_noise_says_so_once_with_every_reason(capsys, tmp_path):
    noise = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (300, 400), np.uint8)).save(noise)
    assert main(["read", str(noise)]) == 0
    printed = capsys.readouterr().out
    assert "(no digits found)" in printed and "no part of the number" in printed
    assert "No digits were found" not in printed and "turned" not in printed and printed.strip().endswith(".")


def test_the_review_setting_decides_which_readings_need_review(capsys):
    sample = str(SAMPLES / "4096_paper.png")
    reviewed = {}
    for setting in ("0", "1"):
        assert main(["read", "--json", "--review-below", setting, sample]) == 0
        reading = json.loads(capsys.readouterr().out)
        reviewed[setting] = reading["needs_review"]
        assert reading["text"] == "4096" and 0 < reading["confidence"] < 1
    assert reviewed == {"0": False, "1": True}
    for wrong, why in (("1.5", "1.5 is not between 0 and 1"), ("sure", "'sure' is not a number")):
        with pytest.raises(SystemExit):
            main(["read", "--review-below", wrong, sample])
        assert why in capsys.readouterr().err


@pytest.mark.parametrize("command", [["read", "x.png"], ["serve"], ["batch", "in", "out"]], ids=lambda c: c[0])
def test_every_command_takes_the_review_setting_and_refuses_one_out_of_range(command, capsys):
    assert build_parser().parse_args(command + ["--review-below", "0.9"]).review_below == 0.9
    assert build_parser().parse_args(command).review_below == ReaderSettings.review_below
    with pytest.raises(SystemExit):
        build_parser().parse_args(command + ["--review-below", "-0.1"])
    assert "-0.1 is not between 0 and 1" in capsys.readouterr().err


@pytest.mark.parametrize("command, option, wrong, why", [
    (["read", "x.png"], "--workers", "-3", "-3 is less than 1"),
    (["serve"], "--threads", "0", "0 is less than 1"),
    (["serve"], "--timeout", "0", "0 is not a number above 0"),
    (["serve"], "--timeout", "nan", "nan is not a number above 0"),
    (["serve"], "--max-request-mb", "-1", "-1 is not a number above 0"),
    (["serve"], "--max-megapixels", "lots", "'lots' is not a number"),
    (["serve"], "--port", "70000", "70000 is not a port"),
    (["batch", "in", "out"], "--workers", "2.5", "'2.5' is not a whole number"),
])
def test_a_count_or_limit_out_of_range_is_refused_by_name_before_anything_starts(command, option, wrong, why, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(command + [option, wrong])
    assert f"argument {option}: {why}" in capsys.readouterr().err


def test_the_read_commands_workers_default_to_none_and_take_a_count():
    assert build_parser().parse_args(["read", "x.png"]).workers is None
    assert build_parser().parse_args(["read", "x.png", "--workers", "3"]).workers == 3


def test_the_service_reads_with_the_review_setting_it_was_started_with(monkeypatch):
    pytest.importorskip("uvicorn")
    import uvicorn

    from digitocr.frontends import service
    started = {}
    monkeypatch.setattr(service, "create_app", lambda reader, limits: started.setdefault("reader", reader))
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: None)
    assert main(["serve", "--review-below", "0.5"]) == 0
    assert started["reader"].settings.review_below == 0.5


@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unreadable_model_is_a_clear_error(capsys, tmp_path, workers):
    """Workers load the models themselves, the command's own process none: a missing classifier is found before any
    image is read, and one whose checksum holds but which is no classifier (the sign judge's network, 32x32 in)
    when the workers load it; either way one message, no traceback."""
    images = [str(SAMPLES / "583_chalkboard.png"), str(SAMPLES / "4096_paper.png")]
    assert main(["read", "--workers", workers, "--model", str(tmp_path / "none.keras"), *images]) == 2
    assert "No model file" in capsys.readouterr().err
    for suffix in (".keras", ".json"):
        (tmp_path / f"judge{suffix}").write_bytes((PROJECT / "digitocr/models" / f"SignJudge{suffix}").read_bytes())
    assert main(["read", "--workers", workers, "--model", str(tmp_path / "judge.keras"), *images]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "expected (None, 28, 28, 1)" in error and "Traceback" not in error


def test_folders_and_globs_expand_in_name_order(tmp_path):
    for name in ("b.png", "a.jpg", "c.txt"):
        (tmp_path / name).write_bytes(b"")
    assert list(expand_inputs([str(tmp_path)])) == [str(tmp_path / "a.jpg"), str(tmp_path / "b.png")]
    assert list(expand_inputs([str(tmp_path / "*.png")])) == [str(tmp_path / "b.png")]


def test_an_iphone_photo_in_a_folder_is_found_and_read(tmp_path):
    pillow_heif.register_heif_opener()
    Image.open(SAMPLES / "4096_paper.png").convert("RGB").save(tmp_path / "IMG_0001.HEIC", "HEIF", quality=90)
    result = run_cli("read", "--json", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"] == "4096"


def test_a_folder_without_images_and_a_pattern_matching_nothing_are_reported_not_skipped(capsys, tmp_path):
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "a.png").write_bytes(b"")
    pattern = str(tmp_path / "*.jpg")
    assert main(["read", "--json", str(tmp_path), pattern]) == 1  # any input failed
    reported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [entry["path"] for entry in reported] == [str(tmp_path), pattern]
    assert "is a folder with no image in it" in reported[0]["error"]
    assert str(tmp_path / "*" / "*.png") in reported[0]["error"]  # where its images are
    assert reported[1]["error"] == f"No file matches the pattern {pattern}."



def test_a_folder_it_may_not_list_is_reported_and_the_next_input_is_read(capsys, tmp_path, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    listing = Path.iterdir

    def refused(path):
        if path == locked:
            raise PermissionError(13, "Permission denied")
        return listing(path)

    monkeypatch.setattr(Path, "iterdir", refused)
    assert main(["read", "--json", str(locked), str(SAMPLES / "2026_canvas.png")]) == 1
    reported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert reported[0]["error"] == \
        f"{locked} is a folder, not an image file, and it cannot be listed (Permission denied)."
    assert reported[1]["text"] == "2026"


@needs_shared
def test_the_scoring_tool_runs_unchanged_on_the_reader():
    result = subprocess.run([sys.executable, str(SHARED / "tools/score.py"), str(SHARED / "data/dev"), "--only",
                             "photos", "--json"], capture_output=True, text=True, cwd=PROJECT, timeout=300)
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["photos"]["failed"] == 0
    assert summary["photos"]["exact_pct"] >= 70


def test_a_wrong_extension_is_read_by_content(tmp_path, capsys):
    renamed = tmp_path / "looks_like.jpg"
    renamed.write_bytes((SAMPLES / "583_chalkboard.png").read_bytes())
    assert main(["read", str(renamed)]) == 0
    assert re.fullmatch(r".*looks_like.jpg: 583( \(needs review\))?", capsys.readouterr().out.strip())


@pytest.mark.parametrize("command, full", [("train", "training.train"), ("train_lines", "training.train_lines"),
                                           ("evaluate", "training.evaluate"), ("samples", "training.samples"),
                                           ("bench", "frontends.bench")])
def test_the_commands_older_spellings_still_run_them(command, full):
    short = subprocess.run([sys.executable, "-m", f"digitocr.{command}", "--help"], capture_output=True, text=True,
                           cwd=PROJECT, timeout=120)
    long = subprocess.run([sys.executable, "-m", f"digitocr.{full}", "--help"], capture_output=True, text=True,
                          cwd=PROJECT, timeout=120)
    assert short.returncode == long.returncode == 0
    assert short.stdout.split("\n", 1)[1] == long.stdout.split("\n", 1)[1] and "options" in short.stdout


def test_csv_gives_one_row_per_input_with_the_shared_columns(tmp_path):
    not_image = tmp_path / "notes.txt"
    not_image.write_text("hello")
    result = run_cli("read", "--csv", str(SAMPLES / "315-2718_shadow.jpg"), str(not_image))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert result.returncode == 1 and tuple(rows[0]) == ROW_COLUMNS
    assert rows[0]["text"] == "315\n2718" and rows[0]["written"] == "315\n2718" and not rows[0]["error"]
    assert len(json.loads(rows[0]["line_confidences"])) == 2 and len(json.loads(rows[0]["digit_confidences"])) == 7
    assert 0.0 <= float(rows[0]["confidence"]) <= 1.0 and rows[0]["needs_review"] in ("True", "False")
    assert "not an image" in rows[1]["error"] and rows[1]["text"] == ""
