"""The package's layout shows its architecture: families import downwards only, with no circles, and the reading
path is made of small functions."""

import ast
from pathlib import Path

import pytest

from conftest import PROJECT

PACKAGE = PROJECT / "digitocr"
FAMILIES = {"errors": 0, "settings": 0, "results": 0, "models": 0, "arguments": 0,  # the shared vocabulary, model files
            "networks": 1, "image": 2, "reader": 3, "training": 4, "frontends": 5}
ENTRY_POINTS = 6  # the package's own __init__, __main__ and the older command spellings
READING_PATH = ("networks", "image", "reader")
LONGEST_FUNCTION = 40  # lines of a function's body, its docstring left out
MOST_PARAMETERS = 6


def modules() -> dict[str, Path]:
    return {".".join(path.relative_to(PROJECT).with_suffix("").parts): path for path in PACKAGE.rglob("*.py")}


def family(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or parts[1] in FAMILIES else None


def rank(module: str) -> int:
    return FAMILIES.get(family(module), ENTRY_POINTS)


def imported(module: str, path: Path) -> set[str]:
    """The package's modules that `module` imports, wherever in it the import stands."""
    package = module.split(".")[:-1]  # an __init__'s own package too: its module is named PACKAGE.__init__
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - node.level + 1] + (node.module.split(".") if node.module else [])
            names = [".".join(base + [alias.name]) for alias in node.names]
            found |= {name if name in modules() else ".".join(base) for name in names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("digitocr"):
            found.add(node.module)
    return {name for name in found if name in modules() or name + ".__init__" in modules()}


def test_every_family_says_what_it_is_for():
    for name in FAMILIES:
        init = PACKAGE / name / "__init__.py"
        source = init if init.exists() else PACKAGE / f"{name}.py"  # a family of one module says it there
        assert ast.get_docstring(ast.parse(source.read_text())), f"{name} has no docstring"


def test_imports_run_from_higher_families_to_lower_ones_only():
    upward = []
    for module, path in modules().items():
        for target in imported(module, path):
            if rank(target) > rank(module):
                upward.append(f"{module} imports {target}")
    assert not upward, "\n".join(upward)


def test_no_module_imports_itself_through_others():
    graph = {module: {t if t in modules() else t + ".__init__" for t in imported(module, path)}
             for module, path in modules().items()}
    graph = {module.removesuffix(".__init__"): {t.removesuffix(".__init__") for t in targets}
             for module, targets in graph.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for target in graph.get(start, ()):
            if target == goal or (target not in seen and reaches(target, goal, seen | {target})):
                return True
        return False

    circles = [module for module in graph if reaches(module, module, {module})
               and not module.endswith("digitocr")]  # the package's __init__ only re-exports what it names
    assert not circles, circles


def functions(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def body_lines(function: ast.FunctionDef) -> int:
    body = function.body
    if len(body) > 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return function.end_lineno - body[0].lineno + 1


@pytest.mark.parametrize("name", READING_PATH)
def test_the_reading_path_is_made_of_small_functions(name):
    long = [f"{path.name}:{function.name} ({body_lines(function)} lines)" for path in (PACKAGE / name).rglob("*.py")
            for function in functions(path) if body_lines(function) > LONGEST_FUNCTION]
    assert not long, long


def test_no_function_takes_more_than_six_parameters():
    crowded = []
    for path in list(PACKAGE.rglob("*.py")) + [PROJECT / "app.py"]:
        for function in functions(path):
            arguments = function.args
            named = [a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs
                     if a.arg not in ("self", "cls")]
            if len(named) > MOST_PARAMETERS:
                crowded.append(f"{path.name}:{function.name} ({len(named)})")
    assert not crowded, crowded
