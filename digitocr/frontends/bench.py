"""Speed benchmark: `python -m digitocr.bench [--repeats N] [--cells N]`.

Prints, for a generated 12 MP phone-style JPEG of an 8-digit number, a
600x400 canvas drawing and a 60x34 table cell: warm latency from encoded
bytes to text (median and 95th percentile), time per pipeline stage; then
cold start (import and model load, in a fresh process), a folder of cells
read by the CLI (start-up included), peak memory, and the same photo read by
a naive reader that decodes at full size and calls `model.predict` once per
digit, and the classifier's latency through ONNX Runtime and through Keras.
The images are drawn from the project's sample images, so no data beyond the
project is needed.
"""

import argparse
import functools
import io
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ..arguments import whole_number
from ..image.lines import recognizer_lines
from ..image.loading import load_image
from ..image.pipeline import analyse
from ..networks.classifier import DigitClassifier
from ..networks.model_files import int8_ranges
from ..reader import Reader
from ..reader.line_views import views
from ..settings import ReaderSettings

PROJECT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT / "sample_images"


@functools.lru_cache(maxsize=None)
def _ink_strip(name: str) -> np.ndarray:
    """A sample's ink as darkness in [0, 1], cropped to the number."""
    gray = cv2.cvtColor(load_image(SAMPLES / name).pixels, cv2.COLOR_RGB2GRAY).astype(np.float32)
    background = float(np.median(gray))
    ink = np.clip((background - gray) / max(background - gray.min(), 1.0), 0, 1)
    ink[ink < 0.25] = 0
    ys, xs = np.nonzero(ink)
    return ink[ys.min():ys.max() + 1, xs.min():xs.max() + 1]


