import io
import re
from dataclasses import replace

import cv2
import numpy as np
import pytest
from PIL import Image

from conftest import (SAMPLES, SHARED, blank_page, bold_eight_scan, draw_ring, expected_text, needs_shared, tiny_seven,
                      written)
from digitocr import EmptyImageError, Reader, ReaderSettings, UnsupportedImageError
from digitocr.frontends.bench import cell_jpeg
from digitocr.networks.classifier import DigitClassifier
from digitocr.reader.orientation import WayUp, turns_to_try
from digitocr.reader.prepare import prepare

SAMPLE_FILES = sorted(p for p in SAMPLES.iterdir() if p.suffix in (".png", ".jpg"))


def test_there_are_samples_of_every_kind():
    names = " ".join(p.name for p in SAMPLE_FILES)
    assert "canvas" in names and "chalkboard" in names and "-" in names and len(SAMPLE_FILES) >= 5


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_sample_image_is_read_correctly(reader, sample):
    reading = reader.read(sample)
    assert reading.text == expected_text(sample)


def test_a_multi_page_file_reads_its_first_page_and_says_the_rest_were_not_read(reader):
    first = Image.open(SAMPLES / "4096_paper.png").convert("RGB")
    buffer = io.BytesIO()
    first.save(buffer, "TIFF", save_all=True, append_images=[Image.open(SAMPLES / "583_chalkboard.png")])
    reading = reader.read(buffer.getvalue())
    assert reading.text == "4096"
    assert any("2 pages" in note and "only the first" in note for note in reading.notes)
    assert not any("pages" in note for note in reader.read(SAMPLES / "4096_paper.png").notes)


def test_several_lines_come_back_as_several_lines(reader):
    reading = reader.read(SAMPLES / "315-2718_shadow.jpg")
    assert [line.text for line in reading.lines] == ["315", "2718"]
    assert all(d.line == 1 for d in reading.lines[1].digits)


def test_boxes_are_in_the_original_images_pixels_and_ordered(reader):
    sample = SAMPLES / "4096_paper.png"
    width, height = Image.open(sample).size
    reading = reader.read(sample)
    lefts = [d.box.x for d in reading.digits]
    assert lefts == sorted(lefts)
    for digit in reading.digits:
        assert 0 <= digit.box.x and digit.box.x + digit.box.width <= width
        assert 0 <= digit.box.y and digit.box.y + digit.box.height <= height
        assert digit.box.height > 0.25 * height


def test_a_large_photo_reads_the_same_with_boxes_scaled_up(reader):
    sample = Image.open(SAMPLES / "4096_paper.png").convert("RGB")
    big = sample.resize((sample.width * 8, sample.height * 8), Image.BICUBIC)
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", quality=90)
    small_reading = reader.read(sample)
    big_reading = reader.read(buffer.getvalue())
    assert big_reading.text == small_reading.text == "4096"
    for small, large in zip(small_reading.digits, big_reading.digits):
        assert abs(large.box.x - 8 * small.box.x) <= 8 * 6


