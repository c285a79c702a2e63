from pathlib import Path

import digitocr
from digitocr.training.rule_count import constants_table, reading_path_constants, tuned_constants


def test_only_module_level_numbers_count_as_tuned_constants():
    source = '''
NAME = "a reason"
PATH = Path("x")
RATIO = 0.5  # counted
LIMIT = 50 * 1024
SPAN = (0.25, -0.75)
FLAG = True
lower = 3


def f():
    INSIDE = 2
'''
    assert tuned_constants(source) == ["RATIO", "LIMIT", "SPAN"]


def test_the_reading_path_is_counted_from_its_source_and_totalled():
    found = reading_path_constants(Path(digitocr.__file__).parent)
    assert "CUT_COST" in found["reader/cuts.py"] and "LINE_MARGIN" in found["reader/line_choice.py"]
    assert "image/drawing.py" not in found and not any(module.startswith("training/") for module in found)
    assert constants_table(found)[-1] == f"| all | {sum(len(names) for names in found.values())} | |"
