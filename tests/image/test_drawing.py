import numpy as np

from digitocr.image.drawing import SMALLEST_DRAWN, display_zoom, draw_reading, place_labels
from digitocr.results import Box, Digit


def digit(label: int, box: Box, confidence: float = 0.99) -> Digit:
    probabilities = np.full(10, (1 - confidence) / 9)
    probabilities[label] = confidence
    return Digit(label, confidence, tuple(probabilities), box, line=0, doubtful=False)


def test_labels_of_digits_written_close_together_never_cover_one_another_and_always_name_the_digit():
    boxes = [Box(12 * index, 30, 12, 24) for index in range(6)]  # six narrow digits side by side
    labels, short = [f"{index} 99%" for index in range(6)], [str(index) for index in range(6)]
    placed = place_labels(boxes, labels, short, lambda text: (9 * len(text), 14), image_width=200)
    assert all(not a.covers(b) for i, a in enumerate(placed) for b in placed[i + 1:])
    assert all(0 <= label.x and label.x + label.width <= 200 for label in placed)
    assert [label.text.split()[0] for label in placed] == short
    assert placed[0].text == "0 99%" and placed[1].text == "1"  # the confidence where there is room for it


def test_a_label_with_no_room_from_its_box_s_left_edge_ends_at_its_right_and_keeps_its_confidence():
    boxes = [Box(0, 30, 12, 24), Box(14, 30, 90, 24)]  # a narrow digit, then a wide one close beside it
    placed = place_labels(boxes, ["1 99%", "5 98%"], ["1", "5"], lambda text: (9 * len(text), 14), image_width=200)
    assert placed[1].text == "5 98%" and placed[1].x + placed[1].width == 14 + 90 and not placed[1].covers(placed[0])


def test_a_box_without_a_label_takes_no_room_from_its_neighbours_labels():
    boxes = [Box(50, 20, 12, 24), Box(10, 30, 90, 24)]  # an unlabelled box reaching up where the next label goes
    placed = place_labels(boxes, ["", "5 98%"], ["", "5"], lambda text: (9 * len(text), 14), image_width=200)
    assert placed[1].text == "5 98%" and placed[1].x == 10


def test_a_small_cell_is_drawn_enlarged_with_its_labels_above_the_digits_not_over_them():
    cell = np.full((34, 60, 3), 200, np.uint8)
    box = Box(5, 1, 12, 30)  # a digit reaching the cell's top edge
    drawn = draw_reading(cell, [digit(4, box)])
    zoom = display_zoom(cell.shape)
    assert zoom > 1 and max(drawn.shape[:2]) >= SMALLEST_DRAWN and drawn.shape[1] == 60 * zoom
    above = drawn.shape[0] - 34 * zoom  # the room added for the label
    assert above > 0
    inside = drawn[above + (box.y + 1) * zoom:above + (box.y + box.height - 1) * zoom,
                   (box.x + 1) * zoom:(box.x + box.width - 1) * zoom]
    assert (inside == 200).all()  # the digit's own pixels, as given, under no label


def test_a_large_image_is_drawn_at_its_own_size():
    photo = np.full((600, 800, 3), 200, np.uint8)
    drawn = draw_reading(photo, [digit(7, Box(300, 200, 60, 100))])
    assert drawn.shape == photo.shape