def test_a_number_written_small_in_a_large_photo_is_read_again_closer(reader):
    ink = np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("L"))
    rows, columns = np.nonzero(ink < 128)
    number = ink[rows.min():rows.max() + 1, columns.min():columns.max() + 1]
    small = cv2.resize(number, (number.shape[1] * 30 // number.shape[0], 30), interpolation=cv2.INTER_AREA)
    sheet = np.clip(np.random.default_rng(1).normal(225, 3, (1800, 2400)), 0, 255).astype(np.uint8)
    sheet[900:930, 1100:1100 + small.shape[1]] = np.minimum(sheet[900:930, 1100:1100 + small.shape[1]], small)
    photo = cv2.imencode(".jpg", sheet, [cv2.IMWRITE_JPEG_QUALITY, 92])[1].tobytes()  # 12 pixels tall at 1024
    reading = reader.read(photo)
    assert reading.text == "4096"
    assert any(note.startswith(("Read again closer", "Read again as the part")) for note in reading.notes)
    assert all(1100 <= digit.box.x < 1100 + small.shape[1] and 895 <= digit.box.y < 935 for digit in reading.digits)


def test_a_large_photo_that_reads_as_nothing_is_turned_only_once_looked_at_closer(reader, monkeypatch):
    rng = np.random.default_rng(1)
    sheet = np.clip(rng.normal(215, 2, (1200, 1600)), 0, 255).astype(np.uint8)
    for _ in range(10):  # specks: marks whose shapes say something of a turn, though none is a digit
        centre, axes = tuple(int(v) for v in rng.integers(100, 1100, 2)), tuple(int(v) for v in rng.integers(2, 6, 2))
        cv2.ellipse(sheet, centre, axes, float(rng.integers(0, 180)), 0, 360, 40, -1)
    sizes_turned = []
    turned = Reader.turned

    def noting_size(self, prepared, turns, settings, stages=False):
        sizes_turned.append(settings.working_side)
        return turned(self, prepared, turns, settings, stages)

    monkeypatch.setattr(Reader, "turned", noting_size)
    reading = reader.read(np.dstack([sheet] * 3))
    assert reading.text == ""
    # the turns the specks leave likely, of the whole photo at its own size, not at the working size of 1024 first;
    # then any of the part around the specks, cut out and read at its own size, under the working size
    assert sizes_turned[0] == 1600 and sizes_turned == sorted(sizes_turned, reverse=True)
    assert set(sizes_turned) <= {1600, 1024}


def test_a_photo_of_more_marks_than_the_reader_examines_is_not_read_again_closer(reader, monkeypatch):
    looks = []
    answers = Reader.answers
    monkeypatch.setattr(Reader, "answers", lambda self, prepared: looks.append(len(prepared)) or answers(self, prepared))
    reading = reader.read(np.random.default_rng(9).integers(0, 256, (900, 1200), np.uint8))
    assert reading.text == "" and any("only the largest" in note for note in reading.notes) and len(looks) == 1


def test_a_large_photo_read_surely_is_not_read_again(reader):
    big = Image.open(SAMPLES / "78136_ruled_blue_pen.jpg").convert("RGB")
    big = big.resize((big.width * 3, big.height * 3), Image.BICUBIC)
    buffer = io.BytesIO()
    big.save(buffer, "JPEG", quality=90)
    reading = reader.read(buffer.getvalue())
    assert reading.text == "78136" and not reading.needs_review
    assert not any("closer" in note for note in reading.notes)


def test_digits_carry_probabilities_confidence_and_doubt(reader):
    reading = reader.read(SAMPLES / "2026_canvas.png")
    for digit in reading.digits:
        assert len(digit.probabilities) == 10
        assert abs(sum(digit.probabilities) - 1.0) < 1e-3
        assert digit.confidence == max(digit.probabilities)
        assert digit.top(1)[0] == (digit.label, digit.confidence)
        assert digit.model_input.shape == (28, 28)
    exported = reading.to_dict()
    assert exported["text"] == "2026" and len(exported["digits"]) == 4
    assert set(exported["digits"][0]) >= {"label", "confidence", "box", "line", "top", "doubtful"}


def test_doubtful_flag_follows_the_setting(reader):
    strict = reader.read(SAMPLES / "2026_canvas.png", ReaderSettings(doubtful_below=1.01))
    lenient = reader.read(SAMPLES / "2026_canvas.png", ReaderSettings(doubtful_below=0.0))
    assert strict.text == lenient.text == "2026"
    assert all(d.doubtful for d in strict.digits) and not any(d.doubtful for d in lenient.digits)


def test_stages_are_kept_only_when_asked(reader):
    sample = SAMPLES / "78136_ruled_blue_pen.jpg"
    assert reader.read(sample).stages == ()
    names = [stage.name for stage in reader.read(sample, stages=True).stages]
    assert names == ["grayscale", "working size", "blur", "sheet", "polarity", "background removed", "threshold",
                     "clean-up", "deslant", "segmentation", "model inputs", "classification", "line recognizer",
                     "reading"]


def test_a_drawing_has_no_background_taken_off_and_its_debug_view_says_why(reader):
    reading = reader.read(SAMPLES / "2026_canvas.png", stages=True)
    stages = {stage.name: stage for stage in reading.stages}
    assert reading.text == "2026"
    assert np.array_equal(stages["background removed"].image, stages["polarity"].image)
    assert "a drawing's field is one colour" in stages["background removed"].caption
    photo = {stage.name: stage for stage in reader.read(SAMPLES / "78136_ruled_blue_pen.jpg", stages=True).stages}
    assert photo["background removed"].caption.startswith("Local background subtracted")


def test_a_drawings_ink_tone_is_known_from_its_see_through_field_not_guessed(reader):
    canvas = np.asarray(Image.open(SAMPLES / "2026_canvas.png").convert("RGBA")).copy()
    for field, strokes in (("white", (20, 20, 20)), ("black", (250, 250, 250))):
        canvas[..., :3] = strokes
        reading = reader.read(canvas, stages=True)
        polarity = next(stage.caption for stage in reading.stages if stage.name == "polarity")
        assert reading.text == "2026" and f"a drawing's strokes, laid on {field}" in polarity
    photo = reader.read(SAMPLES / "78136_ruled_blue_pen.jpg", stages=True).stages
    assert "(told from the image)" in next(stage.caption for stage in photo if stage.name == "polarity")


def test_blank_page_reads_nothing_and_says_so(reader):
    reading = reader.read(blank_page())
    assert reading.text == "" and reading.digits == []
    assert "No digits" in reading.notes[0]


def test_the_debug_view_of_a_page_of_noise_stays_short_enough_to_read(reader):
    """Hundreds of specks are cut and read as lines; the captions explain a few of each and count the rest, and the
    reading's says that nothing was read rather than quoting an empty number."""
    noise = np.random.default_rng(0).integers(0, 255, (200, 300, 3)).astype(np.uint8)
    captions = {stage.name: stage.caption for stage in reader.read(noise, stages=True).stages}
    assert re.search(r"; and \d+ more blobs cut\.$", captions["classification"])
    assert re.search(r"; and \d+ more lines\.$", captions["line recognizer"])
    assert all(len(caption) < 2000 for caption in captions.values())
    assert captions["reading"].startswith("No digit read.")


def sample_ink(name: str) -> np.ndarray:
    """A sample image's ink, 255 where its Otsu threshold finds it."""
    return cv2.threshold(cv2.imread(str(SAMPLES / name), cv2.IMREAD_GRAYSCALE), 0, 255,
                         cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]


def comb_field(gap: int) -> np.ndarray:
    """The sample '4096' written one digit to a box, as on a form: boxes `gap` pixels apart, or sharing sides."""
    ink = sample_ink("4096_paper.png")
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    digits = sorted((tuple(row[:4]) for row in stats[1:] if row[4] > 50), key=lambda box: box[0])
    side = 80
    page = blank_page(side + 40, 4 * (side + gap) + 40, 245)
    for index, (x, y, width, height) in enumerate(digits):
        left = 20 + index * (side + gap)
        cv2.rectangle(page, (left, 20), (left + side, 20 + side), 30, 2)
        top, inner = 20 + (side - height) // 2, left + (side - width) // 2
        page[top:top + height, inner:inner + width][ink[y:y + height, x:x + width] > 0] = 20
    return page


@pytest.mark.parametrize("gap", [0, 12])
def test_digits_written_in_the_boxes_of_a_comb_field_are_read_without_the_boxes(reader, gap):
    assert reader.read(comb_field(gap)).text == "4096"


def test_a_tiny_scan_of_one_digit_keeps_strokes_that_run_edge_to_edge(reader):
    assert reader.read(tiny_seven()).text == "7"


def test_a_bold_digit_filling_a_tiny_scan_is_read_with_ink_and_paper_the_right_way_round(reader):
    scan = bold_eight_scan(half_width=14, blur=3)
    assert reader.read(scan, settings=ReaderSettings(ink="light")).text != "8"
    reading = reader.read(scan)
    assert reading.text == "8" and not reading.needs_review
    assert any("ink and paper the other way round" in note for note in reading.notes)


def test_ink_set_by_the_user_is_taken_as_set(reader):
    light_on_dark = 255 - cv2.imread(str(SAMPLES / "4096_paper.png"))
    reading = reader.read(light_on_dark, settings=ReaderSettings(ink="light"), stages=True)
    assert reading.text == "4096"
    assert "Light ink on a dark field: kept so ink is bright, as the model expects (as set)." in [
        stage.caption for stage in reading.stages]
    assert reader.read(light_on_dark, settings=ReaderSettings(ink="dark")).text != "4096"


@pytest.mark.parametrize("text", ["27", "40", "05"])
def test_a_crop_of_a_number_as_small_as_a_scan_of_one_digit_reads_as_a_line(reader, text):
    """A tight crop of two digits 18 pixels high is as small as a digit's scan, but wider than tall: digits side
    by side, not one digit."""
    page = written(text, gap=0)
    crop = cv2.resize(page, None, fx=18 / page.shape[0], fy=18 / page.shape[0], interpolation=cv2.INTER_AREA)
    assert max(crop.shape[:2]) <= ReaderSettings().single_digit_side
    assert reader.read(crop).text == text


def test_a_tiny_scan_keeps_its_best_guess_for_a_tall_mark_however_flat_but_drops_a_dash(reader):
    blot, dash = np.full((16, 16), 255, np.uint8), np.full((16, 16), 255, np.uint8)
    cv2.circle(blot, (8, 8), 5, 0, -1)  # nearly as tall as a scanned digit, but like none: the answer is flat
    cv2.line(dash, (3, 8), (12, 8), 0, 2)
    [digit] = reader.read(blot).digits
    assert digit.doubtful and digit.confidence < reader.settings.reject_below
    assert not reader.read(dash).digits


@pytest.mark.parametrize("noise", [np.random.default_rng(3).integers(0, 256, (300, 300), np.uint8),
                                   np.random.default_rng(4).integers(0, 256, (400, 600, 3), np.uint8),
                                   np.clip(np.random.default_rng(5).normal(128, 30, (400, 600)), 0, 255)
                                   .astype(np.uint8),
                                   cv2.GaussianBlur(np.random.default_rng(7).integers(0, 256, (522, 738), np.uint8),
                                                    (0, 0), 1.2)], ids=["gray", "colour", "gaussian", "blurred"])
def test_pure_noise_reads_as_nothing_and_says_why(reader, noise):
    """The blurred grain breaks into dozens of lines of specks, which a finder taught on small noise pictures alone
    took for a column of digits, one a line."""
    reading = reader.read(noise)
    assert reading.text == "" and "no part of the number" in " ".join(reading.notes)


def test_a_field_of_noise_is_not_read_turned_for_its_specks_read_as_digits_as_often_whichever_way_up(reader,
                                                                                                       monkeypatch):
    """Each turn is a reading of the whole field again: the three had cost 10 of a 640x480 field's 13 seconds."""
    turned, turn = [], Reader.turned
    monkeypatch.setattr(Reader, "turned", lambda self, prepared, turns, *rest: turned.append(turns) or
                        turn(self, prepared, turns, *rest))
    reading = reader.read(np.random.default_rng(8).integers(0, 256, (480, 640), np.uint8))
    assert reading.text == "" and turned == []


def test_a_page_of_sixty_digits_turned_any_way_keeps_its_way_up_among_the_turns_its_marks_allow(reader):
    rng = np.random.default_rng(1)
    lines = ["".join(map(str, rng.integers(0, 10, 10))) for _ in range(6)]
    page = np.full((580, 660), 235, np.uint8)
    for row, line in enumerate(lines):
        for column, digit in enumerate(line):
            cv2.putText(page, digit, (30 + 60 * column, 90 + 90 * row), cv2.FONT_HERSHEY_SIMPLEX, 2.0, 30, 5)
    every_turn = tuple(WayUp(turns, 1 / 3, 1 / 3) for turns in (1, 2, 3))
    for turns in (1, 2, 3):
        turned = np.ascontiguousarray(np.rot90(page, turns))
        allowed = reader._turns_its_marks_allow(prepare(turned, reader.settings), every_turn)
        assert (4 - turns) % 4 in [way.turns for way in allowed]
        assert reader.read(turned).text == "\n".join(lines)


def test_a_page_of_many_numbers_is_not_noise(reader):
    number = cv2.imread(str(SAMPLES / "4096_paper.png"))
    page = np.vstack([np.hstack([number] * 3)] * 4)
    reading = reader.read(page)
    assert reading.text == "\n".join(["409640964096"] * 4) and not any("noise" in n for n in reading.notes)


def test_bad_input_raises_a_typed_error(reader):
    with pytest.raises(UnsupportedImageError):
        reader.read(b"<html>not an image</html>")


@pytest.mark.parametrize("workers", [1, 2])
def test_read_many_keeps_order_and_reports_failures(reader, workers):
    sources = [SAMPLES / "4096_paper.png", b"not an image", SAMPLES / "583_chalkboard.png"]
    outcomes = list(reader.read_many(sources, batch_size=2, workers=workers))
    assert [o.source for o in outcomes] == sources
    assert outcomes[0].reading.text == "4096" and outcomes[2].reading.text == "583"
    assert isinstance(outcomes[1].error, UnsupportedImageError)


@pytest.mark.parametrize("workers", [1, 2])
def test_read_many_takes_open_files_and_memory_as_read_does(reader, workers):
    """An open file cannot be sent to a worker process; its bytes are, and it comes back as the source given."""
    data = (SAMPLES / "583_chalkboard.png").read_bytes()
    with open(SAMPLES / "4096_paper.png", "rb") as binary, open(SAMPLES / "4096_paper.png") as text:
        sources = [binary, io.BytesIO(data), memoryview(data), text, io.BytesIO(b"")]
        outcomes = list(reader.read_many(sources, workers=workers))
    assert [o.source for o in outcomes] == sources
    assert [o.reading.text for o in outcomes[:3]] == ["4096", "583", "583"]
    assert "binary mode" in str(outcomes[3].error) and isinstance(outcomes[4].error, EmptyImageError)


def test_read_many_in_worker_processes_matches_read_one_by_one(reader):
    outcomes = list(reader.read_many(SAMPLE_FILES, workers=2))
    assert [o.reading.text for o in outcomes] == [reader.read(p).text for p in SAMPLE_FILES]


def test_worker_processes_read_with_this_digitocr_whatever_folder_they_start_in(reader, tmp_path, monkeypatch):
    """A caller working in a folder that holds another digitocr (an older checkout, a fork) still has its images read
    by the digitocr it called: `python -m` would put the working folder first on a worker's path."""
    decoy = tmp_path / "digitocr"
    (decoy / "reader").mkdir(parents=True)
    (decoy / "__init__.py").write_text("")
    (decoy / "reader" / "__init__.py").write_text("")
    (decoy / "reader" / "reading_worker.py").write_text("raise SystemExit('the wrong digitocr')")
    monkeypatch.chdir(tmp_path)
    outcomes = list(reader.read_many(SAMPLE_FILES[:4], workers=2))
    assert [o.reading.text for o in outcomes] == [reader.read(p).text for p in SAMPLE_FILES[:4]]


def test_read_many_with_a_classifier_handed_over_in_memory_reads_with_that_classifier(reader):
    sevens = DigitClassifier(lambda batch: np.tile(np.eye(10, dtype=np.float32)[7], (len(batch), 1)))  # no file
    other = Reader(settings=ReaderSettings(read_lines=False), models=replace(reader.models, classifier=sevens))
    texts = [o.reading.text for o in other.read_many(SAMPLE_FILES[:3], workers=2)]
    assert all(text and set(text) <= {"7", "\n"} for text in texts)


def test_readers_share_one_set_of_models(reader):
    other = Reader(settings=ReaderSettings(threshold_method="otsu"), models=reader.models)
    assert other.models.classifier is reader.models.classifier
    assert other.models.line_recognizer is reader.models.line_recognizer
    reading = other.read(SAMPLES / "4096_paper.png", stages=True)
    assert reading.text == "4096"
    assert next(stage.caption for stage in reading.stages if stage.name == "threshold").startswith("Otsu")


@needs_shared
def test_canvas_drawings_of_held_out_pendigits_writers_are_read(reader):
    from digitocr.training.pendigits import draw_strokes, parse_pendigits, scale_strokes
    from digitocr.training.digit_data import HELD_OUT_WRITERS

    digits = [d for d in parse_pendigits(SHARED / "data/pendigits/pendigits-orig.tra") if d.writer in HELD_OUT_WRITERS]
    rng = np.random.default_rng(5)
    right = 0
    for digit in rng.choice(digits, 60, replace=False):
        canvas = np.zeros((280, 280, 4), np.uint8)
        draw_strokes(canvas, scale_strokes(digit.strokes, 180, (60, 50)), 16, (0, 0, 0, 255))
        right += reader.read(canvas).text == str(digit.label)
    assert right >= 56


def test_a_zero_drawn_too_big_for_the_canvas_is_read_with_its_strokes_joined_along_the_edge(reader):
    canvas = np.zeros((280, 280, 4), np.uint8)
    cv2.ellipse(canvas, (140, 150), (160, 110), 0, 0, 360, (0, 0, 0, 255), 18)  # its sides run off the canvas
    reading = reader.read(canvas)
    assert reading.text == "0" and "ran off the canvas" in reading.notes[0]


def held_out_drawing(writer: int, nth: int, height: int, origin: tuple[int, int], stroke: int):
    """A held-out pendigits writer's `nth` digit drawn on a 400x400 canvas, and its label."""
    from digitocr.training.pendigits import draw_strokes, parse_pendigits, scale_strokes

    digit = [d for d in parse_pendigits(SHARED / "data/pendigits/pendigits-orig.tra") if d.writer == writer][nth]
    canvas = np.zeros((400, 400, 4), np.uint8)
    draw_strokes(canvas, scale_strokes(digit.strokes, height, origin), stroke, (0, 0, 0, 255))
    return canvas, str(digit.label)


@needs_shared
def test_a_doubtful_reading_of_two_lines_is_read_again_as_one(reader):
    canvas, label = held_out_drawing(29, 13, 363, (104, 53), 18)  # a '5', its bar drawn apart above the stem's top
    reading = reader.read(canvas)
    assert label == "5" and reading.text == "5" and "Read as one line" in reading.notes[0]


@needs_shared
def test_a_doubtful_drawing_shaped_like_one_digit_is_read_as_one(reader):
    canvas, label = held_out_drawing(22, 70, 403, (2, 10), 21)  # a '0' drawn too big: its loop's bottom cut off
    reading = reader.read(canvas)
    assert label == "0" and reading.text == "0" and "Read as one digit" in reading.notes[0]


def test_a_sure_reading_of_two_lines_is_not_read_again(reader):
    reading = reader.read(SAMPLES / "315-2718_shadow.jpg")
    assert reading.text == "315\n2718" and not reading.needs_review
    assert not any("one line" in note for note in reading.notes)


def number_with_a_stray_bar_below() -> np.ndarray:
    page = np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("RGB"))
    page = np.vstack([page, np.repeat(page[-1:], 90, axis=0)]).copy()
    cv2.line(page, (330, 140), (331, 170), (40, 40, 40), 4)
    return page


def test_a_short_stray_bar_below_the_number_never_makes_a_confident_wrong_reading(reader):
    reading = reader.read(number_with_a_stray_bar_below())
    assert reading.lines[0].text == "4096" and (reading.text == "4096" or reading.needs_review)


def test_a_reading_of_several_lines_is_no_surer_than_its_least_sure_line(reader):
    page = np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("RGB"))
    reading = reader.read(np.vstack([page, cv2.GaussianBlur(page, (0, 0), 4)]))  # the copy below is out of focus
    sure, blurred = reading.lines
    assert sure.text == blurred.text == "4096" and blurred.confidence < sure.confidence
    assert reading.confidence <= blurred.confidence


