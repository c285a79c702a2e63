import numpy as np

from digitocr.image.normalize import stroke_width, to_model_input


def test_output_is_a_28x28_field_in_unit_range_centred_by_mass():
    mask = np.zeros((200, 120), np.uint8)
    mask[20:180, 50:70] = 1
    mask[20:40, 20:100] = 1
    image = to_model_input(mask)
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert 0.0 <= image.min() and image.max() <= 1.0
    ys, xs = np.mgrid[:28, :28]
    assert abs((ys * image).sum() / image.sum() - 13.5) < 1.0
    assert abs((xs * image).sum() / image.sum() - 13.5) < 1.0


def test_aspect_ratio_is_kept_in_a_20_pixel_box():
    mask = np.zeros((100, 100), np.uint8)
    mask[10:90, 45:55] = 1  # a tall bar, a '1'
    image = to_model_input(mask)
    rows = np.nonzero(image.max(axis=1) > 0.1)[0]
    columns = np.nonzero(image.max(axis=0) > 0.1)[0]
    assert 18 <= len(rows) <= 21
    assert len(columns) <= 6


def test_thick_and_thin_strokes_end_up_alike():
    thin = np.zeros((300, 300), np.uint8)
    thick = np.zeros((300, 300), np.uint8)
    import cv2

    cv2.circle(thin, (150, 150), 100, 1, 3)
    cv2.circle(thick, (150, 150), 100, 1, 40)
    a, b = to_model_input(thin), to_model_input(thick)
    assert abs(a.sum() - b.sum()) < 0.35 * max(a.sum(), b.sum())


def test_thin_straight_strokes_are_thickened_to_mnist_s_width():
    """A pen line drawn as one straight stroke is the plainest '1'; cropped to its ink, it has no room to thicken
    unless the normalisation gives it some, and it came out one pixel wide, a '1' the classifier barely knew."""
    bars = []
    for width in (4, 8, 16):  # all thinner than MNIST's stroke at this height
        mask = np.zeros((250, 60), np.uint8)
        mask[10:243, 10:10 + width] = 1
        bars.append(to_model_input(mask))
    inks = [bar.sum() for bar in bars]
    assert max(inks) - min(inks) < 0.15 * max(inks)
    assert all((bar.max(axis=0) > 0.5).sum() >= 2 for bar in bars)


def test_empty_mask_gives_an_empty_field():
    assert to_model_input(np.zeros((10, 10), np.uint8)).max() == 0


def test_stroke_width_of_a_band():
    band = np.zeros((50, 200), np.uint8)
    band[20:30, :] = 1
    assert 8 <= stroke_width(band) <= 12
