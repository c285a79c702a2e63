import csv
import io
import json

from conftest import SAMPLES
from digitocr.errors import UnsupportedImageError
from digitocr.frontends.presentation import readings_csv, readings_json, zip_left_out_note
from digitocr.results import ROW_COLUMNS, Outcome


def test_the_apps_exports_are_the_shared_schema(reader):
    named = [("4096.png", next(reader.read_many([SAMPLES / "4096_paper.png"]))),
             ("notes.png", Outcome(b"x", error=UnsupportedImageError("not an image")))]
    rows = list(csv.DictReader(io.StringIO(readings_csv(named))))
    assert tuple(rows[0]) == ROW_COLUMNS and rows[0]["text"] == "4096" and rows[1]["error"] == "not an image"
    objects = json.loads(readings_json(named))
    assert objects[0] == named[0][1].to_dict("4096.png") and objects[1]["error"] == "not an image"


def test_a_zip_tells_what_it_left_out_and_when_it_holds_nothing_to_read():
    assert zip_left_out_note("cells.zip", 3, []) is None
    assert zip_left_out_note("empty.zip", 0, []) == "empty.zip holds no file to read."
    note = zip_left_out_note("scans.zip", 0, [f"page{i}.pdf" for i in range(7)])
    assert note.startswith("scans.zip: 7 file(s) left out, not images by their names: page0.pdf, page1.pdf")
    assert "page4.pdf, ..." in note and "page5.pdf" not in note and note.endswith("It holds no image to read.")
