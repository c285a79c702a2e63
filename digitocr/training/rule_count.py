"""How many tuned numbers the reading path's decisions rest on: `python -m digitocr.evaluate` lists them.

Each module-level constant of the image path and the reader (`image/`,
`reader/`) whose value is a number, or a tuple of numbers, is a setting
someone chose by hand: a ratio, a margin, a prior. Fewer of them, with
models deciding instead, is how the reader generalises (issue 20's "fewer
rules, not more"); the count is read from the source, so it cannot drift
from the code. Names of strings, paths and feature lists are not counted.
"""

import ast
from pathlib import Path

READING_PATH = ("image", "reader")  # the subpackages every read passes through and whose decisions are tuned
# the debug view's colours and captions, and how a batch is shared out, decide no reading
NO_DECISION = ("image/drawing.py", "reader/debug_stages.py", "reader/workers.py")


def is_number(value: ast.expr) -> bool:
    """A literal number, a negative one, a tuple of numbers or arithmetic on them (`50 * 1024`)."""
    if isinstance(value, ast.UnaryOp):
        return is_number(value.operand)
    if isinstance(value, ast.Constant):
        return isinstance(value.value, (int, float)) and not isinstance(value.value, bool)
    if isinstance(value, ast.Tuple):
        return all(is_number(element) for element in value.elts)
    if isinstance(value, ast.BinOp):
        return is_number(value.left) and is_number(value.right)
    return False


def tuned_constants(source: str) -> list[str]:
    """The names of a module's constants (upper-case, module level) that hold numbers."""
    return [target.id for node in ast.parse(source).body if isinstance(node, ast.Assign) and is_number(node.value)
            for target in node.targets if isinstance(target, ast.Name) and target.id.isupper()]


def reading_path_constants(package: Path) -> dict[str, list[str]]:
    """Per module of the reading path (as `image/cleanup.py`), its tuned constants; modules with none left out."""
    found = {}
    for subpackage in READING_PATH:
        for module in sorted((package / subpackage).glob("*.py")):
            name = f"{subpackage}/{module.name}"
            if name not in NO_DECISION and (names := tuned_constants(module.read_text())):
                found[name] = names
    return found


def constants_table(found: dict[str, list[str]]) -> list[str]:
    lines = ["| module | tuned constants | names |", "|---|---|---|"]
    lines += [f"| `{module}` | {len(names)} | {', '.join(names)} |" for module, names in found.items()]
    lines.append(f"| all | {sum(len(names) for names in found.values())} | |")
    return lines
