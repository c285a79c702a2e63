import cv2
import numpy as np

from digitocr.training.digit_scans import FORMS, SCAN_SIDE, as_published, one_digit_scan


def mnist_like_one() -> np.ndarray:
    """A 28x28 digit as MNIST stores it: an upright bar, ink bright."""
    image = np.zeros((28, 28), np.uint8)
    image[4:24, 12:16] = 255
    return image


def mnist_like_zero() -> np.ndarray:
    image = np.zeros((28, 28), np.uint8)
    cv2.ellipse(image, (14, 14), (6, 9), 0, 0, 360, 255, 3)
    return image


def test_every_form_is_a_small_rgb_scan_of_the_digit():
    for make_scan in FORMS.values():
        scan = make_scan(mnist_like_zero())
        assert scan.shape[2] == 3 and max(scan.shape[:2]) <= 28 and scan.dtype == np.uint8
        assert scan.min() < 64 and scan.max() > 191


def test_a_scan_of_16_pixels_is_dark_ink_on_white_and_black_and_white_where_asked():
    for black_and_white in (False, True):
        scan = one_digit_scan(mnist_like_zero(), True, black_and_white, False)
        assert scan.shape == (SCAN_SIDE, SCAN_SIDE, 3) and scan[0, 0, 0] == 255
        assert (set(np.unique(scan)) <= {0, 255}) == black_and_white
    assert np.array_equal(as_published(mnist_like_zero())[..., 1], mnist_like_zero())


def test_a_stretched_scan_fills_its_box_and_a_kept_one_leaves_paper_beside_a_one():
    stretched = one_digit_scan(mnist_like_one(), False, False, False)[..., 0]
    kept = one_digit_scan(mnist_like_one(), True, False, False)[..., 0]
    assert (stretched < 128).all()
    assert (kept[:, :4] == 255).all() and (kept[:, -4:] == 255).all() and (kept < 128).any()
