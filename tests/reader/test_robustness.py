"""Hostile input: any array gives a reading or a typed error, boxes stay inside, results are repeatable."""

import io
import struct
import threading
import zlib

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

from conftest import SAMPLES, blank_page
from digitocr import DigitOcrError, ImageTooLargeError, ReaderSettings
from digitocr.reader.prepare import prepare

SHAPES = st.one_of(
    st.tuples(st.integers(1, 120), st.integers(1, 120)),
    st.tuples(st.integers(1, 120), st.integers(1, 120), st.sampled_from([1, 3, 4])),
    st.tuples(st.integers(0, 3), st.integers(0, 3), st.integers(0, 6)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(arrays(np.uint8, SHAPES))
def test_any_uint8_array_gives_a_reading_or_a_typed_error(reader, array):
    if not is_an_image(array):
        with pytest.raises(DigitOcrError):
            reader.read(array)
        return
    reading = reader.read(array)
    height, width = array.shape[:2]
    assert reading.image_size == (width, height)
    assert len(reading.text.replace("\n", "")) == len(reading.digits)
    for digit in reading.digits:
        assert 0 <= digit.box.x < width and 0 <= digit.box.y < height
        assert digit.box.x + digit.box.width <= width and digit.box.y + digit.box.height <= height
    again = reader.read(array)
    assert again.to_dict() == reading.to_dict()


def is_an_image(array: np.ndarray) -> bool:
    """Whether an array holds pixels the reader takes: gray, RGB or RGBA, no side empty."""
    return array.size > 0 and (array.ndim == 2 or array.shape[2] in (1, 3, 4))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 6), st.integers(1, 3000), st.integers(1, 6))
def test_extreme_aspect_ratios_do_not_break_the_pipeline(reader, short, long, seed):
    array = np.random.default_rng(seed).integers(0, 256, (short, long), np.uint8)
    for image in (array, array.T):
        reading = reader.read(image)
        height, width = image.shape
        assert reading.image_size == (width, height)
        assert all(d.box.x + d.box.width <= width and d.box.y + d.box.height <= height for d in reading.digits)


@pytest.mark.parametrize("page", [
    np.zeros((300, 300), np.uint8),  # solid black
    np.full((300, 300), 255, np.uint8),  # solid white
    np.tile((np.arange(300) % 20 < 2).astype(np.uint8)[:, None] * 255, (1, 300)),  # a grid of rules
], ids=["black", "white", "rules"])
def test_pages_without_digits_read_nothing(reader, page):
    assert reader.read(page).text == ""


def test_a_page_of_specks_is_bounded_and_says_so(reader):
    page = blank_page(1000, 1000)
    rng = np.random.default_rng(2)
    ys, xs = rng.integers(0, 998, 6000), rng.integers(0, 998, 6000)
    for y, x in zip(ys, xs):
        page[y:y + 3, x:x + 3] = 0
    bounded = ReaderSettings(max_components=500)
    assert any("500" in note for note in reader.read(page, bounded).notes)
    assert prepare(page, bounded).analysis.segmentation.capped


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares `width` x `height`: a decompression bomb's calling card."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    header = data.index(b"IHDR")
    data[header + 4:header + 12] = struct.pack(">II", width, height)
    data[header + 17:header + 21] = struct.pack(">I", zlib.crc32(bytes(data[header:header + 17])))
    return bytes(data)


@pytest.mark.parametrize("width, height, size", [(20000, 20000, "400 MP"), (9000, 9000, "81 MP"),
                                                 (1, 100000000, "100 MP")])
def test_huge_images_are_refused_before_decoding_with_their_size(reader, width, height, size):
    with pytest.raises(ImageTooLargeError, match=f"{size}.*the limit is 40 MP"):
        reader.read(png_claiming_size(width, height))


def test_reading_from_eight_threads_gives_identical_results(reader):
    images = [p.read_bytes() for p in sorted(SAMPLES.glob("*.*"))]
    expected = [reader.read(image).to_dict() for image in images]
    results: dict[int, list] = {}

    def work(worker: int) -> None:
        results[worker] = [reader.read(image).to_dict() for image in images * 2]

    threads = [threading.Thread(target=work, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert len(results) == 8
    for worker_results in results.values():
        assert worker_results == expected * 2


def test_a_drawing_of_specks_is_never_read_surely(reader):
    rng = np.random.default_rng(3)
    for height, width, share in ((1000, 1000, 0.2), (300, 300, 0.2), (400, 600, 0.05)):
        drawing = np.zeros((height, width, 4), np.uint8)
        drawing[..., 3] = (rng.random((height, width)) < share) * 255  # black specks on a see-through field
        assert reader.read(drawing).needs_review


def test_a_small_scan_of_a_blot_is_never_read_surely(reader):
    """A filled blot's outline is a ring: read as a '0' it would pass for a scanned digit."""
    rng = np.random.default_rng(11)
    for _ in range(40):
        scan = np.full((16, 16), 255, np.uint8)
        centre, radius = tuple(int(v) for v in rng.integers(5, 11, 2)), int(rng.integers(3, 7))
        cv2.circle(scan, centre, radius, 0, -1)
        if rng.random() < 0.5:
            scan = cv2.GaussianBlur(scan, (3, 3), 0)
        assert reader.read(np.dstack([scan] * 3)).needs_review, (centre, radius)