def test_a_border_bar_at_the_cells_side_above_the_number_is_no_line_of_its_own(reader):
    number = np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("L"))
    number = cv2.resize(number, (96, 29), interpolation=cv2.INTER_AREA)
    cell = np.full((68, 124), int(np.median(number)), np.uint8)
    cell[33:62, 12:108] = number
    cell[0:26, 2:6] = 40  # the left border's end, above the number's band
    assert [line.text for line in reader.read(cell).lines] == ["4096"]


def test_a_border_bar_at_either_side_of_the_cell_far_from_the_number_is_no_digit(reader):
    number = np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("L"))
    number = cv2.resize(number, (96, 29), interpolation=cv2.INTER_AREA)
    for bar in (slice(4, 7), slice(143, 146)):
        cell = np.full((52, 150), int(np.median(number)), np.uint8)
        cell[12:41, 27:123] = number
        cell[2:50, bar] = 40  # what the crop left of the cell's side border, taller than the digits
        assert [line.text for line in reader.read(cell).lines] == ["4096"]


def test_a_drawings_long_straight_stroke_along_its_edge_is_kept_as_ink_not_removed_as_a_border(reader):
    alpha = np.zeros((400, 400), np.uint8)
    turn = np.linspace(np.pi, 2.1 * np.pi, 40)
    hook = np.stack([170 + 60 * np.cos(turn), 150 + 60 * np.sin(turn)], axis=1)
    two = np.vstack([hook, [[110, 378], [330, 374]]]).astype(np.int32)  # its base runs along the canvas's bottom
    cv2.polylines(alpha, [two], False, 255, 14, cv2.LINE_AA)
    drawing = np.zeros((400, 400, 4), np.uint8)
    drawing[..., 3] = alpha
    reading = reader.read(drawing, stages=True)
    assert reading.text == "2"
    assert "a drawing on a transparent field" in next(s.caption for s in reading.stages if s.name == "clean-up")


