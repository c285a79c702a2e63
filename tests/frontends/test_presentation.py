import csv
import io
import json

from conftest import SAMPLES
from digitocr.errors import UnsupportedImageError
from digitocr.frontends.presentation import readings_csv, readings_json
from digitocr.results import ROW_COLUMNS, Outcome


def test_the_apps_exports_are_the_shared_schema(reader):
    named = [("4096.png", next(reader.read_many([SAMPLES / "4096_paper.png"]))),
             ("notes.png", Outcome(b"x", error=UnsupportedImageError("not an image")))]
    rows = list(csv.DictReader(io.StringIO(readings_csv(named))))
    assert tuple(rows[0]) == ROW_COLUMNS and rows[0]["text"] == "4096" and rows[1]["error"] == "not an image"
    objects = json.loads(readings_json(named))
    assert objects[0] == named[0][1].to_dict("4096.png") and objects[1]["error"] == "not an image"
