"""Make the project's sample images: `python -m digitocr.samples --mnist DIR --pendigits FILE`.

Every sample is drawn here from MNIST test digits (CC BY-SA 3.0) or pendigits
pen strokes (CC BY 4.0), on paper, a board or a transparent canvas, so the
project ships no image it did not make. The expected number is the file name's
first part (`4096_paper.png` holds 4096; `-` stands for a line break).
"""

import argparse
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from ..arguments import errors_in_one_line, existing_file, existing_path
from .mnist import load_mnist
from .pendigits import PenDigit, bounds, draw_strokes, parse_pendigits, scale_strokes

SEED = 8
SAMPLE_WRITER = 27  # a pendigits writer held out of training


def pick_mnist(images: np.ndarray, labels: np.ndarray, text: str, rng: np.random.Generator) -> list[np.ndarray]:
    return [images[rng.choice(np.nonzero(labels == int(ch))[0])] for ch in text]


def paper(height: int, width: int, rng: np.random.Generator, tone: int = 232, shadow: float = 0.0) -> np.ndarray:
    """Grainy paper, optionally darkened by a soft shadow from the left."""
    page = np.full((height, width), float(tone)) + rng.normal(0, 3, (height, width))
    if shadow:
        ramp = np.clip(np.linspace(1.0, -0.5, width), 0, 1)
        page *= 1 - shadow * ramp[None, :]
    return page


def place_mnist_lines(page: np.ndarray, lines: list[list[np.ndarray]], scale: int, ink: float,
                      rng: np.random.Generator) -> np.ndarray:
    """Blend enlarged MNIST digits onto `page` as pen ink of value `ink`, line under line."""
    result = page.copy()
    size = 28 * scale
    for row, digits in enumerate(lines):
        top = 20 + row * int(size * 1.1)
        left = 30
        for digit in digits:
            strength = cv2.resize(digit, (size, size), interpolation=cv2.INTER_CUBIC).astype(np.float64) / 255.0
            strength = np.clip(strength, 0, 1)
            y, x = top + int(rng.integers(-4, 5)), left
            window = result[y:y + size, x:x + size]
            window[:] = window * (1 - strength) + ink * strength
            left += int(size * rng.uniform(0.62, 0.75))
    return result


def pen_number(digits: list[PenDigit], height: int, stroke: int, gap: float) -> list[tuple[np.ndarray, ...]]:
    """Strokes of several pen digits laid out left to right at one height."""
    placed, left = [], 0.0
    for digit in digits:
        moved = scale_strokes(digit.strokes, height, (left, 0.0))
        placed.append(moved)
        left = bounds(moved)[2] + gap * height + stroke
    return placed


def pick_pen(pen_digits: list[PenDigit], text: str, writer: int) -> list[PenDigit]:
    mine = [d for d in pen_digits if d.writer == writer]
    return [next(d for d in mine if d.label == int(ch)) for ch in text]


def to_uint8(page: np.ndarray) -> np.ndarray:
    return np.clip(page, 0, 255).astype(np.uint8)


def make_samples(mnist_dir: str, pendigits_file: str, out: Path) -> list[Path]:
    rng = np.random.default_rng(SEED)
    mnist = load_mnist(mnist_dir)
    images, labels = mnist.test_images, mnist.test_labels
    pens = parse_pendigits(pendigits_file)
    out.mkdir(parents=True, exist_ok=True)
    written = []

    def save(name: str, pixels: np.ndarray, **options) -> None:
        path = out / name
        Image.fromarray(pixels).save(path, **options)
        written.append(path)

    page = paper(130, 420, rng)
    save("4096_paper.png", to_uint8(place_mnist_lines(page, [pick_mnist(images, labels, "4096", rng)], 3, 35, rng)))

    page = paper(230, 420, rng, shadow=0.45)
    lines = [pick_mnist(images, labels, "315", rng), pick_mnist(images, labels, "2718", rng)]
    save("315-2718_shadow.jpg", to_uint8(place_mnist_lines(page, lines, 3, 30, rng)), quality=88)

    board = np.full((130, 360), 48.0) + rng.normal(0, 4, (130, 360))
    chalk = place_mnist_lines(board, [pick_mnist(images, labels, "583", rng)], 3, 235, rng)
    save("583_chalkboard.png", np.dstack([to_uint8(chalk * 0.9), to_uint8(chalk), to_uint8(chalk * 0.92)]))

    strokes = pen_number(pick_pen(pens, "2026", SAMPLE_WRITER), 140, 12, 0.3)
    canvas = np.zeros((300, int(bounds(strokes[-1])[2]) + 110, 4), np.uint8)
    for digit_strokes in strokes:
        draw_strokes(canvas, tuple(s + (50, 80) for s in digit_strokes), 12, (0, 0, 0, 255))
    save("2026_canvas.png", canvas)

    height, width = 240, 640
    ruled = paper(height, width, rng, tone=238, shadow=0.3)
    rgb = np.dstack([ruled * 0.97, ruled * 0.98, ruled])
    for y in range(30, height, 44):
        cv2.line(rgb, (0, y), (width, y + 3), (205, 170, 140), 2, cv2.LINE_AA)
    ink = np.zeros((height, width), np.uint8)
    for digit_strokes in pen_number(pick_pen(pens, "78136", SAMPLE_WRITER + 1), 90, 5, 0.3):
        draw_strokes(ink, tuple(s + (80, 70) for s in digit_strokes), 5)
    strength = ink.astype(np.float64)[..., None] / 255.0
    rgb = rgb * (1 - strength) + np.array([30.0, 40.0, 120.0]) * strength
    save("78136_ruled_blue_pen.jpg", to_uint8(rgb), quality=85)
    return written


@errors_in_one_line
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m digitocr.samples", description=__doc__.splitlines()[0])
    parser.add_argument("--mnist", type=existing_path, required=True, help="folder of MNIST IDX files or an mnist.npz")
    parser.add_argument("--pendigits", type=existing_file, required=True, help="pendigits-orig.tra")
    parser.add_argument("--out", default="sample_images")
    args = parser.parse_args(argv)
    for path in make_samples(args.mnist, args.pendigits, Path(args.out)):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