def test_small_noisy_cells_framed_on_every_side_are_read(reader):
    rng = np.random.default_rng(1)
    cells = [cell_jpeg(rng) for _ in range(6)]  # 60x34 JPEGs of '4096' or '2026' inside dark borders, with noise
    assert {reader.read(cell).text for cell in cells} == {"4096", "2026"}
    chalk = [255 - np.asarray(Image.open(io.BytesIO(cell)).convert("L")) for cell in cells]  # light on dark
    assert {reader.read(cell).text for cell in chalk} == {"4096", "2026"}


@pytest.mark.parametrize("sample, degrees, levelled", [("2026_canvas.png", -10, True),
                                                       ("78136_ruled_blue_pen.jpg", 12, True),
                                                       ("4096_paper.png", 10, False), ("4096_paper.png", 25, True),
                                                       ("2026_canvas.png", -28, True)])
def test_a_number_photographed_at_a_tilt_is_levelled_and_read(reader, sample, degrees, levelled):
    """Far askew, a line is turned level; four digits a little askew pile into rows too little better turned to say
    so (a cell's remnant in a corner climbs as steeply), and are read sheared upright."""
    pixels = reader.load(SAMPLES / sample).pixels
    height, width = pixels.shape[:2]
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    tilted = cv2.warpAffine(pixels, turn, (width, height), borderMode=cv2.BORDER_REPLICATE)
    reading = reader.read(tilted, stages=True)
    assert reading.text == expected_text(SAMPLES / sample)
    caption = next(stage.caption for stage in reading.stages if stage.name == "deslant")
    assert ("to lie level" in caption) == levelled


