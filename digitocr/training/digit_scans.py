"""Held-out digits as small scans of one digit each, in the forms scanners and datasets make them.

A scan of one digit reaches the reader as its own small image, with no line
around it: MNIST's own 28x28 digits are light on dark, Semeion's 16x16 scans
stretch each digit to fill the box and cut it to black and white, postal
scans keep its proportions and blur it. Drawn from MNIST's validation
digits, which no network learned from, these are how the reader's path for
one-digit scans is measured without the dev images.
"""

import functools

import cv2
import numpy as np

SCAN_SIDE = 16  # pixels, as Semeion's and the postal scans are
INK_CUT = 30  # of 255: an MNIST pixel this bright is part of the digit's box


def one_digit_scan(image: np.ndarray, keep_proportions: bool, black_and_white: bool, blurred: bool) -> np.ndarray:
    """An MNIST digit (28x28, ink bright) as a SCAN_SIDE-square RGB scan, dark ink on white."""
    x, y, width, height = cv2.boundingRect((image > INK_CUT).view(np.uint8))
    digit = image[y:y + height, x:x + width].astype(np.float32)
    if keep_proportions:
        scale = SCAN_SIDE / max(width, height)
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        ink = np.zeros((SCAN_SIDE, SCAN_SIDE), np.float32)
        left, top = (SCAN_SIDE - size[0]) // 2, (SCAN_SIDE - size[1]) // 2
        ink[top:top + size[1], left:left + size[0]] = cv2.resize(digit, size, interpolation=cv2.INTER_AREA)
    else:
        ink = cv2.resize(digit, (SCAN_SIDE, SCAN_SIDE), interpolation=cv2.INTER_AREA)
    if black_and_white:
        ink = np.where(ink > 127, 255.0, 0.0)
    scan = (255 - ink).clip(0, 255).astype(np.uint8)
    if blurred:
        scan = cv2.GaussianBlur(scan, (3, 3), 0)
    return np.dstack([scan] * 3)


def as_published(image: np.ndarray) -> np.ndarray:
    """An MNIST digit as MNIST stores it, light on dark, as RGB."""
    return np.dstack([image] * 3)


FORMS = {
    "as published (28x28, light on dark)": as_published,
    "16x16, stretched to fill the box, gray": functools.partial(one_digit_scan, keep_proportions=False,
                                                                black_and_white=False, blurred=False),
    "16x16, stretched to fill the box, black and white (as Semeion's)": functools.partial(
        one_digit_scan, keep_proportions=False, black_and_white=True, blurred=False),
    "16x16, proportions kept, gray": functools.partial(one_digit_scan, keep_proportions=True, black_and_white=False,
                                                       blurred=False),
    "16x16, proportions kept, blurred (as postal scans)": functools.partial(
        one_digit_scan, keep_proportions=True, black_and_white=False, blurred=True),
}  # each form: MNIST's 28x28 digit (ink bright) to the scan
