import cv2
import numpy as np

from digitocr.image.normalize import gray_model_input, gray_piece_input, stroke_width, to_model_input


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


def ring_piece(size: int = 60, stroke: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """A '0' as a piece: its mask and its ink's tone (bright on dark), with its edges soft as a scan's are."""
    mask = np.zeros((size, size // 2 + 10), np.uint8)
    cv2.ellipse(mask, (mask.shape[1] // 2, size // 2), (mask.shape[1] // 2 - stroke, size // 2 - stroke), 0, 0, 360,
                1, stroke)
    tone = cv2.GaussianBlur(mask * 200, (5, 5), 0)
    return mask, tone


def test_a_pieces_gray_levels_are_shaped_like_its_cut():
    mask, tone = ring_piece()
    gray, cut = gray_piece_input(tone, mask), to_model_input(mask)
    assert gray.shape == (28, 28) and gray.dtype == np.float32 and 0.9 < gray.max() <= 1.0 and gray.min() >= 0.0
    assert np.corrcoef(gray.ravel(), cut.ravel())[0, 1] > 0.6
    assert gray[14, 14] < 0.1  # the loop stays open


def test_a_pieces_gray_levels_leave_out_ink_beyond_its_own_reach():
    mask, tone = ring_piece()
    neighbours = tone.copy()
    neighbours[26:34, 16:24] = 255  # a neighbour's mark inside the loop, in the piece's box but not its own ink
    assert np.array_equal(gray_piece_input(neighbours, mask), gray_piece_input(tone, mask))


def test_a_thin_pens_gray_levels_are_thickened_to_mnist_s_width():
    thin, tone = ring_piece(size=200, stroke=2)
    gray = gray_piece_input(tone, thin)
    assert (gray > 0.5).sum() > 0.5 * (to_model_input(thin) > 0.5).sum()


def test_an_empty_piece_or_scan_gives_an_empty_field():
    assert not gray_piece_input(np.zeros((10, 10), np.uint8), np.zeros((10, 10), np.uint8)).any()
    assert not gray_model_input(np.zeros((16, 16), np.uint8)).any()