@pytest.mark.parametrize("quarters", [2, 3])
def test_a_number_photographed_turned_is_read_upright_and_boxed_on_the_image_as_given(reader, quarters):
    upright = np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("RGB"))
    reading = reader.read(np.ascontiguousarray(np.rot90(upright, quarters)))
    assert reading.text == "4096" and "turned" in reading.notes[0]
    assert reading.turns == reading.to_dict()["turns"] == 4 - quarters  # the way to turn it upright, anticlockwise
    as_given = reader.read(upright)
    assert as_given.turns == as_given.to_dict()["turns"] == 0
    expected = [d.box.turned(quarters, (upright.shape[1], upright.shape[0])) for d in as_given.digits]
    for digit, box in zip(reading.digits, expected):
        assert abs(digit.box.x - box.x) <= 4 and abs(digit.box.y - box.y) <= 4


@pytest.mark.parametrize("sample", ["4096_paper.png", "78136_ruled_blue_pen.jpg"])
def test_a_sheet_photographed_on_a_dark_desk_is_read_as_the_sheet_alone(reader, sample):
    pixels = reader.load(SAMPLES / sample).pixels
    height, width = pixels.shape[:2]
    on_desk = cv2.copyMakeBorder(pixels, height // 4, height // 4, width // 4, width // 4, cv2.BORDER_CONSTANT,
                                 value=(35, 30, 28))  # the desk showing all round, a quarter of each side
    reading = reader.read(on_desk, stages=True)
    assert reading.text == expected_text(SAMPLES / sample)
    assert "A desk shows" in next(stage.caption for stage in reading.stages if stage.name == "sheet")


