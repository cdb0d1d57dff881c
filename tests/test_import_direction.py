"""Imports go one way: communes ← candidates ← pledges.

Every module of the lower apps is parsed, imports inside functions and migrations included,
and any import of a higher app fails the test with the file and line.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app, and the apps it must never import.
FORBIDDEN = {
    "communes": {"candidates", "pledges"},
    "candidates": {"pledges"},
}


def imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def wrong_way_imports(app: str) -> list[str]:
    found = []
    for path in sorted((ROOT / app).rglob("*.py")):
        for line, module in imported_modules(path):
            if module.split(".")[0] in FORBIDDEN[app]:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_never_imports_the_apps_built_on_it(app):
    assert wrong_way_imports(app) == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "planted.py"
    module.write_text("def f():\n    from pledges.models import Pledge\n    return Pledge\n")
    assert list(imported_modules(module)) == [(2, "pledges.models")]
