import cv2
import numpy as np

from conftest import blank_page, draw_ring
from digitocr.image.binarize import small_copy
from digitocr.image.sheet import desk_painted, find_sheet

DESK = 40


def sheet_on_desk(top: int, bottom: int, left: int, right: int, desk: int = DESK) -> np.ndarray:
    """A sheet with a ring written on it, photographed with the desk showing this many pixels beyond each side."""
    sheet = blank_page(200, 300)
    draw_ring(sheet, (150, 100), (30, 45))
    return cv2.copyMakeBorder(sheet, top, bottom, left, right, cv2.BORDER_CONSTANT, value=desk)


def found_in(gray: np.ndarray):
    return find_sheet(small_copy(gray))


def sheet_box(gray: np.ndarray) -> tuple[int, int, int, int]:
    """The box of what the sheet found in `gray` leaves outside the desk, in `gray`'s pixels."""
    sheet = found_in(gray).desk == 0
    factor = gray.shape[1] / sheet.shape[1]
    ys, xs = np.nonzero(sheet)
    return (round(xs.min() * factor), round(ys.min() * factor), round((xs.max() + 1) * factor),
            round((ys.max() + 1) * factor))


def test_the_sheet_is_found_inside_the_desk_around_it():
    left, top, right, bottom = sheet_box(sheet_on_desk(60, 60, 80, 80))
    assert 76 <= left <= 84 and 56 <= top <= 64 and 376 <= right <= 384 and 256 <= bottom <= 264


def test_the_desk_on_one_side_is_found_too():
    left, top, right, bottom = sheet_box(sheet_on_desk(0, 0, 150, 0))
    assert 146 <= left <= 154 and (top, right, bottom) == (0, 450, 200)


def test_no_sheet_where_no_desk_shows():
    page = blank_page(200, 300)
    draw_ring(page, (150, 100), (30, 45))
    assert found_in(page) is None  # a cell cropped inside its paper
    assert found_in(255 - page) is None  # a board's light chalk: no light region holds it
    assert found_in(sheet_on_desk(10, 10, 10, 10)) is None  # a frame's width: clean-up's to take


def test_no_sheet_where_the_dark_around_a_light_blob_is_written_on_in_light_ink():
    photo = blank_page(300, 300, DESK)  # a binarised photo: a dark field...
    photo[150:290, 20:280] = 225  # ...a light blob of noise below the number, a third of the image...
    for y, x in np.random.default_rng(0).integers((155, 25), (285, 275), (60, 2)):
        cv2.circle(photo, (int(x), int(y)), 3, DESK, -1)  # ...specked with the dark
    assert found_in(photo) is not None  # nothing lies on the field: as a sheet on a desk, nothing is lost
    draw_ring(photo, (100, 70), (25, 40), ink=225)
    draw_ring(photo, (200, 70), (25, 40), ink=225)  # '00' written in light ink on the field
    assert found_in(photo) is None


def test_no_sheet_where_the_dark_beyond_it_is_a_shadow_ramp():
    page = blank_page(200, 400)
    draw_ring(page, (300, 100), (30, 45))
    page[:, :160] = np.linspace(60, 235, 160).astype(np.uint8)  # darkening smoothly towards the left
    assert found_in(page) is None


def test_the_desk_is_painted_as_the_paper_beside_it_and_the_writing_is_kept():
    photo = sheet_on_desk(60, 60, 80, 80)
    painted = desk_painted(photo, small_copy(photo), found_in(photo))
    assert painted.min() < 100  # the ring
    outside_ring = painted.copy()
    outside_ring[60 + 40:60 + 160, 80 + 100:80 + 200] = 235
    assert outside_ring.min() >= 200  # no desk is left, nor a step at the sheet's edge


def test_a_sheet_lying_askew_leaves_no_sliver_of_desk_along_its_sides():
    photo = sheet_on_desk(60, 60, 80, 80)
    turn = cv2.getRotationMatrix2D((230, 160), 3, 1.0)
    photo = cv2.warpAffine(photo, turn, (photo.shape[1], photo.shape[0]), borderValue=DESK)
    painted = desk_painted(photo, small_copy(photo), found_in(photo))
    outside_ring = painted.copy()
    outside_ring[60 + 35:60 + 165, 80 + 95:80 + 205] = 235
    assert painted.min() < 100 and outside_ring.min() >= 200


def test_no_sheet_where_the_dark_beyond_it_is_the_paper_in_a_little_less_light():
    page = blank_page(200, 400)
    draw_ring(page, (150, 100), (30, 45))
    page[:, 300:] = 205  # flat, but a surface as light as paper
    assert found_in(page) is None
    page[:, 300:] = 120
    assert found_in(page) is not None


def test_a_light_desk_is_found_where_the_light_falls_off_along_it_as_it_does_across_the_sheet():
    photo = sheet_on_desk(0, 0, 80, 80, desk=150).astype(np.float32)
    photo *= np.linspace(1.0, 0.7, photo.shape[0])[:, None]  # lit from above: 30% less light at the bottom
    left, top, right, bottom = sheet_box(photo.astype(np.uint8))
    assert 76 <= left <= 84 and 376 <= right <= 384 and top == 0 and bottom >= 199


def test_a_shadow_across_the_sheet_is_no_desk_where_writing_lies_under_it():
    page = blank_page(200, 500)
    draw_ring(page, (120, 100), (30, 45))
    draw_ring(page, (380, 100), (30, 45))
    shaded = page.astype(np.float32)
    shaded[:, 250:] *= 0.55  # a phone's shadow over the right half, the second ring under it
    assert found_in(shaded.astype(np.uint8)) is None
    shaded[:, 250:] = 0.55 * 235  # the same shadow over blank paper: a desk, whatever it is, with nothing to lose
    assert found_in(shaded.astype(np.uint8)) is not None


def test_writing_that_runs_into_the_desk_is_kept_and_the_desks_ragged_edge_is_painted():
    photo = sheet_on_desk(0, 60, 0, 0)
    cv2.line(photo, (180, 100), (180, 203), 20, 6)  # a '9''s tail, from the ring down into the desk...
    draw_ring(photo, (250, 100), (20, 45))  # ...and a '0' beside it
    for x in range(20, 300, 14):
        cv2.line(photo, (x, 200), (x + 3, 195), DESK, 3)  # a scan margin's ragged teeth, shorter than a stroke
    painted = desk_painted(photo, small_copy(photo), found_in(photo))
    assert painted[120:185, 178:183].max() < 100  # the tail on the sheet, down to near the desk
    teeth = painted[193:200, :]
    assert teeth[:, 10:160].min() >= 200 and teeth[:, 200:290].min() >= 200