def test_a_number_on_its_side_reads_as_surely_as_upright_where_its_turned_reading_confirms_the_turn(reader):
    """The shapes leave the turn in doubt; the turned reading is sure of its digits, and the field confidence, fitted
    on the readings the reader keeps, turned ones among them, is not held down to the shapes' doubt."""
    upright = np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("RGB"))
    turned = np.ascontiguousarray(np.rot90(upright))
    answers = reader.answers([prepare(turned, reader.settings)])[0]
    (way,) = turns_to_try(reader.models.turn_evidence, answers.turns, answers.half_turn)
    reading = reader.read(turned)
    assert reading.text == "4096" and way.probability < reader.settings.review_below
    assert reading.confidence == pytest.approx(reader.read(upright).confidence) and not reading.needs_review
    assert reading.notes[0].startswith("Read turned 270 degrees anticlockwise")


def held_out_scene(kind: str, seed: int, index: int):
    """The stress suite's scene `index` of `kind` on `seed`, drawn as the suite draws it, by the held-out writers."""
    from digitocr.training import scenes, stress
    from digitocr.training.mnist import load_mnist
    from digitocr.training.pendigits import parse_pendigits

    pool = stress.held_out_pool(load_mnist(SHARED / "data/mnist"),
                                parse_pendigits(SHARED / "data/pendigits/pendigits-orig.tra"))
    rng = np.random.default_rng([seed, stress.STREAMS.index(kind)])
    return [scenes.make_scene(kind, scenes.Writer(pool), rng) for _ in range(index + 1)][-1]


