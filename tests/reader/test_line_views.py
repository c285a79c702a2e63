import numpy as np

from digitocr.image.lines import LineImage
from digitocr.networks.ctc import BLANK, decode
from digitocr.networks.line_recognizer import LINE_HEIGHT
from digitocr.reader.line_views import FURTHER_WIDTHS, WIDTHS, Looks, read_in_views, views


def frames_with_zeros(zero: float) -> np.ndarray:
    """A sure '9' and '8', then two marks each a zero with probability `zero`, else nothing."""
    frames = np.full((8, BLANK + 1), 0.005, np.float32)
    for frame, label, sure in ((0, 9, 0.95), (2, 8, 0.95), (4, 0, zero), (6, 0, zero)):
        frames[frame, label] = sure
    for frame in range(8):
        frames[frame, BLANK] = 1 - frames[frame].sum() + frames[frame, BLANK]
    return frames


def a_line(width: int = 40) -> LineImage:
    image = np.zeros((LINE_HEIGHT, width), np.float32)
    image[4:28, 5:35] = 1.0
    return LineImage(0, (10, 20, 100, 80), image)


def test_each_view_stretches_the_image_along_the_line_and_keeps_where_it_lies():
    line = a_line()
    seen = views(line, WIDTHS + FURTHER_WIDTHS)
    assert seen[0] is line and WIDTHS[0] == 1.0 and len(set(WIDTHS + FURTHER_WIDTHS)) == len(seen) > 2
    for view, width in zip(seen, WIDTHS + FURTHER_WIDTHS):
        assert view.box == line.box and view.image.shape == (LINE_HEIGHT, round(40 * width))
        assert view.image[:, :round(5 * width) - 1].max() == 0 and view.image[16, round(20 * width)] == 1.0


def test_a_view_sure_of_its_text_outweighs_others_that_doubt_it():
    seen = views(a_line())
    doubtful, sure = frames_with_zeros(0.3), frames_with_zeros(0.95)
    assert (decode(doubtful).text, decode(sure).text) == ("98", "9800")
    kept_line, kept_frames = Looks.of(seen, [doubtful, sure] + [doubtful] * (len(seen) - 2)).likeliest()
    assert kept_line is seen[1] and kept_frames is sure
    sure, doubtful = frames_with_zeros(0.05), frames_with_zeros(0.75)
    assert (decode(sure).text, decode(doubtful).text) == ("98", "9800")
    kept_line, kept_frames = Looks.of(seen, [sure, doubtful] + [sure] * (len(seen) - 2)).likeliest()
    assert kept_line is seen[0] and kept_frames is sure


def test_a_line_whose_first_views_agree_is_read_no_further_and_kept_as_it_is():
    line, frames = a_line(), frames_with_zeros(0.95)
    asked = []
    chosen = read_in_views([views(line)], [frames] + [frames_with_zeros(0.9)] * (len(WIDTHS) - 1),
                           lambda images: asked.append(len(images)) or [])
    assert chosen[0].line is line and chosen[0].frames is frames and chosen[0].first_looks_agree and asked == []


def test_the_further_views_decide_a_line_the_first_views_read_differently():
    line = a_line()
    first = [frames_with_zeros(0.3)] * (len(WIDTHS) - 1) + [frames_with_zeros(0.75)]
    assert [decode(one).text for one in first][-2:] == ["98", "9800"]
    assert Looks.of(views(line), first).likeliest()[0] is line  # alone, the first views keep '98'
    asked = []

    def read(images: list[np.ndarray]) -> list[np.ndarray]:  # the widest view sees four sure digits
        asked.extend(image.shape[1] for image in images)
        return [frames_with_zeros(0.95 if image.shape[1] == max(asked) else 0.3) for image in images]

    kept, = read_in_views([views(line)], first, read)
    assert sorted(asked) == sorted(round(40 * width) for width in FURTHER_WIDTHS) and not kept.first_looks_agree
    assert decode(kept.frames).text == "9800" and kept.line.image.shape[1] == round(40 * WIDTHS[-1])
