import numpy as np
import pytest

from digitocr.image import orderstats


def test_median_and_percentile_of_a_few_numbers_equal_numpys_to_the_last_bit():
    rng = np.random.default_rng(7)
    for trial in range(2000):
        count = int(rng.integers(1, 30))
        values = rng.integers(0, 300, count) if trial % 2 else rng.random(count) * 100
        assert orderstats.median(values.tolist()) == np.median(values)
        for percent in (0, 0.5, 5, 33.3, 50, 90, 95, 100):
            assert orderstats.percentile(values.tolist(), percent) == np.percentile(values, percent)


def test_an_images_percentiles_from_its_histogram_equal_numpys_for_both_pixel_types():
    rng = np.random.default_rng(8)
    percents = (0, 0.5, 5, 50, 95, 99.5, 100)
    for trial in range(300):
        shape = (int(rng.integers(1, 80)), int(rng.integers(1, 80)))
        image = rng.integers(0, 256, shape).astype(np.uint8) if trial % 2 else \
            rng.integers(-255, 256, shape).astype(np.int16)
        if trial % 7 == 0:
            image[:] = image.flat[0]  # one tone throughout
        assert orderstats.image_percentiles(image, percents) == tuple(np.percentile(image, percents).tolist())


def test_no_values_have_no_percentile_and_a_nan_median_as_numpy_gives():
    assert np.isnan(orderstats.median([]))
    with pytest.raises(ValueError):
        orderstats.percentile([], 50)
    with pytest.raises(ValueError):
        orderstats.image_percentiles(np.zeros((0, 5), np.uint8), (50,))