@needs_shared
def test_a_small_number_photographed_on_its_side_is_read_though_its_marks_point_the_wrong_way_first(reader):
    """A phone's photo of a sheet, '2693' written small on it, turned a quarter: as given it reads as nothing, and the
    shapes of four small digits make another turn the likeliest; a person turns the page each way."""
    scene = held_out_scene("small_in_photo", seed=5150, index=2)
    turned = np.ascontiguousarray(np.rot90(scene.pixels, 3))
    answers = reader.answers([prepare(turned, reader.settings.with_changes(working_side=1600))])[0]
    first = turns_to_try(reader.models.turn_evidence, answers.turns, answers.half_turn, read_in_doubt=True)[0]
    assert scene.text == "2693" and first.turns != 1
    reading = reader.read(turned)
    assert reading.text == "2693" and "Read turned 90 degrees anticlockwise: as given it reads as nothing" in \
        " ".join(reading.notes)


@needs_shared
def test_a_small_number_on_its_side_that_reads_as_nothing_on_the_whole_photo_is_read_cut_out(reader):
    """A phone's photo turned a quarter, '736279' written small on it by a held-out writer: on the whole photo, even
    looked at closer and turned each way, it reads as nothing; the part around the marks kept, cut out, reads it."""
    scene = held_out_scene("turned_photo", seed=7, index=29)
    reading = reader.read(scene.pixels)
    assert scene.text == "736279" and reading.text == "736279"
    cut_out, turned = reading.notes[:2]  # the outer step's note first, then the cut part's own
    assert cut_out.startswith("Read again as the part of the image around its marks") and "for the whole image" in cut_out
    assert turned.startswith("Read turned 90 degrees anticlockwise")
    (x, y, width, height), _ = scene.lines[0]
    centres = [(digit.box.x + digit.box.width / 2, digit.box.y + digit.box.height / 2) for digit in reading.digits]
    assert all(x <= across <= x + width and y <= down <= y + height for across, down in centres)  # on the whole photo


@needs_shared
def test_a_small_number_photographed_on_its_side_that_reads_in_doubt_after_a_closer_look_is_read_turned(reader):
    """A phone's photo turned a quarter, '624' written small on it by a held-out writer: as given, looked at closer,
    it reads '5', 56% sure, and so did the part around that '5', cut out. Its marks leave the turn more likely than
    its prior: turned, the closer look reads '624' 85% sure, and the part around those digits, cut out, 96%."""
    scene = held_out_scene("turned_photo", seed=5150, index=24)
    reading = reader.read(scene.pixels)
    assert scene.text == "624" and reading.text == "624"
    assert reading.notes[0].startswith("Read again as the part of the image around its digits") and \
        "(against 85% for the whole image)" in reading.notes[0]


@needs_shared
def test_the_part_cut_out_around_a_small_turned_number_still_in_doubt_is_read_turned(reader):
    """'8052' written small on a phone's photo turned half round, by a held-out writer: looked at closer, it reads
    '9503', and so does the part around it cut out, 16% sure. Turned, that part reads '8052' 94% sure."""
    scene = held_out_scene("turned_photo", seed=7, index=32)
    reading = reader.read(scene.pixels)
    assert scene.text == "8052" and reading.text == "8052"
    assert reading.notes[0].startswith("Read again as the part of the image around its digits")
    assert reading.notes[1].startswith("Read turned 180 degrees anticlockwise")


@needs_shared
def test_a_small_number_in_doubt_on_a_photo_its_marks_say_is_upright_is_not_turned(reader):
    """'84512056' written small on a phone's photo, upright: looked at closer it reads in doubt (76%), but its eight
    marks leave no turn as likely as its prior, so it is not read turned, where a half turn reads one '0' 98% sure."""
    scene = held_out_scene("small_in_photo", seed=5150, index=26)
    reading = reader.read(scene.pixels)
    assert scene.text == reading.text == "84512056" and reading.needs_review
    assert not any("turned" in note for note in reading.notes)


@needs_shared
def test_a_number_on_its_side_read_surely_as_another_is_read_turned_where_its_marks_say_it_lies_turned(reader):
    """'4041' written by a held-out writer, turned a quarter clockwise: as it lies, its marks read as one sure '0',
    but they look turned, and the field confidence weighs that, so the turned reading, surer still, is kept."""
    scene = held_out_scene("turned_270", seed=7, index=53)
    reading = reader.read(scene.pixels)
    assert scene.text == "4041" and reading.text == "4041"
    assert "Read turned 90 degrees anticlockwise" in " ".join(reading.notes)


