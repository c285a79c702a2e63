"""Batch reading on a local Ray of two CPUs gives what the CLI gives, one row per image."""

import csv
import json

import numpy as np
import pytest

from digitocr.frontends.batch import run_batch
from digitocr.frontends.bench import cell_jpeg
from digitocr.frontends.inputs import batch_inputs
from digitocr.settings import ReaderSettings

ray = pytest.importorskip("ray")
pyarrow_parquet = pytest.importorskip("pyarrow.parquet")
CELLS = 40


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cells")
    rng = np.random.default_rng(7)
    for index in range(CELLS):
        (folder / f"cell{index:03d}.jpg").write_bytes(cell_jpeg(rng))
    (folder / "zz_notes.png").write_bytes(b"not an image")
    return folder


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_a_folder_on_local_ray_gives_the_clis_readings_one_row_per_image(reader, cells, local_ray, tmp_path):
    paths = batch_inputs(str(cells))
    assert run_batch(paths, str(tmp_path / "out"), workers=2) == CELLS + 1
    rows = pyarrow_parquet.read_table(tmp_path / "out").to_pylist()
    expected = {str(outcome.source): outcome.to_row(str(outcome.source)) for outcome in reader.read_many(paths)}
    assert [row["path"] for row in rows] == paths
    assert {row["path"]: row for row in rows} == expected
    assert "not an image" in rows[-1]["error"] and rows[-1]["text"] is None
    assert sum(row["text"] in ("4096", "2026") for row in rows) >= CELLS - 2


def test_csv_output_and_a_list_of_paths_as_input(reader, cells, local_ray, tmp_path):
    listing = tmp_path / "list.txt"
    chosen = sorted(str(path) for path in cells.glob("cell00*.jpg"))
    listing.write_text("\n".join(chosen) + "\n")
    assert batch_inputs(str(listing)) == chosen
    run_batch(batch_inputs(str(listing)), str(tmp_path / "out.csv"), workers=2, settings=ReaderSettings(review_below=1))
    rows = [row for part in sorted((tmp_path / "out.csv").iterdir()) for row in csv.DictReader(part.open())]
    assert [row["path"] for row in rows] == chosen
    assert [row["text"] for row in rows] == [reader.read(path).text for path in chosen]
    assert {row["needs_review"] for row in rows} == {"true"}  # every reading, under the review setting asked for
    assert all(len(json.loads(row["digit_confidences"])) == len(row["text"]) for row in rows)
