"""Figures: one disclosure rule, one chart layout (issue 19). Each app provides its
aggregates in `<app>/figures.py`; the figures app composes them; no app imports figures;
the small-cell rule, percentages and the bar layout exist in one module each."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("members", "chapters", "pncs", "programs", "announcements")


def _python_files(*directories):
    for directory in directories:
        for path in (ROOT / directory).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module


def test_no_app_imports_the_figures_app():
    found = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _python_files(*APPS)
        for name in _imports(path)
        if name == "figures" or name.startswith("figures.")
    ]
    assert not found, found


def test_every_app_provides_its_aggregates_and_figures_composes_them():
    for app in APPS:
        assert (ROOT / app / "figures.py").is_file(), app
    composed = set()
    for path in _python_files("figures"):
        composed |= {name.split(".")[0] for name in _imports(path) if name.endswith(".figures")}
    assert composed >= set(APPS)


def _code_strings_and_names(path):
    """String constants (docstrings left out) and assigned names of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    strings = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    }
    names = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    return strings, names


def test_the_small_cell_rule_and_the_bar_layout_are_written_once():
    rule, layout = [], []
    for path in _python_files(*APPS, "figures"):
        strings, names = _code_strings_and_names(path)
        name = str(path.relative_to(ROOT))
        if "<5" in strings or names & {"SMALL_CELL", "MIN_CELL", "SMALL"}:
            rule.append(name)
        if names & {"BAR_AREA", "ROW_HEIGHT", "BAR_HEIGHT", "LABEL_WIDTH"}:
            layout.append(name)
    assert rule == ["figures/disclosure.py"]
    assert layout == ["figures/charts.py"]