def on_ruled_paper(sample: str, spacing: int, offset: int) -> np.ndarray:
    """A sample's ink written across a ruled page, a rule every `spacing` pixels, one of them `offset` below the
    digits' top: the rules run through the digits."""
    ink = sample_ink(sample)
    ys, xs = np.nonzero(ink)
    ink = ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    page = blank_page(ink.shape[0] + 2 * spacing, ink.shape[1] + 80)
    for y in range(offset % spacing, page.shape[0], spacing):
        page[y:y + 2] = 120
    page[spacing:spacing + ink.shape[0], 40:40 + ink.shape[1]][ink > 0] = 30
    return page


@pytest.mark.parametrize("spacing, offset, quarters", [(40, 15, 1), (40, 25, 3), (60, 0, 3)])
def test_a_ruled_page_photographed_on_its_side_is_read(reader, spacing, offset, quarters):
    # the rules then run down the page through the digits: they are no measure of the digits' height
    page = on_ruled_paper("78136_ruled_blue_pen.jpg", spacing, offset)
    assert reader.read(page).text == "78136"
    assert reader.read(np.ascontiguousarray(np.rot90(page, quarters))).text == "78136"


@pytest.mark.parametrize("sample", ["4096_paper.png", "78136_ruled_blue_pen.jpg", "2026_canvas.png"])
def test_an_upright_number_is_not_turned(reader, sample):
    reading = reader.read(SAMPLES / sample)
    assert reading.text == expected_text(SAMPLES / sample) and not any("Read turned" in n for n in reading.notes)


def test_a_column_of_single_digits_reads_top_to_bottom_one_line_each(reader):
    page = blank_page(560, 200)
    for row, label in enumerate("10110"):
        if label == "1":
            cv2.line(page, (100, 30 + row * 105), (98, 100 + row * 105), 20, 6)  # a pen's stroke, as wide as the 0s'
        else:
            draw_ring(page, (100, 65 + row * 105), (22, 34))
    reading = reader.read(page)
    assert reading.text == "1\n0\n1\n1\n0"


def test_noise_below_a_number_is_set_aside_and_the_number_kept(reader):
    number = np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("L"))
    noise = np.where(np.random.default_rng(8).random((160, number.shape[1])) < 0.35, 40, 232).astype(np.uint8)
    reading = reader.read(np.vstack([number, noise]), stages=True)
    assert reading.text == "4096"
    assert any("set aside as no part of the number" in note for note in reading.notes)
    assert "Red:" in next(stage.caption for stage in reading.stages if stage.name == "reading")


@pytest.mark.parametrize("encoded", [False, True], ids=["array", "jpeg"])
def test_a_long_strip_of_writing_is_read_whole(reader, encoded):
    """A row scanned whole, 8,400 by 130 pixels: brought down to the working side it was 16 pixels tall, and its line
    of 80 digits, squeezed to 768 of the recognizer's columns, read as a few '1's."""
    strip = np.tile(np.asarray(Image.open(SAMPLES / "4096_paper.png").convert("RGB")), (1, 20, 1))
    if encoded:
        stream = io.BytesIO()
        Image.fromarray(strip).save(stream, "JPEG", quality=92)
        strip = stream.getvalue()
    assert reader.read(strip).text == "4096" * 20


@pytest.mark.parametrize("ink_colour, paper_colour", [((200, 40, 40), (40, 130, 40)), ((60, 60, 255), (150, 40, 40)),
                                                      ((230, 30, 30), (92, 92, 92))],
                         ids=["red on green", "blue on red", "red on grey"])
def test_ink_of_its_papers_lightness_is_read_by_its_colour(reader, ink_colour, paper_colour):
    """Each pair has one lightness, so luminance made the page one gray, read as nothing; a person sees the number."""
    ink = cv2.GaussianBlur(sample_ink("4096_paper.png"), (3, 3), 0)[..., None] / 255.0
    page = (np.array(paper_colour) * (1 - ink) + np.array(ink_colour) * ink).astype(np.uint8)
    lightness = cv2.cvtColor(page, cv2.COLOR_RGB2GRAY)
    assert int(lightness.max()) - int(lightness.min()) < 25
    reading = reader.read(page, stages=True)
    assert reading.text == "4096"
    assert "along its colours' main axis" in next(s.caption for s in reading.stages if s.name == "grayscale")


def test_ink_of_its_papers_lightness_is_read_by_its_colour_under_light_falling_off_across_the_page(reader):
    """Purple ink on green paper of one lightness, photographed with the light falling to 65% across the page: the
    paper's slow change in lightness outweighed the ink's colour when the whole image was measured, and the number
    read as nothing; measured on the marks (what differs from the paper around them), the colour shows."""
    ink = cv2.GaussianBlur(sample_ink("4096_paper.png"), (3, 3), 0)[..., None] / 255.0
    paper, purple = np.array([80.0, 200.0, 130.0]), np.array([170.0, 140.0, 190.0])
    light = np.linspace(1.0, 0.65, ink.shape[1])[None, :, None]
    page = ((paper * (1 - ink) + purple * ink) * light).astype(np.uint8)
    reading = reader.read(page, stages=True)
    assert reading.text == "4096"
    assert "along its colours' main axis" in next(s.caption for s in reading.stages if s.name == "grayscale")
