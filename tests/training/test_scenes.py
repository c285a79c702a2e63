from dataclasses import replace

import cv2
import numpy as np

from digitocr.image.normalize import stroke_width
from digitocr.training import line_lessons, scenes, stress


def bar_digits(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """A stand-in digit source: an upright bar, labelled 1."""
    mask = np.zeros((40, 12), np.uint8)
    mask[2:38, 4:9] = 1
    return mask, 1


def test_every_kind_of_scene_is_an_image_with_the_number_where_it_says():
    rng = np.random.default_rng(5)
    for kind in scenes.STRESS_KINDS:
        scene = scenes.make_scene(kind, scenes.Writer(bar_digits), rng)
        height, width, channels = scene.pixels.shape
        assert channels == (4 if kind == "off_the_canvas" else 3) and scene.pixels.dtype == np.uint8 and scene.text
        assert set(scene.text) <= set("1\n") and scene.text.count("\n") == len(scene.lines) - 1
        for (x, y, w, h), text in scene.lines:
            assert 0 <= x and 0 <= y and x + w <= width and y + h <= height, kind


def test_a_turned_page_keeps_each_box_on_its_ink_and_its_lines_in_reading_order():
    page = scenes.Page.blank(30, 50)
    page.write(np.ones((4, 9), np.float32), 12, 3, "7")
    page.write(np.ones((4, 20), np.float32), 2, 20, "11")  # a longer line below, starting further left
    for quarters in range(4):
        turned = page.turned(quarters)
        for ((x, y, w, h), _), ink in zip(turned.in_order(), (36, 80)):
            assert turned.ink[y:y + h, x:x + w].sum() == ink
        assert [text for _, text in turned.in_order()] == ["7", "11"]  # read as the page is read right way up


def test_a_page_photographed_askew_keeps_each_box_around_its_ink_and_is_never_trained_on():
    page = scenes.Page.blank(60, 120)
    page.write(np.ones((20, 80), np.float32), 20, 20, "7")
    for degrees in (-30.0, 12.0, 30.0):
        tilted = page.tilted(degrees)
        (x, y, w, h), _ = tilted.numbers[0]
        assert tilted.ink[y:y + h + 1, x:x + w + 1].sum() > 0.99 * tilted.ink.sum() > 0.98 * 1600
        rows, columns = np.nonzero(tilted.ink > 0.5)
        assert abs(np.degrees(np.arctan2(-(rows - rows.mean()) @ (columns - columns.mean()),
                                         ((columns - columns.mean()) ** 2).sum())) - degrees) < 3
    assert {"tilted", "out_of_focus"} <= set(scenes.UNTRAINED_KINDS) and "tilted" not in scenes.KINDS


def test_a_page_photographed_askew_keeps_its_lines_in_reading_order(monkeypatch):
    page = scenes.Page.blank(80, 200)
    page.write(np.ones((12, 50), np.float32), 10, 10, "4833")
    page.write(np.ones((12, 40), np.float32), 150, 30, "71")  # the second line, written far to the right
    tilted = page.tilted(30.0)
    (first, _), (second, _) = tilted.numbers
    assert second[1] < first[1]  # turned, the second line's box reaches above the first's
    monkeypatch.setitem(scenes.MAKERS, "tilted", lambda writer, rng: tilted)
    assert scenes.make_scene("tilted", scenes.Writer(bar_digits), np.random.default_rng(0)).text == "4833\n71"


def test_a_page_out_of_focus_spreads_its_ink_and_keeps_its_amount():
    for seed in range(6):
        page = scenes.Page.blank(120, 200)
        page.write(np.ones((60, 8), np.float32), 90, 30, "1")
        blurred = scenes.defocused(scenes.Page(page.ink.copy(), page.printed, list(page.numbers)),
                                   np.random.default_rng(seed))
        assert abs(blurred.ink.sum() - 480) < 5
        assert (blurred.ink > 0.01).sum() > 1.2 * 480


def test_a_cells_crop_cuts_a_digit_of_the_next_row_at_a_corner_clear_of_the_number():
    for seed in range(6):
        page = scenes.corner_remnant(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, w, h), _ = page.numbers[0]
        beside = page.ink.copy()
        beside[:, x:x + w] = 0
        rows = np.nonzero(beside.sum(axis=1) > 0)[0]
        assert len(rows) and (rows[0] == 0 or rows[-1] == page.ink.shape[0] - 1)  # cut by the crop's top or bottom
        assert rows[-1] - rows[0] + 1 < h  # a third to two thirds of a digit shows
    assert "corner_remnant" in scenes.UNTRAINED_KINDS and "corner_remnant" not in scenes.KINDS


def test_a_narrow_hand_s_round_amount_ends_in_zeros_narrower_than_the_same_hand_writes_them_otherwise():
    def oval(rng: np.random.Generator) -> tuple[np.ndarray, int]:
        mask = np.zeros((40, 30), np.uint8)
        cv2.ellipse(mask, (15, 20), (12, 17), 0, 0, 360, 1, 3)
        return mask, 0

    def inked_columns_per_digit(page: scenes.Page) -> float:
        (x, y, w, h), text = page.numbers[0]
        return float((page.ink[y:y + h, x:x + w] > 0.5).any(axis=0).sum() / h / len(text))

    narrow, plain = [], []
    for seed in range(8):
        page = scenes.narrow_round(scenes.Writer(oval), np.random.default_rng(seed))
        assert set(page.numbers[0][1]) == {"0"}
        narrow.append(inked_columns_per_digit(page))
        plain.append(inked_columns_per_digit(scenes.clean(scenes.Writer(oval), np.random.default_rng(seed))))
    assert np.mean(narrow) < 0.8 * np.mean(plain)
    assert "narrow_round" in scenes.UNTRAINED_KINDS and "narrow_round" not in scenes.KINDS


def test_a_page_turned_half_round_never_holds_a_number_that_reads_as_another_number_that_way():
    assert scenes.half_turned_text("861") == "198" and scenes.half_turned_text("69") == "69"
    assert scenes.half_turned_text("17") is None

    def sixes_nines_and_sevens(rng: np.random.Generator) -> tuple[np.ndarray, int]:
        return bar_digits(rng)[0], int(rng.choice([6, 9, 7]))
    rng = np.random.default_rng(3)
    texts = [scenes.make_scene("turned_180", scenes.Writer(sixes_nines_and_sevens), rng).text for _ in range(20)]
    assert all(scenes.half_turned_text(text) in (None, text) for text in texts) and any("6" in t for t in texts)


def test_a_found_line_is_a_lesson_of_the_number_it_holds_whole_or_of_nothing():
    scene = scenes.Scene("clean", np.zeros((100, 200, 3), np.uint8), (((20, 20, 80, 30), "123"),))
    assert line_lessons.number_line_of((10, 12, 110, 45), scene) == "123"
    assert line_lessons.number_line_of((130, 12, 60, 45), scene) == ""
    assert line_lessons.number_line_of((10, 12, 50, 45), scene) is None  # only part of the number


def test_the_stress_suite_is_the_same_every_time():
    first = stress.stress_scenes(bar_digits, per_kind=2)
    again = stress.stress_scenes(bar_digits, per_kind=2)
    assert len(first) == 2 * len(scenes.STRESS_KINDS)
    assert all(np.array_equal(a.pixels, b.pixels) and a.text == b.text for a, b in zip(first, again))


def test_a_stray_stroke_lies_whole_above_or_below_the_number_clear_of_its_band():
    page = scenes.Page.blank(30, 60)
    page.write(np.ones((20, 40), np.float32), 10, 5, "11")
    sides = set()
    for seed in range(20):
        marked = scenes.with_stroke_clear_of_number(page, np.ones((12, 3), np.uint8), 20.0, np.random.default_rng(seed))
        (x, y, w, h), _ = marked.numbers[0]
        clear = np.ones(marked.ink.shape[0], bool)
        clear[y - 4:y + h + 4] = False  # the number's band and a fifth of its height on either side
        assert marked.ink[clear].sum() == 36 and marked.ink[~clear].sum() == 20 * 40
        sides.add("above" if marked.ink[:y].sum() else "below")
    assert sides == {"above", "below"}


def test_a_dash_is_one_short_stroke_well_short_of_the_digits():
    for seed in range(10):
        mark = scenes.distractors.dash(60, np.random.default_rng(seed))
        assert max(mark.shape) <= 0.6 * 60 + 2 * 7 + 1  # its length, and the pen's width either side
        assert cv2.connectedComponents(mark)[0] == 2  # the background and one stroke


def test_a_small_faint_number_is_written_small_and_lighter_than_ink():
    for seed in range(10):
        page = scenes.small_and_faint(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (_, _, _, height), _ = page.numbers[0]
        assert 0 < page.ink.max() <= 0.8 and height <= 20


def test_a_number_small_in_a_phone_photo_is_written_small_on_a_photo_sized_sheet_and_never_trained_on():
    for seed in range(10):
        page = scenes.small_in_photo(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, width, height), _ = page.numbers[0]
        assert sorted(page.ink.shape) == sorted(scenes.PHOTO_SIZE[::-1])
        assert 10 <= height <= 32 and x + width <= page.ink.shape[1] and y + height <= page.ink.shape[0]
    assert "small_in_photo" in scenes.UNTRAINED_KINDS and "small_in_photo" not in scenes.KINDS


def has_ink_beside_its_number(page: scenes.Page) -> bool:
    """Whether the page holds a number and ink outside its box: the number's own ink taken away, a mark is left."""
    (x, y, width, height), text = page.numbers[0]
    beside = page.ink.copy()
    beside[y:y + height, x:x + width] = 0
    return bool(text) and bool(beside.any())


def test_an_amount_has_a_currency_sign_beside_it_as_tall_as_a_digit_and_is_never_trained_on():
    kinds = set()
    for seed in range(20):
        sign, which = scenes.distractors.currency_sign(40, np.random.default_rng(seed))
        rows, columns = np.nonzero(sign)
        assert 0.6 * 40 <= rows.max() - rows.min() <= 1.4 * 40 and columns.max() - columns.min() < 40
        kinds.add(which)
        assert has_ink_beside_its_number(scenes.currency_sign(scenes.Writer(bar_digits), np.random.default_rng(seed)))
    assert kinds == {"$", "€"}
    assert "currency_sign" in scenes.UNTRAINED_KINDS and "currency_sign" not in scenes.KINDS


def test_a_sign_written_small_with_a_thin_pen_keeps_every_stroke_unbroken():
    for seed in range(20):
        rng = np.random.default_rng(seed)
        sign, which = scenes.distractors.currency_sign(16, rng)
        _, columns = np.nonzero(sign)
        assert columns.max() - columns.min() + 1 >= 0.4 * sign.shape[1], which  # the S or the C, not the bar alone
        slash = scenes.distractors.slash(16, rng)
        assert cv2.connectedComponents(slash, connectivity=8)[0] == 2  # the background and one stroke


def test_a_printed_label_or_unit_stands_beside_the_number_and_is_never_trained_on():
    sides = set()
    for seed in range(20):
        label, after = scenes.distractors.printed_label(40, np.random.default_rng(seed))
        rows, _ = np.nonzero(label)
        assert set(np.unique(label)) == {0, 1} and 0.3 * 40 <= rows.max() - rows.min() + 1 <= 1.3 * 40
        sides.add(after)
        assert has_ink_beside_its_number(scenes.printed_label(scenes.Writer(bar_digits), np.random.default_rng(seed)))
    assert sides == {True, False}
    assert "printed_label" in scenes.UNTRAINED_KINDS and "printed_label" not in scenes.KINDS


def test_printed_signs_stand_beside_a_number_or_between_its_groups_and_are_trained_on_as_nothing():
    for seed in range(10):
        for between in (True, False):
            assert_a_sign_mark(scenes.distractors.printed_sign(40, np.random.default_rng(seed), between))
    assert_signs_stand_beside_the_digits_alone("printed_signs")


def test_signs_written_by_hand_stand_beside_a_number_or_between_its_groups_and_are_trained_on_as_nothing():
    for sign in scenes.distractors.HAND_SIGNS_BETWEEN + scenes.distractors.HAND_SIGNS_BESIDE:
        mark = scenes.distractors.hand_sign(sign, 40, np.random.default_rng(0))
        assert_a_sign_mark(mark)
        assert mark.shape[0] >= 40  # as tall as the digits' box, the sign where it is written in it
    assert_signs_stand_beside_the_digits_alone("hand_signs")


def assert_a_sign_mark(mark: np.ndarray) -> None:
    rows, _ = np.nonzero(mark)
    assert set(np.unique(mark)) == {0, 1} and rows.max() - rows.min() + 1 <= 1.7 * 40


def assert_signs_stand_beside_the_digits_alone(kind: str) -> None:
    """Ten scenes of `kind` by a writer of bars: one number of '1's each, and more marks than digits, for the signs
    stand beside them; and the kind is trained on."""
    upright = scenes.Writer(bar_digits, replace(scenes.READABLE, slant=0.0, bold_probability=0.0))
    for seed in range(10):
        page = scenes.MAKERS[kind](upright, np.random.default_rng(seed))
        _, text = page.numbers[0]
        assert len(page.numbers) == 1 and set(text) == {"1"}
        marks, _ = cv2.connectedComponents((page.ink > 0.5).astype(np.uint8))
        assert marks - 1 > len(text)  # a sign, or signs, beside the bars
    assert kind in scenes.UPRIGHT_KINDS and kind not in scenes.UNTRAINED_KINDS


def test_a_kind_joining_the_stress_suite_leaves_the_kinds_before_it_their_own_scenes():
    before_any_joined = [kind for kind in scenes.STRESS_KINDS if kind not in stress.JOINED_LATER]
    assert list(stress.STREAMS) == before_any_joined + list(stress.JOINED_LATER)
    assert stress.STREAMS.index("printed_signs") == 42 and stress.STREAMS.index("coloured_ink") == 43
    assert stress.STREAMS.index("hand_signs") == 44 and stress.STREAMS.index("small_tail") == 45


def test_an_amount_s_last_digits_are_written_smaller_than_its_first_in_the_same_pen_and_it_is_never_trained_on():
    for seed in range(6):
        page = scenes.small_tail(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, width, height), text = page.numbers[0]
        count, marks, stats, _ = cv2.connectedComponentsWithStats(
            (page.ink[y:y + height, x:x + width] > 0.5).astype(np.uint8))
        order = sorted(range(1, count), key=lambda mark: stats[mark, cv2.CC_STAT_LEFT])
        heights = [int(stats[mark, cv2.CC_STAT_HEIGHT]) for mark in order]
        assert 2 <= len(text) <= 6 and len(heights) <= len(text)  # small digits, their strokes as wide, may touch
        assert max(heights) == max(heights[:2]) and heights[-1] <= 0.85 * max(heights)
        first, last = (stroke_width(marks == order[end]) for end in (0, -1))
        assert last >= 0.7 * first  # not narrowed with its size, as a pen's stroke is not
    assert "small_tail" in scenes.UNTRAINED_KINDS and "small_tail" not in scenes.KINDS


def test_coloured_ink_is_about_as_light_as_its_coloured_paper_and_is_never_trained_on():
    for seed in range(10):
        page = scenes.coloured_ink(scenes.Writer(bar_digits), np.random.default_rng(seed))
        paper, ink = page.colours
        assert 0.8 <= scenes.luma(ink) / scenes.luma(paper) <= 1.05 and np.linalg.norm(ink - paper) >= 90
        pixels = scenes.render_page(page, np.random.default_rng(seed))
        assert pixels.shape == page.ink.shape + (3,) and pixels.dtype == np.uint8
    assert "coloured_ink" in scenes.UNTRAINED_KINDS and "coloured_ink" not in scenes.KINDS


def test_a_number_struck_out_stands_before_the_number_written_again_and_is_never_trained_on():
    for seed in range(10):
        page = scenes.struck_out(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, width, height), text = page.numbers[0]
        assert set(text) == {"1"} and len(page.numbers) == 1
        before = page.ink[:, :x]
        rows = np.flatnonzero(before.max(axis=1) > 0.5)
        assert before.sum() > 0 and rows.min() < y + height and rows.max() >= y  # the void number, on the same line
    assert "struck_out" in scenes.UNTRAINED_KINDS and "struck_out" not in scenes.KINDS


def test_a_date_is_its_digits_with_two_leaning_slashes_between_its_parts_and_is_never_trained_on(monkeypatch):
    monkeypatch.setattr(scenes, "digit_height", lambda rng: 60.0)  # tall enough that no bar thins into pieces
    upright = scenes.Writer(bar_digits, replace(scenes.READABLE, slant=0.0, bold_probability=0.0))
    for seed in range(10):
        slash = scenes.distractors.slash(40, np.random.default_rng(seed))
        rows, columns = np.nonzero(slash)
        lean = np.degrees(np.arctan2(columns.max() - columns.min(), rows.max() - rows.min()))
        assert rows.max() - rows.min() >= 40 and 15 <= lean <= 50
        assert columns[rows == rows.max()].mean() < columns[rows == rows.min()].mean()  # up and to the right
        page = scenes.date_with_slashes(upright, np.random.default_rng(seed))
        (x, y, width, height), text = page.numbers[0]
        assert len(page.numbers) == 1 and set(text) == {"1"} and len(text) in (6, 8)
        marks, _ = cv2.connectedComponents((page.ink[y:y + height, x:x + width] > 0.5).astype(np.uint8))
        assert marks - 1 == len(text) + 2  # each bar digit, and the two slashes apart from them
    assert "date_with_slashes" in scenes.UNTRAINED_KINDS and "date_with_slashes" not in scenes.KINDS


def test_the_other_side_shows_through_faint_around_a_number_that_stays_the_darkest_ink():
    pages_showing_through = 0
    for seed in range(10):
        page = scenes.show_through(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, width, height), text = page.numbers[0]
        assert len(page.numbers) == 1 and set(text) == {"1"}
        around = page.ink.copy()
        around[y:y + height, x:x + width] = 0
        assert around.max() < 0.45 * page.ink[y:y + height, x:x + width].max()
        pages_showing_through += around.max() > 0.05
    assert pages_showing_through >= 8  # the other side shows somewhere beside the number on almost every page
    assert "show_through" in scenes.UNTRAINED_KINDS and "show_through" not in scenes.KINDS


def test_a_number_run_together_has_digits_that_touch():
    joined = 0
    for seed in range(20):
        page = scenes.run_together(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, w, h), text = page.numbers[0]
        marks = cv2.connectedComponents((page.ink[y:y + h, x:x + w] > 0).astype(np.uint8))[0] - 1
        joined += len(text) > 1 and marks < len(text)
    assert joined >= 5


def test_a_cell_numbered_from_one_begins_with_a_one_clear_of_its_border():
    def sevens_then_ones(rng: np.random.Generator) -> tuple[np.ndarray, int]:
        mask, _ = bar_digits(rng)
        return mask, 1 if rng.random() < 0.2 else 7

    for seed in range(20):
        page = scenes.ones_first(scenes.Writer(sevens_then_ones), np.random.default_rng(seed))
        (x, y, w, h), text = page.numbers[0]
        assert text[0] == "1"
        bar = int(np.argmin(page.ink[:, :x].min(axis=0) > 0)) if page.ink[:, 0].all() else 0
        assert x - bar >= 2 and not page.ink[:, bar:x].any()  # a gap of bare paper between the bar and the '1'
    assert scenes.ones_first in scenes.MAKERS.values() and "ones_first" not in scenes.KINDS  # measured, never trained


def test_squared_paper_runs_its_lines_both_ways_across_the_number_and_is_never_trained_on():
    for seed in range(5):
        page = scenes.squared_paper(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, w, h), _ = page.numbers[0]
        printed = page.printed[y:y + h, x:x + w] > 0
        assert printed.all(axis=1).any() or printed.all(axis=0).any()  # a line runs through the number's box
        assert page.printed.all(axis=0).sum() >= 1 and page.printed.all(axis=1).sum() >= 1
    assert "squared_paper" in scenes.UNTRAINED_KINDS and "squared_paper" not in scenes.KINDS


def test_a_ledger_row_is_a_short_number_boxed_by_printed_rules_and_column_lines_and_never_trained_on():
    for seed in range(5):
        page = scenes.ledger_row(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, w, h), text = page.numbers[0]
        assert 1 <= len(text) <= scenes.LEDGER_DIGITS
        printed = page.printed > 0
        assert printed[:, :x].any(axis=1).all() and printed[:, x + w:].any(axis=1).all()  # a column line each side
        assert printed[:y].any(axis=0).all() and printed[y + h:].any(axis=0).all()  # a row's rule above and below
        assert not printed[y + h // 4:y + 3 * h // 4, x + 2:x + w - 2].any()  # none through the number
    assert "ledger_row" in scenes.UNTRAINED_KINDS and "ledger_row" not in scenes.KINDS


def test_the_stress_table_names_the_kinds_no_network_trained_on_and_totals_every_kind():
    table = stress.stress_table([stress.KindScore("clean", 9, 10, (("12", "13"),)),
                                 stress.KindScore("ones_first", 8, 10, ())])
    assert table[2].startswith("| clean | 10 | 90.0 | '12' -> '13'")
    assert table[3].startswith("| ones_first (never trained on) | 10 | 80.0 |")
    assert table[4] == "| all | 20 | 85.0 | |"


def test_a_number_drawn_off_the_canvas_is_a_see_through_drawing_cut_at_an_edge_and_never_trained_on():
    for seed in range(5):
        page = scenes.off_the_canvas(scenes.Writer(bar_digits), np.random.default_rng(seed))
        (x, y, w, h), _ = page.numbers[0]
        ink = page.ink > 0
        cut = [ink[y, x:x + w].any() and y == 0, ink[y + h - 1, x:x + w].any() and y + h == ink.shape[0],
               ink[y:y + h, x].any() and x == 0, ink[y:y + h, x + w - 1].any() and x + w == ink.shape[1]]
        assert page.drawn and any(cut)
        pixels = scenes.canvas_export(page, np.random.default_rng(seed))
        assert pixels.shape == (*ink.shape, 4) and (pixels[..., 3][~ink] == 0).all()
    assert "off_the_canvas" in scenes.UNTRAINED_KINDS and "off_the_canvas" not in scenes.KINDS


def test_a_sheet_on_a_desk_shows_the_desk_beyond_a_side_clear_of_the_number_and_is_never_trained_on():
    for seed in range(5):
        page = scenes.sheet_on_desk(scenes.Writer(bar_digits), np.random.default_rng(seed))
        along_a_side = [page.desk[:, 0].all(), page.desk[:, -1].all(), page.desk[0].all(), page.desk[-1].all()]
        assert any(along_a_side) and not page.desk.all()
        for (x, y, w, h), _ in page.numbers:
            assert not page.desk[y:y + h, x:x + w].any()
        pixels = scenes.render_page(page, np.random.default_rng(seed)).mean(axis=2)
        assert np.median(pixels[page.desk]) < np.median(pixels[~page.desk]) - 40
    assert "sheet_on_desk" in scenes.UNTRAINED_KINDS and "sheet_on_desk" not in scenes.KINDS


def test_a_photo_taken_with_the_phone_turned_turns_the_desk_with_the_sheet_and_is_never_trained_on():
    on_its_side = on_a_desk = 0
    for seed in range(8):
        page = scenes.turned_photo(scenes.Writer(bar_digits), np.random.default_rng(seed))
        boxed = np.zeros(page.ink.shape, bool)
        for (x, y, w, h), _ in page.numbers:
            boxed[y:y + h, x:x + w] = True
            on_its_side += h > w  # a number of upright bars, written across, lying on its side
        assert page.ink[boxed].sum() > 0 and page.ink[~boxed].sum() == 0  # each line's box turned with its ink
        if page.desk is not None:
            assert page.desk.shape == page.ink.shape and not (page.desk & boxed).any()  # and the desk with the sheet
            on_a_desk += 1
    assert on_its_side and on_a_desk
    assert "turned_photo" in scenes.UNTRAINED_KINDS and "turned_photo" not in scenes.KINDS


def test_a_shadow_falls_across_part_of_the_page_and_is_never_trained_on():
    for seed in range(5):
        page = scenes.shadow_across(scenes.Writer(bar_digits), np.random.default_rng(seed))
        assert page.light.shape == page.ink.shape and page.light.max() > 0.95 and page.light.min() < 0.75
        pixels = scenes.render_page(page, np.random.default_rng(seed)).mean(axis=2)
        paper = (page.ink == 0) & (page.printed == 0)
        lit, shaded = paper & (page.light > 0.95), paper & (page.light < 0.75)
        assert np.median(pixels[shaded]) < 0.85 * np.median(pixels[lit])
    assert "shadow_across" in scenes.UNTRAINED_KINDS and "shadow_across" not in scenes.KINDS