def phone_photo_jpeg() -> bytes:
    """4000x3000 paper under a shadow with '40962026' written across it, JPEG at quality 90."""
    rng = np.random.default_rng(0)
    height, width = 3000, 4000
    page = np.full((height, width), 225.0, np.float32) + rng.normal(0, 4, (height, width)).astype(np.float32)
    page *= np.linspace(0.55, 1.0, width, dtype=np.float32)[None, :]
    strips = [_ink_strip(name) for name in ("4096_paper.png", "2026_canvas.png")]
    ink_height = int(3200 / sum(strip.shape[1] / strip.shape[0] for strip in strips))
    left = 300
    for strip in strips:
        scale = ink_height / strip.shape[0]
        strip = cv2.resize(strip, None, fx=scale, fy=scale, interpolation=cv2.INTER_LINEAR)
        top = 1500 - ink_height // 2
        region = page[top:top + strip.shape[0], left:left + strip.shape[1]]
        region[:] = region * (1 - strip) + 40 * strip
        left += strip.shape[1] + 150
    rgb = np.dstack([page, page * 0.98, page * 0.95]).clip(0, 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def canvas_png() -> bytes:
    """A 600x400 RGBA canvas export with '2026' drawn in black on transparency."""
    drawing = np.asarray(Image.open(SAMPLES / "2026_canvas.png").convert("RGBA"))
    canvas = np.zeros((400, 600, 4), np.uint8)
    scale = min(560 / drawing.shape[1], 360 / drawing.shape[0])
    resized = cv2.resize(drawing, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    canvas[20:20 + resized.shape[0], 20:20 + resized.shape[1]] = resized
    buffer = io.BytesIO()
    Image.fromarray(canvas, "RGBA").save(buffer, "PNG")
    return buffer.getvalue()


def cell_jpeg(rng: np.random.Generator | None = None) -> bytes:
    """A 60x34 table cell: a photographed number between cell borders."""
    strip = _ink_strip("4096_paper.png" if rng is None or rng.random() < 0.5 else "2026_canvas.png")
    cell = np.full((34, 60), 200.0, np.float32)
    scale = min(50 / strip.shape[1], 24 / strip.shape[0])
    strip = cv2.resize(strip, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    top, left = (34 - strip.shape[0]) // 2, (60 - strip.shape[1]) // 2
    cell[top:top + strip.shape[0], left:left + strip.shape[1]] *= 1 - 0.7 * strip
    cell[:, :2] = cell[:, -2:] = cell[:2, :] = cell[-2:, :] = 90
    if rng is not None:
        cell += rng.normal(0, 5, cell.shape)
    buffer = io.BytesIO()
    Image.fromarray(cell.clip(0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q))


def time_reads(reader: Reader, data: bytes, repeats: int) -> tuple[list[float], dict[str, float], str]:
    """Warm latencies (s) of whole reads, and the median time of each stage."""
    reader.read(data)
    latencies, stage_times = [], {}
    for _ in range(repeats):
        started = time.perf_counter()
        reader.read(data)
        latencies.append(time.perf_counter() - started)
    for _ in range(max(3, repeats // 5)):
        started = time.perf_counter()
        loaded = reader.load(data)
        decoded = time.perf_counter()
        analysis = analyse(loaded.pixels, loaded.original_size, loaded.scale, reader.settings,
                           drawn_ink=loaded.drawn_ink)
        analysed = time.perf_counter()
        lines = recognizer_lines(analysis) if reader.settings.read_lines and not analysis.single_digit else []
        cut = time.perf_counter()
        reader.classifier.predict(analysis.model_inputs)
        classified = time.perf_counter()
        reader.line_recognizer.frames([view.image for line in lines for view in views(line)])
        recognized = time.perf_counter()
        for name, seconds in {"decode": decoded - started, **analysis.timings, "line cut": cut - analysed,
                              "classify": classified - cut, "line recognizer": recognized - classified}.items():
            stage_times.setdefault(name, []).append(seconds)
    return latencies, {name: statistics.median(times) for name, times in stage_times.items()}, reader.read(data).text


def naive_read(model, data: bytes) -> str:
    """What the peers do: every pixel decoded, the pipeline at full size, one `predict` call per digit."""
    loaded = load_image(data, max_pixels=10 ** 9)
    settings = ReaderSettings(working_side=max(loaded.pixels.shape))
    analysis = analyse(loaded.pixels, loaded.original_size, loaded.scale, settings)
    labels = [int(np.argmax(model.predict(single[None, ..., None], verbose=0))) for single in analysis.model_inputs]
    return "".join(str(label) for label in labels)


def cold_start_seconds() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from digitocr import Reader; Reader()"], check=True,
                   cwd=PROJECT, capture_output=True)
    return time.perf_counter() - started


def folder_rate(count: int, model: str | None) -> tuple[float, int]:
    """Images per second for the CLI on a folder of `count` cells, process start-up included."""
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as folder:
        for index in range(count):
            Path(folder, f"cell{index:05d}.jpg").write_bytes(cell_jpeg(rng))
        started = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "digitocr", "read", "--json", folder,
                                 *(["--model", model] if model else [])], capture_output=True, text=True, cwd=PROJECT)
        seconds = time.perf_counter() - started
    return count / seconds, len(result.stdout.splitlines())


def engine_latencies(reader: Reader, batch_sizes=(1, 8, 64, 256), repeats: int = 30) -> None:
    """The same model through ONNX Runtime (what reads) and through Keras' compiled call, batch by batch."""
    keras_classifier = DigitClassifier.from_keras(reader.classifier.keras_model())
    inputs = np.random.default_rng(0).random((max(batch_sizes), 28, 28), dtype=np.float32)
    for size in batch_sizes:
        medians = []
        for classifier in (reader.classifier, keras_classifier):
            classifier.predict(inputs[:size])
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                classifier.predict(inputs[:size])
                times.append(time.perf_counter() - started)
            medians.append(1000 * statistics.median(times))
        print(f"classify {size} digits: ONNX Runtime {medians[0]:.2f} ms, Keras {medians[1]:.2f} ms")


def current_rss_mb() -> float:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def soak(reader: Reader, reads: int) -> None:
    """Read a canvas and a cell over and over; resident memory should level off after warm-up."""
    images = [canvas_png(), cell_jpeg()]
    checkpoints = {}
    for index in range(1, reads + 1):
        reader.read(images[index % 2])
        if index in (reads // 10, reads // 2, reads):
            checkpoints[index] = current_rss_mb()
    print("soak: resident memory after " + ", ".join(f"{n} reads {mb:.0f} MB" for n, mb in checkpoints.items()))


def report(name: str, latencies: list[float], stages: dict[str, float], text: str) -> None:
    print(f"{name}: read {text!r}; warm median {1000 * statistics.median(latencies):.1f} ms, "
          f"p95 {1000 * percentile(latencies, 95):.1f} ms over {len(latencies)} reads")
    print("    stages (median ms): " + ", ".join(f"{stage} {1000 * seconds:.2f}" for stage, seconds in stages.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=whole_number(1), default=50, help="warm reads per image")
    parser.add_argument("--cells", type=whole_number(1), default=3000, help="cells in the folder read by the CLI")
    parser.add_argument("--naive-repeats", type=whole_number(1), default=3)
    parser.add_argument("--soak", type=whole_number(0), default=0, help="also read this many images to watch memory")
    parser.add_argument("--model", help="a classifier to time instead of the shipped one (to compare two)")
    args = parser.parse_args(argv)

    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(f"cold start (import + model load, fresh process): {cold_start_seconds():.2f} s")
    reader = Reader(args.model)
    print(f"classifier {Path(reader.classifier.path).name}: {reader.classifier.multiply_adds:,} multiply-adds a "
          f"digit, {Path(reader.classifier.path).stat().st_size / 1e6:.2f} MB")
    precision = "8-bit integers" if int8_ranges(reader.line_recognizer.path) else "floats (its card has no int8 ranges)"
    print(f"line recognizer {Path(reader.line_recognizer.path).name}: convolutions on {precision}")
    photo = phone_photo_jpeg()
    photo_latencies, photo_stages, photo_text = time_reads(reader, photo, args.repeats)
    report(f"12 MP phone photo ({len(photo) / 1e6:.1f} MB JPEG)", photo_latencies, photo_stages, photo_text)
    report("600x400 canvas", *time_reads(reader, canvas_png(), args.repeats))
    report("60x34 table cell", *time_reads(reader, cell_jpeg(), args.repeats * 4))

    naive = []
    for _ in range(args.naive_repeats):
        started = time.perf_counter()
        naive_text = naive_read(reader.classifier.keras_model(), photo)
        naive.append(time.perf_counter() - started)
    ratio = statistics.median(naive) / statistics.median(photo_latencies)
    print(f"naive reader on the photo: read {naive_text!r}; median {1000 * statistics.median(naive):.0f} ms "
          f"over {len(naive)} reads; digitocr is {ratio:.1f}x faster")

    engine_latencies(reader)
    rate, lines = folder_rate(args.cells, args.model)
    print(f"CLI on a folder of {args.cells} cells (start-up included): {rate:.0f} images/s ({lines} results)")
    if args.soak:
        soak(reader, args.soak)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
